import { describe, expect, it } from 'vitest';
import { createService } from '../../src/background/service';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceProfile } from '../../src/settings/profile';
import { keptProfileId, publicSettings, summarizeSettings, type SettingsSummary } from '../../src/settings/summary';
import { fakeSettings, seedProfile, type FakeSettings } from '../support/fake-settings';

const T0 = Date.parse('2024-03-05T07:08:09Z');
const MINUTE = 60_000;
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDSESSIONTOKEN/abc+def=';
const SERVICE_TOKEN = 'team-token-3f9a7c1e5b';
const PASS = 'correct horse battery staple';

const work: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'work', accessKeyId: 'AKIAWORK', bucket: 'work-bucket', region: 'eu-west-1' };
const media: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'p2',
  name: 'media',
  accessKeyId: 'AKIAMEDIA',
  bucket: 'media',
  endpoint: 'https://minio.example.net:9000',
  forcePathStyle: true,
  linkExpirySeconds: 3600,
};
/** A team's service that wants a bearer token, whose S3 host was learned when it was saved. */
const team: PresignServiceProfile = {
  ...EMPTY_SERVICE_PROFILE,
  id: 'p3',
  name: 'team',
  serviceUrl: 'https://files.example.com',
  endpoint: 'https://s3.eu-central-1.amazonaws.com',
};
/** A service that wants no token: ready with nothing saved. */
const open: PresignServiceProfile = { ...EMPTY_SERVICE_PROFILE, id: 'p4', name: 'open', serviceUrl: 'https://drop.example.org', serviceAuth: 'none' };

const keysCan = { multipart: true, delete: true };
const serviceCan = { multipart: false, delete: false };

describe('summarizeSettings', () => {
  it('describes every profile as getSettings does: whether its credential is saved, never the credential', () => {
    const summary = summarizeSettings({
      store: { profiles: [work, media, team, open], defaultId: 'p2' },
      presence: { p1: { credential: true, sessionToken: true }, p2: { credential: false, sessionToken: false }, p3: { credential: false, sessionToken: false } },
      status: { encrypted: false, locked: false },
      lockAfterMinutes: 30,
      lastUsed: null,
    });
    expect(summary).toEqual({
      profiles: [
        { profile: work, hasSecret: true, hasSessionToken: true, capabilities: keysCan, accessOrigins: ['https://work-bucket.s3.eu-west-1.amazonaws.com/*'] },
        { profile: media, hasSecret: false, hasSessionToken: false, capabilities: keysCan, accessOrigins: ['https://minio.example.net/*'] },
        {
          profile: team,
          hasSecret: false,
          hasSessionToken: false,
          capabilities: serviceCan,
          accessOrigins: ['https://files.example.com/*', 'https://s3.eu-central-1.amazonaws.com/*'],
        },
        { profile: open, hasSecret: true, hasSessionToken: false, capabilities: serviceCan, accessOrigins: ['https://drop.example.org/*'] },
      ],
      defaultId: 'p2',
      security: { encrypted: false, locked: false, lockAfterMinutes: 30, locksAt: null },
    } satisfies SettingsSummary);
  });

  it('a presign service with its token saved is ready; a session token counts only for keys', () => {
    const summary = summarizeSettings({
      store: { profiles: [team], defaultId: 'p3' },
      presence: { p3: { credential: true, sessionToken: true } },
      status: { encrypted: false, locked: false },
      lockAfterMinutes: 30,
      lastUsed: null,
    });
    expect(summary.profiles[0]).toMatchObject({ hasSecret: true, hasSessionToken: false });
  });

  it('an unlocked vault says when it locks itself; a locked one, or one that locks only with the browser, does not', () => {
    const input = {
      store: { profiles: [work], defaultId: 'p1' },
      presence: { p1: { credential: true, sessionToken: false } },
      status: { encrypted: true, locked: false },
      lockAfterMinutes: 15,
      lastUsed: T0,
    };
    expect(summarizeSettings(input).security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 15, locksAt: T0 + 15 * MINUTE });
    expect(summarizeSettings({ ...input, lockAfterMinutes: 0 }).security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 0, locksAt: null });
    expect(summarizeSettings({ ...input, status: { encrypted: true, locked: true } }).security.locksAt).toBeNull();
    // Without a passphrase nothing locks, whatever the session holds.
    expect(summarizeSettings({ ...input, status: { encrypted: false, locked: false } }).security.locksAt).toBeNull();
  });

  it('no profile: an empty list and no default (the popup offers to set up a bucket)', () => {
    const summary = summarizeSettings({
      store: { profiles: [], defaultId: null },
      presence: {},
      status: { encrypted: false, locked: false },
      lockAfterMinutes: 30,
      lastUsed: null,
    });
    expect(summary).toEqual({ profiles: [], defaultId: null, security: { encrypted: false, locked: false, lockAfterMinutes: 30, locksAt: null } });
  });
});

describe('publicSettings', () => {
  const summary: SettingsSummary = summarizeSettings({
    store: { profiles: [work, media], defaultId: 'p1' },
    presence: { p1: { credential: true, sessionToken: false }, p2: { credential: true, sessionToken: true } },
    status: { encrypted: true, locked: false },
    lockAfterMinutes: 10,
    lastUsed: T0,
  });

  it('the top-level fields describe the default profile, or the one asked for', () => {
    expect(publicSettings(summary, undefined, T0)).toMatchObject({ profile: work, hasSecret: true, hasSessionToken: false, defaultId: 'p1' });
    expect(publicSettings(summary, 'p2', T0)).toMatchObject({ profile: media, hasSecret: true, hasSessionToken: true, accessOrigins: ['https://minio.example.net/*'] });
    expect(publicSettings(summary, 'gone', T0)).toMatchObject({ profile: null, hasSecret: false, hasSessionToken: false, accessOrigins: [], capabilities: keysCan });
  });

  it('a vault past its idle deadline counts as locked, though the alarm that locks it has not fired yet', () => {
    expect(publicSettings(summary, undefined, T0 + 10 * MINUTE).security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 10 });
    expect(publicSettings(summary, undefined, T0 + 10 * MINUTE + 1).security).toEqual({ encrypted: true, locked: true, lockAfterMinutes: 10 });
  });
});

describe('the summary says what getSettings says', () => {
  /** The real service over in-memory settings; the summary computed from the same keeper. */
  async function both(f: FakeSettings, profileId?: string) {
    const service = createService({
      ...f.deps,
      hasHostPermission: async () => true,
      fetch: async () => {
        throw new Error('no network in this test');
      },
      now: () => new Date(f.clock.now),
      uuid: () => 'uuid',
    });
    const expected = await service.getSettings(profileId);
    const summary = summarizeSettings({
      store: await f.deps.loadProfiles(),
      presence: await f.keeper.presence(),
      status: await f.keeper.status(),
      lockAfterMinutes: f.lockAfterMinutes,
      lastUsed: f.session?.lastUsed ?? null,
    });
    return { expected, actual: publicSettings(summary, profileId, f.clock.now), summary };
  }

  it('in the clear, sealed and unlocked, and locked, for the default and for a chosen profile', async () => {
    const f = fakeSettings();
    f.clock.now = T0;
    await seedProfile(f, work, { secretAccessKey: SECRET, sessionToken: SESSION_TOKEN });
    await seedProfile(f, team, { serviceToken: SERVICE_TOKEN });
    await seedProfile(f, open);
    for (const id of [undefined, 'p3', 'p4', 'gone']) {
      const { expected, actual } = await both(f, id);
      expect(actual, `clear, ${id}`).toEqual(expected);
    }

    await f.keeper.setPassphrase(PASS);
    const unlocked = await both(f);
    expect(unlocked.actual).toEqual(unlocked.expected);
    expect(unlocked.actual.security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 30 });

    await f.keeper.lock();
    const locked = await both(f, 'p3');
    expect(locked.actual).toEqual(locked.expected);
    expect(locked.actual.security.locked).toBe(true);
    // Locked, the saved credentials still show as saved (the popup offers to unlock, not to set up).
    expect(locked.actual.profiles.map((p) => p.hasSecret)).toEqual([true, true, true]);
  });

  it('holds no secret, sealed or not', async () => {
    const f = fakeSettings();
    await seedProfile(f, work, { secretAccessKey: SECRET, sessionToken: SESSION_TOKEN });
    await seedProfile(f, team, { serviceToken: SERVICE_TOKEN });
    const clear = JSON.stringify((await both(f)).summary);
    await f.keeper.setPassphrase(PASS);
    const sealed = JSON.stringify((await both(f)).summary);
    for (const text of [clear, sealed]) {
      for (const secret of [SECRET, SESSION_TOKEN, SERVICE_TOKEN, PASS, f.session!.key]) expect(text).not.toContain(secret);
    }
  });
});

describe('keptProfileId', () => {
  const settings = { profiles: [work, media].map((profile) => ({ profile })), defaultId: 'p2' } as Parameters<typeof keptProfileId>[0];

  it('keeps the chosen profile while it exists, else takes the default, else none', () => {
    expect(keptProfileId(settings, 'p1')).toBe('p1');
    expect(keptProfileId(settings, '')).toBe('p2');
    expect(keptProfileId(settings, 'deleted-elsewhere')).toBe('p2');
    expect(keptProfileId({ profiles: [], defaultId: null }, 'p1')).toBe('');
    expect(keptProfileId({ ...settings, defaultId: 'missing' }, '')).toBe('');
  });
});
