import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSummaryPublisher, startSummaryPublisher, type PublisherDeps } from '../../src/background/publish-summary';
import { createSecretKeeper, type SecretKeeper } from '../../src/secrets/keeper';
import { profilesItem, secretsItem, securityItem, vaultSessionItem } from '../../src/settings/items';
import { EMPTY_PROFILE, type KeysProfile } from '../../src/settings/profile';
import type { ProfileStore } from '../../src/settings/profile-store';
import type { SettingsSummary } from '../../src/settings/summary';
import { settingsSummaryItem } from '../../src/settings/summary-item';

const T0 = Date.parse('2024-03-05T07:08:09Z');
const MINUTE = 60_000;
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PASS = 'correct horse battery staple';

const work: KeysProfile = { ...EMPTY_PROFILE, id: 'p1', name: 'work', accessKeyId: 'AKIAWORK', bucket: 'work-bucket', region: 'eu-west-1' };
const media: KeysProfile = { ...EMPTY_PROFILE, id: 'p2', name: 'media', accessKeyId: 'AKIAMEDIA', bucket: 'media-bucket', region: 'us-west-2' };

/** A promise settled from outside, to hold a read open while more changes arrive. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createSummaryPublisher', () => {
  /** In-memory sources; `loads` counts how often the profiles were read, `writes` what was written. */
  function setup(over: Partial<PublisherDeps> = {}) {
    const state = { store: { profiles: [work], defaultId: 'p1' } as ProfileStore };
    const writes: (SettingsSummary | null)[] = [];
    const loadProfiles = vi.fn(async () => structuredClone(state.store));
    const deps: PublisherDeps = {
      loadProfiles,
      secrets: { presence: async () => ({ p1: { credential: true, sessionToken: false } }), status: async () => ({ encrypted: false, locked: false }) },
      lockAfterMinutes: async () => 30,
      lastUsed: async () => null,
      write: async (summary) => {
        writes.push(summary);
      },
      ...over,
    };
    return { state, writes, loadProfiles, publish: createSummaryPublisher(deps) };
  }

  it('writes the summary, and again only when it changed', async () => {
    const { state, writes, publish } = setup();
    await publish();
    await publish();
    expect(writes.map((w) => w?.profiles.map((p) => p.profile.name))).toEqual([['work']]);
    state.store = { profiles: [work, media], defaultId: 'p2' };
    await publish();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({ defaultId: 'p2', profiles: [{ profile: work, hasSecret: true }, { profile: media, hasSecret: false }] });
  });

  it('changes that arrive during a read share one more read, so the last write is the newest state', async () => {
    const gate = deferred<void>();
    const reading = deferred<void>();
    const { state, writes, loadProfiles, publish } = setup();
    loadProfiles.mockImplementationOnce(async () => {
      const before = structuredClone(state.store);
      reading.resolve();
      await gate.promise;
      return before;
    });
    const first = publish();
    // Calls made before a run has started join it; these come once it is reading.
    await reading.promise;
    // A save writes the secrets, then the profiles: two changes while the first read is held open.
    state.store = { profiles: [work, media], defaultId: 'p1' };
    const second = publish();
    const third = publish();
    expect(third).toBe(second);
    expect(second).not.toBe(first);
    gate.resolve();
    await Promise.all([first, second, third]);
    expect(loadProfiles).toHaveBeenCalledTimes(2);
    expect(writes.at(-1)?.profiles.map((p) => p.profile.id)).toEqual(['p1', 'p2']);
  });

  it('a summary that cannot be computed is removed, so the popup asks the background instead', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { writes, publish } = setup({
      secrets: {
        presence: async () => ({}),
        status: async () => {
          throw new Error('The saved secrets are damaged');
        },
      },
    });
    await publish();
    expect(writes).toEqual([null]);
    expect(error).toHaveBeenCalledWith('S3 Drop: the settings summary could not be computed', expect.any(Error));
  });

  it('a failed write is logged, and the next change writes again', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let fail = true;
    const written: (SettingsSummary | null)[] = [];
    const { publish } = setup({
      write: async (summary) => {
        if (fail) throw new Error('QUOTA_BYTES quota exceeded');
        written.push(summary);
      },
    });
    await expect(publish()).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith('S3 Drop: the settings summary could not be written', expect.any(Error));
    fail = false;
    await publish();
    expect(written).toHaveLength(1);
  });
});

describe('startSummaryPublisher (real storage items)', () => {
  const clock = { now: T0 };
  let keeper: SecretKeeper;

  beforeEach(() => {
    fakeBrowser.reset();
    clock.now = T0;
    keeper = createSecretKeeper({
      read: () => secretsItem.getValue(),
      write: (value) => secretsItem.setValue(value),
      readSession: () => vaultSessionItem.getValue(),
      writeSession: (value) => vaultSessionItem.setValue(value),
      lockAfterMinutes: async () => (await securityItem.getValue()).lockAfterMinutes,
      scheduleIdleLock: async () => {},
      now: () => clock.now,
      iterations: 1000,
    });
  });

  /** Resolves with the stored summary once it satisfies `ok`: now, or at a later write. */
  function summaryWhere(ok: (s: SettingsSummary) => boolean): Promise<SettingsSummary> {
    return new Promise((resolve) => {
      const check = (s: SettingsSummary | null) => {
        if (!s || !ok(s)) return;
        unwatch();
        resolve(s);
      };
      const unwatch = settingsSummaryItem.watch(check);
      void settingsSummaryItem.getValue().then(check);
    });
  }

  const start = () =>
    startSummaryPublisher({ loadProfiles: () => profilesItem.getValue(), secrets: keeper, lockAfterMinutes: async () => (await securityItem.getValue()).lockAfterMinutes });

  it('writes the summary at start, to storage.session', async () => {
    await profilesItem.setValue({ profiles: [work], defaultId: 'p1' });
    await keeper.update(() => ({ p1: { secretAccessKey: SECRET, sessionToken: '' } }));
    await start();
    const stored = (await fakeBrowser.storage.session.get('settingsSummary')).settingsSummary as SettingsSummary;
    expect(stored.profiles).toEqual([
      { profile: work, hasSecret: true, hasSessionToken: false, capabilities: { multipart: true, delete: true }, accessOrigins: ['https://work-bucket.s3.eu-west-1.amazonaws.com/*'] },
    ]);
    expect(stored.defaultId).toBe('p1');
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    expect(await fakeBrowser.storage.local.get('settingsSummary')).toEqual({});
  });

  it('follows the profiles, the secrets, the vault session and the security settings', async () => {
    await start();
    expect((await summaryWhere(() => true)).profiles).toEqual([]);

    // A profile saved from the options page: its secret first, then the profile.
    await keeper.update(() => ({ p1: { secretAccessKey: SECRET, sessionToken: '' } }));
    await profilesItem.setValue({ profiles: [work], defaultId: 'p1' });
    await summaryWhere((s) => s.profiles[0]?.hasSecret === true);

    await profilesItem.setValue({ profiles: [work, media], defaultId: 'p2' });
    await summaryWhere((s) => s.defaultId === 'p2' && s.profiles.length === 2 && !s.profiles[1]!.hasSecret);

    await keeper.setPassphrase(PASS);
    // The sealed secrets are written before the session's key: the summary may say "locked" for that moment.
    const unlocked = await summaryWhere((s) => s.security.encrypted && !s.security.locked);
    expect(unlocked.security).toEqual({ encrypted: true, locked: false, lockAfterMinutes: 30, locksAt: T0 + 30 * MINUTE });

    await securityItem.setValue({ lockAfterMinutes: 5 });
    await summaryWhere((s) => s.security.lockAfterMinutes === 5 && s.security.locksAt === T0 + 5 * MINUTE);

    await keeper.lock();
    const locked = await summaryWhere((s) => s.security.locked);
    expect(locked.security).toEqual({ encrypted: true, locked: true, lockAfterMinutes: 5, locksAt: null });
    // Locked, the summary still knows which profiles have a secret saved.
    expect(locked.profiles.map((p) => p.hasSecret)).toEqual([true, false]);

    await keeper.unlock(PASS);
    await summaryWhere((s) => !s.security.locked);
  });

  it('a session that ran past its idle time is dropped when the summary is computed, and the summary says locked', async () => {
    await profilesItem.setValue({ profiles: [work], defaultId: 'p1' });
    await keeper.update(() => ({ p1: { secretAccessKey: SECRET, sessionToken: '' } }));
    await keeper.setPassphrase(PASS);
    // The worker was stopped; it starts again 31 minutes later, before the idle alarm has run.
    clock.now = T0 + 31 * MINUTE;
    await start();
    expect((await settingsSummaryItem.getValue())?.security).toMatchObject({ encrypted: true, locked: true, locksAt: null });
    expect(await vaultSessionItem.getValue()).toBeNull();
  });
});
