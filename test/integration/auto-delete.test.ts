import { randomBytes } from 'node:crypto';
import { GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { AUTO_DELETE_TAG, autoDeleteDate, autoDeleteTagging } from '../../src/s3/auto-delete';
import { createS3Client } from '../../src/s3/client';
import { presignUpload } from '../../src/s3/presign';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { runUpload, type UploadBackend } from '../../src/upload/pipeline';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../support/fault-proxy';
import { fakeSettings } from '../support/fake-settings';
import { strictLaneAvailable } from '../support/lanes';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { connectionTo, startS3rver, startSwift, type S3Server } from '../support/s3-servers';
import { screenshotPng } from '../support/screenshot-png';

const BUCKET = 'auto-delete';
const MiB = 1024 * 1024;
const DAYS = 30;
const TAG = `${AUTO_DELETE_TAG}=${DAYS}`;

/** The header names a request signed: from the URL of a presigned one, or from the SDK's Authorization header. */
function signedHeaders(entry: ProxyLogEntry): string[] {
  const fromUrl = new URL(entry.url, 'http://x').searchParams.get('X-Amz-SignedHeaders');
  const auth = String(entry.headers.authorization ?? '');
  return (fromUrl ?? /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '').split(';').filter(Boolean);
}

function upload(background: RealBackground, profileId: string, file: File) {
  const backend: UploadBackend = background.uploads;
  return runUpload(
    { body: file, name: file.name, type: file.type, source: 'popup', profileId },
    { backend, transport: fetchTransport(), copy: async () => true },
  );
}

/**
 * Auto-delete on the wire, through the real background and pipeline. s3rver
 * answers a tagged PUT with 200 but keeps no tag (GetObjectTagging reads back
 * an empty set), and Swift's s3api refuses tags, so neither can show a tag
 * stored: a proxy in front of s3rver shows what S3 Drop sends, which is what
 * S3 would keep.
 */
describe('Auto-delete: every upload carries its signed tag (s3rver, seen on the wire)', () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  let background: RealBackground;
  let profileId = '';
  const recorded: RecentUpload[] = [];

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    // The profile's endpoint is the proxy: URLs are signed for it, and it forwards them as they came.
    proxy = await startFaultProxy(s3.endpoint, () => undefined, { keepHost: true });
    background = realBackground(fakeSettings(), {
      record: async (u) => {
        recorded.push(u);
      },
    });
    profileId = await saveServerProfile(background.service, { ...s3, endpoint: proxy.origin }, BUCKET, {
      name: 'shares',
      keyTemplate: 'shares/{uuid}/{name}',
      autoDeleteDays: DAYS,
      multipartThresholdMiB: 8,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await s3?.stop();
  });

  it('a screenshot in one PUT: the tag is a signed header, and the history and popup say when it goes', async () => {
    const before = Date.now();
    // A real screenshot's size (2.6 MB, with EXIF): one PUT below the profile's 8 MiB for parts.
    const outcome = await upload(background, profileId, new File([new Uint8Array(screenshotPng().bytes)], 'Screenshot 2026-12-07.png', { type: 'image/png' }));
    if (outcome.status !== 'done') throw new Error(`upload failed: ${JSON.stringify(outcome)}`);

    const put = proxy.log.find((e) => e.method === 'PUT' && e.url.includes('Screenshot%202026-12-07.png'))!;
    expect(put.headers['x-amz-tagging']).toBe(TAG);
    expect(signedHeaders(put)).toContain('x-amz-tagging');
    expect(put.status).toBe(200);

    const entry = recorded.find((u) => u.key === outcome.key)!;
    expect(entry.deletesAt).toBe(autoDeleteDate(entry.at, DAYS));
    expect(outcome.deletesAt).toBe(entry.deletesAt);
    // Thirty days on, at the next midnight UTC.
    expect(entry.deletesAt! - before).toBeGreaterThan(DAYS * 86_400_000);
    expect(new Date(entry.deletesAt!).toISOString()).toMatch(/T00:00:00\.000Z$/);
  });

  it('a 20 MiB file in parts: the tag is set, signed, at the create; the parts carry none', async () => {
    const outcome = await upload(background, profileId, new File([new Uint8Array(randomBytes(20 * MiB))], 'backup.tar', { type: 'application/x-tar' }));
    if (outcome.status !== 'done') throw new Error(`upload failed: ${JSON.stringify(outcome)}`);
    const path = outcome.key.split('/').map(encodeURIComponent).join('/');
    const mine = proxy.log.filter((e) => e.url.includes(path));
    const create = mine.find((e) => e.method === 'POST' && /[?&]uploads(=|&|$)/.test(e.url))!;
    expect(create, JSON.stringify(mine.map((e) => `${e.method} ${e.url}`))).toBeDefined();
    expect(create.headers['x-amz-tagging']).toBe(TAG);
    expect(signedHeaders(create)).toContain('x-amz-tagging');
    const parts = mine.filter((e) => e.method === 'PUT' && e.url.includes('partNumber='));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(part.headers['x-amz-tagging']).toBeUndefined();
    expect(recorded.find((u) => u.key === outcome.key)?.deletesAt).toBe(outcome.deletesAt);
  });

  it('s3rver keeps no tag from the header (why the wire is the proof here)', async () => {
    const client = createS3Client(connectionTo(s3, BUCKET), { maxAttempts: 1 });
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'shares/' }));
      const key = listed.Contents![0]!.Key!;
      expect((await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).TagSet ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('a profile without Auto-delete sends no tag and promises no date', async () => {
    const plain = await saveServerProfile(background.service, { ...s3, endpoint: proxy.origin }, BUCKET, { name: 'keep', keyTemplate: 'keep/{uuid}/{name}' });
    const outcome = await upload(background, plain, new File(['notes'], 'notes.txt', { type: 'text/plain' }));
    if (outcome.status !== 'done') throw new Error(`upload failed: ${JSON.stringify(outcome)}`);
    const put = proxy.log.find((e) => e.method === 'PUT' && e.url.includes('notes.txt'))!;
    expect(put.headers['x-amz-tagging']).toBeUndefined();
    expect(outcome.deletesAt).toBeUndefined();
    expect(recorded.find((u) => u.key === outcome.key)?.deletesAt).toBeUndefined();
  });
});

describe.skipIf(!strictLaneAvailable())('Auto-delete on a server without tags (Swift s3api, which verifies every signature)', () => {
  let s3: S3Server;
  let background: RealBackground;

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    background = realBackground(fakeSettings());
  });
  afterAll(() => s3?.stop());

  it('the tag is part of the signature: without it the PUT is refused as tampered', async () => {
    const client = createS3Client(connectionTo(s3, BUCKET), { maxAttempts: 1 });
    try {
      const body = new TextEncoder().encode('hello');
      const signed = await presignUpload(client, { bucket: BUCKET, key: 'signed.txt', contentType: 'text/plain', contentLength: body.length, tagging: autoDeleteTagging(DAYS) });
      const { 'x-amz-tagging': _tag, ...withoutTag } = signed.headers;
      const stripped = await fetch(signed.url, { method: 'PUT', headers: withoutTag, body });
      expect(stripped.status).toBe(403);
      expect(await stripped.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      // With it, the signature holds and Swift says what it lacks.
      const sent = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
      expect(sent.status).toBe(501);
      expect(await sent.text()).toContain('<Code>NotImplemented</Code>');
    } finally {
      client.destroy();
    }
  });

  it('an upload fails with a sentence that names the setting, and stores nothing', async () => {
    const id = await saveServerProfile(background.service, s3, BUCKET, { name: 'swift', keyTemplate: 'swift/{name}', autoDeleteDays: DAYS });
    const outcome = await upload(background, id, new File([new Uint8Array(screenshotPng().bytes)], 'Screenshot.png', { type: 'image/png' }));
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        message: `${s3.endpoint} does not support object tags, which Auto-delete puts on every upload. Turn Auto-delete off for this profile in Options, then try again.`,
        fix: { kind: 'open-options' },
      },
    });
    const client = createS3Client(connectionTo(s3, BUCKET), { maxAttempts: 1 });
    try {
      expect((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'swift/' }))).KeyCount ?? 0).toBe(0);
    } finally {
      client.destroy();
    }
  });
});
