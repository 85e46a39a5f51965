/**
 * No false failures: a CompleteMultipartUpload whose answer never came (the
 * request timed out, the connection dropped, a 5xx from something in
 * between) may have joined the parts all the same. Before such a failure is
 * reported, the bucket is asked (HEAD on the key) and the upload counts as
 * done when the object there is ours. Runs where the keys are; no browser API.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { failureFromError, type S3Failure } from './errors';
import { completeMultipartUpload, type CompletedPart, type MultipartTarget } from './multipart';

/** S3 codes that say the server failed (or was busy), not that it refused the join: it may have joined the parts before failing. */
const SERVER_TROUBLE = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown']);

/**
 * Whether a failed Complete leaves open that the parts were joined:
 * - no answer at all (timeout, network error), or a 5xx (from S3 or from a
 *   proxy or load balancer that lost S3's answer), or S3's own InternalError,
 *   which AWS can send inside a 200 once the join started;
 * - `NoSuchUpload`: a retried Complete finds the upload gone because the first
 *   attempt joined it (the SDK retries a timed-out attempt);
 * - `PreconditionFailed` on a retried attempt: the first attempt stored the
 *   object, so the retry's `If-None-Match: *` finds the key taken — by us.
 * Anything else (access denied, InvalidPart, EntityTooSmall, a first-attempt
 * 412…) is S3 refusing the join, which proves it did not happen.
 */
export function completeMayHaveJoined(failure: S3Failure, attempts = 1): boolean {
  if (failure.code === 'NetworkError' || failure.code === 'NoSuchUpload') return true;
  if (SERVER_TROUBLE.has(failure.code) || (failure.status ?? 0) >= 500) return true;
  return attempts > 1 && (failure.code === 'PreconditionFailed' || failure.status === 412);
}

/** What HEAD says of the object at the key. */
export interface HeadAnswer {
  size?: number;
  etag?: string;
}

export interface JoinExpectation {
  /** The file's size in bytes (the ticket's). */
  size: number;
  /** The ETag S3 gives the object these parts join into, when it can be computed (`multipartEtag`). */
  etag?: string;
  /**
   * The key is this upload's alone: the key template has `{uuid}` or
   * `{shortid}`, so no other upload can have written it.
   */
  keyUnique: boolean;
}

/**
 * Whether the object HEAD found is the one these parts joined into.
 *
 * The size must match in every case. Beyond that, what is sound depends on
 * who else could have written the key:
 * - a key only this upload could have (a `{uuid}` or `{shortid}` template) is
 *   ours when the size matches: nobody else writes there. Its ETag is not
 *   required to match the computed one, since servers (and AWS with SSE-KMS
 *   or SSE-C) may form multipart ETags otherwise; a mismatch there would be a
 *   false failure, which is what this module exists to avoid.
 * - a key that can collide (a name-only template, where another upload of a
 *   file with the same name may land, and where `If-None-Match` may have
 *   refused our join) is ours only when the ETag is the one our parts make:
 *   the MD5 of the parts' MD5s and their count. Same name and same size is
 *   too likely by chance (the same photo uploaded twice from two devices).
 *   Without a computable ETag, it is not ours: the failure stands, as before.
 */
export function isJoinedObject(found: HeadAnswer, expected: JoinExpectation): boolean {
  if (found.size !== expected.size) return false;
  if (expected.keyUnique) return true;
  return expected.etag !== undefined && found.etag?.toLowerCase() === expected.etag.toLowerCase();
}

/** A hash the SDK provides (`client.config.md5`): fed bytes, it digests them. */
export type HashConstructor = new () => { update(data: Uint8Array): void; digest(): Promise<Uint8Array> };

const HEX_MD5 = /^"?([0-9a-f]{32})"?$/i;

/**
 * The ETag S3 gives an object joined from these parts: `"<md5 of the parts'
 * binary MD5s>-<part count>"`. Undefined when a part's ETag is not a plain
 * MD5 (then the object's ETag cannot be foreseen). The hash is the SDK's own
 * MD5 (WebCrypto has none), handed in by the caller.
 */
export async function multipartEtag(parts: readonly CompletedPart[], Md5: HashConstructor): Promise<string | undefined> {
  if (!parts.length) return undefined;
  const sorted = [...parts].sort((a, b) => a.PartNumber - b.PartNumber);
  const joined = new Uint8Array(16 * sorted.length);
  for (const [i, part] of sorted.entries()) {
    const hex = HEX_MD5.exec(part.ETag.trim())?.[1];
    if (!hex) return undefined;
    for (let b = 0; b < 16; b++) joined[i * 16 + b] = parseInt(hex.slice(b * 2, b * 2 + 2), 16);
  }
  const hash = new Md5();
  hash.update(joined);
  const digest = await hash.digest();
  return `"${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}-${sorted.length}"`;
}

/** HEAD on the key: what is there, `null` for nothing (404). Other failures throw. */
async function headObject(client: S3Client, target: MultipartTarget): Promise<HeadAnswer | null> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return { ...(head.ContentLength !== undefined ? { size: head.ContentLength } : {}), ...(head.ETag ? { etag: head.ETag } : {}) };
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
    throw err;
  }
}

export interface CheckedCompleteRequest extends MultipartTarget {
  uploadId: string;
  parts: readonly CompletedPart[];
  ifNoneMatch?: boolean;
  /** The file's size: what the joined object must measure. */
  size: number;
  keyUnique: boolean;
}

export interface CheckedComplete {
  etag?: string;
  /** Set when Complete failed but the bucket holds the joined object: the failure the check overruled. */
  confirmedAfter?: S3Failure;
}

/**
 * CompleteMultipartUpload, and when its failure leaves open that the parts
 * were joined, a HEAD to see. Resolves when the object is stored (answered,
 * or found); otherwise throws Complete's own error, never the check's: the
 * user reads why the join failed, not why the check could not tell.
 */
export async function completeAndCheck(client: S3Client, request: CheckedCompleteRequest): Promise<CheckedComplete> {
  const { size, keyUnique, ...complete } = request;
  try {
    return await completeMultipartUpload(client, complete);
  } catch (err) {
    const failure = failureFromError(err);
    const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    if (!completeMayHaveJoined(failure, attempts)) throw err;
    let found: HeadAnswer | null;
    let etag: string | undefined;
    try {
      found = await headObject(client, request);
      // Only a key that can collide needs the ETag (and only when there is an object to compare it with).
      if (found && !keyUnique) etag = await multipartEtag(request.parts, client.config.md5 as HashConstructor);
    } catch {
      throw err;
    }
    if (!found || !isJoinedObject(found, { size, keyUnique, ...(etag ? { etag } : {}) })) throw err;
    return { ...(found.etag ? { etag: found.etag } : {}), confirmedAfter: failure };
  }
}
