import type { UserError } from '../result';
import { describeFailure, failureFromResponse, type FailureContext } from '../s3/errors';
import type { CompletedPart, PartSpec, SignedPart } from '../s3/multipart';
import { partRange, planParts, type PartLimits, type PartPlan } from './part-plan';
import { isAbortError, resolveRetry, runWithRetry, userErrorOf, type RetryEvent, type RetryOptions } from './retry';
import { UploadFailedError } from './single-put';
import { UploadAbortedError, type PutTransport } from './transport';
import type { NewMd5 } from './md5';
import { partHasher } from './part-hash';
import { t } from '../i18n/t';

export type { CompletedPart, PartSpec, SignedPart } from '../s3/multipart';

/**
 * What the engine needs from whoever holds the keys. It never sees a
 * credential: only an upload ID and short-lived part URLs. Any method may
 * reject with an error carrying `userError` (e.g. an `UploadFailedError` made
 * from a protocol `Result`); other errors are read as S3/SDK errors.
 */
export interface MultipartSigner {
  create(): Promise<{ uploadId: string }>;
  signParts(uploadId: string, parts: readonly PartSpec[]): Promise<SignedPart[]>;
  complete(uploadId: string, parts: readonly CompletedPart[]): Promise<{ etag?: string }>;
  abort(uploadId: string): Promise<void>;
}

export interface MultipartRetryEvent extends RetryEvent {
  /** The part being retried, or the signer call. */
  what: { part: number } | { call: 'create' | 'signParts' | 'complete' | 'abort' };
}

export interface MultipartOptions {
  /** The file. Only `slice()`s of it are handed to the transport, one per part and try. */
  body: Blob;
  signer: MultipartSigner;
  transport: PutTransport;
  context: FailureContext;
  /** Parts in flight at once; default 4. */
  concurrency?: number;
  /** Preferred part size in bytes (default 8 MiB); grows for files that would need more than 10 000 parts. */
  partSize?: number;
  /** Other part limits, for services that differ from S3 (and for tests). */
  partLimits?: Partial<Omit<PartLimits, 'preferredPartSize'>>;
  /** Part URLs signed per request to the signer; default 16. */
  signBatchSize?: number;
  /** A URL with less lifetime left than this is signed afresh before use; default 30 s. */
  minUrlLifetimeMs?: number;
  /** Bytes sent so far: monotonic, ends at `body.size`. */
  onProgress?: (loaded: number) => void;
  onRetry?: (event: MultipartRetryEvent) => void;
  /** `checksum`: the part's Content-MD5 (base64) the server accepted, when it carried one. */
  onPartDone?: (part: { partNumber: number; etag: string; size: number; checksum?: string }) => void;
  /**
   * Hash each part (MD5, streaming, a few parts ahead of the transfer) and
   * hand the digest to the signer with the part's spec, to be signed into its
   * URL as `Content-MD5`: the server then refuses a part that changed on the
   * way (BadDigest), and the part is sent again. The MD5 to use (md5.ts);
   * absent, parts carry no checksum.
   */
  checksums?: NewMd5;
  /**
   * Continue an upload begun earlier (after a restart): no create; the listed
   * parts are in the bucket already and only the others are sent. Progress
   * starts at their bytes.
   */
  resume?: { uploadId: string; parts: readonly { partNumber: number; etag: string; size: number; checksum?: string }[] };
  /** Called once the upload ID exists, so a caller can record it (e.g. for cleanup after a crash). */
  onCreated?: (uploadId: string) => void;
  /** After a cancel or a failure: whether the parts were thrown away (abort), so nothing is left to pay for. */
  onCleanup?: (outcome: { uploadId: string; aborted: boolean; error?: UserError }) => void;
  signal?: AbortSignal;
  retry?: RetryOptions;
}

export interface MultipartResult {
  uploadId: string;
  /** The object's ETag as CompleteMultipartUpload answered (`"<md5 of md5s>-N"` on S3). */
  etag?: string;
  plan: PartPlan;
  /** Retries after network errors, 5xx and SlowDown (parts and signer calls). */
  retries: number;
  /** Parts sent again with a freshly signed URL after theirs expired. */
  resigns: number;
  /** Calls to `signer.signParts`. */
  signRequests: number;
  /** Every part went with a Content-MD5 signed into its URL, and the server accepted each. */
  checksummed: boolean;
}

/** A multipart upload that failed; the multipart upload was aborted if `aborted`. */
export class MultipartUploadFailedError extends UploadFailedError {
  constructor(
    userError: UserError,
    readonly uploadId: string | undefined,
    readonly aborted: boolean,
    readonly partNumber?: number,
  ) {
    super(userError);
    this.name = 'MultipartUploadFailedError';
  }
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_SIGN_BATCH = 16;
const DEFAULT_MIN_URL_LIFETIME_MS = 30_000;

/** The part receipts must be readable: without them CompleteMultipartUpload cannot be sent. */
function missingEtag(ctx: FailureContext): UserError {
  return {
    code: 'PartETagMissing',
    message: t('upload_etagUnreadable', { where: ctx.endpoint || 'AWS S3' }),
    transient: false,
  };
}

/**
 * Uploads a Blob in parts through presigned UploadPart URLs: `concurrency`
 * parts at once, URLs signed in batches as they are needed, each part retried
 * with backoff (and re-signed when its URL expired). On cancel or failure the
 * parts in flight are aborted and the multipart upload is aborted, so no
 * orphaned parts stay in the bucket; then it rejects with the transport's
 * AbortError (cancel) or a `MultipartUploadFailedError` (with the sentence).
 *
 * A cancel that arrives once every part is stored and CompleteMultipartUpload
 * has been sent no longer stops the upload: the object is then complete.
 */
export async function uploadMultipart(opts: MultipartOptions): Promise<MultipartResult> {
  const { body, signer, transport, context, signal } = opts;
  const plan = planParts(body.size, {
    ...opts.partLimits,
    ...(opts.partSize !== undefined ? { preferredPartSize: opts.partSize } : {}),
  });
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
  const batchSize = Math.max(1, Math.floor(opts.signBatchSize ?? DEFAULT_SIGN_BATCH));
  const minLifetime = opts.minUrlLifetimeMs ?? DEFAULT_MIN_URL_LIFETIME_MS;
  const clock = resolveRetry(opts.retry);
  const describe = (err: unknown) => userErrorOf(err, context);
  const stats = { retries: 0, resigns: 0, signRequests: 0 };
  // A resumed upload is verified only if the parts sent before the restart carried their MD5 too.
  let checksummed = !opts.resume?.parts.some((p) => !p.checksum);

  const retryHook = (what: MultipartRetryEvent['what']) => (event: RetryEvent) => {
    if (event.action === 'resign') stats.resigns++;
    else stats.retries++;
    opts.onRetry?.({ ...event, what });
  };
  /** A signer call with retries (SDK and messaging failures can be transient too). */
  const call = <T>(
    name: 'create' | 'signParts' | 'complete' | 'abort',
    fn: () => Promise<T>,
    callSignal?: AbortSignal,
    retry: RetryOptions | undefined = opts.retry,
  ) =>
    runWithRetry(fn, {
      describe,
      ...(retry ? { retry } : {}),
      ...(callSignal ? { signal: callSignal } : {}),
      onRetry: retryHook({ call: name }),
    });

  if (signal?.aborted) throw new UploadAbortedError();
  let uploadId: string;
  if (opts.resume) uploadId = opts.resume.uploadId;
  else {
    try {
      ({ uploadId } = await call('create', () => signer.create(), signal));
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      throw new MultipartUploadFailedError(describe(err), undefined, false);
    }
    opts.onCreated?.(uploadId);
  }

  // Aborts everything in flight: on the caller's cancel, or on our first fatal failure.
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  signal?.addEventListener('abort', onCancel, { once: true });
  if (signal?.aborted) stop.abort();

  // --- progress: bytes of finished parts + bytes of parts in flight, reported as a running maximum
  let doneBytes = 0;
  const etags = new Map<number, string>();
  // A resumed upload's parts in the bucket: joined with the rest, never sent again.
  for (const p of opts.resume?.parts ?? [])
    if (p.partNumber >= 1 && p.partNumber <= plan.partCount && !etags.has(p.partNumber)) {
      etags.set(p.partNumber, p.etag);
      doneBytes += p.size;
    }
  const inFlight = new Map<number, number>();
  let reported = -1;
  const report = () => {
    let current = doneBytes;
    for (const loaded of inFlight.values()) current += loaded;
    if (current > reported) {
      reported = current;
      opts.onProgress?.(current);
    }
  };

  // --- part URLs: signed in batches, on demand
  /** Part URLs not yet used up, with the number of the batch that signed them. */
  const urls = new Map<number, SignedPart & { batch: number }>();
  let batches = 0;
  const pending = new Map<number, Promise<void>>();
  let nextPart = 1;
  /** The next part nobody has started and the bucket does not have. */
  const takePart = () => {
    while (etags.has(nextPart)) nextPart++;
    return nextPart++;
  };

  const fresh = (part: SignedPart | undefined) => !!part && part.expiresAt - clock.now() >= minLifetime;
  // Hashed in order, up to a batch ahead of the parts asked for: the next parts' digests are ready when their URLs are signed.
  const hasher = opts.checksums
    ? partHasher((n) => { const r = partRange(plan, n); return body.slice(r.start, r.end); }, plan.partCount, opts.checksums, { ahead: batchSize, signal: stop.signal })
    : undefined;

  const signBatch = (first: number): Promise<void> => {
    if (!hasher) return signBatchWith(first, undefined);
    // The asked-for part's digest first (usually ready: hashing runs ahead); marked pending meanwhile, so no other
    // worker signs it twice.
    const hashed = hasher.get(first).then((md5) => signBatchWith(first, md5));
    const settled = hashed.finally(() => {
      if (pending.get(first) === settled) pending.delete(first);
    });
    pending.set(first, settled);
    return settled;
  };

  const signBatchWith = (first: number, firstMd5: string | undefined): Promise<void> => {
    const specs: PartSpec[] = [];
    for (let n = first; n <= plan.partCount && specs.length < batchSize; n++) {
      // The asked-for part, then parts nobody has started and that have no usable URL (nor a digest yet, if hashed).
      if (n !== first && (n < nextPart || etags.has(n) || fresh(urls.get(n)) || pending.has(n))) continue;
      const md5 = n === first ? firstMd5 : hasher?.ready(n);
      if (hasher && !md5) continue;
      specs.push({ partNumber: n, size: partRange(plan, n).size, ...(md5 ? { md5 } : {}) });
    }
    stats.signRequests++;
    const batch = ++batches;
    const job = call('signParts', () => signer.signParts(uploadId, specs), stop.signal).then((signed) => {
      for (const s of signed) urls.set(s.partNumber, { ...s, batch });
      if (!urls.has(first)) throw new Error(`The signer returned no URL for part ${first}.`);
    });
    const settled = job.finally(() => {
      for (const s of specs) if (pending.get(s.partNumber) === settled) pending.delete(s.partNumber);
    });
    for (const s of specs) pending.set(s.partNumber, settled);
    return settled;
  };

  const urlFor = async (n: number, resign: boolean): Promise<SignedPart> => {
    if (resign) {
      // Signed together, expired together: drop every URL signed no later than this one.
      const stale = urls.get(n);
      if (stale) for (const [k, u] of urls) if (u.batch <= stale.batch) urls.delete(k);
    }
    for (;;) {
      const url = urls.get(n);
      if (fresh(url)) return url!;
      await (pending.get(n) ?? signBatch(n));
      const got = urls.get(n);
      // A URL that is stale as soon as it is signed (a short expiresIn) is still used: the server has the last word.
      if (got && !fresh(got)) return got;
    }
  };

  const uploadPart = async (n: number): Promise<void> => {
    const range = partRange(plan, n);
    let checksum: string | undefined;
    const etag = await runWithRetry(
      async ({ resign }) => {
        const signed = await urlFor(n, resign);
        inFlight.set(n, 0);
        // One signal per try, so the shared one holds at most `concurrency` listeners (fetch may keep its own until GC).
        const attempt = new AbortController();
        const forward = () => attempt.abort();
        stop.signal.addEventListener('abort', forward, { once: true });
        if (stop.signal.aborted) attempt.abort();
        try {
          const res = await transport.put({
            url: signed.url,
            body: body.slice(range.start, range.end),
            headers: signed.headers,
            signal: attempt.signal,
            onProgress: (loaded) => {
              if (!inFlight.has(n)) return;
              inFlight.set(n, Math.min(Math.max(0, loaded), range.size));
              report();
            },
          });
          if (res.status < 200 || res.status >= 300)
            throw new UploadFailedError(describeFailure(failureFromResponse(res.status, res.body, res.bucketRegion), context));
          if (!res.etag) throw new UploadFailedError(missingEtag(context));
          checksum = signed.headers['content-md5'];
          return res.etag;
        } catch (err) {
          // The bytes of a failed try are not sent: take them back out (the report stays where it was).
          inFlight.set(n, 0);
          throw err;
        } finally {
          stop.signal.removeEventListener('abort', forward);
        }
      },
      { describe, ...(opts.retry ? { retry: opts.retry } : {}), signal: stop.signal, onRetry: retryHook({ part: n }) },
    );
    etags.set(n, etag);
    urls.delete(n);
    hasher?.forget(n);
    inFlight.delete(n);
    doneBytes += range.size;
    if (!checksum) checksummed = false;
    report();
    opts.onPartDone?.({ partNumber: n, etag, size: range.size, ...(checksum ? { checksum } : {}) });
  };

  let failure: { error: UserError; partNumber?: number } | undefined;
  const worker = async () => {
    for (let n = takePart(); !stop.signal.aborted && n <= plan.partCount; n = takePart()) {
      try {
        await uploadPart(n);
      } catch (err) {
        if (!stop.signal.aborted || !isAbortError(err)) failure ??= { error: describe(err), partNumber: n };
        stop.abort();
      }
    }
  };

  try {
    report();
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, plan.partCount - etags.size)) }, worker));
    if (!failure && !signal?.aborted) {
      const parts = [...etags].sort(([a], [b]) => a - b).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
      try {
        // Not cancellable: once sent, the object may already be whole.
        const done = await call('complete', () => signer.complete(uploadId, parts));
        report();
        return { uploadId, ...(done.etag ? { etag: done.etag } : {}), plan, ...stats, checksummed };
      } catch (err) {
        failure = { error: describe(err) };
      }
    }
  } finally {
    signal?.removeEventListener('abort', onCancel);
  }

  // Cancelled or failed: nothing may stay behind in the bucket.
  const cleanup = await abortUpload(uploadId);
  opts.onCleanup?.({ uploadId, ...cleanup });
  if (!failure) throw new UploadAbortedError();
  throw new MultipartUploadFailedError(failure.error, uploadId, cleanup.aborted, failure.partNumber);

  async function abortUpload(id: string): Promise<{ aborted: boolean; error?: UserError }> {
    try {
      // A few quick tries: after a failure the network may be what failed, and the user is waiting for the sentence.
      await call('abort', () => signer.abort(id), undefined, { ...opts.retry, maxAttempts: Math.min(3, clock.maxAttempts) });
      return { aborted: true };
    } catch (err) {
      const error = describe(err);
      // Already gone (aborted elsewhere, or by a lifecycle rule): that is what we wanted.
      if (error.code === 'NoSuchUpload') return { aborted: true };
      return { aborted: false, error };
    }
  }
}
