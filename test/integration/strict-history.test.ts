import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistoryHandlers, createHistoryRecorder, createUploadRecorder, serialHistory, type HistoryDeps } from '../../src/background/history-service';
import type { LinkRequest, ShareLink } from '../../src/destination/destination';
import type { HistoryEntry } from '../../src/messaging/protocol';
import type { Result } from '../../src/result';
import { createS3Client } from '../../src/s3/client';
import { EMPTY_PROFILE } from '../../src/settings/profile';
import { fakeSettings, type FakeSettings } from '../support/fake-settings';
import { realBackground, type RealBackground } from '../support/real-background';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';
import { ok } from '../support/results';

const BUCKET = 'history';
const HOUR = 3_600_000;

/**
 * The history's actions against Swift's s3api, which verifies every
 * signature and expiry: the real background (settings, upload and history
 * handlers) over in-memory storage, uploads by presigned PUT, each recorded
 * in the history by the background as it finishes. A fresh link for an
 * upload whose own link has expired works; a delete really removes the
 * object (GET → 404) and marks the entry.
 */
describe.skipIf(!strictLaneAvailable())('upload history on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let f: FakeSettings;
  let service: RealBackground['service'];
  let uploads: RealBackground['uploads'];
  let open: RealBackground['open'];
  let history: ReturnType<typeof createHistoryHandlers>;
  let stored: HistoryEntry[] = [];
  /** Shifts the background's clock (signing time), to make links that expired long ago. */
  const clock = { offset: 0 };
  const now = () => new Date(Date.now() + clock.offset);
  let profileId = '';
  let guestProfileId = '';
  /** What the recorder told the user: a history that could not keep an upload. */
  const warnings: string[] = [];

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    f = fakeSettings();
    const storage = serialHistory({
      load: async () => structuredClone(stored),
      save: async (entries) => {
        stored = structuredClone(entries);
      },
    });
    const historyStorage: Omit<HistoryDeps, 'open' | 'now'> = {
      ...storage,
      loadLimit: async () => 500,
      saveLimit: async () => {},
      loadProfiles: f.deps.loadProfiles,
    };
    // As start.ts records: one upload at a time into the history, a warning when it cannot keep one.
    const record = createUploadRecorder({
      addToHistory: createHistoryRecorder(historyStorage),
      warn: async (title, sentence) => {
        warnings.push(`${title} ${sentence}`);
      },
    });
    ({ service, uploads, open } = realBackground(f, { record, now }));
    history = createHistoryHandlers({ ...historyStorage, open, now });
    const common = { ...EMPTY_PROFILE, bucket: BUCKET, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, keyTemplate: 'h/{uuid}/{name}' };
    const saved = await service.saveProfile({ ...common, name: 'swift', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, linkExpirySeconds: 3600 });
    expect(saved).toMatchObject({ saved: true });
    profileId = saved.id;
    // Valid keys of the same account without rights on the bucket.
    const guest = await service.saveProfile({ ...common, name: 'guest', ...s3.restrictedUser! });
    expect(guest).toMatchObject({ saved: true });
    guestProfileId = guest.id;
  });
  afterAll(() => s3?.stop());

  /** Uploads as the popup's runner does (start, PUT, finish), the upload finished and its share link signed `linkAgeMs` ago. */
  async function upload(name: string, type: string, body: string, linkAgeMs = 0): Promise<{ entry: HistoryEntry; link: string; linkExpiresAt: number }> {
    const size = Buffer.byteLength(body);
    const start = ok(await uploads.startUpload({ name, type, size, source: 'popup' }));
    if (start.transfer.kind !== 'single') throw new Error(`expected one PUT for ${size} bytes, got ${start.transfer.kind}`);
    const put = start.transfer.put;
    const res = await fetch(put.url, { method: 'PUT', body, headers: put.headers });
    expect(res.status, await res.text()).toBe(200);
    clock.offset = -linkAgeMs;
    const finished = await uploads.finishUpload({ ticket: start.ticket, name, source: 'popup' }).finally(() => {
      clock.offset = 0;
    });
    const { link } = ok(finished);
    // The background recorded it while finishing: no page reports anything.
    const entries = stored.filter((e) => e.key === start.ticket.key);
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry).toMatchObject({ profileId, key: start.ticket.key, name, size, type, source: 'popup', linkExpiresAt: link.expiresAt });
    expect(Math.abs(entry.at - (Date.now() - linkAgeMs))).toBeLessThan(60_000);
    expect(warnings).toEqual([]);
    return { entry, link: link.url, linkExpiresAt: link.expiresAt! };
  }

  /** A share link for an object of the default profile, as its destination signs it. */
  async function shareLink(request: LinkRequest): Promise<Result<ShareLink>> {
    const destination = await open();
    return destination.ok ? destination.value.shareLink(request) : destination;
  }

  it('a fresh link for an old entry works though its own link has expired, and expires later', async () => {
    const body = `kept since last week ${Date.now()}\n`;
    const old = await upload('old report.txt', 'text/plain', body, 2 * HOUR);
    // The link made at upload time lived an hour, two hours ago: Swift refuses it now.
    const expired = await fetch(old.link);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/i);

    const fresh = ok(await history.freshLink({ historyId: old.entry.id }));
    expect(fresh.url).not.toBe(old.link);
    expect(fresh.expiresAt).not.toBe(old.linkExpiresAt);
    expect(fresh.expiresAt! - Date.now()).toBeGreaterThan(HOUR - 60_000);
    const res = await fetch(fresh.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '')).toBe('old report.txt');
    // The entry now tells when its latest link dies.
    expect(stored.find((e) => e.id === old.entry.id)!.linkExpiresAt).toBe(fresh.expiresAt);

    // A shorter expiry asked for is the one signed (and Swift holds the link to it).
    const short = ok(await history.freshLink({ historyId: old.entry.id, expiresIn: 1 }));
    expect(new URL(short.url).searchParams.get('X-Amz-Expires')).toBe('1');
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(short.url)).status).toBe(403);
    // The entry still says until when the longer link works.
    expect(stored.find((e) => e.id === old.entry.id)!.linkExpiresAt).toBe(fresh.expiresAt);
  });

  it('an image entry gets a 10-minute thumbnail that loads', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]).toString('latin1');
    const { entry } = await upload('tiny.png', 'image/png', png);
    const view = ok(await history.listHistory({ profileId, thumbnails: true }));
    const listed = view.entries.find((e) => e.id === entry.id)!;
    expect(new URL(listed.thumbnail!).searchParams.get('X-Amz-Expires')).toBe('600');
    const res = await fetch(listed.thumbnail!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });

  it('delete removes the object (GET through a newly signed link → 404) and marks the entry', async () => {
    const { entry } = await upload('to delete.txt', 'text/plain', 'short-lived content\n');
    const before = ok(await shareLink({ key: entry.key, fileName: entry.name, contentType: 'text/plain' }));
    expect((await fetch(before.url)).status).toBe(200);

    expect(ok(await history.deleteUpload(entry.id))).toBeNull();
    const after = ok(await shareLink({ key: entry.key, fileName: entry.name, contentType: 'text/plain' }));
    const res = await fetch(after.url);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<Code>NoSuchKey</Code>');
    const listed = await createS3Client(connectionTo(s3, BUCKET)).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: entry.key }));
    expect(listed.Contents ?? []).toEqual([]);

    const view = ok(await history.listHistory({ profileId }));
    const marked = view.entries.find((e) => e.id === entry.id)!;
    expect(marked.deletedAt).toBeGreaterThan(Date.now() - 60_000);
    // No fresh link for what is gone: a sentence instead.
    const refused = await history.freshLink({ historyId: entry.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ObjectDeleted' } });
  });

  it('an object already gone from the bucket still gets its entry marked', async () => {
    const { entry } = await upload('gone already.txt', 'text/plain', 'deleted elsewhere\n');
    await createS3Client(connectionTo(s3, BUCKET)).send(new DeleteObjectCommand({ Bucket: BUCKET, Key: entry.key }));
    expect(ok(await history.deleteUpload(entry.id))).toBeNull();
    expect(stored.find((e) => e.id === entry.id)!.deletedAt).toBeDefined();
  });

  it('keys that may not delete get a sentence naming s3:DeleteObject; the object and the entry stay', async () => {
    const { entry } = await upload('guarded.txt', 'text/plain', 'not yours to delete\n');
    // The same object, recorded under the profile whose keys have no rights on the bucket.
    stored = stored.map((e) => (e.id === entry.id ? { ...e, profileId: guestProfileId } : e));
    const result = await history.deleteUpload(entry.id);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/s3:DeleteObject/);
    expect(result.error.message).not.toContain(s3.restrictedUser!.secretAccessKey);
    expect(stored.find((e) => e.id === entry.id)).not.toHaveProperty('deletedAt');
    const still = ok(await shareLink({ key: entry.key, fileName: entry.name, contentType: 'text/plain' }));
    expect((await fetch(still.url)).status).toBe(200);
  });

  it('clearing forgets the profile’s entries; the objects stay', async () => {
    const { entry } = await upload('survivor.txt', 'text/plain', 'still here\n');
    const { removed } = ok(await history.clearHistory(profileId));
    expect(removed).toBeGreaterThan(0);
    expect(ok(await history.listHistory({ profileId })).total).toBe(0);
    const link = ok(await shareLink({ key: entry.key, fileName: entry.name, contentType: 'text/plain' }));
    expect(await (await fetch(link.url)).text()).toBe('still here\n');
  });
});
