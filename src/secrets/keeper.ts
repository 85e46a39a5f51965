import type { Secrets } from '../settings/profile';
import { t } from '../i18n/t';
import {
  deriveVaultKey,
  exportVaultKey,
  importVaultKey,
  isVaultEnvelope,
  newKdf,
  openWithKey,
  PBKDF2_ITERATIONS,
  sealWithKey,
  WrongPassphraseError,
  type VaultEnvelope,
} from './vault';

/** Each profile's secrets, by profile id. */
export type SecretsByProfile = Record<string, Secrets>;

/**
 * What `local:secrets` holds: the secrets in the clear (the default, like
 * every browser's own password store without a primary password), or sealed
 * under the user's passphrase.
 */
export type StoredSecrets =
  | { encryption: 'none'; byProfile: SecretsByProfile }
  | {
      encryption: 'passphrase';
      vault: VaultEnvelope;
      /** Which profiles have a credential saved, readable while locked so the options page can say "saved". Not secret. */
      has: Record<string, SecretPresence>;
    };

/** Whether a profile's credential (secret key or service token) and session token are saved. */
export interface SecretPresence {
  credential: boolean;
  sessionToken: boolean;
}

export function presenceOf(all: SecretsByProfile): Record<string, SecretPresence> {
  return Object.fromEntries(
    Object.entries(all).map(([id, s]) => [id, { credential: Boolean(s.secretAccessKey || s.serviceToken), sessionToken: Boolean(s.sessionToken) }]),
  );
}

/** The unlocked vault key of this browser session, and when it was last used (for the idle lock). */
export interface SessionKey {
  key: string;
  lastUsed: number;
}

export interface KeeperDeps {
  read(): Promise<StoredSecrets | null>;
  /** One `storage.local.set`: a value is written whole or not at all. */
  write(value: StoredSecrets): Promise<void>;
  /** `storage.session`: gone when the browser closes, never synced, never written to disk by Chrome. */
  readSession(): Promise<SessionKey | null>;
  writeSession(value: SessionKey | null): Promise<void>;
  /** Lock after this many idle minutes; 0 locks only when the browser closes. */
  lockAfterMinutes(): Promise<number>;
  /**
   * Arranges for `enforceIdleLock` to run at `at` (ms since the epoch),
   * replacing any earlier arrangement; `null` cancels it. The background backs
   * it with an `alarms` alarm, so the key is dropped on time even when
   * nothing reads it.
   */
  scheduleIdleLock(at: number | null): Promise<void>;
  now(): number;
  /** PBKDF2 iterations for new vaults; tests lower it, the product never does. */
  iterations?: number;
}

export interface KeeperStatus {
  /** Secrets are sealed under a passphrase. */
  encrypted: boolean;
  /** Sealed and not unlocked in this browser session (or locked since). */
  locked: boolean;
}

/** The secrets are sealed and this session has not unlocked them. */
export class LockedError extends Error {
  constructor() {
    super('S3 Drop is locked. Enter your passphrase to unlock it.');
    this.name = 'LockedError';
  }
}

/** Refreshing `lastUsed` at most this often keeps signing from writing to storage on every URL. */
const TOUCH_INTERVAL_MS = 30_000;

export interface SecretKeeper {
  status(): Promise<KeeperStatus>;
  /** What is saved for each profile, without unlocking. */
  presence(): Promise<Record<string, SecretPresence>>;
  /** Every profile's secrets; throws LockedError when sealed and locked. */
  all(): Promise<SecretsByProfile>;
  get(profileId: string): Promise<Secrets | null>;
  /** Read, change and write back in one step; calls are queued, so two changes never overwrite each other. */
  update(change: (all: SecretsByProfile) => SecretsByProfile): Promise<void>;
  /** Throws WrongPassphraseError when the passphrase does not open the vault. */
  unlock(passphrase: string): Promise<void>;
  lock(): Promise<void>;
  /**
   * Drops the session's key if it has been idle longer than the setting
   * allows, else schedules the next check for when it would be. Run when the
   * scheduled time comes, when the worker starts, and when the setting changes.
   */
  enforceIdleLock(): Promise<void>;
  /** Seals the secrets under `next`; when already sealed, `current` must open them. */
  setPassphrase(next: string, current?: string): Promise<void>;
  /** Stores the secrets in the clear again; `current` must open them. */
  removePassphrase(current: string): Promise<void>;
}

/**
 * The only holder of secrets. With a passphrase, the vault's AES key (derived
 * with PBKDF2) lives in `storage.session` while unlocked and nowhere on disk;
 * every change re-seals the whole map in one write, so a browser killed
 * mid-change leaves either the old or the new value, never a mix.
 */
export function createSecretKeeper(deps: KeeperDeps): SecretKeeper {
  let chain: Promise<unknown> = Promise.resolve();
  /** Runs changes one after another; a failed one does not block the next. */
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  };

  async function read(): Promise<StoredSecrets> {
    const stored = await deps.read();
    if (stored?.encryption === 'passphrase') {
      if (isVaultEnvelope(stored.vault)) return stored;
      // Treating it as empty would let the next save overwrite it, unencrypted, without a word.
      throw new Error(t('vault_damaged'));
    }
    if (stored?.encryption === 'none' && stored.byProfile) return stored;
    return { encryption: 'none', byProfile: {} };
  }

  /** When an unlocked session locks by itself, or `null` when only closing the browser locks it. */
  async function deadlineOf(session: SessionKey): Promise<number | null> {
    const minutes = await deps.lockAfterMinutes();
    return minutes > 0 ? session.lastUsed + minutes * 60_000 : null;
  }

  /** Stores the session's key (or drops it) and moves the idle lock's timer with it. */
  async function remember(session: SessionKey | null): Promise<void> {
    await deps.writeSession(session);
    await deps.scheduleIdleLock(session ? await deadlineOf(session) : null);
  }

  /** The session's key, unless the idle time ran out (then it is dropped now). */
  async function sessionKey(): Promise<SessionKey | null> {
    const session = await deps.readSession();
    if (!session) return null;
    const deadline = await deadlineOf(session);
    if (deadline !== null && deps.now() > deadline) {
      await remember(null);
      return null;
    }
    return session;
  }

  /** Opens the vault with the session's key, or throws LockedError. */
  async function openVault(vault: VaultEnvelope): Promise<{ all: SecretsByProfile; key: CryptoKey }> {
    const session = await sessionKey();
    if (!session) throw new LockedError();
    const key = await importVaultKey(session.key);
    let plaintext: string;
    try {
      plaintext = await openWithKey(vault, key);
    } catch (err) {
      // The vault was re-sealed elsewhere (a passphrase change in another window, or one cut short): ask again.
      // Only drop the session key if it is still the one that failed: a change may have just stored its new key.
      if (err instanceof WrongPassphraseError) {
        if ((await deps.readSession())?.key === session.key) await remember(null);
        throw new LockedError();
      }
      throw err;
    }
    if (deps.now() - session.lastUsed > TOUCH_INTERVAL_MS) await remember({ ...session, lastUsed: deps.now() });
    return { all: JSON.parse(plaintext) as SecretsByProfile, key };
  }

  async function all(): Promise<SecretsByProfile> {
    const stored = await read();
    return stored.encryption === 'none' ? stored.byProfile : (await openVault(stored.vault)).all;
  }

  /** Opens the vault with a passphrase the user typed; throws WrongPassphraseError. */
  async function openWithPassphrase(vault: VaultEnvelope, passphrase: string): Promise<{ all: SecretsByProfile; key: CryptoKey }> {
    const key = await deriveVaultKey(passphrase, vault.kdf);
    return { all: JSON.parse(await openWithKey(vault, key)) as SecretsByProfile, key };
  }

  async function sealAndRemember(secrets: SecretsByProfile, passphrase: string): Promise<void> {
    const kdf = newKdf(deps.iterations ?? PBKDF2_ITERATIONS);
    const key = await deriveVaultKey(passphrase, kdf);
    await deps.write({ encryption: 'passphrase', vault: await sealWithKey(key, kdf, JSON.stringify(secrets)), has: presenceOf(secrets) });
    await remember({ key: await exportVaultKey(key), lastUsed: deps.now() });
  }

  return {
    async status() {
      const stored = await read();
      if (stored.encryption === 'none') return { encrypted: false, locked: false };
      return { encrypted: true, locked: !(await sessionKey()) };
    },
    async presence() {
      const stored = await read();
      return stored.encryption === 'none' ? presenceOf(stored.byProfile) : (stored.has ?? {});
    },
    all,
    async get(profileId) {
      return (await all())[profileId] ?? null;
    },
    update: (change) =>
      serialized(async () => {
        const stored = await read();
        if (stored.encryption === 'none') {
          await deps.write({ encryption: 'none', byProfile: change(stored.byProfile) });
          return;
        }
        const { all: current, key } = await openVault(stored.vault);
        const next = change(current);
        // A fresh IV under the same key: the passphrase and its salt did not change.
        await deps.write({ encryption: 'passphrase', vault: await sealWithKey(key, stored.vault.kdf, JSON.stringify(next)), has: presenceOf(next) });
      }),
    unlock: (passphrase) =>
      serialized(async () => {
        const stored = await read();
        if (stored.encryption === 'none') return;
        const { key } = await openWithPassphrase(stored.vault, passphrase);
        await remember({ key: await exportVaultKey(key), lastUsed: deps.now() });
      }),
    lock: () => serialized(() => remember(null)),
    // Queued like unlock: a key stored by an unlock that is under way is never dropped for the old one's age.
    enforceIdleLock: () =>
      serialized(async () => {
        const session = await sessionKey();
        await deps.scheduleIdleLock(session ? await deadlineOf(session) : null);
      }),
    setPassphrase: (next, current) =>
      serialized(async () => {
        if (!next) throw new Error(t('vault_passphraseEmpty'));
        const stored = await read();
        let secrets: SecretsByProfile;
        if (stored.encryption === 'none') secrets = stored.byProfile;
        else {
          if (current === undefined) throw new WrongPassphraseError('Enter the current passphrase to change it.');
          secrets = (await openWithPassphrase(stored.vault, current)).all;
        }
        await sealAndRemember(secrets, next);
      }),
    removePassphrase: (current) =>
      serialized(async () => {
        const stored = await read();
        if (stored.encryption === 'none') return;
        const { all: secrets } = await openWithPassphrase(stored.vault, current);
        await deps.write({ encryption: 'none', byProfile: secrets });
        await remember(null);
      }),
  };
}
