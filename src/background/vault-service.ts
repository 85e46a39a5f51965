/** The background's side of the vault messages: unlock, lock, the passphrase and the idle lock. */
import { userError, type Result } from '../result';
import { LOCKED } from '../destination/connection';
import type { ProtocolHandlers } from '../messaging/protocol';
import type { Secrets } from '../settings/profile';
import { LockedError } from '../secrets/keeper';
import { WrongPassphraseError } from '../secrets/vault';
import { t } from '../i18n/t';
import type { ServiceDeps } from './service-deps';

/** The most idle minutes before the vault locks itself that the options page offers (a day). */
export const MAX_LOCK_AFTER_MINUTES = 24 * 60;

function withoutOrphans(all: Record<string, Secrets>, ids: ReadonlySet<string>): Record<string, Secrets> {
  return Object.fromEntries(Object.entries(all).filter(([id]) => ids.has(id)));
}

function passphraseFailure(err: unknown): Result<null> {
  if (err instanceof WrongPassphraseError)
    return { ok: false, error: { code: 'WrongPassphrase', message: t('service_wrongPassphrase'), transient: false } };
  if (err instanceof LockedError) return { ok: false, error: LOCKED };
  return { ok: false, error: { code: 'PassphraseFailed', message: (err as Error).message, transient: false } };
}

type VaultHandlers = Pick<ProtocolHandlers, 'unlock' | 'lock' | 'setPassphrase' | 'removePassphrase' | 'setLockAfter'>;

export function createVaultHandlers(deps: Pick<ServiceDeps, 'loadProfiles' | 'secrets' | 'setLockAfterMinutes'>): VaultHandlers {
  /**
   * Drops secrets no profile points at: a profile deleted while the vault was
   * locked leaves its secrets sealed until the next unlock, and they must not
   * outlive it (least of all into the clear when the passphrase is removed).
   */
  async function dropOrphanSecrets(): Promise<void> {
    const ids = new Set((await deps.loadProfiles()).profiles.map((p) => p.id));
    await deps.secrets.update((all) => withoutOrphans(all, ids));
  }

  return {
    async unlock(passphrase) {
      try {
        await deps.secrets.unlock(passphrase);
        await dropOrphanSecrets();
        return { ok: true, value: null };
      } catch (err) {
        return passphraseFailure(err);
      }
    },

    async lock() {
      await deps.secrets.lock();
    },

    async setPassphrase(change) {
      if (change.next.length < 8)
        return { ok: false, error: { code: 'WeakPassphrase', message: t('service_weakPassphrase'), transient: false } };
      try {
        await deps.secrets.setPassphrase(change.next, change.current);
        return { ok: true, value: null };
      } catch (err) {
        return passphraseFailure(err);
      }
    },

    async removePassphrase(current) {
      try {
        await deps.secrets.unlock(current);
        await dropOrphanSecrets();
        await deps.secrets.removePassphrase(current);
        return { ok: true, value: null };
      } catch (err) {
        return passphraseFailure(err);
      }
    },

    async setLockAfter(minutes) {
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_LOCK_AFTER_MINUTES)
        return { ok: false, error: userError('InvalidSettings', t('service_lockAfterRange', { max: MAX_LOCK_AFTER_MINUTES })) };
      await deps.setLockAfterMinutes(minutes);
      return { ok: true, value: null };
    },
  };
}
