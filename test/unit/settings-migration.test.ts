import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { createService, type ServiceDeps } from '../../src/background/service';
import { createSecretKeeper, type SessionKey } from '../../src/secrets/keeper';
import { findProfile } from '../../src/settings/profile-store';
import {
  MIGRATED_PROFILE_ID,
  profileMigrations,
  profilesItem,
  secretsItem,
  secretsMigrations,
  type ProfileV1,
  type ProfileV2,
} from '../../src/settings/items';
import { destinationOpener } from '../support/fake-settings';

/** A profile as version 1 wrote it: keys only, no kind. */
const V1: ProfileV1 = {
  accessKeyId: 'AKIAEXAMPLE',
  bucket: 'my-bucket',
  region: 'eu-west-1',
  endpoint: '',
  forcePathStyle: false,
  keyTemplate: '{yyyy}/{mm}/{dd}/{uuid}-{name}',
  linkExpirySeconds: 86400,
};

/** A presign-service profile as version 2 wrote it; the bucket is optional in this mode and left empty. */
const TEAM_V2: ProfileV2 = {
  ...V1,
  bucket: '',
  accessKeyId: '',
  kind: 'presign-service',
  serviceUrl: 'https://files.example.com',
  serviceAuth: 'bearer',
  serviceAuthHeader: '',
  forcePathStyle: true,
};

/** Secrets as versions 1–2 of the extension wrote them: one profile's, unkeyed. */
const SECRETS_V1 = { secretAccessKey: 'S', sessionToken: 'T' };

/** What v3 makes of one v2 profile: the default, id `default`, named after its bucket (or service host). */
const storeOf = (profile: ProfileV2, name: string) => ({
  profiles: [{ ...profile, id: MIGRATED_PROFILE_ID, name }],
  defaultId: MIGRATED_PROFILE_ID,
});

/**
 * WXT keeps an item's value under its key and the item's version under the
 * key plus `$` (`profile` and `profile$: { v: 1 }` in storage.local). Each
 * test writes what an older S3 Drop left there and reads through the item.
 */
describe('settings migrations', () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it('the profile item is at version 3 and secrets at version 2, with a numbered migration for each step', () => {
    expect(Object.keys(profileMigrations)).toEqual(['2', '3']);
    expect(Object.keys(secretsMigrations)).toEqual(['2']);
    expect(MIGRATED_PROFILE_ID).toBe('default');
  });

  it('v1 → v3: a profile from before kinds is the one keys profile, the default, all else unchanged', async () => {
    await fakeBrowser.storage.local.set({ profile: V1, 'profile$': { v: 1 } });
    await profilesItem.migrate();
    const expected = storeOf({ ...V1, kind: 'keys' }, 'my-bucket');
    expect(await profilesItem.getValue()).toEqual(expected);
    const stored = await fakeBrowser.storage.local.get(['profile', 'profile$']);
    expect(stored).toEqual({ profile: expected, 'profile$': { v: 3 } });
    expect(await profilesItem.getMeta()).toEqual({ v: 3 });
  });

  it('v1 data without version metadata is read as v1 and migrated to v3', async () => {
    await fakeBrowser.storage.local.set({ profile: V1 });
    await profilesItem.migrate();
    expect(await profilesItem.getValue()).toEqual(storeOf({ ...V1, kind: 'keys' }, 'my-bucket'));
    expect((await fakeBrowser.storage.local.get('profile$'))['profile$']).toEqual({ v: 3 });
  });

  it('v2 → v3: a keys profile becomes the default, named after its bucket', async () => {
    const keys: ProfileV2 = { ...V1, kind: 'keys', multipartThresholdMiB: 16 };
    await fakeBrowser.storage.local.set({ profile: keys, 'profile$': { v: 2 } });
    await profilesItem.migrate();
    expect(await profilesItem.getValue()).toEqual(storeOf(keys, 'my-bucket'));
    expect(await profilesItem.getMeta()).toEqual({ v: 3 });
  });

  it('v2 → v3: a team profile keeps its kind (it is not turned into keys) and is named after the service host', async () => {
    await fakeBrowser.storage.local.set({ profile: TEAM_V2, 'profile$': { v: 2 } });
    await profilesItem.migrate();
    const store = await profilesItem.getValue();
    expect(store).toEqual(storeOf(TEAM_V2, 'files.example.com'));
    expect(store.profiles[0]!.kind).toBe('presign-service');
  });

  it('the migrated name: the bucket first, else the service host, else "My bucket"', () => {
    const nameOf = (v2: ProfileV2) => profileMigrations[3](v2).profiles[0]!.name;
    expect(nameOf({ ...TEAM_V2, bucket: 'team-bucket' })).toBe('team-bucket');
    expect(nameOf({ ...TEAM_V2, serviceUrl: 'https://files.example.com:8443/team' })).toBe('files.example.com:8443');
    expect(nameOf({ ...TEAM_V2, serviceUrl: 'not a url' })).toBe('My bucket');
    expect(nameOf({ ...V1, kind: 'keys', bucket: '' })).toBe('My bucket');
  });

  it('a v3 store is left alone', async () => {
    const store = {
      profiles: [
        { ...V1, kind: 'keys', id: 'a', name: 'work' },
        { ...TEAM_V2, id: 'b', name: 'team' },
      ],
      defaultId: 'b',
    };
    await fakeBrowser.storage.local.set({ profile: store, 'profile$': { v: 3 } });
    await profilesItem.migrate();
    expect(await profilesItem.getValue()).toEqual(store);
  });

  it('nothing stored: nothing migrated, the fallback is an empty store', async () => {
    await profilesItem.migrate();
    await secretsItem.migrate();
    expect(await profilesItem.getValue()).toEqual({ profiles: [], defaultId: null });
    expect(await secretsItem.getValue()).toBeNull();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });

  it('the migrations themselves pass "nothing" through', () => {
    expect(profileMigrations[2](null)).toBeNull();
    expect(profileMigrations[3](null)).toEqual({ profiles: [], defaultId: null });
    expect(secretsMigrations[2](null)).toBeNull();
  });

  it('secrets v1 → v2: the one profile’s secrets, in the clear, under the migrated profile’s id', async () => {
    await fakeBrowser.storage.local.set({ secrets: SECRETS_V1, 'secrets$': { v: 1 } });
    await secretsItem.migrate();
    expect(await secretsItem.getValue()).toEqual({ encryption: 'none', byProfile: { default: SECRETS_V1 } });
    expect(await secretsItem.getMeta()).toEqual({ v: 2 });
  });

  it('secrets without version metadata are read as v1, team tokens included', async () => {
    const team = { secretAccessKey: '', sessionToken: '', serviceToken: 'TEAM-TOKEN' };
    await fakeBrowser.storage.local.set({ secrets: team });
    await secretsItem.migrate();
    expect(await secretsItem.getValue()).toEqual({ encryption: 'none', byProfile: { [MIGRATED_PROFILE_ID]: team } });
  });

  it('no profile is lost: an upgraded install finds its profile and its secrets, and still signs', async () => {
    // What a v2 install left in storage.local.
    await fakeBrowser.storage.local.set({ profile: { ...V1, kind: 'keys' }, 'profile$': { v: 2 }, secrets: SECRETS_V1, 'secrets$': { v: 1 } });
    await profilesItem.migrate();
    await secretsItem.migrate();

    const store = await profilesItem.getValue();
    expect(store.profiles).toHaveLength(1);
    const profile = findProfile(store);
    expect(profile).toEqual({ ...V1, kind: 'keys', id: MIGRATED_PROFILE_ID, name: 'my-bucket' });

    // Read the way the background reads them: through the keeper, over the real items.
    let session: SessionKey | null = null;
    const keeper = createSecretKeeper({
      read: () => secretsItem.getValue(),
      write: (value) => secretsItem.setValue(value),
      readSession: async () => session,
      writeSession: async (value) => {
        session = value;
      },
      lockAfterMinutes: async () => 30,
      scheduleIdleLock: async () => {},
      now: () => Date.now(),
      iterations: 1000,
    });
    expect(await keeper.get(profile!.id)).toEqual(SECRETS_V1);

    const deps: ServiceDeps = {
      loadProfiles: () => profilesItem.getValue(),
      saveProfiles: (value) => profilesItem.setValue(value),
      secrets: keeper,
      lockAfterMinutes: async () => 30,
      setLockAfterMinutes: async () => {},
      hasHostPermission: async () => true,
      fetch: async () => {
        throw new Error('no network in this test');
      },
      now: () => new Date('2024-03-05T07:08:09Z'),
      uuid: () => 'u',
    };
    const service = createService(deps);
    const settings = await service.getSettings();
    expect(settings).toMatchObject({ profile: { id: 'default', name: 'my-bucket' }, hasSecret: true, hasSessionToken: true, defaultId: 'default' });
    expect(settings.profiles.map((s) => s.profile.id)).toEqual(['default']);
    // The migrated profile and secret sign an upload: the default profile's destination finds both.
    const destination = await destinationOpener(deps)();
    if (!destination.ok) throw new Error(destination.error.message);
    const signed = await destination.value.signPut({ key: 'k.txt', contentType: 'text/plain', size: 1 });
    expect(signed.ok).toBe(true);
    if (signed.ok) expect(new URL(signed.value.url).searchParams.get('X-Amz-Credential')).toMatch(/^AKIAEXAMPLE\//);
  });

  it('a first save writes the current version', async () => {
    await profilesItem.migrate();
    const store = storeOf({ ...V1, kind: 'keys' }, 'my-bucket');
    await profilesItem.setValue(store);
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ profile: store, 'profile$': { v: 3 } });
  });
});
