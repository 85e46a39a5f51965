/**
 * Chooses a profile's destination, and a draft's steps: the one place in the
 * background that looks at which kind of profile it is.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Result } from '../result';
import type { S3Connection } from '../s3/client';
import type { FetchLike } from '../s3/region';
import type { KeysProfile, PresignServiceProfile, ProfileDraft, Secrets } from '../settings/profile';
import { templateCanCollide } from '../keys/template';
import { sameBucket, type BucketCheck, type ChecksumAnswers, type ConditionalWrites } from '../bucket-check/facts';
import type { ProfileStore } from '../settings/profile-store';
import type { SecretKeeper } from '../secrets/keeper';
import { TOKEN_MISSING } from '../team/errors';
import { keysConnection, resolveProfile, secretsOf } from './connection';
import type { Destination, ProfileSteps } from './destination';
import { ownKeysDestination, ownKeysSteps } from './own-keys';
import { presignServiceDestination, presignServiceSteps } from './presign-service';

export interface DestinationDeps {
  loadProfiles(): Promise<ProfileStore>;
  secrets: Pick<SecretKeeper, 'get'>;
  hasHostPermission(origins: string[]): Promise<boolean>;
  fetch: FetchLike;
  /** S3 clients by connection (see `s3ClientPool`). */
  client(conn: S3Connection): S3Client;
  now(): Date;
  uuid(): string;
  /** The profile's last bucket check, if any (see src/bucket-check/): what the bucket was seen to do beats a guess. */
  bucketCheck?(profileId: string): Promise<BucketCheck | null>;
}

/**
 * How the profile's bucket answered conditional writes and checksums when
 * checked, if the check was of the bucket it uses now.
 */
async function observed(deps: DestinationDeps, profile: KeysProfile): Promise<{ conditionalWrites?: ConditionalWrites; checksums?: ChecksumAnswers }> {
  const check = deps.bucketCheck ? await deps.bucketCheck(profile.id) : null;
  if (!check || !sameBucket(check.address, profile)) return {};
  return {
    // Only a template that can collide asks for them: the default `{uuid}` one ignores the answer.
    ...(check.conditionalWrites && templateCanCollide(profile.keyTemplate) ? { conditionalWrites: check.conditionalWrites } : {}),
    ...(check.checksums ? { checksums: check.checksums } : {}),
  };
}

/** A presign service's destination; its token is read at most once, and only when a step asks the service. */
function serviceDestination(deps: Pick<DestinationDeps, 'secrets' | 'fetch' | 'hasHostPermission' | 'now' | 'uuid'>, profile: PresignServiceProfile): Destination {
  let secrets: Promise<Result<Secrets | null>> | undefined;
  return presignServiceDestination(profile, {
    ...deps,
    async token() {
      if (profile.serviceAuth === 'none') return { ok: true, value: '' };
      const read = await (secrets ??= secretsOf(deps, profile.id));
      if (!read.ok) return read;
      const token = read.value?.serviceToken ?? '';
      return token ? { ok: true, value: token } : { ok: false, error: TOKEN_MISSING };
    },
  });
}

/**
 * The destination of a profile (the default when none is named), read once.
 * Its secrets are read at most once, and only when a step needs them: a
 * public link, for one, needs no unlock.
 */
export async function openDestination(deps: DestinationDeps, profileId?: string): Promise<Result<Destination>> {
  const resolved = await resolveProfile(deps, profileId);
  if (!resolved.ok) return resolved;
  const profile = resolved.value;
  if (profile.kind === 'presign-service') return { ok: true, value: serviceDestination(deps, profile) };
  let secrets: Promise<Result<Secrets | null>> | undefined;
  const readSecrets = () => (secrets ??= secretsOf(deps, profile.id));
  const seen = await observed(deps, profile);
  return {
    ok: true,
    value: ownKeysDestination(profile, {
      client: deps.client,
      now: deps.now,
      ...seen,
      async connection(operation) {
        const read = await readSecrets();
        if (!read.ok) return read;
        return keysConnection(deps, profile, read.value, operation);
      },
    }),
  };
}

/**
 * A keys profile's checked S3 connection, for "Check my bucket"; `null` for a
 * profile that holds no keys (a presign service signs for it).
 */
export async function openKeysBucket(
  deps: Pick<DestinationDeps, 'loadProfiles' | 'secrets' | 'hasHostPermission' | 'now'>,
  profileId: string,
): Promise<Result<{ profile: KeysProfile; connection: S3Connection } | null>> {
  const resolved = await resolveProfile(deps, profileId);
  if (!resolved.ok) return resolved;
  const profile = resolved.value;
  if (profile.kind !== 'keys') return { ok: true, value: null };
  const connection = await checkedConnection(deps, profile);
  return connection.ok ? { ok: true, value: { profile, connection: connection.value } } : connection;
}

/** A keys profile's S3 connection, checked as Test connection checks it (secrets, token expiry, access). */
async function checkedConnection(deps: Pick<DestinationDeps, 'secrets' | 'hasHostPermission' | 'now'>, profile: KeysProfile): Promise<Result<S3Connection>> {
  const secrets = await secretsOf(deps, profile.id);
  if (!secrets.ok) return secrets;
  return keysConnection(deps, profile, secrets.value, 'connect');
}

/**
 * How "Check my bucket" asks, one way per kind: a profile with keys asks its
 * bucket through its S3 connection; a presign service's profile can only
 * observe its service's URLs, through the destination uploads use.
 */
export interface BucketCheckWays<R> {
  bucket(profile: KeysProfile, connection: S3Connection): Promise<R>;
  /** `open` gives the destination over the fetch the check watches (it reads the service's replies). */
  service(profile: PresignServiceProfile, open: (fetch: FetchLike) => Destination): Promise<R>;
}

/** Runs the way of checking that fits the profile's kind (a keys profile's connection is checked first: secrets, expiry, access). */
export async function checkThrough<R>(
  deps: Pick<DestinationDeps, 'loadProfiles' | 'secrets' | 'hasHostPermission' | 'fetch' | 'now' | 'uuid'>,
  profileId: string,
  ways: BucketCheckWays<R>,
): Promise<Result<R>> {
  const resolved = await resolveProfile(deps, profileId);
  if (!resolved.ok) return resolved;
  const profile = resolved.value;
  if (profile.kind === 'presign-service')
    return { ok: true, value: await ways.service(profile, (fetch) => serviceDestination({ ...deps, fetch }, profile)) };
  const connection = await checkedConnection(deps, profile);
  return connection.ok ? { ok: true, value: await ways.bucket(profile, connection.value) } : connection;
}

const STEPS: { [K in ProfileDraft['kind']]: ProfileSteps<Extract<ProfileDraft, { kind: K }>> } = {
  keys: ownKeysSteps,
  'presign-service': presignServiceSteps,
};

/** The steps (save, Test connection) for a draft's kind. The draft is normalized first (`normalizeDraft`): one from before profiles had kinds has none. */
export function stepsFor<D extends ProfileDraft>(draft: D): ProfileSteps<D> {
  return STEPS[draft.kind] as unknown as ProfileSteps<D>;
}
