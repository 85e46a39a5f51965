import { type UserError, ResultError } from '../result';
import { describeFailure, failureFromError, failureFromResponse, type FailureContext } from '../s3/errors';
import type { PutTransport } from './transport';

/** An upload URL as the background hands it out. */
export interface SignedUpload {
  url: string;
  headers: Record<string, string>;
  /** Upload URLs always expire; absent is treated as "good for now". */
  expiresAt?: number;
}

export interface SinglePutOptions {
  body: Blob;
  /** Asks the signer for a fresh URL; called once per attempt. */
  sign: () => Promise<SignedUpload>;
  transport: PutTransport;
  context: FailureContext;
  onProgress?: (loaded: number) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/** A failed upload, with the sentence to show. */
export class UploadFailedError extends ResultError {
  constructor(userError: UserError) {
    super(userError);
    this.name = 'UploadFailedError';
  }
}

/** Spare seconds a URL must have left before we start a PUT with it. */
const MIN_URL_LIFETIME_MS = 5_000;

/** Tries for a PUT whose bytes arrived changed (BadDigest), the first included: a glitch passes, a broken path does not. */
export const BAD_DIGEST_TRIES = 3;

/**
 * Uploads a body with one presigned PUT. If the URL expired before the bytes
 * arrived (a slow link, a sleeping laptop), it is signed afresh and tried
 * once more; if the server found the bytes changed on the way (BadDigest,
 * against a signed Content-MD5), they are read from the file and sent again,
 * up to `BAD_DIGEST_TRIES` times; anything else fails with its sentence.
 *
 * A PUT whose answer was lost (network error after the body went) may have
 * stored the object; unlike a lost join (src/s3/complete-check.ts) it is not
 * checked. For a key of its own (`{uuid}`, `{shortid}`) a HEAD with the size
 * would be sound (a PUT is stored whole or not at all; the URL binds
 * Content-Length), but this runs without keys and would need the background
 * to finish on an unconfirmed PUT; for a key that can collide only the MD5 of
 * the whole file (its ETag) tells whose object it is, which is not cheap.
 */
export async function uploadWithSinglePut(opts: SinglePutOptions): Promise<{ etag?: string | null }> {
  const now = opts.now ?? Date.now;
  let expired = 0;
  let badDigests = 0;
  for (;;) {
    let signed = await opts.sign();
    if (signed.expiresAt !== undefined && signed.expiresAt - now() < MIN_URL_LIFETIME_MS) signed = await opts.sign();
    let error: UserError;
    try {
      const res = await opts.transport.put({
        url: signed.url,
        body: opts.body,
        headers: signed.headers,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) return { etag: res.etag };
      error = describeFailure(failureFromResponse(res.status, res.body, res.bucketRegion), opts.context);
    } catch (err) {
      if (opts.signal?.aborted || (err as Error).name === 'AbortError') throw err;
      error = describeFailure(failureFromError(err), opts.context);
    }
    opts.onProgress?.(0);
    if (error.code === 'UploadUrlExpired' && ++expired < 2) continue;
    if (error.code === 'BadDigest' && ++badDigests < BAD_DIGEST_TRIES) continue;
    throw new UploadFailedError(error);
  }
}
