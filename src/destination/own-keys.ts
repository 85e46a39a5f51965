/** The destination for a profile with the user's own keys: the background signs every URL. */
import { linkTextOf } from '../links/link-format';
import { imagesOf } from '../images/settings';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Result, UserError } from '../result';
import type { S3Connection } from '../s3/client';
import { testConnection } from '../s3/connection-test';
import { autoDeleteTagging } from '../s3/auto-delete';
import { completeAndCheck } from '../s3/complete-check';
import { contentDisposition } from '../s3/content-disposition';
import { hostPermissionOrigins } from '../s3/endpoint';
import { describeFailure, failureFromError, type S3Operation } from '../s3/errors';
import { shareLinkLifetime } from '../s3/expiry';
import { listParts, s3MultipartSigner } from '../s3/multipart';
import { presignShareLink, presignUpload } from '../s3/presign';
import { customLinkUrl, publicObjectUrl } from '../s3/public-url';
import { detectBucketRegion } from '../s3/region';
import { templateCanCollide } from '../keys/template';
import { DEFAULT_MULTIPART_THRESHOLD, MiB } from '../upload/part-plan';
import type { KeysDraft, KeysProfile } from '../settings/profile';
import { linkModeOf, splitDraft, validateDraft } from '../settings/profile-kinds';
import { connectionOf, expiredToken } from './connection';
import type { Destination, MultipartOps, ProfileSteps } from './destination';
import type { ChecksumAnswers, ConditionalWrites } from '../bucket-check/facts';

export interface OwnKeysDeps {
  /** The profile's S3 connection, checked (secrets, token expiry, host permission); read at most once per destination. */
  connection(operation: S3Operation): Promise<Result<S3Connection>>;
  client(conn: S3Connection): S3Client;
  now(): Date;
  /** How this bucket answered conditional writes when it was last checked (only a check of the bucket the profile uses now). */
  conditionalWrites?: ConditionalWrites;
  /** Which checksum headers this bucket verified when it was last checked (only a check of the bucket the profile uses now). */
  checksums?: ChecksumAnswers;
}

/**
 * Content-MD5 on every upload and part of a keys profile: AWS S3, MinIO, R2
 * and Swift's s3api recompute it (Object Lock buckets require it), so it is
 * sent unless "Check my bucket" saw this bucket refuse the header itself
 * (remembered per profile with that check). An upload that carried it counts
 * as verified unless the check saw the bucket store bytes that did not match.
 * Only MD5: the one checksum Swift's s3api verifies, and all the others do.
 */
export function checksumOf(observed?: ChecksumAnswers): { checksum?: 'md5'; checksumVerified?: boolean } {
  if (observed?.contentMd5 === 'refused') return {};
  return { checksum: 'md5', checksumVerified: observed?.contentMd5 !== 'ignored' };
}

/**
 * Whether a keys profile's PUTs carry `If-None-Match: *`: its template can
 * collide, and the server honours conditional writes. What "Check my bucket"
 * observed on this very bucket wins (`observed`). Without it, a guess by
 * endpoint: AWS S3 honours them (412 when the key exists); Swift s3api answers
 * every conditional PUT with 501 NotImplemented (test/support/STRICT-LANE-FACTS.md),
 * and other S3-compatible servers differ by version, so a custom endpoint
 * relies on the HEAD check only.
 */
export function conditionalWrites(profile: KeysProfile, observed?: ConditionalWrites): boolean {
  if (!templateCanCollide(profile.keyTemplate)) return false;
  if (observed) return observed === 'honoured';
  return !profile.endpoint;
}

/** Whether a key exists: HEAD, 200 yes, 404 no. 403 counts as no: without s3:ListBucket, S3 answers a missing key with 403 (and GetObject, which links need, shows an existing one). */
async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 403) return false;
    throw err;
  }
}

export function ownKeysDestination(profile: KeysProfile, deps: OwnKeysDeps): Destination {
  // Auto-delete's tag, signed into every PUT and multipart create of the profile.
  const tagging = profile.autoDeleteDays ? autoDeleteTagging(profile.autoDeleteDays) : undefined;
  const context = { bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint, ...(tagging ? { tagged: true } : {}) };
  /** Runs one signed step; every failure comes back as a sentence. */
  async function signed<T>(operation: S3Operation, step: (client: S3Client) => Promise<T>): Promise<Result<T>> {
    const conn = await deps.connection(operation);
    if (!conn.ok) return conn;
    try {
      return { ok: true, value: await step(deps.client(conn.value)) };
    } catch (err) {
      return { ok: false, error: describeFailure(failureFromError(err), { operation, ...context }) };
    }
  }
  const conditional = conditionalWrites(profile, deps.conditionalWrites);
  const multipartSigner = (client: S3Client, target: { key: string; contentType?: string }) =>
    s3MultipartSigner(client, {
      bucket: profile.bucket,
      key: target.key,
      contentType: target.contentType ?? '',
      ...(tagging ? { tagging } : {}),
      // The parts are joined only if the key is still free, where the server honours it (as a single PUT's If-None-Match).
      ...(conditional ? { ifNoneMatch: true } : {}),
    });
  const multipart: MultipartOps = {
    create: (target) => signed('upload', (client) => multipartSigner(client, target).create()),
    signParts: (target) =>
      signed('upload', (client) =>
        // Without checksums (refused by the bucket) a sender's MD5s are dropped here, as for a single PUT.
        multipartSigner(client, target).signParts(target.uploadId, checksumOf(deps.checksums).checksum ? target.parts : target.parts.map(({ md5: _, ...p }) => p)),
      ),
    complete: (target) =>
      signed('upload', (client) =>
        completeAndCheck(client, {
          bucket: profile.bucket,
          key: target.key,
          uploadId: target.uploadId,
          parts: target.parts,
          size: target.size,
          ...(conditional ? { ifNoneMatch: true } : {}),
          // Read from the profile as it is now: a template changed mid-upload from one that can collide to one that
          // cannot would be trusted on size alone, for that one upload; the other way round only asks more.
          keyUnique: !templateCanCollide(profile.keyTemplate),
        }),
      ),
    async abort(target) {
      const aborted = await signed('upload', async (client) => {
        await multipartSigner(client, target).abort(target.uploadId);
        return null;
      });
      // Already gone (aborted or completed meanwhile): what the caller wanted.
      return !aborted.ok && aborted.error.code === 'NoSuchUpload' ? { ok: true, value: null } : aborted;
    },
    list: (target) => signed('listParts', (client) => listParts(client, { bucket: profile.bucket, key: target.key, uploadId: target.uploadId })),
  };

  return {
    profileId: profile.id,
    bucket: profile.bucket,
    keyTemplate: profile.keyTemplate,
    linkText: linkTextOf(profile),
    conditionalWrites: conditional,
    multipartThreshold: profile.multipartThresholdMiB ? profile.multipartThresholdMiB * MiB : DEFAULT_MULTIPART_THRESHOLD,
    transferContext: { ...context, signer: 'extension' },
    ...checksumOf(deps.checksums),
    ...(profile.autoDeleteDays ? { autoDeleteDays: profile.autoDeleteDays } : {}),
    ...(profile.photoPrivacy ? { photoPrivacy: profile.photoPrivacy } : {}),
    ...imagesOf(profile),
    signPut: (target) =>
      signed('upload', (client) =>
        presignUpload(client, {
          bucket: profile.bucket,
          key: target.key,
          contentType: target.contentType,
          contentLength: target.size,
          ...(target.ifNoneMatch && conditional ? { ifNoneMatch: true } : {}),
          ...(target.downloadAs ? { contentDisposition: contentDisposition(target.downloadAs, 'attachment') } : {}),
          ...(tagging ? { tagging } : {}),
          ...(target.md5 && checksumOf(deps.checksums).checksum ? { checksum: { algorithm: 'md5' as const, base64: target.md5 } } : {}),
          now: deps.now(),
        }),
      ),
    async shareLink(request) {
      // Unsigned links need no secret (and no unlock): the object's own URL, or the key under the user's domain.
      const mode = linkModeOf(profile);
      if (mode === 'public') return { ok: true, value: { url: publicObjectUrl(profile, request.key), headers: {} } };
      if (mode === 'custom') return { ok: true, value: { url: customLinkUrl(profile.linkBaseUrl ?? '', request.key), headers: {} } };
      const lifetimeSeconds = shareLinkLifetime(profile, deps.now(), request.expiresIn);
      const link = await signed('share', (client) =>
        presignShareLink(client, {
          bucket: profile.bucket,
          key: request.key,
          fileName: request.fileName,
          contentType: request.contentType,
          expiresIn: lifetimeSeconds,
          ...(profile.linkDisposition ? { disposition: profile.linkDisposition } : {}),
          now: deps.now(),
        }),
      );
      return link.ok ? { ok: true, value: { ...link.value, lifetimeSeconds } } : link;
    },
    keyExists: (key) => signed('upload', (client) => objectExists(client, profile.bucket, key)),
    multipart,
    deleteObject: (key) =>
      signed('delete', async (client) => {
        await client.send(new DeleteObjectCommand({ Bucket: profile.bucket, Key: key }));
        return null;
      }),
  };
}

/** A keys draft split into its profile (typed as its kind) and its secrets. */
function splitKeys(draft: KeysDraft) {
  const { profile, secrets } = splitDraft(draft);
  return { profile: profile as KeysProfile, secrets };
}

/** Own keys' steps on a draft: the secret key and session token carry over; saving asks the bucket its region. */
export const ownKeysSteps: ProfileSteps<KeysDraft> = {
  async withSavedSecrets(draft, saved) {
    return {
      draft: {
        ...draft,
        secretAccessKey: draft.secretAccessKey || saved?.secretAccessKey || '',
        sessionToken: draft.sessionToken || saved?.sessionToken || '',
      },
      tokenDropped: false,
    };
  },

  async save(deps, { draft, trimmed, saved, names, id, store }) {
    const errors = validateDraft(draft, { hasSavedSecret: Boolean(saved?.secretAccessKey), otherNames: names });
    if (Object.keys(errors).length) return { saved: false, id: '', errors, trimmed, needsAccess: [] };
    const split = splitKeys(draft);
    const profile = { ...split.profile, id: id() };
    const { secrets } = split;
    const secretAccessKey = secrets.secretAccessKey || saved?.secretAccessKey || '';
    let detectedRegion: string | undefined;
    if (!profile.region && (await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
      detectedRegion = await detectBucketRegion(connectionOf(profile, { secretAccessKey, sessionToken: '' }), deps.fetch).catch(() => undefined);
      if (detectedRegion) profile.region = detectedRegion;
    }
    await store(profile, {
      secretAccessKey,
      // A token belongs to one key pair: a new secret without a token means long-lived keys.
      sessionToken: secrets.secretAccessKey ? secrets.sessionToken ?? '' : secrets.sessionToken || saved?.sessionToken || '',
    });
    // A detected region can move the bucket to an origin the page did not ask for.
    const origins = hostPermissionOrigins(profile);
    const needsAccess = (await deps.hasHostPermission(origins)) ? [] : origins;
    return { saved: true, id: profile.id, errors, trimmed, needsAccess, ...(detectedRegion ? { detectedRegion } : {}) };
  },

  async test(deps, draft) {
    const { profile, secrets } = splitKeys(draft);
    const expired = expiredToken(profile, deps.now());
    if (expired) return { ok: false, message: expired.message, error: expired };
    if (!(await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
      const error: UserError = describeFailure(
        { code: 'HostPermissionMissing' },
        { operation: 'connect', bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint },
      );
      return { ok: false, message: error.message, error };
    }
    return testConnection(connectionOf(profile, { secretAccessKey: secrets.secretAccessKey ?? '', sessionToken: secrets.sessionToken ?? '' }), deps.fetch);
  },
};
