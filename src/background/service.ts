import { LOCKED } from '../destination/connection';
import { stepsFor } from '../destination/open';
import type { UserError } from '../result';
import type { ImportReport, ProtocolHandlers, PublicSettings } from '../messaging/protocol';
import type { Profile, ProfileDraft, Secrets } from '../settings/profile';
import { normalizeDraft } from '../settings/profile-kinds';
import { duplicateProfile, findProfile, otherNames, putProfile, removeProfile, setDefaultProfile } from '../settings/profile-store';
import { parseImport } from '../settings/transfer';
import { LockedError } from '../secrets/keeper';
import { t } from '../i18n/t';
import { publicSettings, summarizeSettings } from '../settings/summary';
import type { ServiceDeps } from './service-deps';

import { createConnectionTest } from './connection-service';
import { createVaultHandlers } from './vault-service';

export type { ServiceDeps };

const NO_SECRETS: Secrets = { secretAccessKey: '', sessionToken: '', serviceToken: '' };

/** A profile asked for by id that is gone (deleted meanwhile, in another window). */
function noSuchProfile(): UserError {
  return { code: 'NoSuchProfile', message: t('service_noSuchProfile'), transient: false };
}

/**
 * The background's side of the protocol: the only code that ever reads a
 * secret. Several named profiles of two kinds: own keys (it signs) and a
 * team's presign service (it asks the service to sign); the replies are the
 * same, so every page works with both.
 */
export function createService(deps: ServiceDeps): ProtocolHandlers {
  /**
   * Writes a profile and its secrets. Secrets first: a browser killed in
   * between leaves, at worst, secrets nothing points at (dropped at the next
   * unlock or passphrase removal), never a profile that seems saved without them.
   */
  async function store(profile: Profile, secrets: Partial<Secrets>): Promise<void> {
    // Each kind keeps its own secrets only: saving keys drops a service's token, and the other way round.
    await deps.secrets.update((all) => ({ ...all, [profile.id]: { ...NO_SECRETS, ...secrets } }));
    await deps.saveProfiles(putProfile(await deps.loadProfiles(), profile));
  }

  /** A new profile's id, or the draft's own. */
  const idFor = (draft: ProfileDraft) => draft.id || deps.uuid();

  /** Runs a change that needs the secrets; a locked vault answers with the unlock sentence. */
  async function unlocked<T>(task: () => Promise<T>): Promise<T | { locked: true }> {
    try {
      return await task();
    } catch (err) {
      if (err instanceof LockedError) return { locked: true };
      throw err;
    }
  }

  return {
    async getSettings(profileId): Promise<PublicSettings> {
      const [store, presence, status, lockAfterMinutes] = await Promise.all([
        deps.loadProfiles(),
        deps.secrets.presence(),
        deps.secrets.status(),
        deps.lockAfterMinutes(),
      ]);
      // The same facts the popup reads from storage (see publish-summary.ts), made the same way.
      const summary = summarizeSettings({ store, presence, status, lockAfterMinutes, lastUsed: null });
      return publicSettings(summary, profileId, deps.now().getTime());
    },

    async saveProfile(input) {
      const { draft, trimmed } = normalizeDraft(input);
      const profiles = await deps.loadProfiles();
      const before = draft.id ? findProfile(profiles, draft.id) : null;
      if (draft.id && !before)
        return { saved: false, id: '', errors: { name: t('service_profileDeletedElsewhere') }, trimmed, needsAccess: [] };
      const names = otherNames(profiles, draft.id);
      // Read through the vault even for a new profile: saving re-seals it, so a locked one must say so now.
      const read = await unlocked(async () => (await deps.secrets.all())[draft.id] ?? null);
      // Saving re-seals the secrets, which needs the vault open.
      if (read && 'locked' in read) return { saved: false, id: '', errors: {}, trimmed, needsAccess: [], locked: true };
      return stepsFor(draft).save(deps, { draft, trimmed, saved: read, names, before, id: () => idFor(draft), store });
    },

    async deleteProfile(id) {
      const profiles = await deps.loadProfiles();
      if (!findProfile(profiles, id)) return { ok: false, error: noSuchProfile() };
      // The profile goes first: its secrets alone are unreachable, and a locked vault still lets a profile be deleted.
      await deps.saveProfiles(removeProfile(profiles, id));
      await deps.secrets
        .update((all) => {
          const { [id]: _gone, ...rest } = all;
          return rest;
        })
        .catch((err) => {
          if (!(err instanceof LockedError)) throw err;
        });
      return { ok: true, value: null };
    },

    async duplicateProfile(id) {
      const copy = duplicateProfile(await deps.loadProfiles(), id, deps.uuid());
      if (!copy) return { ok: false, error: noSuchProfile() };
      const done = await unlocked(async () => {
        await deps.secrets.update((all) => (all[id] ? { ...all, [copy.copy.id]: { ...all[id] } } : all));
        await deps.saveProfiles(copy.store);
        return true as const;
      });
      if (done !== true) return { ok: false, error: LOCKED };
      return { ok: true, value: { id: copy.copy.id, name: copy.copy.name } };
    },

    async setDefaultProfile(id) {
      const profiles = await deps.loadProfiles();
      if (!findProfile(profiles, id)) return { ok: false, error: noSuchProfile() };
      await deps.saveProfiles(setDefaultProfile(profiles, id));
      return { ok: true, value: null };
    },

    async importProfiles(json): Promise<ImportReport> {
      let store = await deps.loadProfiles();
      const parsed = parseImport(json, store.profiles.map((p) => p.name));
      if (parsed.problems.length) return { imported: 0, names: [], problems: parsed.problems };
      for (const profile of parsed.profiles) store = putProfile(store, { ...profile, id: deps.uuid() } as Profile);
      await deps.saveProfiles(store);
      return { imported: parsed.profiles.length, names: parsed.profiles.map((p) => p.name), problems: [] };
    },

    ...createVaultHandlers(deps),
    testConnection: createConnectionTest(deps),

  };
}
