import { createS3Client, type S3Connection } from '../s3/client';
import { testConnection, type ConnectionReport } from '../s3/connection-test';
import { hostPermissionOrigins } from '../s3/endpoint';
import { describeFailure, failureFromError, type S3Operation, type UserError } from '../s3/errors';
import { presignShareLink, presignUpload, effectiveContentType } from '../s3/presign';
import { detectBucketRegion, type FetchLike } from '../s3/region';
import { renderKey } from '../keys/template';
import type { RecentUpload } from '../history/recent';
import type { ProtocolHandlers, PublicSettings, Result } from '../messaging/protocol';
import { normalizeDraft, splitDraft, validateDraft, type Profile, type ProfileDraft, type Secrets } from '../settings/profile';

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

const NOT_CONFIGURED: UserError = {
  code: 'NotConfigured',
  message: 'No bucket is set up yet. Open Options and enter your bucket and keys.',
  fix: { kind: 'open-options' },
  transient: false,
};

/** The background's side of the protocol: the only code that ever reads the secret. */
export function createService(deps: ServiceDeps): ProtocolHandlers {
  async function savedConnection(): Promise<{ profile: Profile; conn: S3Connection } | null> {
    const [profile, secrets] = await Promise.all([deps.loadProfile(), deps.loadSecrets()]);
    if (!profile || !secrets?.secretAccessKey) return null;
    return { profile, conn: connectionOf(profile, secrets) };
  }

  /** Runs an S3 step for the saved profile, turning every failure into a sentence. */
  async function withSavedConnection<T>(
    operation: S3Operation,
    step: (profile: Profile, conn: S3Connection) => Promise<T>,
  ): Promise<Result<T>> {
    const saved = await savedConnection();
    if (!saved) return { ok: false, error: NOT_CONFIGURED };
    const { profile, conn } = saved;
    const context = { operation, bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint };
    if (!(await deps.hasHostPermission(hostPermissionOrigins(profile))))
      return { ok: false, error: describeFailure({ code: 'HostPermissionMissing' }, context) };
    try {
      return { ok: true, value: await step(profile, conn) };
    } catch (err) {
      return { ok: false, error: describeFailure(failureFromError(err), context) };
    }
  }

  async function draftWithSavedSecrets(draft: ProfileDraft): Promise<ProfileDraft> {
    const saved = await deps.loadSecrets();
    return {
      ...draft,
      secretAccessKey: draft.secretAccessKey || saved?.secretAccessKey || '',
      sessionToken: draft.sessionToken || saved?.sessionToken || '',
    };
  }

  return {
    async getSettings(): Promise<PublicSettings> {
      const [profile, secrets] = await Promise.all([deps.loadProfile(), deps.loadSecrets()]);
      return { profile, hasSecret: Boolean(secrets?.secretAccessKey), hasSessionToken: Boolean(secrets?.sessionToken) };
    },

    async saveProfile(input) {
      const { draft, trimmed } = normalizeDraft(input);
      const savedSecrets = await deps.loadSecrets();
      const errors = validateDraft(draft, { hasSavedSecret: Boolean(savedSecrets?.secretAccessKey) });
      if (Object.keys(errors).length) return { saved: false, errors, trimmed, needsAccess: [] };
      const { profile, secrets } = splitDraft(draft);
      const secretAccessKey = secrets.secretAccessKey || savedSecrets?.secretAccessKey || '';
      let detectedRegion: string | undefined;
      if (!profile.region && (await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        detectedRegion = await detectBucketRegion(
          connectionOf(profile, { secretAccessKey, sessionToken: '' }),
          deps.fetch,
        ).catch(() => undefined);
        if (detectedRegion) profile.region = detectedRegion;
      }
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

    async testConnection(input): Promise<ConnectionReport> {
      const { draft } = normalizeDraft(await draftWithSavedSecrets(input));
      const errors = validateDraft(draft, { hasSavedSecret: false });
      const blocking = (['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region'] as const).find((f) => errors[f]);
      if (blocking) {
        const error: UserError = { code: 'InvalidSettings', message: errors[blocking]!, transient: false };
        return { ok: false, message: error.message, error };
      }
      const { profile, secrets } = splitDraft(draft);
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

    signUpload(request) {
      return withSavedConnection('upload', async (profile, conn) => {
        const client = createS3Client(conn);
        try {
          return await presignUpload(client, {
            bucket: profile.bucket,
            key: request.key,
            contentType: request.contentType,
            contentLength: request.size,
            now: deps.now(),
          });
        } finally {
          client.destroy();
        }
      });
    },

    async recordUpload(upload) {
      // A page may only report the fields it owns; never an upload URL.
      const { id, source, name, size, type, status, at, key, link, linkExpiresAt, copied, error } = upload;
      await deps.record({ id, source, name, size, type, status, at, key, link, linkExpiresAt, copied, error });
    },

    shareLink(request) {
      return withSavedConnection('share', async (profile, conn) => {
        const client = createS3Client(conn);
        try {
          return await presignShareLink(client, {
            bucket: profile.bucket,
            key: request.key,
            fileName: request.fileName,
            contentType: request.contentType,
            expiresIn: profile.linkExpirySeconds,
            now: deps.now(),
          });
        } finally {
          client.destroy();
        }
      });
    },
  };
}

function connectionOf(profile: Profile, secrets: Secrets): S3Connection {
  return {
    bucket: profile.bucket,
    region: profile.region,
    endpoint: profile.endpoint,
    forcePathStyle: profile.forcePathStyle,
    credentials: {
      accessKeyId: profile.accessKeyId,
      secretAccessKey: secrets.secretAccessKey,
      ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}),
    },
  };
}
