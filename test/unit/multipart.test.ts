import { sdkMd5 } from '../../src/upload/md5-sdk';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UserError } from '../../src/result';
import type { FailureContext } from '../../src/s3/errors';
import {
  MultipartUploadFailedError,
  uploadMultipart,
  type CompletedPart,
  type MultipartOptions,
  type MultipartRetryEvent,
  type MultipartSigner,
  type PartSpec,
  type SignedPart,
} from '../../src/upload/multipart';
import { UploadFailedError } from '../../src/upload/single-put';
import { UploadAbortedError, type PutRequest, type PutResponse, type PutTransport } from '../../src/upload/transport';

const context: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
/** Tiny parts keep the bodies small; the engine follows whatever limits it is given. */
const tiny = { partLimits: { minPartSize: 1, maxPartSize: 1 << 20 } } as const;

const xml = (code: string, message: string) => `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
const SLOW_DOWN: PutResponse = { status: 503, body: xml('SlowDown', 'Please reduce your request rate.') };
const EXPIRED: PutResponse = { status: 403, body: xml('AccessDenied', 'Request has expired') };
const DENIED: PutResponse = { status: 403, body: xml('AccessDenied', 'Access Denied.') };
const networkError = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });

/** What a scripted PUT does instead of succeeding: answer, throw, or run custom code. */
type Scripted = PutResponse | Error | ((request: PutRequest) => Promise<PutResponse>);

interface PutCall {
  partNumber: number;
  attempt: number;
  url: string;
  size: number;
  signal?: AbortSignal;
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * An in-memory S3 that is both the signer and the transport: it keeps parts per
 * upload ID, joins them on complete, drops them on abort, and refuses URLs of
 * unknown uploads, like S3. PUTs report progress in two halves.
 */
class FakeS3 implements MultipartSigner, PutTransport {
  now = 1_700_000_000_000;
  urlLifetimeMs = 300_000;
  uploads = new Map<string, Map<number, Uint8Array>>();
  objects = new Map<string, Uint8Array>();
  signCalls: PartSpec[][] = [];
  signedAtFirstPut: number | undefined;
  puts: PutCall[] = [];
  completes: CompletedPart[][] = [];
  aborts: string[] = [];
  active = 0;
  maxActive = 0;
  /** Decides, per PUT, whether it goes wrong. */
  script: (call: PutCall) => Scripted | undefined = () => undefined;
  createError: unknown;
  completeError: unknown;
  abortError: unknown;
  private attempts = new Map<number, number>();
  private version = 0;

  async create() {
    await tick();
    if (this.createError) throw this.createError;
    const uploadId = `upload-${this.uploads.size + 1}`;
    this.uploads.set(uploadId, new Map());
    return { uploadId };
  }

  async signParts(uploadId: string, parts: readonly PartSpec[]): Promise<SignedPart[]> {
    await tick();
    this.signCalls.push([...parts]);
    this.version++;
    return parts.map(({ partNumber, size }) => ({
      partNumber,
      url: `https://s3.test/my-bucket/big.bin?uploadId=${uploadId}&partNumber=${partNumber}&size=${size}&v=${this.version}`,
      headers: {},
      expiresAt: this.now + this.urlLifetimeMs,
    }));
  }

  async complete(uploadId: string, parts: readonly CompletedPart[]) {
    await tick();
    this.completes.push([...parts]);
    if (this.completeError) throw this.completeError;
    const stored = this.uploads.get(uploadId)!;
    const bytes = parts.map((p) => stored.get(p.PartNumber)!);
    const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of bytes) joined.set(b, (at += b.length) - b.length);
    this.objects.set(uploadId, joined);
    this.uploads.delete(uploadId);
    return { etag: `"joined-${parts.length}"` };
  }

  async abort(uploadId: string) {
    await tick();
    this.aborts.push(uploadId);
    if (this.abortError) throw this.abortError;
    this.uploads.delete(uploadId);
  }

  async put(request: PutRequest): Promise<PutResponse> {
    if (request.signal?.aborted) throw new UploadAbortedError();
    const url = new URL(request.url);
    const partNumber = Number(url.searchParams.get('partNumber'));
    const attempt = (this.attempts.get(partNumber) ?? 0) + 1;
    this.attempts.set(partNumber, attempt);
    this.signedAtFirstPut ??= this.signCalls.flat().length;
    const call: PutCall = { partNumber, attempt, url: request.url, size: request.body.size };
    if (request.signal) call.signal = request.signal;
    this.puts.push(call);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      expect(request.body.size).toBe(Number(url.searchParams.get('size')));
      const scripted = this.script(call);
      if (scripted instanceof Error) throw scripted;
      if (typeof scripted === 'function') return await scripted(request);
      if (scripted) return scripted;
      request.onProgress?.(Math.floor(request.body.size / 2));
      await abortable(tick(), request.signal);
      request.onProgress?.(request.body.size);
      const parts = this.uploads.get(url.searchParams.get('uploadId')!);
      if (!parts) return { status: 404, body: xml('NoSuchUpload', 'The specified multipart upload does not exist.') };
      parts.set(partNumber, new Uint8Array(await request.body.arrayBuffer()));
      return { status: 200, body: '', etag: `"etag-${partNumber}"` };
    } finally {
      this.active--;
    }
  }
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new UploadAbortedError());
    signal.addEventListener('abort', () => reject(new UploadAbortedError()), { once: true });
    promise.then(resolve, reject);
  });
}

/** A clock that moves only when the engine sleeps (between retries), shared with the fake S3's URL expiry. */
function fakeRetry(s3: FakeS3, random: () => number = () => 0.5) {
  const sleeps: number[] = [];
  return {
    sleeps,
    retry: {
      now: () => s3.now,
      random,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        s3.now += ms;
      },
      baseDelayMs: 100,
      maxDelayMs: 1600,
    },
  };
}

function file(size: number): Blob {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return new Blob([bytes]);
}

async function bytesOf(blob: Blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

function run(s3: FakeS3, body: Blob, extra: Partial<MultipartOptions> = {}) {
  const progress: number[] = [];
  const retries: MultipartRetryEvent[] = [];
  const { sleeps, retry } = fakeRetry(s3);
  const promise = uploadMultipart({
    body,
    signer: s3,
    transport: s3,
    context,
    ...tiny,
    onProgress: (loaded) => progress.push(loaded),
    onRetry: (e) => retries.push(e),
    retry,
    ...extra,
  });
  return { promise, progress, retries, sleeps };
}

function expectMonotonicTo(progress: number[], size: number) {
  for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  expect(Math.max(...progress)).toBe(size);
  expect(progress.at(-1)).toBe(size);
}

describe('uploadMultipart', () => {
  it('uploads slices in parts, collects the ETags and joins them in order', async () => {
    const s3 = new FakeS3();
    const body = file(1000);
    const { promise, progress } = run(s3, body, { partSize: 64 });
    const result = await promise;
    expect(result).toMatchObject({ uploadId: 'upload-1', etag: '"joined-16"', plan: { partSize: 64, partCount: 16, lastPartSize: 40 } });
    expect(result).toMatchObject({ retries: 0, resigns: 0 });
    expect(s3.objects.get('upload-1')).toEqual(await bytesOf(body));
    expect(s3.completes[0]).toEqual(Array.from({ length: 16 }, (_, i) => ({ PartNumber: i + 1, ETag: `"etag-${i + 1}"` })));
    // Every PUT carried one part's slice, never the whole file.
    expect(s3.puts.map((p) => p.size)).toEqual([...Array(15).fill(64), 40]);
    expect(s3.aborts).toEqual([]);
    expectMonotonicTo(progress, 1000);
  });

  it('signs URLs in batches as they are needed, each part once', async () => {
    const s3 = new FakeS3();
    const { promise } = run(s3, file(100 * 10), { partSize: 10, signBatchSize: 16 });
    await promise;
    expect(s3.signCalls.map((c) => c.length)).toEqual([16, 16, 16, 16, 16, 16, 4]);
    expect(s3.signCalls.flat().map((p) => p.partNumber)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s3.signCalls.flat().every((p) => p.size === 10)).toBe(true);
    // Not all 100 upfront: the first PUT started with one batch signed.
    expect(s3.signedAtFirstPut).toBe(16);
  });

  it.each([1, 3, 4, 7])('never has more than %i parts in flight, and uses them all', async (concurrency) => {
    const s3 = new FakeS3();
    await run(s3, file(400), { partSize: 10, concurrency }).promise;
    expect(s3.maxActive).toBe(concurrency);
  });

  it('runs 4 parts at once by default', async () => {
    const s3 = new FakeS3();
    await run(s3, file(400), { partSize: 10 }).promise;
    expect(s3.maxActive).toBe(4);
  });

  it('retries 503 SlowDown and network errors with jittered exponential backoff', async () => {
    const s3 = new FakeS3();
    // Part 2 fails three times (503, network, 503), part 5 once.
    s3.script = ({ partNumber, attempt }) => {
      if (partNumber === 2 && attempt <= 3) return attempt === 2 ? networkError() : SLOW_DOWN;
      return partNumber === 5 && attempt === 1 ? SLOW_DOWN : undefined;
    };
    const body = file(100);
    const random = [0.9, 0.1, 0.99, 0.5];
    const { sleeps, retry } = fakeRetry(s3, () => random.shift() ?? 0.5);
    const retries: MultipartRetryEvent[] = [];
    const result = await uploadMultipart({
      ...{ body, signer: s3, transport: s3, context, ...tiny, partSize: 10, retry },
      onRetry: (e) => retries.push(e),
    });
    expect(result.retries).toBe(4);
    expect(retries.map((r) => [r.what, r.attempt, r.error.code])).toEqual(
      expect.arrayContaining([
        [{ part: 2 }, 1, 'SlowDown'],
        [{ part: 2 }, 2, 'NetworkError'],
        [{ part: 2 }, 3, 'SlowDown'],
        [{ part: 5 }, 1, 'SlowDown'],
      ]),
    );
    // Full jitter: each wait is random·min(1600, 100·2^(n-1)) for that part's n-th retry.
    const part2 = retries.filter((r) => 'part' in r.what && r.what.part === 2).map((r) => r.delayMs);
    part2.forEach((ms, i) => expect(ms).toBeLessThan(100 * 2 ** i));
    expect(sleeps.sort()).toEqual(retries.map((r) => r.delayMs).sort());
    expect(s3.objects.get(result.uploadId)).toEqual(await bytesOf(body));
  });

  it('signs a fresh URL when a part URL expired, and sends the part again at once', async () => {
    const s3 = new FakeS3();
    s3.script = ({ partNumber, attempt }) => (partNumber === 3 && attempt === 1 ? EXPIRED : undefined);
    const { promise, sleeps } = run(s3, file(50), { partSize: 10, concurrency: 1 });
    const result = await promise;
    expect(result).toMatchObject({ resigns: 1, retries: 0 });
    expect(sleeps).toEqual([]);
    const part3 = s3.puts.filter((p) => p.partNumber === 3);
    expect(part3).toHaveLength(2);
    expect(part3[0]!.url).not.toBe(part3[1]!.url);
    // The batch signed with part 3 expired with it: parts 3–5 were signed again together.
    expect(s3.signCalls.map((c) => c.map((p) => p.partNumber))).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
  });

  it('signs again before using a URL that is about to expire', async () => {
    const s3 = new FakeS3();
    // Part 1 takes 4:40 of (fake) time to answer; the URLs signed with it have 20 s left.
    s3.script = ({ partNumber, attempt }) =>
      partNumber === 1 && attempt === 1
        ? async () => {
            s3.now += 280_000;
            return SLOW_DOWN;
          }
        : undefined;
    const { promise } = run(s3, file(30), { partSize: 10, concurrency: 1 });
    await promise;
    expect(s3.signCalls.map((c) => c.map((p) => p.partNumber))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('stops at once on AccessDenied: aborts the PUTs in flight and the multipart upload, with the sentence', async () => {
    const s3 = new FakeS3();
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    s3.script = ({ partNumber, signal }) => {
      if (partNumber === 4) return DENIED;
      // The other parts hang until they are aborted.
      return async () => {
        await abortable(hold, signal);
        return { status: 200, body: '', etag: '"x"' };
      };
    };
    const { promise, retries } = run(s3, file(100), { partSize: 10 });
    const err = await promise.catch((e: unknown) => e);
    release();
    expect(err).toBeInstanceOf(MultipartUploadFailedError);
    expect(err).toBeInstanceOf(UploadFailedError);
    expect(err).toMatchObject({ uploadId: 'upload-1', aborted: true, partNumber: 4, userError: { code: 'AccessDenied' } });
    expect((err as Error).message).toBe(
      'These keys are not allowed to upload in bucket "my-bucket": the key\'s policy must allow s3:PutObject on arn:aws:s3:::my-bucket/*.',
    );
    expect(retries).toEqual([]);
    expect(s3.puts.map((p) => p.partNumber)).toEqual([1, 2, 3, 4]);
    expect(s3.puts.filter((p) => p.partNumber !== 4).every((p) => p.signal?.aborted)).toBe(true);
    expect(s3.aborts).toEqual(['upload-1']);
    expect(s3.completes).toEqual([]);
    expect(s3.uploads.size).toBe(0);
  });

  it('gives up after the retries and aborts, with the last sentence', async () => {
    const s3 = new FakeS3();
    s3.script = ({ partNumber }) => (partNumber === 2 ? SLOW_DOWN : undefined);
    const cleanups: unknown[] = [];
    const { promise } = run(s3, file(30), {
      partSize: 10,
      retry: { ...fakeRetry(s3).retry, maxAttempts: 5 },
      onCleanup: (c) => cleanups.push(c),
    });
    const err = await promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'MultipartUploadFailedError', aborted: true, userError: { code: 'SlowDown' } });
    expect((err as Error).message).toBe('http://127.0.0.1:9000 is busy right now (it asked us to slow down). Try again in a moment.');
    expect(s3.puts.filter((p) => p.partNumber === 2)).toHaveLength(5);
    expect(cleanups).toEqual([{ uploadId: 'upload-1', aborted: true }]);
    expect(s3.uploads.size).toBe(0);
  });

  it('cancel aborts the PUTs in flight and the multipart upload, then rejects with an AbortError', async () => {
    const s3 = new FakeS3();
    const cancel = new AbortController();
    let done = 0;
    const { promise } = run(s3, file(200), {
      partSize: 10,
      signal: cancel.signal,
      onPartDone: () => {
        if (++done === 5) cancel.abort();
      },
    });
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadAbortedError);
    expect((err as Error).name).toBe('AbortError');
    const started = s3.puts.length;
    expect(started).toBeLessThan(20);
    expect(s3.puts.slice(5).some((p) => p.signal?.aborted)).toBe(true);
    expect(s3.aborts).toEqual(['upload-1']);
    expect(s3.completes).toEqual([]);
    expect(s3.uploads.size).toBe(0);
    await tick();
    expect(s3.puts.length).toBe(started);
  });

  it('cancel before the upload exists never starts a part', async () => {
    const s3 = new FakeS3();
    const cancel = new AbortController();
    const { promise } = run(s3, file(100), { partSize: 10, signal: cancel.signal });
    cancel.abort();
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(s3.puts).toEqual([]);
    expect(s3.aborts).toEqual(['upload-1']);
  });

  it('reports progress by the byte, monotonic, without counting a failed try twice', async () => {
    const s3 = new FakeS3();
    // Part 2's first try sends 8 of 10 bytes, then the connection drops.
    s3.script = ({ partNumber, attempt }) =>
      partNumber === 2 && attempt === 1
        ? async (request) => {
            request.onProgress?.(8);
            await tick();
            throw networkError();
          }
        : undefined;
    const { promise, progress } = run(s3, file(40), { partSize: 10, concurrency: 2 });
    await promise;
    expectMonotonicTo(progress, 40);
    expect(progress.every((p) => p <= 40)).toBe(true);
  });

  it('uploads an empty file as one empty part', async () => {
    const s3 = new FakeS3();
    const { promise, progress } = run(s3, new Blob([]), { partLimits: {} });
    const result = await promise;
    expect(result.plan).toEqual({ partSize: 8 * 1024 * 1024, partCount: 1, lastPartSize: 0 });
    expect(s3.puts.map((p) => p.size)).toEqual([0]);
    expect(progress).toEqual([0]);
  });

  it('fails with a sentence when the ETag is not readable (CORS), and aborts', async () => {
    const s3 = new FakeS3();
    s3.script = () => ({ status: 200, body: '', etag: null });
    const err = await run(s3, file(20), { partSize: 10 }).promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ userError: { code: 'PartETagMissing' }, aborted: true });
    expect((err as Error).message).toMatch(/CORS rules must expose ETag/);
    expect(s3.aborts).toEqual(['upload-1']);
  });

  it('aborts when CompleteMultipartUpload is refused (InvalidPart)', async () => {
    const s3 = new FakeS3();
    s3.completeError = Object.assign(new Error('One or more of the specified parts could not be found.'), {
      name: 'InvalidPart',
      Code: 'InvalidPart',
      $metadata: { httpStatusCode: 400 },
    });
    const err = await run(s3, file(20), { partSize: 10 }).promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ userError: { code: 'InvalidPart' }, aborted: true });
    expect(s3.completes).toHaveLength(1);
    expect(s3.aborts).toEqual(['upload-1']);
  });

  it('retries a transient failure of a signer call', async () => {
    const s3 = new FakeS3();
    let failures = 1;
    const signer: MultipartSigner = {
      create: () => s3.create(),
      signParts: (id, parts) => (failures-- > 0 ? Promise.reject(networkError()) : s3.signParts(id, parts)),
      complete: (id, parts) => s3.complete(id, parts),
      abort: (id) => s3.abort(id),
    };
    const { promise, retries } = run(s3, file(20), { partSize: 10, signer });
    const result = await promise;
    expect(result.retries).toBe(1);
    expect(retries[0]).toMatchObject({ what: { call: 'signParts' }, error: { code: 'NetworkError' } });
  });

  it("uses the signer's own sentence when it rejects with one (e.g. from the background)", async () => {
    const s3 = new FakeS3();
    const fromBackground: UserError = {
      code: 'HostPermissionMissing',
      message: 'S3 Drop has no access to the bucket yet.',
      transient: false,
    };
    s3.createError = new UploadFailedError(fromBackground);
    const err = await run(s3, file(20), { partSize: 10 }).promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultipartUploadFailedError);
    expect(err).toMatchObject({ userError: fromBackground, uploadId: undefined, aborted: false });
    expect(s3.aborts).toEqual([]);
  });

  it('says so when the multipart upload could not be aborted', async () => {
    const s3 = new FakeS3();
    s3.script = () => DENIED;
    s3.abortError = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      Code: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const cleanups: { aborted: boolean; error?: UserError }[] = [];
    const err = await run(s3, file(20), { partSize: 10, onCleanup: (c) => cleanups.push(c) }).promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ aborted: false, userError: { code: 'AccessDenied' } });
    expect(cleanups[0]).toMatchObject({ aborted: false, error: { code: 'AccessDenied' } });
  });

  it('treats NoSuchUpload on abort as already aborted', async () => {
    const s3 = new FakeS3();
    s3.script = () => DENIED;
    s3.abortError = Object.assign(new Error('gone'), { name: 'NoSuchUpload', Code: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    const err = await run(s3, file(20), { partSize: 10 }).promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ aborted: true });
    expect(s3.aborts).toHaveLength(1);
  });

  describe('resume (an upload begun before a restart)', () => {
    /** An upload whose first `done` parts of 1 000 bytes reached the fake bucket before the browser died. */
    async function halfDone(body: Blob, done: number[], s3: FakeS3 = new FakeS3()) {
      const { uploadId } = await s3.create();
      const signed = await s3.signParts(uploadId, done.map((partNumber) => ({ partNumber, size: 1000 })));
      for (const part of signed)
        await s3.put({ url: part.url, headers: {}, body: body.slice((part.partNumber - 1) * 1000, part.partNumber * 1000) });
      s3.puts.length = 0;
      s3.signCalls.length = 0;
      const parts = done.map((partNumber) => ({ partNumber, etag: `"etag-${partNumber}"`, size: 1000 }));
      return { s3, uploadId, parts };
    }

    it('sends only the missing parts, starts its progress at the bytes already there, and joins all of them', async () => {
      const body = file(5500);
      const { s3, uploadId, parts } = await halfDone(body, [1, 2, 4]);
      const { promise, progress } = run(s3, body, { partSize: 1000, concurrency: 2, resume: { uploadId, parts } });
      const result = await promise;
      expect(result.uploadId).toBe(uploadId);
      // No second multipart upload was created.
      expect(s3.uploads.size + s3.objects.size).toBe(1);
      expect(s3.puts.map((p) => p.partNumber).sort()).toEqual([3, 5, 6]);
      expect(s3.signCalls.flat().map((p) => p.partNumber).sort()).toEqual([3, 5, 6]);
      expect(s3.completes[0]!.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(s3.objects.get(uploadId)).toEqual(await bytesOf(body));
      expect(progress[0]).toBe(3000);
      expectMonotonicTo(progress, 5500);
    });

    it('is checksummed only if the parts sent before the restart carried their MD5 too', async () => {
      const body = file(3000);
      // A server that answers a part's Content-MD5, so the parts sent now are checksummed.
      const before = await halfDone(body, [1], new VerifyingS3());
      const without = await run(before.s3, body, { partSize: 1000, checksums: sdkMd5, resume: { uploadId: before.uploadId, parts: before.parts } }).promise;
      expect(without.checksummed).toBe(false);
      const again = await halfDone(body, [1], new VerifyingS3());
      const parts = again.parts.map((p) => ({ ...p, checksum: 'journaled-md5' }));
      const withSums = await run(again.s3, body, { partSize: 1000, checksums: sdkMd5, resume: { uploadId: again.uploadId, parts } }).promise;
      expect(withSums.checksummed).toBe(true);
    });

    it('joins at once when the bucket has every part', async () => {
      const body = file(3000);
      const { s3, uploadId, parts } = await halfDone(body, [1, 2, 3]);
      await run(s3, body, { partSize: 1000, resume: { uploadId, parts } }).promise;
      expect(s3.puts).toEqual([]);
      expect(s3.signCalls).toEqual([]);
      expect(s3.objects.get(uploadId)).toEqual(await bytesOf(body));
    });

    it('aborts the resumed upload when a part fails for good, like a fresh one', async () => {
      const body = file(4000);
      const { s3, uploadId, parts } = await halfDone(body, [1, 2]);
      s3.script = (call) => (call.partNumber === 4 ? DENIED : undefined);
      const created: string[] = [];
      const err = await run(s3, body, { partSize: 1000, resume: { uploadId, parts }, onCreated: (id) => created.push(id) }).promise.catch((e) => e);
      expect(err).toBeInstanceOf(MultipartUploadFailedError);
      expect(err.partNumber).toBe(4);
      expect(s3.aborts).toEqual([uploadId]);
      // Not a new upload: nothing to record again.
      expect(created).toEqual([]);
    });
  });
});

/** A server that recomputes the Content-MD5 signed into each part URL, as AWS and Swift do; `damaged` parts arrive with a byte changed. */
class VerifyingS3 extends FakeS3 {
  damaged = new Set<string>();
  async signParts(uploadId: string, parts: readonly PartSpec[]): Promise<SignedPart[]> {
    const signed = await super.signParts(uploadId, parts);
    return signed.map((s, i): SignedPart => {
      const sent = parts[i]!.md5;
      return { ...s, headers: sent ? { 'content-md5': sent } : {} };
    });
  }
  async put(request: PutRequest): Promise<PutResponse> {
    const partNumber = Number(new URL(request.url).searchParams.get('partNumber'));
    const tries = this.puts.filter((p) => p.partNumber === partNumber).length + 1;
    const received = new Uint8Array(await request.body.arrayBuffer());
    if (this.damaged.has(`${partNumber}/${tries}`)) received[0] = received[0]! ^ 0xff;
    const sent = request.headers['content-md5'];
    if (sent && sent !== createHash('md5').update(received).digest('base64')) {
      this.puts.push({ partNumber, attempt: tries, url: request.url, size: request.body.size });
      return { status: 400, body: xml('BadDigest', 'The Content-MD5 you specified did not match what we received.') };
    }
    return super.put(request);
  }
}

describe('uploadMultipart with checksums', () => {
  const file = () => {
    const bytes = new Uint8Array(5000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    return { bytes, blob: new Blob([bytes]) };
  };
  const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');

  it('signs every part with the MD5 of exactly its bytes, in batches, and says every part was checksummed', async () => {
    const s3 = new VerifyingS3();
    const { bytes, blob } = file();
    const done: { partNumber: number; checksum?: string }[] = [];
    const { promise } = run(s3, blob, { partSize: 250, signBatchSize: 8, checksums: sdkMd5, onPartDone: (p) => done.push(p) });
    const result = await promise;
    expect(result.checksummed).toBe(true);
    const specs = s3.signCalls.flat();
    expect(specs.map((s) => s.partNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const s of specs) expect(s.md5).toBe(md5(bytes.subarray((s.partNumber - 1) * 250, s.partNumber * 250)));
    // Hashed ahead: the first parts (one per worker) are signed alone, the next ones in batches of those already hashed.
    expect(s3.signCalls.length).toBeLessThanOrEqual(7);
    expect(Math.max(...s3.signCalls.map((c) => c.length))).toBe(8);
    expect(done.map((d) => d.checksum).sort()).toEqual(specs.map((s) => s.md5).sort());
    expect([...s3.objects.values()][0]).toEqual(bytes);
  });

  it('a part that arrives changed (BadDigest) is sent again from the file, with the same MD5', async () => {
    const s3 = new VerifyingS3();
    s3.damaged.add('3/1');
    const { bytes, blob } = file();
    const { promise, retries } = run(s3, blob, { partSize: 1000, checksums: sdkMd5 });
    const result = await promise;
    expect(result.checksummed).toBe(true);
    expect(retries.map((r) => [r.what, r.error.code, r.action])).toEqual([[{ part: 3 }, 'BadDigest', 'retry']]);
    expect(s3.puts.filter((p) => p.partNumber === 3)).toHaveLength(2);
    expect([...s3.objects.values()][0]).toEqual(bytes);
  });

  it('fails with the sentence when every try arrives changed, and aborts the upload', async () => {
    const s3 = new VerifyingS3();
    for (let n = 1; n <= 10; n++) s3.damaged.add(`2/${n}`);
    const { blob } = file();
    const { promise } = run(s3, blob, { partSize: 1000, checksums: sdkMd5, retry: { ...fakeRetry(s3).retry, maxAttempts: 3 } });
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultipartUploadFailedError);
    expect(err).toMatchObject({ partNumber: 2, aborted: true, userError: { code: 'BadDigest' } });
    expect((err as MultipartUploadFailedError).userError.message).toMatch(/differ from the file.*proxy or security software/);
  });

  it('without checksums, parts carry none and the result says so', async () => {
    const s3 = new VerifyingS3();
    const { promise } = run(s3, file().blob, { partSize: 1000 });
    expect((await promise).checksummed).toBe(false);
    expect(s3.signCalls.flat().every((s) => s.md5 === undefined)).toBe(true);
  });
});
