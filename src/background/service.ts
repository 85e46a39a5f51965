import { connectionOf, LOCKED } from '../destination/connection';
import { hostPermissionOrigins } from '../s3/endpoint';
import type { UserError } from '../result';
import { detectBucketRegion } from '../s3/region';
import type { ImportReport, ProtocolHandlers, PublicSettings, SaveReport } from '../messaging/protocol';
import { type KeysProfile, type Profile, type ProfileDraft, type ProfileField, type PresignServiceDraft, type PresignServiceProfile, type Secrets } from '../settings/profile';
import { accessOrigins, normalizeDraft, splitDraft, validateDraft } from '../settings/profile-kinds';
import { duplicateProfile, findProfile, otherNames, putProfile, removeProfile, setDefaultProfile } from '../settings/profile-store';
import { parseImport } from '../settings/transfer';
import { LockedError } from '../secrets/keeper';
import { originPattern } from '../team/service-url';
import { probeService, withS3Address } from '../team/team-signer';
import { t } from '../i18n/t';
import { publicSettings, summarizeSettings } from '../settings/summary';
import type { ServiceDeps } from './service-deps';

export type { ServiceDeps };
import { carriedToken, createConnectionTest } from './connection-service';
import { createVaultHandlers } from './vault-service';


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
  /** Origin patterns among these the browser has not granted. */
  async function missing(origins: string[]): Promise<string[]> {
    const granted = await Promise.all(origins.map((o) => deps.hasHostPermission([o])));
    return origins.filter((_, i) => !granted[i]);
  }



  /**
   * Writes a profile and its secrets. Secrets first: a browser killed in
   * between leaves, at worst, secrets nothing points at (dropped at the next
   * unlock or passphrase removal), never a profile that seems saved without them.
   */
  async function store(profile: Profile, secrets: Secrets): Promise<void> {
    await deps.secrets.update((all) => ({ ...all, [profile.id]: secrets }));
    await deps.saveProfiles(putProfile(await deps.loadProfiles(), profile));
  }

  /** A new profile's id, or the draft's own. */
  const idFor = (draft: ProfileDraft) => draft.id || deps.uuid();

  /**
   * Saves a presign-service profile. Its secrets replace whatever keys the
   * profile held before: in this mode the browser holds no bucket keys for it.
   * A saved token stays only while the service's origin, header and way of
   * sending it stay; otherwise it is dropped (the profile is saved without
   * one, and the page asks for it again), before anything is sent anywhere.
   */
  async function saveTeamProfile(
    draft: PresignServiceDraft,
    trimmed: ProfileField[],
    saved: Secrets | null,
    names: string[],
    before: Profile | null,
  ): Promise<SaveReport> {
    const carried = carriedToken(before, draft, saved);
    // A dropped token is not a mistake in the form: the profile saves without it, and the page says to type it again.
    const errors = validateDraft(draft, { hasSavedSecret: Boolean(carried.token) || carried.dropped, otherNames: names });
    if (Object.keys(errors).length) return { saved: false, id: '', errors, trimmed, needsAccess: [] };
    const split = splitDraft(draft);
    let profile = { ...(split.profile as PresignServiceProfile), id: idFor(draft) };
    const token = profile.serviceAuth === 'none' ? '' : split.secrets.serviceToken || carried.token;
    // Learn where the service's URLs point, so the S3 host can be asked for now, in the user's click.
    let s3Origin: string | undefined;
    if (await deps.hasHostPermission([originPattern(profile.serviceUrl)])) {
      const probe = await probeService(deps, profile, token);
      if (probe.ok) {
        profile = withS3Address(profile, probe.value.facts);
        s3Origin = probe.value.facts.origin;
      }
    }
    await store(profile, { ...NO_SECRETS, serviceToken: token });
    return {
      saved: true,
      id: profile.id,
      errors,
      trimmed,
      needsAccess: await missing(accessOrigins(profile)),
      ...(s3Origin ? { s3Origin } : {}),
      ...(carried.dropped ? { tokenDropped: true } : {}),
    };
  }

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
      const saved = read;
      if (draft.kind === 'presign-service') return saveTeamProfile(draft, trimmed, saved, names, before);
      const errors = validateDraft(draft, { hasSavedSecret: Boolean(saved?.secretAccessKey), otherNames: names });
      if (Object.keys(errors).length) return { saved: false, id: '', errors, trimmed, needsAccess: [] };
      const split = splitDraft(draft);
      const profile = { ...(split.profile as KeysProfile), id: idFor(draft) };
      const { secrets } = split;
      const secretAccessKey = secrets.secretAccessKey || saved?.secretAccessKey || '';
      let detectedRegion: string | undefined;
      if (!profile.region && (await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        detectedRegion = await detectBucketRegion(
          connectionOf(profile, { secretAccessKey, sessionToken: '' }),
          deps.fetch,
        ).catch(() => undefined);
        if (detectedRegion) profile.region = detectedRegion;
      }
      // Saving keys drops a presign service's token: one kind of credential per profile.
      await store(profile, {
        ...NO_SECRETS,
        secretAccessKey,
        // A token belongs to one key pair: a new secret without a token means long-lived keys.
        sessionToken: secrets.secretAccessKey ? secrets.sessionToken ?? '' : secrets.sessionToken || saved?.sessionToken || '',
      });
      // A detected region can move the bucket to an origin the page did not ask for.
      const origins = hostPermissionOrigins(profile);
      const needsAccess = (await deps.hasHostPermission(origins)) ? [] : origins;
      return { saved: true, id: profile.id, errors, trimmed, needsAccess, ...(detectedRegion ? { detectedRegion } : {}) };
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
