import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type S3Connection } from '../s3/client';
import { hostPermissionOrigins } from '../s3/endpoint';
import { describeFailure, failureFromError, type S3Operation, type UserError } from '../s3/errors';
import type { Result } from '../messaging/protocol';
import type { KeysProfile, Profile, Secrets } from '../settings/profile';

export interface SavedConnectionDeps {
  loadProfile(): Promise<Profile | null>;
  loadSecrets(): Promise<Secrets | null>;
  hasHostPermission(origins: string[]): Promise<boolean>;
}

export const NOT_CONFIGURED: UserError = {
  code: 'NotConfigured',
  message: 'No bucket is set up yet. Open Options and enter your bucket and keys.',
  fix: { kind: 'open-options' },
  transient: false,
};

/** The S3 connection a keys profile and its secrets describe. */
export function connectionOf(profile: KeysProfile, secrets: Pick<Secrets, 'secretAccessKey' | 'sessionToken'>): S3Connection {
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

/** A step that needs the saved keys profile's S3 client. */
export type WithSavedConnection = <T>(
  operation: S3Operation,
  step: (profile: KeysProfile, client: S3Client, conn: S3Connection) => Promise<T>,
) => Promise<Result<T>>;

/**
 * Runs an S3 step for the saved keys profile: not configured, no host
 * permission, and every S3 or network failure come back as a sentence, never
 * a throw. One client is kept while the connection stays the same: building
 * one costs more than signing a URL with it.
 */
export function savedConnectionRunner(deps: SavedConnectionDeps): WithSavedConnection {
  let cached: { id: string; client: S3Client } | undefined;
  const clientFor = (conn: S3Connection): S3Client => {
    const id = JSON.stringify(conn);
    if (cached?.id !== id) {
      cached?.client.destroy();
      cached = { id, client: createS3Client(conn) };
    }
    return cached.client;
  };

  return async (operation, step) => {
    const [profile, secrets] = await Promise.all([deps.loadProfile(), deps.loadSecrets()]);
    // A profile without a kind predates kinds: it is a keys profile.
    if (!profile || profile.kind === 'presign-service' || !secrets?.secretAccessKey) return { ok: false, error: NOT_CONFIGURED };
    const context = { operation, bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint };
    if (!(await deps.hasHostPermission(hostPermissionOrigins(profile))))
      return { ok: false, error: describeFailure({ code: 'HostPermissionMissing' }, context) };
    const conn = connectionOf(profile, secrets);
    try {
      return { ok: true, value: await step(profile, clientFor(conn), conn) };
    } catch (err) {
      return { ok: false, error: describeFailure(failureFromError(err), context) };
    }
  };
}
