import { describe, expect, it } from 'vitest';
import type { UserError } from '../../src/result';
import { describeFailure, failureFromError, failureFromResponse, type FailureContext } from '../../src/s3/errors';
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  RetryGaveUpError,
  runWithRetry,
  userErrorOf,
  type RetryEvent,
} from '../../src/upload/retry';
import { UploadFailedError } from '../../src/upload/single-put';

const ctx: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };

const xml = (code: string, message = `About ${code}`) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
const reply = (status: number, code?: string, message?: string): UserError =>
  describeFailure(failureFromResponse(status, code ? xml(code, message) : ''), ctx);
const thrown = (err: unknown): UserError => describeFailure(failureFromError(err), ctx);

/** A clock that only moves when the code under test sleeps. */
function fakeClock(random: () => number = () => 0.5) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    elapsed: () => t - 1_000_000,
    options: {
      now: () => t,
      random,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        t += ms;
      },
    },
  };
}

/** A deterministic uniform random (mulberry32), so jitter is exercised without flakiness. */
function seeded(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('classifyFailure', () => {
  it.each([
    ['a network error (fetch)', thrown(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }))],
    ['a network error (XHR)', thrown(new TypeError('Failed to fetch: network error during upload'))],
    ['503 SlowDown', reply(503, 'SlowDown', 'Please reduce your request rate.')],
    ['503 without a body', reply(503)],
    ['500 InternalError', reply(500, 'InternalError')],
    ['502 without a body', reply(502)],
    ['400 RequestTimeout', reply(400, 'RequestTimeout')],
    ['429', reply(429)],
  ])('retries %s', (_, error) => {
    expect(classifyFailure(error)).toBe('retry');
  });

  it('re-signs an expired upload URL (403 AccessDenied "Request has expired")', () => {
    const error = reply(403, 'AccessDenied', 'Request has expired');
    expect(error.code).toBe('UploadUrlExpired');
    expect(classifyFailure(error)).toBe('resign');
  });

  it.each([
    ['AccessDenied', reply(403, 'AccessDenied', 'Access Denied.')],
    ['NoSuchUpload', reply(404, 'NoSuchUpload')],
    ['SignatureDoesNotMatch', reply(403, 'SignatureDoesNotMatch')],
    ['NoSuchBucket', reply(404, 'NoSuchBucket')],
    ['InvalidPart', reply(400, 'InvalidPart')],
    ['EntityTooSmall', reply(400, 'EntityTooSmall')],
    ['another 4xx', reply(400, 'InvalidArgument')],
    ['a bare 403', reply(403)],
    ['a programming error', thrown(new TypeError('x is not a function'))],
  ])('stops at once on %s', (_, error) => {
    expect(classifyFailure(error)).toBe('stop');
  });

  it('NoSuchUpload, InvalidPart and EntityTooSmall have sentences of their own', () => {
    expect(reply(404, 'NoSuchUpload').message).toMatch(/^The multipart upload is gone from http:\/\/127\.0\.0\.1:9000/);
    expect(reply(400, 'InvalidPart').message).toMatch(/could not join the parts/);
    expect(reply(400, 'EntityTooSmall').message).toMatch(/at least 5 MiB/);
  });
});

describe('backoffDelay (full jitter)', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  it('waits a uniform time below base·2^(n-1), capped', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999999)).toBe(199);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(5, policy, () => 0.999999)).toBe(999);
    expect(backoffDelay(50, policy, () => 0.999999)).toBe(999);
  });

  it('spreads retries over the whole window', () => {
    const random = seeded(42);
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, policy, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(400);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
    expect(delays.filter((d) => d < 100).length).toBeGreaterThan(350);
  });
});

describe('runWithRetry', () => {
  const describeErr = (err: unknown) => userErrorOf(err, ctx);
  const failWith = (error: UserError) => new UploadFailedError(error);

  it('retries transient failures with growing, jittered waits, then succeeds', async () => {
    const clock = fakeClock(seeded(7));
    const events: RetryEvent[] = [];
    let calls = 0;
    const result = await runWithRetry(
      async () => {
        calls++;
        if (calls === 1) throw failWith(reply(503, 'SlowDown'));
        if (calls === 2) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
        if (calls === 3) throw failWith(reply(500, 'InternalError'));
        return 'ok';
      },
      { describe: describeErr, retry: { ...clock.options, baseDelayMs: 100, maxDelayMs: 10_000 }, onRetry: (e) => events.push(e) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(events.map((e) => [e.attempt, e.action, e.error.code])).toEqual([
      [1, 'retry', 'SlowDown'],
      [2, 'retry', 'NetworkError'],
      [3, 'retry', 'InternalError'],
    ]);
    expect(clock.sleeps).toEqual(events.map((e) => e.delayMs));
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(100 * 2 ** i);
    });
  });

  it('stops at once on a failure that is not worth retrying', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await runWithRetry(
      async () => {
        calls++;
        throw failWith(reply(403, 'AccessDenied', 'Access Denied.'));
      },
      { describe: describeErr, retry: clock.options },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(err).toBeInstanceOf(RetryGaveUpError);
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err).toMatchObject({ reason: 'fatal', attempts: 1, userError: { code: 'AccessDenied' } });
    expect((err as Error).message).toMatch(/^These keys are not allowed to upload in bucket "my-bucket"/);
  });

  it('gives up after maxAttempts with the last sentence', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await runWithRetry(
      async () => {
        calls++;
        throw failWith(reply(503, 'SlowDown'));
      },
      { describe: describeErr, retry: { ...clock.options, maxAttempts: 4 } },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
    expect(err).toMatchObject({ reason: 'attempts', attempts: 4, userError: { code: 'SlowDown', transient: true } });
    expect((err as Error).message).toBe('http://127.0.0.1:9000 is busy right now (it asked us to slow down). Try again in a moment.');
  });

  it('gives up once the time budget since the first failure is spent', async () => {
    const clock = fakeClock(() => 0.999);
    let calls = 0;
    const err = await runWithRetry(
      async () => {
        calls++;
        throw new TypeError('fetch failed');
      },
      { describe: describeErr, retry: { ...clock.options, maxAttempts: 100, baseDelayMs: 1000, maxDelayMs: 8000, budgetMs: 20_000 } },
    ).catch((e: unknown) => e);
    // Waits ≈ 1 + 2 + 4 + 8 s = 15 s; the next 8 s would pass 20 s.
    expect(clock.sleeps.map((ms) => Math.round(ms / 1000))).toEqual([1, 2, 4, 8]);
    expect(clock.elapsed()).toBeLessThanOrEqual(20_000);
    expect(calls).toBe(5);
    expect(err).toMatchObject({ reason: 'budget', userError: { code: 'NetworkError' } });
    expect((err as Error).message).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:9000\./);
  });

  it('re-signs an expired URL and tries again without waiting', async () => {
    const clock = fakeClock();
    const seen: boolean[] = [];
    const result = await runWithRetry(
      async ({ resign }) => {
        seen.push(resign);
        if (seen.length === 1) throw failWith(reply(403, 'AccessDenied', 'Request has expired'));
        return 'stored';
      },
      { describe: describeErr, retry: clock.options },
    );
    expect(result).toBe('stored');
    expect(seen).toEqual([false, true]);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry what was already retried further down', async () => {
    let calls = 0;
    const inner = new RetryGaveUpError(reply(503, 'SlowDown'), 5, 'attempts');
    const err = await runWithRetry(
      async () => {
        calls++;
        throw inner;
      },
      { describe: describeErr, retry: fakeClock().options },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBe(inner);
  });

  it('stops waiting when cancelled, with an AbortError', async () => {
    const abort = new AbortController();
    let calls = 0;
    const started = Date.now();
    const run = runWithRetry(
      async () => {
        calls++;
        throw failWith(reply(503));
      },
      { describe: describeErr, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.99 }, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 20);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('has defaults that give up within minutes, not hours', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThanOrEqual(5);
    expect(DEFAULT_RETRY_POLICY.budgetMs).toBeLessThanOrEqual(5 * 60_000);
  });
});
