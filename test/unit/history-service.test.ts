import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import {
  createHistoryHandlers,
  createHistoryRecorder,
  MAX_THUMBNAILS,
  serialHistory,
  THUMBNAIL_SECONDS,
  type HistoryDeps,
} from '../../src/background/history-service';
import { s3ClientPool } from '../../src/destination/connection';
import type { LinkRequest, ShareLink } from '../../src/destination/destination';
import { openDestination, type DestinationDeps } from '../../src/destination/open';
import type { RecentUpload } from '../../src/history/recent';
import type { HistoryEntry, HistoryProtocolMap } from '../../src/messaging/protocol';
import { serverCode, type Result, type UserError } from '../../src/result';
import type { S3Connection } from '../../src/s3/client';
import { LockedError } from '../../src/secrets/keeper';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceProfile } from '../../src/settings/profile';
import { fakeSettings, seedProfile, type FakeSettings } from '../support/fake-settings';
import { ok } from '../support/results';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const work: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'work', accessKeyId: 'AKIAWORK', bucket: 'work-bucket', region: 'eu-west-1' };
const media: KeysProfile = { ...EMPTY_PROFILE, id: 'p2', name: 'media', accessKeyId: 'AKIAMEDIA', bucket: 'media-bucket', region: 'us-west-2' };
const team: PresignServiceProfile = { ...EMPTY_SERVICE_PROFILE, id: 'p3', name: 'team', serviceUrl: 'https://files.example.com', serviceAuth: 'none' };

const entry = (id: string, at: number, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  profileId: 'p1',
  name: `${id}.txt`,
  size: 10,
  type: 'text/plain',
  key: `k/${id}.txt`,
  at,
  source: 'popup',
  ...over,
});

interface Setup {
  f: FakeSettings;
  stored: { entries: HistoryEntry[]; limit: number };
  deps: HistoryDeps;
  history: ReturnType<typeof createHistoryHandlers>;
  /** Every share link a destination was asked for, with the profile whose destination it was. */
  shareLink: ReturnType<typeof vi.fn<(r: LinkRequest & { profileId: string }) => Promise<Result<ShareLink>>>>;
  /** Requests the S3 stand-in received, with the connection they were sent on. */
  sent: { accessKeyId: string; bucket: string; command: unknown }[];
  /** What the next S3 request throws (as the SDK or fetch would); `null` is success. */
  s3Failure: { current: unknown };
  /** What the destinations are allowed: host access to the bucket, an unlocked vault. */
  access: { host: boolean; locked: boolean };
}

/**
 * The history handlers over in-memory storage and the real destinations
 * (`openDestination`: own keys, presign service), with an S3 stand-in behind
 * the client and a recording share-link signer in place of each destination's own.
 */
async function setup(entries: HistoryEntry[] = []): Promise<Setup> {
  const f = fakeSettings();
  await seedProfile(f, work, { secretAccessKey: SECRET });
  await seedProfile(f, media, { secretAccessKey: SECRET });
  await seedProfile(f, team);
  const stored = { entries: structuredClone(entries), limit: 500 };
  let n = 0;
  const shareLink = vi.fn(async (r: LinkRequest & { profileId: string }): Promise<Result<ShareLink>> => ({
    ok: true,
    value: { url: `https://signed.example/${r.key}?n=${++n}`, headers: {}, expiresAt: NOW.getTime() + (r.expiresIn ?? 86400) * 1000 },
  }));
  const sent: Setup['sent'] = [];
  const s3Failure: Setup['s3Failure'] = { current: null };
  const access: Setup['access'] = { host: true, locked: false };
  const client = (conn: S3Connection) =>
    ({
      send: async (command: unknown) => {
        sent.push({ accessKeyId: conn.credentials.accessKeyId, bucket: conn.bucket, command });
        if (s3Failure.current) throw s3Failure.current;
        return {};
      },
    }) as unknown as S3Client;
  const destinationDeps: DestinationDeps = {
    loadProfiles: f.deps.loadProfiles,
    secrets: {
      get: async (id) => {
        if (access.locked) throw new LockedError();
        return f.keeper.get(id);
      },
    },
    hasHostPermission: async () => access.host,
    fetch: async () => {
      throw new Error('no network here');
    },
    client,
    now: () => NOW,
    uuid: () => 'uuid',
  };
  const open: HistoryDeps['open'] = async (profileId) => {
    const opened = await openDestination(destinationDeps, profileId);
    if (!opened.ok) return opened;
    const destination = opened.value;
    return { ok: true, value: { ...destination, shareLink: (r) => shareLink({ ...r, profileId: destination.profileId }) } };
  };
  const deps: HistoryDeps = {
    ...serialHistory({
      load: async () => structuredClone(stored.entries),
      save: async (list) => {
        stored.entries = structuredClone(list);
      },
    }),
    loadLimit: async () => stored.limit,
    saveLimit: async (limit) => {
      stored.limit = limit;
    },
    loadProfiles: f.deps.loadProfiles,
    open,
    now: () => NOW,
  };
  return { f, stored, deps, history: createHistoryHandlers(deps), shareLink, sent, s3Failure, access };
}

function failure<T>(result: Result<T>): UserError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const upload = (over: Partial<RecentUpload> = {}): RecentUpload => ({
  id: 'u1',
  source: 'popup',
  name: 'cat.png',
  size: 1234,
  type: 'image/png',
  status: 'done',
  at: NOW.getTime(),
  key: 'img/cat.png',
  link: 'https://work-bucket.s3.eu-west-1.amazonaws.com/img/cat.png?X-Amz-Signature=abc',
  linkExpiresAt: NOW.getTime() + 86_400_000,
  ...over,
});

describe('recording finished uploads', () => {
  it('adds finished uploads under their profile, newest first, without the link', async () => {
    const s = await setup();
    const record = createHistoryRecorder(s.deps);
    await record(upload({ id: 'u1', profileId: 'p2', at: 1 }));
    await record(upload({ id: 'u2', profileId: 'p2', at: 2, name: 'dog.png', key: 'img/dog.png' }));
    expect(s.stored.entries.map((e) => [e.id, e.profileId, e.key])).toEqual([
      ['u2', 'p2', 'img/dog.png'],
      ['u1', 'p2', 'img/cat.png'],
    ]);
    expect(JSON.stringify(s.stored.entries)).not.toContain('X-Amz');
  });

  it('an upload that names no profile belongs to the default profile of the time', async () => {
    const s = await setup();
    const record = createHistoryRecorder(s.deps);
    await record(upload({ id: 'u1' }));
    s.f.profiles.defaultId = 'p2';
    await record(upload({ id: 'u2' }));
    expect(s.stored.entries.map((e) => [e.id, e.profileId])).toEqual([
      ['u2', 'p2'],
      ['u1', 'p1'],
    ]);
  });

  it('leaves out uploads that failed, are still going, or have no key; and does nothing without profiles', async () => {
    const s = await setup();
    const record = createHistoryRecorder(s.deps);
    await record(upload({ id: 'a', status: 'uploading' }));
    await record(upload({ id: 'b', status: 'failed', error: { code: serverCode('AccessDenied'), message: 'no', transient: false } }));
    const { key: _key, ...keyless } = upload({ id: 'c' });
    await record(keyless);
    expect(s.stored.entries).toEqual([]);
    s.f.profiles = { profiles: [], defaultId: null };
    await record(upload({ id: 'd' }));
    expect(s.stored.entries).toEqual([]);
  });

  it('keeps the stored limit per profile', async () => {
    const s = await setup();
    s.stored.limit = 2;
    const record = createHistoryRecorder(s.deps);
    for (let i = 1; i <= 3; i++) await record(upload({ id: `u${i}`, at: i }));
    await record(upload({ id: 'm', at: 0, profileId: 'p2' }));
    expect(s.stored.entries.map((e) => e.id)).toEqual(['u3', 'u2', 'm']);
  });

  it('uploads finishing together are all kept (writes run one at a time)', async () => {
    const s = await setup();
    const record = createHistoryRecorder(s.deps);
    await Promise.all(Array.from({ length: 20 }, (_, i) => record(upload({ id: `u${i}`, at: i }))));
    expect(s.stored.entries).toHaveLength(20);
  });
});

describe('listing', () => {
  const entries = [
    entry('a', 1, { name: 'Holiday.txt' }),
    entry('b', 2, { key: 'trips/HOLIDAY-notes.txt' }),
    entry('c', 3),
    entry('m', 4, { profileId: 'p2' }),
  ];

  it('gives the default profile’s entries newest first, with the total and the limit', async () => {
    const s = await setup(entries);
    const view = ok(await s.history.listHistory({}));
    expect(view.entries.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(view).toMatchObject({ total: 3, limit: 500 });
    expect(ok(await s.history.listHistory({ profileId: 'p2' })).entries.map((e) => e.id)).toEqual(['m']);
  });

  it('searches name and key in any case, and cuts to the limit asked; total counts the whole profile', async () => {
    const s = await setup(entries);
    expect(ok(await s.history.listHistory({ search: 'holiday' })).entries.map((e) => e.id)).toEqual(['b', 'a']);
    const view = ok(await s.history.listHistory({ search: 'HOLIDAY', limit: 1 }));
    expect(view.entries.map((e) => e.id)).toEqual(['b']);
    expect(view.total).toBe(3);
  });

  it('by ids: just those entries, of any profile, whatever the default (the popup asks which of its uploads were deleted)', async () => {
    const s = await setup([...entries, entry('d', 5, { deletedAt: 6 })]);
    const view = ok(await s.history.listHistory({ ids: ['m', 'd', 'nowhere'] }));
    expect(view.entries.map((e) => [e.id, Boolean(e.deletedAt)]).sort()).toEqual([
      ['d', true],
      ['m', false],
    ]);
    s.f.profiles = { profiles: [], defaultId: null };
    expect(ok(await s.history.listHistory({ ids: ['a'] })).entries.map((e) => e.id)).toEqual(['a']);
  });

  it('a deleted profile’s entries are still readable by its id; with no profile at all it says to set one up', async () => {
    const s = await setup([entry('old', 1, { profileId: 'gone' })]);
    expect(ok(await s.history.listHistory({ profileId: 'gone' })).entries.map((e) => e.id)).toEqual(['old']);
    s.f.profiles = { profiles: [], defaultId: null };
    expect(failure(await s.history.listHistory({})).code).toBe('NotConfigured');
  });

  it('signs a 10-minute thumbnail for images that are still there, through the profile’s share link', async () => {
    const s = await setup([
      entry('img', 3, { name: 'cat.png', type: 'image/png', key: 'k/cat.png' }),
      entry('gone', 2, { name: 'dog.png', type: 'image/png', deletedAt: 5 }),
      entry('txt', 1),
    ]);
    const view = ok(await s.history.listHistory({ thumbnails: true }));
    expect(view.entries.map((e) => [e.id, Boolean(e.thumbnail)])).toEqual([
      ['img', true],
      ['gone', false],
      ['txt', false],
    ]);
    expect(s.shareLink).toHaveBeenCalledTimes(1);
    expect(s.shareLink).toHaveBeenCalledWith({ key: 'k/cat.png', fileName: 'cat.png', contentType: 'image/png', profileId: 'p1', expiresIn: THUMBNAIL_SECONDS });
    expect(THUMBNAIL_SECONDS).toBe(600);
    // No thumbnails unless asked for.
    expect(ok(await s.history.listHistory({})).entries[0]).not.toHaveProperty('thumbnail');
  });

  it('reuses a thumbnail while it has a while to live, and at most a few dozen are signed per answer', async () => {
    const many = Array.from({ length: MAX_THUMBNAILS + 10 }, (_, i) => entry(`i${i}`, i, { type: 'image/jpeg' }));
    const s = await setup(many);
    const first = ok(await s.history.listHistory({ thumbnails: true }));
    expect(first.entries.filter((e) => e.thumbnail)).toHaveLength(MAX_THUMBNAILS);
    expect(s.shareLink).toHaveBeenCalledTimes(MAX_THUMBNAILS);
    const again = ok(await s.history.listHistory({ thumbnails: true }));
    expect(again.entries.map((e) => e.thumbnail)).toEqual(first.entries.map((e) => e.thumbnail));
    expect(s.shareLink).toHaveBeenCalledTimes(MAX_THUMBNAILS);
  });

  it('a thumbnail that cannot be signed (locked, no access) is left out; the list still comes', async () => {
    const s = await setup([entry('img', 1, { type: 'image/png' })]);
    s.shareLink.mockResolvedValueOnce({ ok: false, error: { code: 'Locked', message: 'locked', transient: false } });
    const view = ok(await s.history.listHistory({ thumbnails: true }));
    expect(view.entries).toHaveLength(1);
    expect(view.entries[0]).not.toHaveProperty('thumbnail');
  });
});

describe('fresh links', () => {
  it('asks the profile’s share link for the entry’s key, name and type, with the expiry asked for', async () => {
    const s = await setup([entry('a', 1, { profileId: 'p2', name: 'cat.png', type: 'image/png', key: 'img/cat.png', linkExpiresAt: 10 })]);
    const link = ok(await s.history.freshLink({ historyId: 'a', expiresIn: 3600 }));
    expect(link.url).toMatch(/^https:\/\/signed\.example\/img\/cat\.png/);
    expect(s.shareLink).toHaveBeenCalledWith({ key: 'img/cat.png', fileName: 'cat.png', contentType: 'image/png', profileId: 'p2', expiresIn: 3600 });
    // The entry now tells until when a link handed out works.
    expect(s.stored.entries[0]!.linkExpiresAt).toBe(NOW.getTime() + 3_600_000);
    // A shorter one later does not cut that.
    ok(await s.history.freshLink({ historyId: 'a', expiresIn: 60 }));
    expect(s.stored.entries[0]!.linkExpiresAt).toBe(NOW.getTime() + 3_600_000);
  });

  it('without an expiry the profile’s own applies; an entry without a type is signed as binary', async () => {
    const s = await setup([entry('a', 1, { type: '' })]);
    ok(await s.history.freshLink({ historyId: 'a' }));
    expect(s.shareLink.mock.calls[0]![0]).toMatchObject({ contentType: 'application/octet-stream' });
    expect(s.shareLink.mock.calls[0]![0]).not.toHaveProperty('expiresIn');
  });

  it('a link that does not expire (public, custom domain) clears the expiry', async () => {
    const s = await setup([entry('a', 1, { linkExpiresAt: 10 })]);
    s.shareLink.mockResolvedValueOnce({ ok: true, value: { url: 'https://cdn.example/k/a.txt', headers: {} } });
    ok(await s.history.freshLink({ historyId: 'a' }));
    expect(s.stored.entries[0]).not.toHaveProperty('linkExpiresAt');
  });

  it('refuses entries that are gone or deleted, and passes on the signer’s sentence', async () => {
    const s = await setup([entry('del', 1, { deletedAt: NOW.getTime() }), entry('a', 2)]);
    expect(failure(await s.history.freshLink({ historyId: 'nope' })).code).toBe('NoSuchHistoryEntry');
    expect(failure(await s.history.freshLink({ historyId: 'del' }))).toMatchObject({ code: 'ObjectDeleted', message: expect.stringMatching(/^"del\.txt" was deleted from the bucket on /) });
    const locked: UserError = { code: 'Locked', message: 'S3 Drop is locked.', transient: false };
    s.shareLink.mockResolvedValueOnce({ ok: false, error: locked });
    expect(failure(await s.history.freshLink({ historyId: 'a' }))).toEqual(locked);
    expect(s.stored.entries[1]).not.toHaveProperty('linkExpiresAt');
  });
});

describe('deleting', () => {
  it('deletes the object with the entry’s profile and marks the entry; it stays in the list', async () => {
    const s = await setup([entry('a', 1, { profileId: 'p2', key: 'img/cat.png' }), entry('b', 2, { profileId: 'p2' })]);
    expect(ok(await s.history.deleteUpload('a'))).toBeNull();
    expect(s.sent).toHaveLength(1);
    // Sent with the entry's profile's keys, to its bucket.
    expect(s.sent[0]).toMatchObject({ accessKeyId: 'AKIAMEDIA', bucket: 'media-bucket' });
    expect(s.sent[0]!.command).toBeInstanceOf(DeleteObjectCommand);
    expect((s.sent[0]!.command as DeleteObjectCommand).input).toEqual({ Bucket: 'media-bucket', Key: 'img/cat.png' });
    expect(Object.fromEntries(s.stored.entries.map((e) => [e.id, e.deletedAt]))).toEqual({ a: NOW.getTime(), b: undefined });
    const view = ok(await s.history.listHistory({ profileId: 'p2' }));
    expect(view.entries.find((e) => e.id === 'a')!.deletedAt).toBe(NOW.getTime());
    // Deleting again changes nothing and calls nothing.
    expect(ok(await s.history.deleteUpload('a'))).toBeNull();
    expect(s.sent).toHaveLength(1);
  });

  it.each([
    // What S3 and other servers answer to a DELETE of a missing key (AWS itself answers 204).
    ['NoSuchKey', Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })],
    ['Http404', Object.assign(new Error('UnknownError'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } })],
  ])('an object already gone (%s) still marks the entry', async (_code, thrown) => {
    const s = await setup([entry('a', 1)]);
    s.s3Failure.current = thrown;
    expect(ok(await s.history.deleteUpload('a'))).toBeNull();
    expect(s.stored.entries[0]!.deletedAt).toBe(NOW.getTime());
  });

  it('keys without s3:DeleteObject get a sentence naming it, and the entry is not marked', async () => {
    const s = await setup([entry('a', 1)]);
    s.s3Failure.current = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const error = failure(await s.history.deleteUpload('a'));
    expect(error.message).toBe(
      'These keys are not allowed to delete objects in bucket "work-bucket": the key\'s policy must allow s3:DeleteObject on arn:aws:s3:::work-bucket/*.',
    );
    expect(s.stored.entries[0]).not.toHaveProperty('deletedAt');
  });

  it('other failures (network, locked) pass through unmarked', async () => {
    const s = await setup([entry('a', 1)]);
    s.s3Failure.current = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(failure(await s.history.deleteUpload('a'))).toEqual({
      code: 'NetworkError',
      message: 'Cannot reach AWS S3. Check the endpoint URL, that the service is running, and your connection.',
      transient: true,
    });
    expect(s.stored.entries[0]).not.toHaveProperty('deletedAt');
    s.s3Failure.current = null;
    s.access.locked = true;
    expect(failure(await s.history.deleteUpload('a'))).toEqual({
      code: 'Locked',
      message: 'S3 Drop is locked. Click the S3 Drop button in the toolbar and enter your passphrase; nothing is uploaded until then.',
      fix: { kind: 'unlock' },
      transient: false,
    });
    // Locked: nothing was sent.
    expect(s.sent).toHaveLength(1);
    expect(s.stored.entries[0]).not.toHaveProperty('deletedAt');
  });

  it('a presign-service profile cannot delete: a clear sentence, no request', async () => {
    const s = await setup([entry('t', 1, { profileId: 'p3', name: 'report.pdf', key: 'drop/report.pdf' })]);
    const error = failure(await s.history.deleteUpload('t'));
    expect(error.code).toBe('DeleteNotSupported');
    expect(error.message).toBe(
      '"report.pdf" went up through your team\'s presign service, which can only sign uploads and links, not deletes. Ask whoever runs the service to delete drop/report.pdf.',
    );
    expect(s.sent).toEqual([]);
    expect(s.stored.entries[0]).not.toHaveProperty('deletedAt');
  });

  it('an unknown entry or a deleted profile is said so', async () => {
    const s = await setup([entry('old', 1, { profileId: 'gone' })]);
    expect(failure(await s.history.deleteUpload('nope')).code).toBe('NoSuchHistoryEntry');
    expect(failure(await s.history.deleteUpload('old'))).toMatchObject({ code: 'NoSuchProfile', message: expect.stringContaining('"old.txt"') });
    expect(s.sent).toEqual([]);
  });

  it('through the real destination: no host access is a sentence, nothing sent or marked, no secret in it', async () => {
    const s = await setup([entry('a', 1)]);
    s.access.host = false;
    const error = failure(await s.history.deleteUpload('a'));
    expect(error).toMatchObject({ code: 'HostPermissionMissing', message: 'S3 Drop has no access to the bucket yet. Grant access in Options (Save asks for it).', fix: { kind: 'grant-access' } });
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(s.sent).toEqual([]);
    expect(s.stored.entries[0]).not.toHaveProperty('deletedAt');
  });
});

describe('clearing and the limit', () => {
  it('clears one profile (the default unless named); the objects are not touched', async () => {
    const s = await setup([entry('a', 1), entry('b', 2), entry('m', 3, { profileId: 'p2' })]);
    expect(ok(await s.history.clearHistory(undefined))).toEqual({ removed: 2 });
    expect(s.stored.entries.map((e) => e.id)).toEqual(['m']);
    expect(ok(await s.history.clearHistory('p2'))).toEqual({ removed: 1 });
    expect(s.stored.entries).toEqual([]);
    expect(s.sent).toEqual([]);
  });

  it('a new limit is saved and applied at once, to every profile', async () => {
    const s = await setup([entry('a', 1), entry('b', 2), entry('c', 3), entry('m1', 1, { profileId: 'p2' }), entry('m2', 2, { profileId: 'p2' })]);
    expect(ok(await s.history.setHistoryLimit(1))).toBeNull();
    expect(s.stored.limit).toBe(1);
    expect(s.stored.entries.map((e) => e.id).sort()).toEqual(['c', 'm2']);
    expect(ok(await s.history.listHistory({})).limit).toBe(1);
  });

  it('refuses a limit that is not a whole number in range', async () => {
    const s = await setup();
    for (const bad of [0, 1.5, -3, 100_000]) expect(failure(await s.history.setHistoryLimit(bad)).code).toBe('InvalidSettings');
    expect(s.stored.limit).toBe(500);
  });
});

describe('with the real destination and S3 client', () => {
  it('a fresh link is the background’s own presigned GET for the entry’s profile', async () => {
    const s = await setup([entry('a', 1, { profileId: 'p2', name: 'cat.png', type: 'image/png', key: 'img/cat.png' })]);
    const deps: DestinationDeps = {
      ...s.f.deps,
      hasHostPermission: async () => true,
      fetch: async () => {
        throw new Error('no network here');
      },
      client: s3ClientPool(),
      now: () => NOW,
      uuid: () => 'uuid',
    };
    const history = createHistoryHandlers({ ...s.deps, open: (profileId) => openDestination(deps, profileId) });
    const link = ok(await history.freshLink({ historyId: 'a' }));
    const url = new URL(link.url);
    expect(url.host).toBe('media-bucket.s3.us-west-2.amazonaws.com');
    expect(url.pathname).toBe('/img/cat.png');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAMEDIA\//);
    expect(url.searchParams.get('response-content-disposition')).toContain('cat.png');
    expect(link.url).not.toContain(SECRET);
  });
});

describe('protocol coverage', () => {
  it('the handlers are exactly the history messages', async () => {
    const s = await setup();
    const types = { listHistory: null, freshLink: null, deleteUpload: null, clearHistory: null, setHistoryLimit: null } satisfies Record<
      keyof HistoryProtocolMap,
      null
    >;
    expect(Object.keys(s.history).sort()).toEqual(Object.keys(types).sort());
  });
});
