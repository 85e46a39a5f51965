import { describe, expect, it } from 'vitest';
import { createSecretKeeper, LockedError, type KeeperDeps, type SecretKeeper, type SessionKey, type StoredSecrets } from '../../src/secrets/keeper';
import { PBKDF2_ITERATIONS, WrongPassphraseError } from '../../src/secrets/vault';
import type { Secrets } from '../../src/settings/profile';

// Real WebCrypto everywhere; 1000 iterations keeps the file fast, one test pays for the product's 600 000.
const FAST = 1000;
const T0 = Date.parse('2024-03-05T07:08:09Z');
const MINUTE = 60_000;
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';
const PASS = 'correct horse battery staple';
const OTHER_PASS = 'tr0ub4dor&3 is not it';

const keys = (secretAccessKey: string, sessionToken = ''): Secrets => ({ secretAccessKey, sessionToken });

/** Storage as plain variables, so each test can look at what would be on disk and in `storage.session`. */
interface Harness {
  stored: StoredSecrets | null;
  session: SessionKey | null;
  lockAfterMinutes: number;
  now: number;
  /** When the idle lock is scheduled to run (the background's alarm), or `null`. */
  alarm: number | null;
  /** How many of the next `write` calls throw, like a browser killed before `storage.local.set` landed. */
  failWrites: number;
  keeper: SecretKeeper;
  /** A second keeper (another window's service worker, say) over the same `storage.local` but its own session. */
  sibling(): SecretKeeper;
}

function harness(options: { iterations?: number | 'product' } = {}): Harness {
  const h = { stored: null, session: null, lockAfterMinutes: 30, now: T0, alarm: null, failWrites: 0 } as unknown as Harness;
  const base = (): Omit<KeeperDeps, 'readSession' | 'writeSession'> => ({
    read: async () => structuredClone(h.stored),
    write: async (value) => {
      if (h.failWrites > 0) {
        h.failWrites--;
        throw new Error('The browser was closed mid-write.');
      }
      h.stored = structuredClone(value);
    },
    lockAfterMinutes: async () => h.lockAfterMinutes,
    scheduleIdleLock: async (at) => {
      h.alarm = at;
    },
    now: () => h.now,
    ...(options.iterations === 'product' ? {} : { iterations: options.iterations ?? FAST }),
  });
  h.keeper = createSecretKeeper({
    ...base(),
    readSession: async () => structuredClone(h.session),
    writeSession: async (value) => {
      h.session = structuredClone(value);
    },
  });
  h.sibling = () => {
    let own: SessionKey | null = null;
    return createSecretKeeper({
      ...base(),
      readSession: async () => structuredClone(own),
      writeSession: async (value) => {
        own = structuredClone(value);
      },
    });
  };
  return h;
}

/** A harness holding two profiles' secrets, sealed under PASS and unlocked. */
async function sealed(): Promise<Harness> {
  const h = harness();
  await h.keeper.update(() => ({ p1: keys(SECRET, TOKEN), p2: keys('SECOND-SECRET') }));
  await h.keeper.setPassphrase(PASS);
  return h;
}

const vaultOf = (stored: StoredSecrets | null) => {
  if (stored?.encryption !== 'passphrase') throw new Error(`expected a sealed vault, got ${JSON.stringify(stored)}`);
  return stored.vault;
};

describe('plain mode (no passphrase)', () => {
  it('starts empty and unlocked', async () => {
    const h = harness();
    expect(await h.keeper.status()).toEqual({ encrypted: false, locked: false });
    expect(await h.keeper.all()).toEqual({});
    expect(await h.keeper.get('p1')).toBeNull();
    expect(await h.keeper.presence()).toEqual({});
  });

  it('update writes the whole map in the clear; get and presence read it back', async () => {
    const h = harness();
    await h.keeper.update((all) => ({ ...all, p1: keys(SECRET, TOKEN) }));
    await h.keeper.update((all) => ({ ...all, p2: { secretAccessKey: '', sessionToken: '', serviceToken: 'team-token' }, p3: keys('') }));
    expect(h.stored).toEqual({
      encryption: 'none',
      byProfile: {
        p1: keys(SECRET, TOKEN),
        p2: { secretAccessKey: '', sessionToken: '', serviceToken: 'team-token' },
        p3: keys(''),
      },
    });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
    expect(await h.keeper.get('nope')).toBeNull();
    expect(await h.keeper.presence()).toEqual({
      p1: { credential: true, sessionToken: true },
      p2: { credential: true, sessionToken: false },
      p3: { credential: false, sessionToken: false },
    });
    expect(h.session).toBeNull();
  });

  it('lock and unlock do nothing without a passphrase', async () => {
    const h = harness();
    await h.keeper.update(() => ({ p1: keys(SECRET) }));
    await h.keeper.lock();
    await h.keeper.unlock('anything');
    expect(await h.keeper.status()).toEqual({ encrypted: false, locked: false });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET));
  });

  it('treats a stored value of an unknown shape as empty', async () => {
    const h = harness();
    h.stored = { encryption: 'rot13' } as unknown as StoredSecrets;
    expect(await h.keeper.status()).toEqual({ encrypted: false, locked: false });
    expect(await h.keeper.all()).toEqual({});
  });
});

describe('setPassphrase', () => {
  it('seals everything: neither the secret nor the session token is in what is stored', async () => {
    const h = await sealed();
    expect(h.stored?.encryption).toBe('passphrase');
    const json = JSON.stringify(h.stored);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain('SECOND-SECRET');
    expect(json).not.toContain(PASS);
    const vault = vaultOf(h.stored);
    expect(vault.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: FAST });
    // Presence stays readable in the clear, so a locked options page can still say "saved".
    expect(h.stored).toMatchObject({
      has: { p1: { credential: true, sessionToken: true }, p2: { credential: true, sessionToken: false } },
    });
  });

  it('leaves the vault unlocked for this session right after', async () => {
    const h = await sealed();
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    expect(h.session).toEqual({ key: expect.any(String), lastUsed: T0 });
    expect(atob(h.session!.key)).toHaveLength(32);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('refuses an empty passphrase and stores nothing', async () => {
    const h = harness();
    await h.keeper.update(() => ({ p1: keys(SECRET) }));
    const before = structuredClone(h.stored);
    await expect(h.keeper.setPassphrase('')).rejects.toThrow('Enter a passphrase.');
    expect(h.stored).toEqual(before);
  });

  it('seals an empty map too (a passphrase set before any profile)', async () => {
    const h = harness();
    await h.keeper.setPassphrase(PASS);
    expect(h.stored).toMatchObject({ encryption: 'passphrase', has: {} });
    await h.keeper.lock();
    await h.keeper.unlock(PASS);
    expect(await h.keeper.all()).toEqual({});
  });

  it('uses the real PBKDF2 parameters when the keeper is not told otherwise', async () => {
    const h = harness({ iterations: 'product' });
    await h.keeper.update(() => ({ p1: keys(SECRET) }));
    await h.keeper.setPassphrase(PASS);
    const vault = vaultOf(h.stored);
    expect(PBKDF2_ITERATIONS).toBe(600_000);
    expect(vault.kdf.iterations).toBe(600_000);
    expect(vault.kdf.name).toBe('PBKDF2');
    expect(vault.kdf.hash).toBe('SHA-256');
    expect(atob(vault.kdf.salt)).toHaveLength(16);
    expect(atob(vault.cipher.iv)).toHaveLength(12);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET));
  });
});

describe('lock and unlock', () => {
  it('lock drops the session key; get throws LockedError; presence still answers', async () => {
    const h = await sealed();
    await h.keeper.lock();
    expect(h.session).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
    await expect(h.keeper.get('p1')).rejects.toBeInstanceOf(LockedError);
    await expect(h.keeper.all()).rejects.toThrow('S3 Drop is locked. Enter your passphrase to unlock it.');
    expect(await h.keeper.presence()).toEqual({
      p1: { credential: true, sessionToken: true },
      p2: { credential: true, sessionToken: false },
    });
  });

  it('a wrong passphrase throws WrongPassphraseError and stays locked', async () => {
    const h = await sealed();
    await h.keeper.lock();
    await expect(h.keeper.unlock(OTHER_PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(h.keeper.unlock('')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(h.session).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
    await expect(h.keeper.get('p1')).rejects.toBeInstanceOf(LockedError);
  });

  it('the right passphrase unlocks, and get works again', async () => {
    const h = await sealed();
    await h.keeper.lock();
    h.now = T0 + 5 * MINUTE;
    await h.keeper.unlock(PASS);
    expect(h.session).toEqual({ key: expect.any(String), lastUsed: T0 + 5 * MINUTE });
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
    expect(await h.keeper.get('p2')).toEqual(keys('SECOND-SECRET'));
  });

  it('update while locked throws LockedError and leaves the stored value unchanged', async () => {
    const h = await sealed();
    await h.keeper.lock();
    const before = structuredClone(h.stored);
    let called = false;
    await expect(
      h.keeper.update((all) => {
        called = true;
        return { ...all, p3: keys('NEW') };
      }),
    ).rejects.toBeInstanceOf(LockedError);
    expect(called).toBe(false);
    expect(h.stored).toEqual(before);
  });

  it('update while unlocked re-seals under the same salt with a fresh IV', async () => {
    const h = await sealed();
    const before = vaultOf(h.stored);
    await h.keeper.update((all) => ({ ...all, p3: keys('THIRD') }));
    const after = vaultOf(h.stored);
    expect(after.kdf).toEqual(before.kdf);
    expect(after.cipher.iv).not.toBe(before.cipher.iv);
    expect(JSON.stringify(h.stored)).not.toContain('THIRD');
    expect(h.stored).toMatchObject({ has: { p3: { credential: true, sessionToken: false } } });
    await h.keeper.lock();
    await h.keeper.unlock(PASS);
    expect(await h.keeper.get('p3')).toEqual(keys('THIRD'));
  });

  it('a session key from a vault re-sealed elsewhere reads as locked, not a crash, and is dropped', async () => {
    const h = await sealed();
    const stale = structuredClone(h.session);
    // Another window changes the passphrase: storage gets a new vault, this session keeps the old key.
    await h.sibling().setPassphrase(OTHER_PASS, PASS);
    expect(h.session).toEqual(stale);
    await expect(h.keeper.get('p1')).rejects.toBeInstanceOf(LockedError);
    expect(h.session).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
    await expect(h.keeper.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await h.keeper.unlock(OTHER_PASS);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('a session holding something that is not a vault key is not treated as unlocked', async () => {
    const h = await sealed();
    h.session = { key: btoa('sixteen byte key'), lastUsed: T0 };
    await expect(h.keeper.get('p1')).rejects.toThrow('The saved vault key is 16 bytes, not 32.');
  });
});

describe('changing and removing the passphrase', () => {
  it('needs the current passphrase; a wrong or missing one changes nothing', async () => {
    const h = await sealed();
    const before = structuredClone(h.stored);
    await expect(h.keeper.setPassphrase(OTHER_PASS, 'not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(h.keeper.setPassphrase(OTHER_PASS)).rejects.toThrow('Enter the current passphrase to change it.');
    await expect(h.keeper.setPassphrase(OTHER_PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(h.stored).toEqual(before);
    await h.keeper.lock();
    await h.keeper.unlock(PASS);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('after a change the old passphrase fails, the new one opens the same secrets, and the salt is new', async () => {
    const h = await sealed();
    const oldVault = vaultOf(h.stored);
    const oldKey = h.session!.key;
    await h.keeper.setPassphrase(OTHER_PASS, PASS);
    const newVault = vaultOf(h.stored);
    expect(newVault.kdf.salt).not.toBe(oldVault.kdf.salt);
    expect(newVault.cipher.data).not.toBe(oldVault.cipher.data);
    // Still unlocked, now with the new key.
    expect(h.session!.key).not.toBe(oldKey);
    expect(await h.keeper.get('p2')).toEqual(keys('SECOND-SECRET'));

    await h.keeper.lock();
    await expect(h.keeper.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await h.keeper.unlock(OTHER_PASS);
    expect(await h.keeper.all()).toEqual({ p1: keys(SECRET, TOKEN), p2: keys('SECOND-SECRET') });
  });

  it('a change works while locked, given the current passphrase', async () => {
    const h = await sealed();
    await h.keeper.lock();
    await h.keeper.setPassphrase(OTHER_PASS, PASS);
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('killed mid-change (the write fails): the old value stays and the old passphrase still opens it', async () => {
    const h = await sealed();
    const before = structuredClone(h.stored);
    const sessionBefore = structuredClone(h.session);
    h.failWrites = 1;
    await expect(h.keeper.setPassphrase(OTHER_PASS, PASS)).rejects.toThrow('The browser was closed mid-write.');
    expect(h.stored).toEqual(before);
    expect(h.session).toEqual(sessionBefore);
    // The session's key still matches what is stored.
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
    await h.keeper.lock();
    await expect(h.keeper.unlock(OTHER_PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await h.keeper.unlock(PASS);
    expect(await h.keeper.all()).toEqual({ p1: keys(SECRET, TOKEN), p2: keys('SECOND-SECRET') });
    // A failed change does not block the queue: the next one goes through.
    await h.keeper.setPassphrase(OTHER_PASS, PASS);
    await h.keeper.lock();
    await h.keeper.unlock(OTHER_PASS);
    expect(await h.keeper.get('p2')).toEqual(keys('SECOND-SECRET'));
  });

  it('killed while first setting a passphrase: the secrets stay in the clear, unchanged', async () => {
    const h = harness();
    await h.keeper.update(() => ({ p1: keys(SECRET, TOKEN) }));
    h.failWrites = 1;
    await expect(h.keeper.setPassphrase(PASS)).rejects.toThrow('The browser was closed mid-write.');
    expect(h.stored).toEqual({ encryption: 'none', byProfile: { p1: keys(SECRET, TOKEN) } });
    expect(h.session).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: false, locked: false });
  });

  it('removePassphrase with the wrong passphrase changes nothing', async () => {
    const h = await sealed();
    const before = structuredClone(h.stored);
    await expect(h.keeper.removePassphrase(OTHER_PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(h.stored).toEqual(before);
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
  });

  it('removePassphrase stores the same secrets in the clear and clears the session', async () => {
    const h = await sealed();
    await h.keeper.lock();
    await h.keeper.removePassphrase(PASS);
    expect(h.stored).toEqual({ encryption: 'none', byProfile: { p1: keys(SECRET, TOKEN), p2: keys('SECOND-SECRET') } });
    expect(h.session).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: false, locked: false });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });
});

describe('idle lock', () => {
  it('locks after lockAfterMinutes without use, and drops the session key', async () => {
    const h = await sealed();
    h.lockAfterMinutes = 30;
    h.now = T0 + 29 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    h.now = T0 + 31 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
    expect(h.session).toBeNull();
    await expect(h.keeper.get('p1')).rejects.toBeInstanceOf(LockedError);
    await h.keeper.unlock(PASS);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('get after the idle time throws LockedError and clears the session', async () => {
    const h = await sealed();
    h.now = T0 + 31 * MINUTE;
    await expect(h.keeper.get('p1')).rejects.toBeInstanceOf(LockedError);
    expect(h.session).toBeNull();
  });

  it('use every 20 minutes keeps it unlocked (each use refreshes lastUsed)', async () => {
    const h = await sealed();
    for (let minutes = 20; minutes <= 120; minutes += 20) {
      h.now = T0 + minutes * MINUTE;
      expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
      expect(h.session?.lastUsed).toBe(T0 + minutes * MINUTE);
    }
    h.now = T0 + 145 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    h.now = T0 + 151 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
  });

  it('does not write the session on every read: lastUsed moves only after 30 s', async () => {
    const h = await sealed();
    h.now = T0 + 10_000;
    await h.keeper.get('p1');
    expect(h.session?.lastUsed).toBe(T0);
    h.now = T0 + 31_000;
    await h.keeper.get('p1');
    expect(h.session?.lastUsed).toBe(T0 + 31_000);
  });

  it('status does not count as use', async () => {
    const h = await sealed();
    h.now = T0 + 20 * MINUTE;
    await h.keeper.status();
    await h.keeper.presence();
    expect(h.session?.lastUsed).toBe(T0);
  });

  it('lockAfterMinutes = 0 never idles out', async () => {
    const h = await sealed();
    h.lockAfterMinutes = 0;
    h.now = T0 + 10 * 24 * 60 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET, TOKEN));
  });

  it('reads the setting each time: shortening it locks a session already idle that long', async () => {
    const h = await sealed();
    h.lockAfterMinutes = 0;
    h.now = T0 + 6 * MINUTE;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: false });
    h.lockAfterMinutes = 5;
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
  });
});

describe('idle lock timer (what the background turns into an alarm)', () => {
  it('unlocking schedules the lock for the idle time after it; locking cancels it', async () => {
    const h = await sealed();
    expect(h.alarm).toBe(T0 + 30 * MINUTE);
    await h.keeper.lock();
    expect(h.alarm).toBeNull();
    h.now = T0 + 2 * MINUTE;
    await h.keeper.unlock(PASS);
    expect(h.alarm).toBe(T0 + 32 * MINUTE);
  });

  it('each use that moves lastUsed moves the timer with it', async () => {
    const h = await sealed();
    h.now = T0 + 20 * MINUTE;
    await h.keeper.get('p1');
    expect(h.session?.lastUsed).toBe(T0 + 20 * MINUTE);
    expect(h.alarm).toBe(T0 + 50 * MINUTE);
    // A use within 30 s of the last write changes neither.
    h.now = T0 + 20 * MINUTE + 10_000;
    await h.keeper.get('p1');
    expect(h.alarm).toBe(T0 + 50 * MINUTE);
  });

  it('when the timer comes, the key is dropped without anything reading the secrets', async () => {
    const h = await sealed();
    h.now = h.alarm! + 1;
    await h.keeper.enforceIdleLock();
    expect(h.session).toBeNull();
    expect(h.alarm).toBeNull();
    expect(await h.keeper.status()).toEqual({ encrypted: true, locked: true });
  });

  it('a timer that comes early (the key was used since) only moves to the new deadline', async () => {
    const h = await sealed();
    h.now = T0 + 29 * MINUTE;
    await h.keeper.enforceIdleLock();
    expect(h.session?.lastUsed).toBe(T0);
    expect(h.alarm).toBe(T0 + 30 * MINUTE);
    // Checking is not a use.
    h.now = T0 + 30 * MINUTE;
    await h.keeper.enforceIdleLock();
    expect(h.session).not.toBeNull();
    h.now = T0 + 30 * MINUTE + 1;
    await h.keeper.enforceIdleLock();
    expect(h.session).toBeNull();
  });

  it('0 minutes (until the browser closes) schedules nothing and never drops the key', async () => {
    const h = harness();
    h.lockAfterMinutes = 0;
    await h.keeper.update(() => ({ p1: keys(SECRET) }));
    await h.keeper.setPassphrase(PASS);
    expect(h.session).not.toBeNull();
    expect(h.alarm).toBeNull();
    h.now = T0 + 10 * 24 * 60 * MINUTE;
    await h.keeper.enforceIdleLock();
    expect(h.session).not.toBeNull();
    expect(h.alarm).toBeNull();
  });

  it('a changed setting reschedules: longer moves the timer, 0 cancels it, shorter and overdue drops the key', async () => {
    const h = await sealed();
    h.now = T0 + 10 * MINUTE;
    h.lockAfterMinutes = 60;
    await h.keeper.enforceIdleLock();
    expect(h.alarm).toBe(T0 + 60 * MINUTE);
    h.lockAfterMinutes = 0;
    await h.keeper.enforceIdleLock();
    expect(h.alarm).toBeNull();
    expect(h.session).not.toBeNull();
    h.lockAfterMinutes = 5;
    await h.keeper.enforceIdleLock();
    expect(h.session).toBeNull();
    expect(h.alarm).toBeNull();
  });

  it('without a passphrase there is nothing to time', async () => {
    const h = harness();
    await h.keeper.update(() => ({ p1: keys(SECRET) }));
    await h.keeper.enforceIdleLock();
    expect(h.alarm).toBeNull();
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET));
  });

  it('removing the passphrase cancels the timer', async () => {
    const h = await sealed();
    await h.keeper.removePassphrase(PASS);
    expect(h.alarm).toBeNull();
  });

  it('a check queued behind an unlock does not drop the key that unlock stores', async () => {
    const h = await sealed();
    // A session read that answers late: the check sees the old, overdue key, and would act on it after the unlock wrote its new one.
    let session: SessionKey | null = { key: 'old-and-overdue', lastUsed: T0 };
    let release = () => {};
    const written = new Promise<void>((resolve) => (release = resolve));
    let alarm: number | null = null;
    const keeper = createSecretKeeper({
      read: async () => structuredClone(h.stored),
      write: async () => {},
      readSession: async () => {
        const seen = structuredClone(session);
        await written;
        return seen;
      },
      writeSession: async (value) => {
        session = structuredClone(value);
        release();
      },
      lockAfterMinutes: async () => 30,
      scheduleIdleLock: async (at) => {
        alarm = at;
      },
      now: () => T0 + 45 * MINUTE,
      iterations: FAST,
    });
    await Promise.all([keeper.unlock(PASS), keeper.enforceIdleLock()]);
    expect(session).toEqual({ key: expect.any(String), lastUsed: T0 + 45 * MINUTE });
    expect(session!.key).not.toBe('old-and-overdue');
    expect(alarm).toBe(T0 + 75 * MINUTE);
  });
});

describe('serialization', () => {
  it('20 concurrent updates in plain mode all land', async () => {
    const h = harness();
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await Promise.all(ids.map((id) => h.keeper.update((all) => ({ ...all, [id]: keys(`secret-${id}`) }))));
    expect(Object.keys(await h.keeper.all()).sort()).toEqual([...ids].sort());
    expect(await h.keeper.get('p13')).toEqual(keys('secret-p13'));
  });

  it('20 concurrent updates on a sealed vault all land', async () => {
    const h = await sealed();
    const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
    await Promise.all(ids.map((id) => h.keeper.update((all) => ({ ...all, [id]: keys(`secret-${id}`) }))));
    const all = await h.keeper.all();
    expect(Object.keys(all).sort()).toEqual(['p1', 'p2', ...ids].sort());
    expect(all.n7).toEqual(keys('secret-n7'));
    expect(Object.keys(await h.keeper.presence()).sort()).toEqual(['p1', 'p2', ...ids].sort());
  });

  it('an update queued behind a passphrase change is sealed under the new passphrase', async () => {
    const h = await sealed();
    await Promise.all([
      h.keeper.setPassphrase(OTHER_PASS, PASS),
      h.keeper.update((all) => ({ ...all, p3: keys('THIRD') })),
    ]);
    await h.keeper.lock();
    await h.keeper.unlock(OTHER_PASS);
    expect(await h.keeper.get('p3')).toEqual(keys('THIRD'));
  });

  it('a failed update does not block the ones after it', async () => {
    const h = harness();
    const results = await Promise.allSettled([
      h.keeper.update(() => {
        throw new Error('bad change');
      }),
      h.keeper.update((all) => ({ ...all, p1: keys(SECRET) })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await h.keeper.get('p1')).toEqual(keys(SECRET));
  });
});
