import { connectionOf, expiredToken, LOCKED, NOT_CONFIGURED, resolveProfile, secretsOf } from '../destination/connection';
import { testConnection } from '../s3/connection-test';
import { hostPermissionOrigins } from '../s3/endpoint';
import type { UserError, Result } from '../result';
import { describeFailure } from '../s3/errors';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { presignShareLink, presignUpload, effectiveContentType } from '../s3/presign';
import { contentDisposition } from '../s3/content-disposition';
import { customLinkUrl, publicObjectUrl } from '../s3/public-url';
import { detectBucketRegion, type FetchLike } from '../s3/region';
import { renderKey, shortId, templateCanCollide, TOKEN_TEXT } from '../keys/template';
import { findFreeKey, NoFreeKeyError } from '../keys/free-key';
import type { RecentUpload } from '../history/recent';
import type { ImportReport, ProfileSummary, ProtocolHandlers, PublicSettings, SaveReport } from '../messaging/protocol';
import {
  accessOrigins,
  capabilitiesOf,
  normalizeDraft,
  splitDraft,
  validateDraft,
  linkModeOf,
  type KeysProfile,
  type Profile,
  type ProfileDraft,
  type ProfileField,
  type PresignServiceDraft,
  type PresignServiceProfile,
  type Secrets,
} from '../settings/profile';
import { duplicateProfile, findProfile, otherNames, putProfile, removeProfile, setDefaultProfile, type ProfileStore } from '../settings/profile-store';
import { parseImport } from '../settings/transfer';
import { LockedError, type SecretKeeper, type SecretPresence } from '../secrets/keeper';
import { WrongPassphraseError } from '../secrets/vault';
import { shareLinkLifetime, validateLinkExpiry } from '../s3/expiry';
import { serviceAccessMissing, TOKEN_MISSING } from '../team/errors';
import { originPattern, savedTokenApplies } from '../team/service-url';
import { probeService, signTeamUpload, teamShareLink, testPresignService, withS3Address, type TeamConnectionReport } from '../team/team-signer';
import { t } from '../i18n/t';

/** What the background needs from the browser; injected so the service is tested without one. */
export interface ServiceDeps {
  loadProfiles(): Promise<ProfileStore>;
  /** One write of the whole store. */
  saveProfiles(store: ProfileStore): Promise<void>;
  /** The only holder of secrets (sealed under a passphrase or not). */
  secrets: SecretKeeper;
  lockAfterMinutes(): Promise<number>;
  setLockAfterMinutes(minutes: number): Promise<void>;
  /** Whether the extension may send requests to all of these origin patterns. */
  hasHostPermission(origins: string[]): Promise<boolean>;
  fetch: FetchLike;
  now(): Date;
  uuid(): string;
  /** `{shortid}` in key templates; default 8 random base-62 characters. */
  shortId?(): string;
}

/** Fields without which Test connection cannot ask anything, in the order they are reported. */
const KEYS_BLOCKING = ['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region'] as const satisfies readonly ProfileField[];
const TEAM_BLOCKING = ['serviceUrl', 'serviceAuth', 'serviceAuthHeader', 'serviceToken', 'bucket', 'keyTemplate'] as const satisfies readonly ProfileField[];

/** The most idle minutes before the vault locks itself that the options page offers (a day). */
export const MAX_LOCK_AFTER_MINUTES = 24 * 60;

const NO_SECRETS: Secrets = { secretAccessKey: '', sessionToken: '', serviceToken: '' };

function withoutOrphans(all: Record<string, Secrets>, ids: ReadonlySet<string>): Record<string, Secrets> {
  return Object.fromEntries(Object.entries(all).filter(([id]) => ids.has(id)));
}

/** A profile asked for by id that is gone (deleted meanwhile, in another window). */
function noSuchProfile(): UserError {
  return { code: 'NoSuchProfile', message: t('service_noSuchProfile'), transient: false };
}

function passphraseFailure(err: unknown): Result<null> {
  if (err instanceof WrongPassphraseError)
    return { ok: false, error: { code: 'WrongPassphrase', message: t('service_wrongPassphrase'), transient: false } };
  if (err instanceof LockedError) return { ok: false, error: LOCKED };
  return { ok: false, error: { code: 'PassphraseFailed', message: (err as Error).message, transient: false } };
}

/**
 * The background's side of the protocol: the only code that ever reads a
 * secret. Several named profiles of two kinds: own keys (it signs) and a
 * team's presign service (it asks the service to sign); the replies are the
 * same, so every page works with both.
 */
export function createService(deps: ServiceDeps): ProtocolHandlers {
  /** A profile's saved secrets; locked counts as none (the page says "unlock to test"). */
  async function savedSecrets(id: string): Promise<Secrets | null> {
    if (!id) return null;
    return deps.secrets.get(id).catch((err) => {
      if (err instanceof LockedError) return null;
      throw err;
    });
  }

  /**
   * The saved token for a presign-service draft, when it may go where the
   * draft sends it (`savedTokenApplies`); `dropped` when one is saved but the
   * draft's origin, header or way of sending changed.
   */
  function carriedToken(before: Profile | null, draft: PresignServiceDraft, saved: Secrets | null): { token: string; dropped: boolean } {
    const token = saved?.serviceToken ?? '';
    if (!token || draft.serviceAuth === 'none') return { token: '', dropped: false };
    if (before?.kind === 'presign-service' && savedTokenApplies(before, draft)) return { token, dropped: false };
    return { token: '', dropped: !draft.serviceToken };
  }

  async function draftWithSavedSecrets(draft: ProfileDraft): Promise<{ draft: ProfileDraft; tokenDropped: boolean }> {
    const saved = await savedSecrets(draft.id);
    if (draft.kind === 'presign-service') {
      const carried = carriedToken(draft.id ? findProfile(await deps.loadProfiles(), draft.id) : null, normalizeDraft(draft).draft as PresignServiceDraft, saved);
      return { draft: { ...draft, serviceToken: draft.serviceToken || carried.token }, tokenDropped: carried.dropped };
    }
    return {
      draft: {
        ...draft,
        secretAccessKey: draft.secretAccessKey || saved?.secretAccessKey || '',
        sessionToken: draft.sessionToken || saved?.sessionToken || '',
      },
      tokenDropped: false,
    };
  }

  /** Origin patterns among these the browser has not granted. */
  async function missing(origins: string[]): Promise<string[]> {
    const granted = await Promise.all(origins.map((o) => deps.hasHostPermission([o])));
    return origins.filter((_, i) => !granted[i]);
  }

  function summary(profile: Profile, presence: SecretPresence | undefined): ProfileSummary {
    return {
      profile,
      hasSecret: profile.kind === 'presign-service' ? profile.serviceAuth === 'none' || Boolean(presence?.credential) : Boolean(presence?.credential),
      hasSessionToken: profile.kind !== 'presign-service' && Boolean(presence?.sessionToken),
      capabilities: capabilitiesOf(profile),
      accessOrigins: accessOrigins(profile),
    };
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

  /**
   * Drops secrets no profile points at: a profile deleted while the vault was
   * locked leaves its secrets sealed until the next unlock, and they must not
   * outlive it (least of all into the clear when the passphrase is removed).
   */
  async function dropOrphanSecrets(): Promise<void> {
    const ids = new Set((await deps.loadProfiles()).profiles.map((p) => p.id));
    await deps.secrets.update((all) => withoutOrphans(all, ids));
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
      const profiles = store.profiles.map((p) => summary(p, presence[p.id]));
      const chosen = profiles.find((s) => s.profile.id === (profileId || store.defaultId)) ?? null;
      return {
        profile: chosen?.profile ?? null,
        hasSecret: chosen?.hasSecret ?? false,
        hasSessionToken: chosen?.hasSessionToken ?? false,
        capabilities: chosen?.capabilities ?? capabilitiesOf(null),
        accessOrigins: chosen?.accessOrigins ?? [],
        profiles,
        defaultId: store.defaultId,
        security: { ...status, lockAfterMinutes },
      };
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
        return { ok: false, error: { code: 'InvalidSettings', message: t('service_lockAfterRange', { max: MAX_LOCK_AFTER_MINUTES }), transient: false } };
      await deps.setLockAfterMinutes(minutes);
      return { ok: true, value: null };
    },

    async testConnection(input): Promise<TeamConnectionReport> {
      const withSaved = await draftWithSavedSecrets(input);
      const { draft } = normalizeDraft(withSaved.draft);
      const errors = validateDraft(draft, { hasSavedSecret: false });
      const blocking = (draft.kind === 'presign-service' ? TEAM_BLOCKING : KEYS_BLOCKING).find((f) => errors[f]);
      if (blocking) {
        const locked = (await deps.secrets.status()).locked && draft.id && (blocking === 'secretAccessKey' || blocking === 'serviceToken');
        const message = blocking === 'serviceToken' && withSaved.tokenDropped ? t('team_tokenAgain') : errors[blocking]!;
        const error: UserError = locked ? LOCKED : { code: 'InvalidSettings', message, transient: false };
        return { ok: false, message: error.message, error };
      }
      const { profile, secrets } = splitDraft(draft);
      if (profile.kind === 'presign-service') {
        if (!(await deps.hasHostPermission([originPattern(profile.serviceUrl)]))) {
          const error = serviceAccessMissing(profile);
          return { ok: false, message: error.message, error, needsAccess: [originPattern(profile.serviceUrl)] };
        }
        return testPresignService(deps, profile, profile.serviceAuth === 'none' ? '' : secrets.serviceToken ?? '');
      }
      const expired = expiredToken(profile, deps.now());
      if (expired) return { ok: false, message: expired.message, error: expired };
      if (!(await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        const error = describeFailure(
          { code: 'HostPermissionMissing' },
          { operation: 'connect', bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint },
        );
        return { ok: false, message: error.message, error };
      }
      return testConnection(connectionOf(profile, { secretAccessKey: secrets.secretAccessKey ?? '', sessionToken: secrets.sessionToken ?? '' }), deps.fetch);
    },

  };
}
