import type { UserError } from '../result';
import { describeFailure, failureFromError, type FailureContext } from '../s3/errors';
import { UploadFailedError } from './single-put';
import { UploadAbortedError } from './transport';

/**
 * Retries with exponential backoff and full jitter ("Exponential Backoff And
 * Jitter", AWS Architecture Blog): the n-th retry waits a uniformly random
 * time in [0, min(maxDelay, base·2^(n-1))). Bounded twice: by attempts, and
 * by a time budget counted from an operation's first failure, so a long
 * outage ends in a sentence instead of an upload that never finishes.
 *
 * Hand-written rather than `p-retry`: p-retry (via `retry`) jitters by a
 * factor of 1–2 rather than full jitter, sleeps with the real `setTimeout`
 * (no injectable clock; fake timers would be needed), and knows nothing of
 * "re-sign, then try again at once" for an expired URL.
 */

export interface RetryPolicy {
  /** Tries per operation, the first included. */
  maxAttempts: number;
  /** The first retry waits up to this long. */
  baseDelayMs: number;
  /** No single wait is longer. */
  maxDelayMs: number;
  /** Give up once this long has passed since the operation first failed. */
  budgetMs: number;
}

/** About 10 tries over up to 3 minutes: rides out a Wi-Fi hiccup or a busy server, not a dead endpoint. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 180_000,
};

/** Time and chance, injectable for tests. */
export interface RetryClock {
  now(): number;
  /** Waits `ms`; rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export type RetryOptions = Partial<RetryPolicy> & Partial<RetryClock>;

/** What to do after a failure: try again after a wait, sign a fresh URL and try at once, or give up. */
export type FailureAction = 'retry' | 'resign' | 'stop';

/**
 * Network errors, 5xx, `SlowDown`, `RequestTimeout`, `InternalError` (all
 * `transient` in `describeFailure`) and 429 are retried; an expired upload URL
 * is re-signed; everything else — `AccessDenied`, `SignatureDoesNotMatch`,
 * `NoSuchUpload`, `NoSuchBucket`, other 4xx — stops at once.
 */
export function classifyFailure(error: UserError): FailureAction {
  if (error.code === 'UploadUrlExpired') return 'resign';
  if (error.transient) return 'retry';
  if (error.code === 'TooManyRequests' || error.code === 'Http429') return 'retry';
  return 'stop';
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** The sentence for any error: its own `userError` if it carries one (the signer's, a failed PUT's), else the S3 mapping. */
export function userErrorOf(err: unknown, context: FailureContext): UserError {
  const carried = (err as { userError?: UserError } | null)?.userError;
  if (carried && typeof carried.message === 'string' && typeof carried.code === 'string') return carried;
  return describeFailure(failureFromError(err), context);
}

export function isAbortError(err: unknown): boolean {
  return (err as Error | null)?.name === 'AbortError';
}

/** Why retrying ended without success. */
export type GiveUpReason = 'fatal' | 'attempts' | 'budget';

/** The last failure's sentence, after retries ran out or a failure that is not worth retrying. */
export class RetryGaveUpError extends UploadFailedError {
  constructor(
    userError: UserError,
    readonly attempts: number,
    readonly reason: GiveUpReason,
  ) {
    super(userError);
    this.name = 'RetryGaveUpError';
  }
}

export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  action: 'retry' | 'resign';
  /** 0 for a re-sign. */
  delayMs: number;
  error: UserError;
}

export interface RunWithRetryOptions {
  /** Turns a thrown error into a sentence (and so a class: see `classifyFailure`). */
  describe: (err: unknown) => UserError;
  retry?: RetryOptions;
  /** Stops waiting and trying; the AbortError propagates. */
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new UploadAbortedError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new UploadAbortedError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function resolveRetry(options: RetryOptions = {}): RetryPolicy & RetryClock {
  return {
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs),
    budgetMs: Math.max(0, options.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs),
    now: options.now ?? realClock.now,
    sleep: options.sleep ?? realClock.sleep,
    random: options.random ?? realClock.random,
  };
}

/**
 * Runs `operation` until it succeeds, retrying as `classifyFailure` says.
 * `operation` learns whether its previous try failed on an expired URL
 * (`resign: true`: sign afresh before trying). Rejects with the AbortError
 * when `signal` fires, else with a `RetryGaveUpError` carrying the sentence.
 */
export async function runWithRetry<T>(
  operation: (attempt: { number: number; resign: boolean }) => Promise<T>,
  options: RunWithRetryOptions,
): Promise<T> {
  const r = resolveRetry(options.retry);
  const { signal } = options;
  let firstFailureAt: number | undefined;
  let resign = false;
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new UploadAbortedError();
    try {
      return await operation({ number: attempt, resign });
    } catch (err) {
      if (signal?.aborted) throw isAbortError(err) ? err : new UploadAbortedError();
      // An abort nobody here asked for (another owner of the request) is not ours to retry.
      if (isAbortError(err)) throw err;
      // Already retried further down (e.g. signing a URL inside a part's try): never retry twice over.
      if (err instanceof RetryGaveUpError) throw err;
      const error = options.describe(err);
      const action = classifyFailure(error);
      if (action === 'stop') throw new RetryGaveUpError(error, attempt, 'fatal');
      if (attempt >= r.maxAttempts) throw new RetryGaveUpError(error, attempt, 'attempts');
      const now = r.now();
      firstFailureAt ??= now;
      const delayMs = action === 'resign' ? 0 : backoffDelay(++retries, r, r.random);
      if (now - firstFailureAt + delayMs > r.budgetMs) throw new RetryGaveUpError(error, attempt, 'budget');
      resign = action === 'resign';
      options.onRetry?.({ attempt, action, delayMs, error });
      if (delayMs > 0) await r.sleep(delayMs, signal);
    }
  }
}
