import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucketCheckHandlers, storedBucketCheck } from '../../src/background/bucket-check-service';
import type { BucketCheck, BucketFact, CheckId, CheckStatus } from '../../src/bucket-check/facts';
import { CHECK_PREFIX } from '../../src/bucket-check/probe';
import { s3ClientPool } from '../../src/destination/connection';
import { openDestination } from '../../src/destination/open';
import { createS3Client } from '../../src/s3/client';
import type { KeysDraft } from '../../src/settings/profile';
import { fakeSettings } from '../support/fake-settings';
import { realBackground, saveServerProfile } from '../support/real-background';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startS3rver, startSwift, type S3Server } from '../support/s3-servers';
import { ok } from '../support/results';

const BUCKET = 'checked-bucket';

/**
 * "Check my bucket" through the real background (profile, secrets, S3 client
 * pool, presigned URLs, fetch) against both test servers: each line says what
 * that server really does, asserted line by line.
 */
function lane(start: () => Promise<S3Server>) {
  let s3: S3Server;
  let bg: ReturnType<typeof realBackground>;
  let checks: ReturnType<typeof createBucketCheckHandlers>;
  let stored: Record<string, BucketCheck> = {};
  const store = {
    load: async () => structuredClone(stored),
    save: async (all: Record<string, BucketCheck>) => {
      stored = structuredClone(all);
    },
  };
  const client = s3ClientPool();

  beforeAll(async () => {
    s3 = await start();
    bg = realBackground(fakeSettings());
    checks = createBucketCheckHandlers({ ...bg.deps, client, store });
  });
  afterAll(() => s3?.stop());

  return {
    server: () => s3,
    checks: () => checks,
    stored: () => stored,
    store,
    profile: (name: string, over: Partial<KeysDraft> = {}) => saveServerProfile(bg.service, s3, BUCKET, { name, ...over }),
    /** The profile's destination, opened as uploads open it: reading the stored check. */
    open: (profileId: string) => openDestination({ ...bg.deps, client, bucketCheck: storedBucketCheck(store) }, profileId),
  };
}

/** Each line's id and status, in the checklist's order. */
const statuses = (check: BucketCheck) => check.facts.map((f) => [f.id, f.status] as [CheckId, CheckStatus]);
const line = (check: BucketCheck, id: CheckId): BucketFact => {
  const found = check.facts.find((f) => f.id === id);
  if (!found) throw new Error(`no "${id}" line in ${JSON.stringify(statuses(check))}`);
  return found;
};

/** Whatever the check wrote under its prefix: objects, and uploads in parts not aborted. */
async function leftBehind(s3: S3Server) {
  const c = createS3Client(connectionTo(s3, BUCKET), { maxAttempts: 1 });
  try {
    const objects = await c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: CHECK_PREFIX }));
    const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: CHECK_PREFIX })).catch((err: Error) => err.name);
    return { objects: (objects.Contents ?? []).map((o) => o.Key), uploads: typeof uploads === 'string' ? uploads : (uploads.Uploads ?? []).map((u) => u.Key) };
  } finally {
    c.destroy();
  }
}

describe.skipIf(!strictLaneAvailable())('Check my bucket on the strict lane (Swift s3api)', () => {
  const swift = lane(() => startSwift({ buckets: [BUCKET] }));

  it('reports what Swift does, line by line, and leaves nothing behind', async () => {
    const id = await swift.profile('swift', { keyTemplate: 'check/{name}' });
    const check = ok(await swift.checks().checkBucket({ profileId: id }));
    expect(statuses(check)).toEqual([
      ['keys', 'ok'],
      ['clock', 'ok'],
      ['region', 'ok'],
      ['probe', 'ok'],
      ['multipart', 'ok'],
      // 501 NotImplemented for every conditional PUT: not supported, S3 Drop must not ask.
      ['conditionalWrites', 'info'],
      // A wrong Content-MD5 gets 400 BadDigest; wrong CRC32 and SHA-256 headers are stored without a word.
      ['checksums', 'ok'],
      // s3api 2.30 has no lifecycle: GET ?lifecycle lists the bucket, PUT ?lifecycle is MalformedXML.
      ['lifecycle', 'info'],
      ['versioning', 'info'],
      ['objectLock', 'info'],
    ]);
    expect(check.conditionalWrites).toBe('refused');
    expect(line(check, 'conditionalWrites').sentence).toMatch(/does not accept uploads that ask not to replace a file/);
    expect(check.checksums).toEqual({ contentMd5: 'verified', crc32: 'ignored', sha256: 'ignored' });
    expect(line(check, 'checksums').sentence).toBe(
      'This storage checks Content-MD5 checksums: a file sent with one and damaged on the way is refused instead of stored.',
    );
    expect(line(check, 'lifecycle').sentence).toMatch(/has no lifecycle rules/);
    expect(line(check, 'lifecycle').fix).toBeUndefined();
    expect(line(check, 'versioning').sentence).toMatch(/Versioning is off/);
    expect(line(check, 'objectLock').sentence).toMatch(/Object Lock is off/);
    expect(line(check, 'region').sentence).toBe(`Requests go to ${swift.server().endpoint} (the bucket in the path), signed for region us-east-1.`);
    expect(line(check, 'keys').sentence).toMatch(/accepts these keys/);
    expect(await leftBehind(swift.server())).toEqual({ objects: [], uploads: [] });
    // Stored for the profile, and read back only for it.
    expect(swift.stored()[id]).toEqual(check);
    expect(await swift.checks().getBucketCheck({ profileId: id })).toEqual(check);
  });

  it('the upload path follows what the check saw: a wrong stored answer is corrected by the next check', async () => {
    const id = await swift.profile('collide', { keyTemplate: 'same/{name}' });
    const profile = ok(await swift.open(id));
    // A stale answer for this very bucket (say, from before a server change) is believed: uploads would sign If-None-Match…
    const address = { bucket: BUCKET, endpoint: swift.server().endpoint, region: swift.server().region, forcePathStyle: true };
    await swift.store.save({ ...swift.stored(), [id]: { profileId: id, checkedAt: 0, address, facts: [], conditionalWrites: 'honoured' } });
    expect(ok(await swift.open(id)).conditionalWrites).toBe(true);
    expect(profile.conditionalWrites, 'before any check: the guess by endpoint').toBe(false);
    // …until the check asks Swift, which answers 501, and the destination stops asking.
    ok(await swift.checks().checkBucket({ profileId: id }));
    expect(swift.stored()[id]!.conditionalWrites).toBe('refused');
    expect(ok(await swift.open(id)).conditionalWrites).toBe(false);
  });

  it('the Fix finds no lifecycle to set on Swift and says so, without breaking the bucket', async () => {
    const id = await swift.profile('fix');
    ok(await swift.checks().checkBucket({ profileId: id }));
    const fixed = ok(await swift.checks().fixBucket({ profileId: id, fix: 'add-abort-rule' }));
    expect(line(fixed, 'lifecycle')).toMatchObject({ status: 'info', sentence: expect.stringMatching(/has no lifecycle rules/) });
    // The rest of the list is the stored one.
    expect(statuses(fixed).filter(([i]) => i !== 'lifecycle')).toEqual(statuses(swift.stored()[id]!).filter(([i]) => i !== 'lifecycle'));
  });

  it('with Auto-delete on: Swift refuses tagged uploads (501), so the line says to turn it off, and nothing is left', async () => {
    const id = await swift.profile('auto-delete', { autoDeleteDays: 30 });
    const check = ok(await swift.checks().checkBucket({ profileId: id }));
    // Right after the lifecycle line it explains.
    expect(statuses(check).map(([i]) => i).slice(7, 9)).toEqual(['lifecycle', 'autoDelete']);
    expect(line(check, 'autoDelete')).toMatchObject({ status: 'problem', sentence: expect.stringMatching(/refuses uploads that carry tags.*Turn Auto-delete off/) });
    expect(line(check, 'autoDelete').fix).toBeUndefined();
    expect(check.tagging).toBe('refused');
    expect(await leftBehind(swift.server())).toEqual({ objects: [], uploads: [] });
  });

  it('public and own-domain links: Swift serves no anonymous GET (400), and says so', async () => {
    const pub = ok(await swift.checks().checkBucket({ profileId: await swift.profile('public', { linkMode: 'public' }) }));
    expect(line(pub, 'publicLinks')).toMatchObject({ status: 'problem', sentence: expect.stringContaining('HTTP 400') });
    expect(line(pub, 'probe').status).toBe('ok');
    const custom = ok(
      await swift.checks().checkBucket({ profileId: await swift.profile('custom', { linkMode: 'custom', linkBaseUrl: `${swift.server().endpoint}/${BUCKET}` }) }),
    );
    expect(line(custom, 'customLinks')).toMatchObject({ status: 'problem', sentence: expect.stringContaining('HTTP 400') });
    expect(custom.facts.some((f) => f.id === 'publicLinks')).toBe(false);
    expect(await leftBehind(swift.server())).toEqual({ objects: [], uploads: [] });
  });

  it('a wrong secret: the keys line says so, and nothing else is asked', async () => {
    const id = await swift.profile('wrong', { secretAccessKey: 'not-the-secret' });
    const check = ok(await swift.checks().checkBucket({ profileId: id }));
    expect(line(check, 'keys')).toMatchObject({ status: 'problem', sentence: expect.stringMatching(/secret/i) });
    expect(line(check, 'clock').status).toBe('ok');
    for (const later of ['region', 'probe', 'multipart', 'conditionalWrites', 'checksums', 'lifecycle', 'versioning', 'objectLock'] as const)
      expect(line(check, later).status, later).toBe('skipped');
    expect(check.conditionalWrites).toBeUndefined();
    expect(check.checksums).toBeUndefined();
  });

  it('a wrong region: the region line names the right one', async () => {
    const id = await swift.profile('region', { region: 'eu-west-1' });
    const check = ok(await swift.checks().checkBucket({ profileId: id }));
    expect(line(check, 'region')).toMatchObject({ status: 'problem', sentence: expect.stringContaining('us-east-1') });
    expect(line(check, 'keys').status).toBe('skipped');
  });
});

describe("Check my bucket on the fast lane (s3rver): s3rver's gaps", () => {
  const fast = lane(() => startS3rver({ buckets: [BUCKET] }));

  it('reports what s3rver does, line by line', async () => {
    const id = await fast.profile('s3rver', { linkMode: 'public' });
    const check = ok(await fast.checks().checkBucket({ profileId: id }));
    expect(statuses(check)).toEqual([
      ['keys', 'ok'],
      ['clock', 'ok'],
      ['region', 'ok'],
      ['probe', 'ok'],
      // Starts uploads in parts but answers their abort with 405 MethodNotAllowed.
      ['multipart', 'problem'],
      // Stores both PUTs: If-None-Match is ignored.
      ['conditionalWrites', 'info'],
      // Stores every PUT whatever its Content-MD5, CRC32 or SHA-256 header says.
      ['checksums', 'info'],
      // 501 NotImplemented for ?lifecycle.
      ['lifecycle', 'info'],
      ['publicLinks', 'ok'],
      ['versioning', 'info'],
      // 501 NotImplemented for ?object-lock.
      ['objectLock', 'info'],
    ]);
    expect(line(check, 'multipart').sentence).toMatch(/cannot be cancelled/);
    expect(check.conditionalWrites).toBe('ignored');
    expect(line(check, 'conditionalWrites').sentence).toMatch(/ignores the request not to replace a file/);
    expect(check.checksums).toEqual({ contentMd5: 'ignored', crc32: 'ignored', sha256: 'ignored' });
    expect(line(check, 'checksums').sentence).toMatch(/^This storage does not check Content-MD5, CRC32 or SHA-256 checksums: a file damaged on the way would be stored/);
    expect(line(check, 'lifecycle').sentence).toMatch(/has no lifecycle rules/);
    expect(line(check, 'objectLock').sentence).toMatch(/no Object Lock/);
    // The three files stored with a wrong checksum are gone too.
    expect((await leftBehind(fast.server())).objects).toEqual([]);
  });

  it('with Auto-delete on: s3rver stores a tagged upload but drops the tag, so the line says no rule could find it', async () => {
    const id = await fast.profile('auto-delete', { autoDeleteDays: 30 });
    const check = ok(await fast.checks().checkBucket({ profileId: id }));
    expect(line(check, 'autoDelete')).toMatchObject({ status: 'problem', sentence: expect.stringMatching(/drops their tags/) });
    expect(check.tagging).toBe('ignored');
    // The tagged test file was stored, then deleted.
    expect((await leftBehind(fast.server())).objects).toEqual([]);
    // A profile without Auto-delete has no such line.
    const plain = ok(await fast.checks().checkBucket({ profileId: await fast.profile('keep') }));
    expect(plain.facts.some((f) => f.id === 'autoDelete')).toBe(false);
  });

  it('own-domain links: a base that serves the bucket is ✓; one that does not is a problem with its status', async () => {
    const good = ok(await fast.checks().checkBucket({ profileId: await fast.profile('cdn', { linkMode: 'custom', linkBaseUrl: `${fast.server().endpoint}/${BUCKET}/{key}` }) }));
    expect(line(good, 'customLinks').status).toBe('ok');
    const bad = ok(await fast.checks().checkBucket({ profileId: await fast.profile('cdn-wrong', { linkMode: 'custom', linkBaseUrl: `${fast.server().endpoint}/other-bucket` }) }));
    expect(line(bad, 'customLinks')).toMatchObject({ status: 'problem', sentence: expect.stringContaining('HTTP 404') });
  });
});
