import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type ClientOptions, type S3Connection } from '../s3/client';
import { hostPermissionOrigins } from '../s3/endpoint';
import type { UserError, Result } from '../result';
import { describeFailure, type S3Operation } from '../s3/errors';
import { tokenExpiresAt } from '../s3/expiry';
import { t } from '../i18n/t';
import type { KeysProfile, Profile, Secrets } from '../settings/profile';
import { findProfile, type ProfileStore } from '../settings/profile-store';
import { LockedError, type SecretKeeper } from '../secrets/keeper';

export interface SavedConnectionDeps {
  loadProfiles(): Promise<ProfileStore>;
  secrets: Pick<SecretKeeper, 'get'>;
  hasHostPermission(origins: string[]): Promise<boolean>;
  now(): Date;
}

export const NOT_CONFIGURED: UserError = {
  code: 'NotConfigured',
  message: t('error_notConfigured'),
  fix: { kind: 'open-options' },
  transient: false,
};

export const PROFILE_GONE: UserError = {
  code: 'NoSuchProfile',
  message: t('error_profileGone'),
  transient: false,
};

export const LOCKED: UserError = {
  code: 'Locked',
  message: t('error_locked'),
  fix: { kind: 'unlock' },
  transient: false,
};

/** The profile asked for (the default when none is named), or why there is none. */
export async function resolveProfile(deps: Pick<SavedConnectionDeps, 'loadProfiles'>, profileId?: string): Promise<Result<Profile>> {
  const store = await deps.loadProfiles();
  const profile = findProfile(store, profileId);
  if (profile) return { ok: true, value: profile };
  return { ok: false, error: profileId && store.profiles.length ? PROFILE_GONE : NOT_CONFIGURED };
}

/** A profile's secrets, or the "locked" sentence. */
export async function secretsOf(deps: Pick<SavedConnectionDeps, 'secrets'>, profileId: string): Promise<Result<Secrets | null>> {
  try {
    return { ok: true, value: await deps.secrets.get(profileId) };
  } catch (err) {
    if (err instanceof LockedError) return { ok: false, error: LOCKED };
    throw err;
  }
}

/** When the profile's session token is known to have expired, the sentence S3 would answer with; else `null`. */
export function expiredToken(profile: KeysProfile, now: Date): UserError | null {
  const expires = tokenExpiresAt(profile);
  if (expires === null || expires > now.getTime()) return null;
  return describeFailure({ code: 'ExpiredToken' }, { operation: 'upload', bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint });
}

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


/** Clients kept at once: one per profile in use is plenty. */
const MAX_CLIENTS = 4;

/** S3 clients by connection: building one costs more than signing a URL with it. `options` serve tests (a short timeout). */
export function s3ClientPool(options: ClientOptions = {}): (conn: S3Connection) => S3Client {
  const clients = new Map<string, S3Client>();
  return (conn) => {
    const id = JSON.stringify(conn);
    let client = clients.get(id);
    if (!client) {
      if (clients.size >= MAX_CLIENTS) {
        const [oldest] = clients;
        oldest![1].destroy();
        clients.delete(oldest![0]);
      }
      client = createS3Client(conn, options);
      clients.set(id, client);
    }
    return client;
  };
}

/**
 * Whether a keys profile with these secrets may sign now: not configured,
 * an expired session token and no host permission come back as a sentence.
 */
export async function keysConnection(
  deps: Pick<SavedConnectionDeps, 'hasHostPermission' | 'now'>,
  profile: KeysProfile,
  secrets: Secrets | null,
  operation: S3Operation,
): Promise<Result<S3Connection>> {
  if (!secrets?.secretAccessKey) return { ok: false, error: NOT_CONFIGURED };
  const expired = expiredToken(profile, deps.now());
  if (expired) return { ok: false, error: expired };
  if (!(await deps.hasHostPermission(hostPermissionOrigins(profile))))
    return { ok: false, error: describeFailure({ code: 'HostPermissionMissing' }, { operation, bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint }) };
  return { ok: true, value: connectionOf(profile, secrets) };
}
