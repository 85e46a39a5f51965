import { connectionOf, NOT_CONFIGURED, savedConnectionRunner } from './saved-connection';
import { testConnection } from '../s3/connection-test';
import { hostPermissionOrigins } from '../s3/endpoint';
import { describeFailure, type UserError } from '../s3/errors';
import { presignShareLink, presignUpload, effectiveContentType } from '../s3/presign';
import { detectBucketRegion, type FetchLike } from '../s3/region';
import { renderKey } from '../keys/template';
import type { RecentUpload } from '../history/recent';
import type { ProtocolHandlers, PublicSettings, Result, SaveReport } from '../messaging/protocol';
import {
  accessOrigins,
  capabilitiesOf,
  credentialSaved,
  normalizeDraft,
  splitDraft,
  validateDraft,
  type KeysProfile,
  type Profile,
  type ProfileDraft,
  type ProfileField,
  type PresignServiceDraft,
  type PresignServiceProfile,
  type Secrets,
} from '../settings/profile';
import { serviceAccessMissing, TOKEN_MISSING } from '../team/errors';
import { originPattern } from '../team/service-url';
import { probeService, signTeamUpload, teamShareLink, testPresignService, withS3Address, type TeamConnectionReport } from '../team/team-signer';

/** What the background needs from the browser; injected so the service is tested without one. */
export interface ServiceDeps {
  loadProfile(): Promise<Profile | null>;
  loadSecrets(): Promise<Secrets | null>;
  store(profile: Profile, secrets: Secrets): Promise<void>;
  /** Whether the extension may send requests to all of these origin patterns. */
  hasHostPermission(origins: string[]): Promise<boolean>;
  fetch: FetchLike;
  /** Stores an upload in the session's list. */
  record(upload: RecentUpload): Promise<void>;
  now(): Date;
  uuid(): string;
}

/** Fields without which Test connection cannot ask anything, in the order they are reported. */
const KEYS_BLOCKING = ['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region'] as const satisfies readonly ProfileField[];
const TEAM_BLOCKING = ['serviceUrl', 'serviceAuth', 'serviceAuthHeader', 'serviceToken', 'bucket', 'keyTemplate'] as const satisfies readonly ProfileField[];

/**
 * The background's side of the protocol: the only code that ever reads a
 * secret. Two kinds of profile: own keys (it signs) and a team's presign
 * service (it asks the service to sign); the replies are the same, so every
 * page works with both.
 */
export function createService(deps: ServiceDeps): ProtocolHandlers {
  /** The saved presign-service profile with its token, or why there is none. */
  async function savedTeam(): Promise<{ profile: PresignServiceProfile; token: string } | null> {
    const [profile, secrets] = await Promise.all([deps.loadProfile(), deps.loadSecrets()]);
    return profile?.kind === 'presign-service' ? { profile, token: secrets?.serviceToken ?? '' } : null;
  }

  const withSavedConnection = savedConnectionRunner(deps);

  /** Team mode when the saved profile is a presign service; `null` means "use the keys path". */
  async function withSavedTeam<T>(step: (profile: PresignServiceProfile, token: string) => Promise<Result<T>>): Promise<Result<T> | null> {
    const team = await savedTeam();
    if (!team) return null;
    if (team.profile.serviceAuth !== 'none' && !team.token) return { ok: false, error: TOKEN_MISSING };
    return step(team.profile, team.token);
  }

  async function draftWithSavedSecrets(draft: ProfileDraft): Promise<ProfileDraft> {
    const saved = await deps.loadSecrets();
    if (draft.kind === 'presign-service') return { ...draft, serviceToken: draft.serviceToken || saved?.serviceToken || '' };
    return {
      ...draft,
      secretAccessKey: draft.secretAccessKey || saved?.secretAccessKey || '',
      sessionToken: draft.sessionToken || saved?.sessionToken || '',
    };
  }

  /** Origin patterns among these the browser has not granted. */
  async function missing(origins: string[]): Promise<string[]> {
    const granted = await Promise.all(origins.map((o) => deps.hasHostPermission([o])));
    return origins.filter((_, i) => !granted[i]);
  }

  /**
   * Saves a presign-service profile. Its secrets replace whatever keys were
   * saved before: in this mode the browser holds no bucket keys at all.
   */
  async function saveTeamProfile(draft: PresignServiceDraft, trimmed: ProfileField[], savedSecrets: Secrets | null): Promise<SaveReport> {
    const errors = validateDraft(draft, { hasSavedSecret: Boolean(savedSecrets?.serviceToken) });
    if (Object.keys(errors).length) return { saved: false, errors, trimmed, needsAccess: [] };
    const split = splitDraft(draft);
    let profile = split.profile as PresignServiceProfile;
    const token = profile.serviceAuth === 'none' ? '' : split.secrets.serviceToken || savedSecrets?.serviceToken || '';
    // Learn where the service's URLs point, so the S3 host can be asked for now, in the user's click.
    let s3Origin: string | undefined;
    if (await deps.hasHostPermission([originPattern(profile.serviceUrl)])) {
      const probe = await probeService(deps, profile, token);
      if (probe.ok) {
        profile = withS3Address(profile, probe.value.facts);
        s3Origin = probe.value.facts.origin;
      }
    }
    await deps.store(profile, { secretAccessKey: '', sessionToken: '', serviceToken: token });
    return { saved: true, errors, trimmed, needsAccess: await missing(accessOrigins(profile)), ...(s3Origin ? { s3Origin } : {}) };
  }

  return {
    async getSettings(): Promise<PublicSettings> {
      const [profile, secrets] = await Promise.all([deps.loadProfile(), deps.loadSecrets()]);
      return {
        profile,
        hasSecret: credentialSaved(profile, secrets),
        hasSessionToken: profile?.kind !== 'presign-service' && Boolean(secrets?.sessionToken),
        capabilities: capabilitiesOf(profile),
        accessOrigins: profile ? accessOrigins(profile) : [],
      };
    },

    async saveProfile(input) {
      const { draft, trimmed } = normalizeDraft(input);
      const savedSecrets = await deps.loadSecrets();
      if (draft.kind === 'presign-service') return saveTeamProfile(draft, trimmed, savedSecrets);
      const errors = validateDraft(draft, { hasSavedSecret: Boolean(savedSecrets?.secretAccessKey) });
      if (Object.keys(errors).length) return { saved: false, errors, trimmed, needsAccess: [] };
      const split = splitDraft(draft);
      const profile = split.profile as KeysProfile;
      const { secrets } = split;
      const secretAccessKey = secrets.secretAccessKey || savedSecrets?.secretAccessKey || '';
      let detectedRegion: string | undefined;
      if (!profile.region && (await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        detectedRegion = await detectBucketRegion(
          connectionOf(profile, { secretAccessKey, sessionToken: '' }),
          deps.fetch,
        ).catch(() => undefined);
        if (detectedRegion) profile.region = detectedRegion;
      }
      // Saving keys drops a presign service's token: one kind of credential at a time.
      await deps.store(profile, {
        secretAccessKey,
        // A token belongs to one key pair: a new secret without a token means long-lived keys.
        sessionToken: secrets.secretAccessKey ? secrets.sessionToken ?? '' : secrets.sessionToken || savedSecrets?.sessionToken || '',
      });
      // A detected region can move the bucket to an origin the page did not ask for.
      const origins = hostPermissionOrigins(profile);
      const needsAccess = (await deps.hasHostPermission(origins)) ? [] : origins;
      return { saved: true, errors, trimmed, needsAccess, ...(detectedRegion ? { detectedRegion } : {}) };
    },

    async testConnection(input): Promise<TeamConnectionReport> {
      const { draft } = normalizeDraft(await draftWithSavedSecrets(input));
      const errors = validateDraft(draft, { hasSavedSecret: false });
      const blocking = (draft.kind === 'presign-service' ? TEAM_BLOCKING : KEYS_BLOCKING).find((f) => errors[f]);
      if (blocking) {
        const error: UserError = { code: 'InvalidSettings', message: errors[blocking]!, transient: false };
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
      if (!(await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        const error = describeFailure(
          { code: 'HostPermissionMissing' },
          { operation: 'connect', bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint },
        );
        return { ok: false, message: error.message, error };
      }
      return testConnection(connectionOf(profile, { secretAccessKey: secrets.secretAccessKey ?? '', sessionToken: secrets.sessionToken ?? '' }), deps.fetch);
    },

    async planUpload(file) {
      const profile = await deps.loadProfile();
      if (!profile) return { ok: false, error: NOT_CONFIGURED };
      const key = renderKey(profile.keyTemplate, { name: file.name, now: deps.now(), uuid: deps.uuid() });
      return { ok: true, value: { key, bucket: profile.bucket, contentType: effectiveContentType(file.type) } };
    },

    async signUpload(request) {
      const team = await withSavedTeam((profile, token) => signTeamUpload(deps, profile, token, request));
      if (team) return team;
      return withSavedConnection('upload', (profile, client) =>
        presignUpload(client, {
          bucket: profile.bucket,
          key: request.key,
          contentType: request.contentType,
          contentLength: request.size,
          now: deps.now(),
        }),
      );
    },

    async recordUpload(upload) {
      // A page may only report the fields it owns; never an upload URL.
      const { id, source, name, size, type, status, at, key, link, linkExpiresAt, copied, error } = upload;
      await deps.record({ id, source, name, size, type, status, at, key, link, linkExpiresAt, copied, error });
    },

    async shareLink(request) {
      const team = await withSavedTeam((profile, token) => teamShareLink(deps, profile, token, request));
      if (team) return team;
      return withSavedConnection('share', (profile, client) =>
        presignShareLink(client, {
          bucket: profile.bucket,
          key: request.key,
          fileName: request.fileName,
          contentType: request.contentType,
          expiresIn: profile.linkExpirySeconds,
          now: deps.now(),
        }),
      );
    },
  };
}

