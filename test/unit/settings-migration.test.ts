import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { profileItem, profileMigrations, secretsItem, type ProfileV1 } from '../../src/settings/items';

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

/**
 * WXT keeps an item's value under its key and the item's version under the
 * key plus `$` (`profile` and `profile$: { v: 1 }` in storage.local). Each
 * test writes what an older S3 Drop left there and reads through the item.
 */
describe('settings migrations', () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it('the profile item is at version 2 with a numbered migration for each step', () => {
    expect(Object.keys(profileMigrations)).toEqual(['2']);
  });

  it('v1 → v2: a profile from before kinds is a keys profile, all else unchanged', async () => {
    await fakeBrowser.storage.local.set({ profile: V1, 'profile$': { v: 1 } });
    await profileItem.migrate();
    expect(await profileItem.getValue()).toEqual({ ...V1, kind: 'keys' });
    const stored = await fakeBrowser.storage.local.get(['profile', 'profile$']);
    expect(stored).toEqual({ profile: { ...V1, kind: 'keys' }, 'profile$': { v: 2 } });
    expect(await profileItem.getMeta()).toEqual({ v: 2 });
  });

  it('v1 data without version metadata is read as v1 and migrated', async () => {
    await fakeBrowser.storage.local.set({ profile: V1 });
    await profileItem.migrate();
    expect(await profileItem.getValue()).toEqual({ ...V1, kind: 'keys' });
    expect((await fakeBrowser.storage.local.get('profile$'))['profile$']).toEqual({ v: 2 });
  });

  it('a v2 profile is left alone (team profiles are not turned into keys)', async () => {
    const team = { ...V1, accessKeyId: '', kind: 'presign-service', serviceUrl: 'https://files.example.com', serviceAuth: 'bearer', serviceAuthHeader: '' };
    await fakeBrowser.storage.local.set({ profile: team, 'profile$': { v: 2 } });
    await profileItem.migrate();
    expect(await profileItem.getValue()).toEqual(team);
  });

  it('nothing stored: nothing migrated, the fallback is null', async () => {
    await profileItem.migrate();
    expect(await profileItem.getValue()).toBeNull();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });

  it('the migration itself passes null through', () => {
    expect(profileMigrations[2](null)).toBeNull();
  });

  it('secrets stay at version 1: the token is an optional field, so v1 secrets read as they are', async () => {
    await fakeBrowser.storage.local.set({ secrets: { secretAccessKey: 'S', sessionToken: '' }, 'secrets$': { v: 1 } });
    await secretsItem.migrate();
    expect(await secretsItem.getValue()).toEqual({ secretAccessKey: 'S', sessionToken: '' });
  });

  it('a first save writes the current version', async () => {
    await profileItem.migrate();
    await profileItem.setValue({ ...V1, kind: 'keys' });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ profile: { ...V1, kind: 'keys' }, 'profile$': { v: 2 } });
  });
});
