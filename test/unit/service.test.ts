import { fakeBrowser } from 'wxt/testing/fake-browser';
import { describe, expect, it, vi } from 'vitest';
import { createBucketCheckHandlers } from '../../src/background/bucket-check-service';
import { createHistoryHandlers } from '../../src/background/history-service';
import { registerHandlers } from '../../src/background/register';
import { createService, type ServiceDeps } from '../../src/background/service';
import { createUploadHandlers } from '../../src/background/upload-service';
import {
  sendMessage,
  type BucketCheckProtocolMap,
  type CoreProtocolMap,
  type HistoryProtocolMap,
  type ProtocolMap,
  type PublicSettings,
  type UploadProtocolMap,
} from '../../src/messaging/protocol';
import type { Result } from '../../src/result';
import { hostPermissionOrigins } from '../../src/s3/endpoint';
import type { FetchLike } from '../../src/s3/region';
import { EMPTY_PROFILE, type KeysDraft, type KeysProfile, type ProfileDraft } from '../../src/settings/profile';
import type { UploadStart } from '../../src/upload/ticket';
import { destinationOpener, fakeSettings, seedProfile, type FakeSettings } from '../support/fake-settings';
import { ok } from '../support/results';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';
const NOW = new Date('2024-03-05T07:08:09Z');
const UUID = '123e4567-e89b-42d3-a456-426614174000';

const draft = (over: Partial<KeysDraft> = {}): ProfileDraft => ({
  ...EMPTY_PROFILE,
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: SECRET,
  sessionToken: '',
  bucket: 'my-bucket',
  region: 'eu-west-1',
  endpoint: '',
  ...over,
});

/** A profile saved before the test, for drafts that edit it (an empty secret keeps the saved one only for a saved profile). */
const SAVED: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'my-bucket', accessKeyId: 'AKIAEXAMPLE', bucket: 'my-bucket', region: 'eu-west-1' };

interface Fake {
  deps: ServiceDeps;
  /** The stored profiles and secrets, behind the real SecretKeeper. */
  settings: FakeSettings;
  /** Origin patterns the extension may reach; `null` means all. */
  granted: Set<string> | null;
  fetch: ReturnType<typeof vi.fn<FetchLike>>;
  hasHostPermission: ReturnType<typeof vi.fn<ServiceDeps['hasHostPermission']>>;
  /** The destinations over the same deps: what uploads sign with once a profile is saved. */
  open: ReturnType<typeof destinationOpener>;
}

function fake(options: { granted?: string[] | 'all' | 'none'; fetch?: FetchLike } = {}): Fake {
  const f = {
    settings: fakeSettings(),
    granted: options.granted === 'all' || options.granted === undefined ? null : new Set(options.granted === 'none' ? [] : options.granted),
  } as Fake;
  f.fetch = vi.fn<FetchLike>(
    options.fetch ??
      (async (input) => {
        throw new Error(`unexpected fetch of ${input}`);
      }),
  );
  f.hasHostPermission = vi.fn<ServiceDeps['hasHostPermission']>(async (origins) => f.granted === null || origins.every((o) => f.granted!.has(o)));
  f.deps = {
    ...f.settings.deps,
    hasHostPermission: f.hasHostPermission,
    fetch: f.fetch,
    now: () => NOW,
    uuid: () => UUID,
  };
  f.open = destinationOpener(f.deps);
  return f;
}

/** Nothing was written: no profile, no secrets. */
function expectNothingStored(f: Fake): void {
  expect(f.settings.profiles).toEqual({ profiles: [], defaultId: null });
  expect(f.settings.stored).toBeNull();
}

describe('saveProfile', () => {
  it('validates and stores nothing when a field is wrong', async () => {
    const f = fake();
    const report = await createService(f.deps).saveProfile(draft({ bucket: 'Bad_Bucket', endpoint: 'https://s3.example.com/x' }));
    expect(report.saved).toBe(false);
    expect(Object.keys(report.errors).sort()).toEqual(['bucket', 'endpoint']);
    expect(report.errors.endpoint).toMatch(/try https:\/\/s3\.example\.com\./);
    expect(report.id).toBe('');
    expectNothingStored(f);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it('trims pasted fields before validating and storing', async () => {
    const f = fake();
    const report = await createService(f.deps).saveProfile(
      draft({ accessKeyId: ' AKIAEXAMPLE ', secretAccessKey: `${SECRET}\n`, bucket: ' my-bucket', endpoint: 'https://s3.example.com/ ' }),
    );
    expect(report).toEqual({ saved: true, id: UUID, errors: {}, trimmed: ['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint'], needsAccess: [] });
    expect(f.settings.profile(UUID)).toMatchObject({ accessKeyId: 'AKIAEXAMPLE', bucket: 'my-bucket', endpoint: 'https://s3.example.com' });
    // Stored in the clear under the new profile's id (no passphrase set).
    expect(f.settings.stored).toEqual({ encryption: 'none', byProfile: { [UUID]: { secretAccessKey: SECRET, sessionToken: '', serviceToken: '' } } });
  });

  it('never stores secrets in the profile', async () => {
    const f = fake();
    await createService(f.deps).saveProfile(draft({ sessionToken: TOKEN }));
    expect(f.settings.profile()).not.toHaveProperty('secretAccessKey');
    expect(f.settings.profile()).not.toHaveProperty('sessionToken');
    expect(JSON.stringify(f.settings.profiles)).not.toContain(SECRET);
    expect(JSON.stringify(f.settings.profiles)).not.toContain(TOKEN);
    expect(await f.settings.secrets()).toEqual({ secretAccessKey: SECRET, sessionToken: TOKEN, serviceToken: '' });
  });

  it('requires a secret on the first save', async () => {
    const f = fake();
    const report = await createService(f.deps).saveProfile(draft({ secretAccessKey: '' }));
    expect(report.saved).toBe(false);
    expect(report.errors.secretAccessKey).toBe('Enter the secret access key.');
    expectNothingStored(f);
  });

  /** A fake with SAVED stored, holding an old secret and token. */
  async function withSaved(): Promise<Fake> {
    const f = fake();
    await seedProfile(f.settings, SAVED, { secretAccessKey: 'OLD-SECRET', sessionToken: 'OLD-TOKEN' });
    return f;
  }

  it('keeps the saved secret and token when the draft leaves them empty', async () => {
    const f = await withSaved();
    const report = await createService(f.deps).saveProfile(draft({ id: 'p1', secretAccessKey: '', sessionToken: '', bucket: 'other-bucket' }));
    expect(report).toMatchObject({ saved: true, id: 'p1' });
    expect(await f.settings.secrets('p1')).toEqual({ secretAccessKey: 'OLD-SECRET', sessionToken: 'OLD-TOKEN', serviceToken: '' });
    expect(f.settings.profile('p1')?.bucket).toBe('other-bucket');
    // Edited in place, not added.
    expect(f.settings.profiles.profiles.map((p) => p.id)).toEqual(['p1']);
  });

  it('a new secret without a token clears the old token', async () => {
    const f = await withSaved();
    await createService(f.deps).saveProfile(draft({ id: 'p1', secretAccessKey: 'NEW-SECRET', sessionToken: '' }));
    expect(await f.settings.secrets('p1')).toEqual({ secretAccessKey: 'NEW-SECRET', sessionToken: '', serviceToken: '' });
  });

  it('a new secret with a token stores both', async () => {
    const f = await withSaved();
    await createService(f.deps).saveProfile(draft({ id: 'p1', secretAccessKey: 'NEW-SECRET', sessionToken: 'NEW-TOKEN' }));
    expect(await f.settings.secrets('p1')).toEqual({ secretAccessKey: 'NEW-SECRET', sessionToken: 'NEW-TOKEN', serviceToken: '' });
  });

  it('a new token alone keeps the saved secret', async () => {
    const f = await withSaved();
    await createService(f.deps).saveProfile(draft({ id: 'p1', secretAccessKey: '', sessionToken: 'NEW-TOKEN' }));
    expect(await f.settings.secrets('p1')).toEqual({ secretAccessKey: 'OLD-SECRET', sessionToken: 'NEW-TOKEN', serviceToken: '' });
  });

  it('a new profile (empty id) never borrows a saved profile’s secret', async () => {
    const f = await withSaved();
    const report = await createService(f.deps).saveProfile(draft({ name: 'second', secretAccessKey: '', sessionToken: '' }));
    expect(report.saved).toBe(false);
    expect(report.errors.secretAccessKey).toBe('Enter the secret access key.');
  });

  it('does not probe the network when the region is given', async () => {
    const f = fake();
    const report = await createService(f.deps).saveProfile(draft({ region: 'eu-west-1' }));
    expect(report.detectedRegion).toBeUndefined();
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it('does not probe without host permission, and saves the empty region', async () => {
    const f = fake({ granted: 'none' });
    const report = await createService(f.deps).saveProfile(draft({ region: '' }));
    expect(report.saved).toBe(true);
    expect(f.fetch).not.toHaveBeenCalled();
    expect(f.settings.profile()?.region).toBe('');
  });

  it('detects and stores the region when it was left empty', async () => {
    const f = fake({ fetch: async () => new Response(null, { status: 403, headers: { 'x-amz-bucket-region': 'eu-central-1' } }) });
    const report = await createService(f.deps).saveProfile(draft({ region: '' }));
    expect(report).toMatchObject({ saved: true, detectedRegion: 'eu-central-1' });
    expect(f.settings.profile()?.region).toBe('eu-central-1');
    expect(f.fetch).toHaveBeenCalledTimes(1);
    expect(f.fetch.mock.calls[0]![0]).toBe('https://my-bucket.s3.amazonaws.com/');
    expect(f.fetch.mock.calls[0]![1]).toMatchObject({ method: 'HEAD' });
  });

  it('saves without a region when the probe fails', async () => {
    const f = fake({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const report = await createService(f.deps).saveProfile(draft({ region: '' }));
    expect(report.saved).toBe(true);
    expect(report.detectedRegion).toBeUndefined();
    expect(f.settings.profile()?.region).toBe('');
  });

  // A detected region can move an AWS bucket to an origin the page never asked for.
  it('says which access is still needed when the detected region moves the bucket to another origin', async () => {
    const draftWithoutRegion = draft({ region: '' });
    const f = fake({
      granted: hostPermissionOrigins(draftWithoutRegion),
      fetch: async () => new Response(null, { status: 403, headers: { 'x-amz-bucket-region': 'eu-central-1' } }),
    });
    const service = createService(f.deps);
    const report = await service.saveProfile(draftWithoutRegion);
    expect(report).toMatchObject({ saved: true, detectedRegion: 'eu-central-1' });
    expect(report.needsAccess).toEqual(['https://my-bucket.s3.eu-central-1.amazonaws.com/*']);
    const put = async () => ok(await f.open()).signPut({ key: 'k', contentType: 'text/plain', size: 1 });
    const before = await put();
    expect(before.ok ? null : before.error.fix).toEqual({ kind: 'grant-access' });

    for (const origin of report.needsAccess) f.granted!.add(origin);
    const after = await put();
    expect(after.ok).toBe(true);
    if (after.ok) expect(new URL(after.value.url).host).toBe('my-bucket.s3.eu-central-1.amazonaws.com');
  });

  it('needs no further access when the saved origin was granted', async () => {
    const f = fake();
    expect((await createService(f.deps).saveProfile(draft())).needsAccess).toEqual([]);
  });
});

describe('getSettings', () => {
  it('reports nothing before the first save', async () => {
    expect(await createService(fake().deps).getSettings()).toEqual({
      profile: null,
      hasSecret: false,
      hasSessionToken: false,
      capabilities: { multipart: true, delete: true },
      accessOrigins: [],
      profiles: [],
      defaultId: null,
      security: { encrypted: false, locked: false, lockAfterMinutes: 30 },
    });
  });

  it('says whether secrets are saved, never what they are', async () => {
    const f = fake();
    const service = createService(f.deps);
    await service.saveProfile(draft({ sessionToken: TOKEN }));
    const settings: PublicSettings = await service.getSettings();
    expect(settings.hasSecret).toBe(true);
    expect(settings.hasSessionToken).toBe(true);
    expect(settings.profile?.bucket).toBe('my-bucket');
    expect(settings.defaultId).toBe(UUID);
    expect(settings.profiles).toHaveLength(1);
    expect(settings.profiles[0]).toMatchObject({ profile: { id: UUID, name: 'my-bucket' }, hasSecret: true, hasSessionToken: true });
    const json = JSON.stringify(settings);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain('wJalrXUtnFEMI');
    expect(json).not.toContain('SESSIONTOKEN');
  });

  it('reports a missing token', async () => {
    const f = fake();
    const service = createService(f.deps);
    await service.saveProfile(draft());
    expect(await service.getSettings()).toMatchObject({ hasSecret: true, hasSessionToken: false });
  });
});

describe('testConnection', () => {
  it.each([
    [{ accessKeyId: '' }, 'Enter the access key ID.'],
    [{ secretAccessKey: '' }, 'Enter the secret access key.'],
    [{ bucket: '' }, 'Enter the bucket name.'],
    [{ endpoint: 's3.example.com' }, /full URL/],
    [{ region: 'EU West 1' }, /looks like eu-west-1/],
  ] as [Partial<KeysDraft>, string | RegExp][])('with %o answers the field sentence without the network', async (over, sentence) => {
    const f = fake();
    const report = await createService(f.deps).testConnection(draft(over));
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(sentence);
    expect(report.error).toMatchObject({ code: 'InvalidSettings', transient: false });
    expect(report.error?.message).toBe(report.message);
    expect(f.fetch).not.toHaveBeenCalled();
    expect(f.hasHostPermission).not.toHaveBeenCalled();
  });

  it('reports the first blocking field', async () => {
    const report = await createService(fake().deps).testConnection(draft({ accessKeyId: '', bucket: '' }));
    expect(report.message).toBe('Enter the access key ID.');
  });

  it('does not block on fields the connection does not use', async () => {
    const f = fake({ granted: 'none' });
    const report = await createService(f.deps).testConnection(draft({ keyTemplate: '', linkExpirySeconds: 0 }));
    // It got past validation to the permission check.
    expect(report.error?.code).toBe('HostPermissionMissing');
  });

  it('asks for access before touching the network', async () => {
    const f = fake({ granted: 'none' });
    const report = await createService(f.deps).testConnection(draft({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }));
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'HostPermissionMissing', fix: { kind: 'grant-access' } });
    expect(report.message).toMatch(/http:\/\/127\.0\.0\.1:9000/);
    expect(f.hasHostPermission).toHaveBeenCalledWith(['http://127.0.0.1/*']);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it('uses the saved secret when the draft leaves it empty', async () => {
    const f = fake({ granted: 'none' });
    await seedProfile(f.settings, SAVED, { secretAccessKey: 'OLD-SECRET', sessionToken: '' });
    const report = await createService(f.deps).testConnection(draft({ id: 'p1', secretAccessKey: '' }));
    // Not "Enter the secret access key": the saved one counts.
    expect(report.error?.code).toBe('HostPermissionMissing');
  });
});

describe('protocol coverage', () => {
  // Each list is checked against its map when compiling: a missing or extra name does not compile.
  const coreTypes = {
    getSettings: null,
    saveProfile: null,
    deleteProfile: null,
    duplicateProfile: null,
    setDefaultProfile: null,
    importProfiles: null,
    unlock: null,
    lock: null,
    setPassphrase: null,
    removePassphrase: null,
    setLockAfter: null,
    testConnection: null,
  } satisfies Record<keyof CoreProtocolMap, null>;
  const uploadTypes = {
    ensureRunner: null,
    runnerIdle: null,
    fileTreatment: null,
    startUpload: null,
    signPut: null,
    signParts: null,
    finishUpload: null,
    abortUpload: null,
    resumeUpload: null,
    listParts: null,
    discardUpload: null,
  } satisfies Record<keyof UploadProtocolMap, null>;
  const historyTypes = {
    listHistory: null,
    freshLink: null,
    deleteUpload: null,
    clearHistory: null,
    setHistoryLimit: null,
  } satisfies Record<keyof HistoryProtocolMap, null>;
  const checkTypes = {
    checkBucket: null,
    fixBucket: null,
    getBucketCheck: null,
  } satisfies Record<keyof BucketCheckProtocolMap, null>;

  /** The four parts of the background, as start.ts builds them. */
  function handlers() {
    const f = fake();
    const open = destinationOpener(f.deps);
    return {
      service: createService(f.deps),
      uploads: createUploadHandlers({ open, record: async () => {}, now: () => NOW, uuid: () => UUID, ensureRunner: async () => {} }),
      history: createHistoryHandlers({
        loadHistory: async () => [],
        updateHistory: async () => {},
        loadLimit: async () => 100,
        saveLimit: async () => {},
        loadProfiles: f.deps.loadProfiles,
        open,
        now: () => NOW,
      }),
      checks: createBucketCheckHandlers({ ...f.deps, client: () => { throw new Error('no S3 here'); }, store: { load: async () => ({}), save: async () => {} } }),
    };
  }

  it('registerHandlers wires exactly the protocol’s message names, each once, and says which', () => {
    const { service, uploads, history, checks } = handlers();
    const addListener = vi.spyOn(fakeBrowser.runtime.onMessage, 'addListener');
    const registered = registerHandlers({ ...service, ...uploads, ...history, ...checks }, { extensionId: 'test-extension', extensionOrigin: 'chrome-extension://test-extension/' });
    expect([...registered].sort()).toEqual([...Object.keys(coreTypes), ...Object.keys(uploadTypes), ...Object.keys(historyTypes), ...Object.keys(checkTypes)].sort());
    expect(new Set(registered).size).toBe(registered.length);
    // Something was registered with the browser for them (one runtime listener serves every message).
    expect(addListener).toHaveBeenCalled();
  });

  it('each part of the background implements exactly its map', () => {
    const { service, uploads, history, checks } = handlers();
    for (const [part, types] of [
      [service, coreTypes],
      [uploads, uploadTypes],
      [history, historyTypes],
      [checks, checkTypes],
    ] as const) {
      expect(Object.keys(part).sort()).toEqual(Object.keys(types).sort());
      for (const type of Object.keys(types)) expect(typeof (part as Record<string, unknown>)[type]).toBe('function');
    }
  });
});

// Type tests: checked by `tsc --noEmit`, never run.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type ServiceCoversProtocol = Expect<Equal<keyof ReturnType<typeof createService>, keyof CoreProtocolMap>>;
export type UploadsCoverProtocol = Expect<Equal<keyof ReturnType<typeof createUploadHandlers>, keyof UploadProtocolMap>>;
export type HistoryCoversProtocol = Expect<Equal<keyof ReturnType<typeof createHistoryHandlers>, keyof HistoryProtocolMap>>;
export type ChecksCoverProtocol = Expect<Equal<keyof ReturnType<typeof createBucketCheckHandlers>, keyof BucketCheckProtocolMap>>;
export type MapsMakeTheProtocol = Expect<
  Equal<keyof ProtocolMap, keyof CoreProtocolMap | keyof UploadProtocolMap | keyof HistoryProtocolMap | keyof BucketCheckProtocolMap>
>;

export function typeTestsNeverCalled(): void {
  // @ts-expect-error -- not a message type
  void sendMessage('noSuchMessage');
  // @ts-expect-error -- the old per-step messages are gone: one start per file
  void sendMessage('planUpload', { name: 'a.txt', type: 'text/plain', size: 1 });
  // @ts-expect-error -- startUpload needs the whole file description
  void sendMessage('startUpload', { name: 'a.txt' });
  const start: Promise<Result<UploadStart>> = sendMessage('startUpload', { name: 'a.txt', type: 'text/plain', size: 1, source: 'popup' });
  const settings: Promise<PublicSettings> = sendMessage('getSettings', undefined);
  const other: Promise<PublicSettings> = sendMessage('getSettings', 'p2');
  const forProfile: Promise<Result<UploadStart>> = sendMessage('startUpload', { name: 'a.txt', type: 'text/plain', size: 1, source: 'popup', profileId: 'p2' });
  void start;
  void settings;
  void other;
  void forProfile;
}
