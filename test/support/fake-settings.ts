import { createSecretKeeper, type SecretKeeper, type SessionKey, type StoredSecrets } from '../../src/secrets/keeper';
import { findProfile, type ProfileStore } from '../../src/settings/profile-store';
import { EMPTY_PROFILE, type KeysProfile, type Profile, type Secrets } from '../../src/settings/profile';
import type { ServiceDeps } from '../../src/background/service';
import { s3ClientPool } from '../../src/destination/connection';
import type { Destination } from '../../src/destination/destination';
import { openDestination, type DestinationDeps } from '../../src/destination/open';
import type { Result } from '../../src/result';
import type { FetchLike } from '../../src/s3/region';
import { vi, type Mock } from 'vitest';

/**
 * In-memory settings for the background service in unit and integration
 * tests: the real SecretKeeper (and its real WebCrypto vault) over plain
 * variables instead of browser storage.
 */
export interface FakeSettings {
  profiles: ProfileStore;
  stored: StoredSecrets | null;
  session: SessionKey | null;
  lockAfterMinutes: number;
  /** The clock the keeper's idle lock reads. */
  clock: { now: number };
  keeper: SecretKeeper;
  /** The default profile (or `id`'s), as the single-profile tests knew it. */
  profile(id?: string): Profile | null;
  /** Its secrets in the clear (reads through the keeper, so a locked vault throws). */
  secrets(id?: string): Promise<Secrets | null>;
  /** Deps for `createService`, minus fetch/permissions/now/uuid. */
  deps: {
    loadProfiles(): Promise<ProfileStore>;
    saveProfiles(store: ProfileStore): Promise<void>;
    secrets: SecretKeeper;
    lockAfterMinutes(): Promise<number>;
    setLockAfterMinutes(minutes: number): Promise<void>;
  };
}

export function fakeSettings(options: { iterations?: number } = {}): FakeSettings {
  const f = {
    profiles: { profiles: [], defaultId: null },
    stored: null,
    session: null,
    lockAfterMinutes: 30,
    clock: { now: Date.parse('2024-03-05T07:08:09Z') },
  } as unknown as FakeSettings;
  f.keeper = createSecretKeeper({
    read: async () => structuredClone(f.stored),
    write: async (value) => {
      f.stored = structuredClone(value);
    },
    readSession: async () => structuredClone(f.session),
    writeSession: async (value) => {
      f.session = structuredClone(value);
    },
    lockAfterMinutes: async () => f.lockAfterMinutes,
    // The background's alarm that enforces the idle lock is tested in idle-lock.test.ts; reads check it too.
    scheduleIdleLock: async () => {},
    now: () => f.clock.now,
    // Tests need the vault's behaviour, not its cost; the 600 000 default is tested in vault.test.ts.
    iterations: options.iterations ?? 1000,
  });
  f.profile = (id) => findProfile(f.profiles, id);
  f.secrets = async (id) => {
    const profile = findProfile(f.profiles, id);
    return profile ? f.keeper.get(profile.id) : null;
  };
  f.deps = {
    loadProfiles: async () => structuredClone(f.profiles),
    saveProfiles: async (store) => {
      f.profiles = structuredClone(store);
    },
    secrets: f.keeper,
    lockAfterMinutes: async () => f.lockAfterMinutes,
    setLockAfterMinutes: async (minutes) => {
      f.lockAfterMinutes = minutes;
    },
  };
  return f;
}

/** Seeds one profile with its secrets (the default when it is the first). */
export async function seedProfile(f: FakeSettings, profile: Profile, secrets: Partial<Secrets> = {}): Promise<void> {
  f.profiles = {
    profiles: [...f.profiles.profiles.filter((p) => p.id !== profile.id), structuredClone(profile)],
    defaultId: f.profiles.defaultId ?? profile.id,
  };
  await f.keeper.update((all) => ({ ...all, [profile.id]: { secretAccessKey: '', sessionToken: '', ...secrets } }));
}

/**
 * The background service's deps for a test against a real server: these
 * settings, every origin granted, the real `fetch`, the clock and random ids;
 * `over` replaces any of them.
 */
export function realServiceDeps(settings: FakeSettings, over: Partial<ServiceDeps> = {}): ServiceDeps {
  return {
    ...settings.deps,
    hasHostPermission: async () => true,
    fetch: (input, init) => fetch(input, init),
    now: () => new Date(),
    uuid: () => crypto.randomUUID(),
    ...over,
  };
}

/** The deps `fakeServiceDeps` builds, with the spies a test looks into. */
export interface FakeServiceDeps {
  deps: ServiceDeps;
  fetch: Mock<FetchLike>;
  hasHostPermission: Mock<ServiceDeps['hasHostPermission']>;
  /** Origin patterns the extension may reach; `null` means all. */
  granted: Set<string> | null;
}

/**
 * The background service's deps for a unit test, with no network: these
 * settings; access to the `granted` origin patterns only (every origin when
 * omitted), so a test can take a grant away; a `fetch` that fails the test
 * on any request unless one is given; the test's fixed clock; and ids
 * counted uuid-1, uuid-2, … so that keys and ids are known in advance
 * (`uuid` and `shortId` replace them).
 */
export function fakeServiceDeps(
  settings: FakeSettings,
  options: { now: () => Date; granted?: string[] | 'all'; fetch?: FetchLike; uuid?: () => string; shortId?: () => string },
): FakeServiceDeps {
  const granted = options.granted === 'all' || options.granted === undefined ? null : new Set(options.granted);
  const fetch = vi.fn<FetchLike>(
    options.fetch ??
      (async (input) => {
        throw new Error(`unexpected fetch of ${String(input)}`);
      }),
  );
  const hasHostPermission = vi.fn<ServiceDeps['hasHostPermission']>(async (origins) => granted === null || origins.every((o) => granted.has(o)));
  let n = 0;
  const deps: ServiceDeps = {
    ...settings.deps,
    hasHostPermission,
    fetch,
    now: options.now,
    uuid: options.uuid ?? (() => `uuid-${++n}`),
    shortId: options.shortId,
  };
  return { deps, fetch, hasHostPermission, granted };
}

/**
 * A profile's destination over the same deps as the service, with one pool
 * of S3 clients, as the background wires it (`client` replaces the pool).
 */
export function destinationOpener(
  deps: Omit<DestinationDeps, 'client'> & Partial<Pick<DestinationDeps, 'client'>>,
): (profileId?: string) => Promise<Result<Destination>> {
  const client = deps.client ?? s3ClientPool();
  return (profileId) => openDestination({ ...deps, client }, profileId);
}

/** A keys profile on AWS with a template that cannot collide (`{uuid}`). */
export const AWS_PROFILE: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'aws',
  name: 'aws',
  accessKeyId: 'AKIAWORK',
  bucket: 'work-bucket',
  region: 'eu-west-1',
  keyTemplate: 'work/{uuid}-{name}',
};

/** A keys profile on an S3-compatible endpoint, with a 1-hour link (tests with two profiles use it as the second). */
export const MEDIA_PROFILE: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'p2',
  name: 'media',
  accessKeyId: 'AKIAMEDIA',
  bucket: 'media-bucket',
  region: 'us-west-2',
  endpoint: 'https://s3.example.com',
  forcePathStyle: true,
  keyTemplate: 'media/{uuid}-{name}',
  linkExpirySeconds: 3600,
};
