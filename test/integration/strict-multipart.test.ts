import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import type { FailureContext } from '../../src/s3/errors';
import { presignUploadParts, s3MultipartSigner } from '../../src/s3/multipart';
import { presignShareLink } from '../../src/s3/presign';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { MultipartUploadFailedError, uploadMultipart, type MultipartRetryEvent, type MultipartSigner } from '../../src/upload/multipart';
import { GiB, MiB } from '../../src/upload/part-plan';
import { SLOW_DOWN, startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy';
import { sha256Of } from '../support/download';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'multipart';

/**
 * Writes `mib` MiB: one random MiB repeated, each copy stamped with its index
 * (so parts in the wrong order or twice would show), hashed as it is written.
 */
async function makeFile(path: string, mib: number): Promise<string> {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const fh = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32LE(i, 0);
      block.writeUInt32LE((i * 0x9e3779b1) >>> 0, MiB / 2);
      hash.update(block);
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** RSS before, peak (sampled every 100 ms) and after, in bytes. */
function memoryProbe() {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop() {
      clearInterval(timer);
      const after = process.memoryUsage().rss;
      return { before, peak: Math.max(peak, after), after };
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

describe.skipIf(!strictLaneAvailable())('multipart uploads on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let conn: S3Connection;
  let ctx: FailureContext;
  let client: S3Client;
  let dir: string;
  /** A 60 MiB file for the fault runs: 12 parts of 5 MiB. */
  let small: { path: string; sha256: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3drop-multipart-'));
    const [server, sha256] = await Promise.all([startSwift({ buckets: [BUCKET] }), makeFile(join(dir, 'small.bin'), 60)]);
    s3 = server;
    small = { path: join(dir, 'small.bin'), sha256 };
    conn = connectionTo(s3, BUCKET);
    ctx = { operation: 'upload', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint };
    client = createS3Client(conn);
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const signerFor = (key: string, contentType = 'application/octet-stream') =>
    s3MultipartSigner(client, { bucket: BUCKET, key, contentType });

  async function expectGone(key: string, uploadId: string) {
    const err = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(left.Uploads ?? []).toEqual([]);
  }

  async function expectObject(key: string, sha256: string, size: number, partCount: number) {
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ETag).toMatch(new RegExp(`^"[0-9a-f]{32}-${partCount}"$`));
    expect(head.ContentLength).toBe(size);
    const contentType = head.ContentType ?? '';
    const link = await presignShareLink(client, { bucket: BUCKET, key, fileName: key, contentType, expiresIn: 600 });
    const got = await sha256Of(link.url);
    expect(got.bytes).toBe(size);
    expect(got.hex).toBe(sha256);
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(left.Uploads ?? []).toEqual([]);
    return head;
  }

  it('uploads 1 GiB from disk in parts, in bounded memory; the share link returns the same bytes; the ETag counts the parts', async () => {
    const path = join(dir, 'big.bin');
    let t = performance.now();
    const sha256 = await makeFile(path, 1024);
    const writeMs = performance.now() - t;
    const body = await openAsBlob(path, { type: 'application/octet-stream' });
    expect(body.size).toBe(GiB);

    const key = 'big/1GiB.bin';
    const progress: number[] = [];
    const probe = memoryProbe();
    t = performance.now();
    const result = await uploadMultipart({
      body,
      signer: signerFor(key),
      transport: fetchTransport(),
      context: ctx,
      onProgress: (loaded) => progress.push(loaded),
    });
    const uploadMs = performance.now() - t;
    const mem = probe.stop();
    rmSync(path);

    expect(result.plan).toEqual({ partSize: 8 * MiB, partCount: 128, lastPartSize: 8 * MiB });
    expect(result).toMatchObject({ retries: 0, resigns: 0, signRequests: 8 });
    expect(result.etag).toMatch(/-128"$/);
    expect(progress.at(-1)).toBe(GiB);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    t = performance.now();
    const head = await expectObject(key, sha256, GiB, 128);
    const downloadMs = performance.now() - t;
    expect(head.ContentType).toBe('application/octet-stream');

    const growth = mem.peak - mem.before;
    console.log(
      `[strict-multipart] 1 GiB: wrote the file in ${(writeMs / 1000).toFixed(1)} s; ` +
        `upload ${(uploadMs / 1000).toFixed(1)} s = ${(GiB / 1e6 / (uploadMs / 1000)).toFixed(0)} MB/s (128 × 8 MiB, 4 in flight); ` +
        `download + SHA-256 ${(downloadMs / 1000).toFixed(1)} s = ${(GiB / 1e6 / (downloadMs / 1000)).toFixed(0)} MB/s; ` +
        `RSS before ${mb(mem.before)}, peak ${mb(mem.peak)} (+${mb(growth)}), after ${mb(mem.after)} (+${mb(mem.after - mem.before)})`,
    );
    // 4 parts × 8 MiB in flight = 32 MiB; the rest is fetch/SDK buffers and garbage not yet collected.
    // A file read whole would be +1 GiB.
    expect(growth).toBeLessThan(4 * 8 * MiB + 160 * MiB);
  }, 120_000);

  describe('through a fault-injecting proxy', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(s3.endpoint);
    });
    afterAll(() => proxy?.close());

    it('forwards signed part URLs unchanged: the signature still verifies through it', async () => {
      proxy.schedule = () => undefined;
      const signer = signerFor('proxy/plain.bin');
      const { uploadId } = await signer.create();
      const [part] = await signer.signParts(uploadId, [{ partNumber: 1, size: 5 }]);
      const res = await proxy.fetch(part!.url, { method: 'PUT', body: new Blob(['hello']) });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"5d41402abc4b2a76b9719d911017c592"');
      expect(proxy.log.at(-1)).toMatchObject({ method: 'PUT', status: 200 });
      expect(new URL(part!.url).origin).toBe(s3.endpoint);
      await signer.abort(uploadId);
    });

    it('survives dropped connections, 503 SlowDown and slow answers, with identical bytes', async () => {
      const start = proxy.log.length;
      // By request number through the proxy (the engine's retries count too).
      const faults: Record<number, Fault> = {
        2: { kind: 'drop', afterBytes: 1 * MiB },
        3: SLOW_DOWN,
        5: { kind: 'delay', ms: 800 },
        7: { kind: 'drop', afterBytes: 64 * 1024 },
        9: SLOW_DOWN,
        10: { kind: 'reset' },
      };
      proxy.schedule = ({ n }) => faults[n - start];
      const key = 'faults/60MiB.bin';
      const retries: MultipartRetryEvent[] = [];
      const t = performance.now();
      const result = await uploadMultipart({
        body: await openAsBlob(small.path),
        signer: signerFor(key),
        transport: fetchTransport(proxy.fetch),
        context: ctx,
        partSize: 5 * MiB,
        retry: { baseDelayMs: 100, maxDelayMs: 1000 },
        onRetry: (e) => retries.push(e),
      });
      const ms = performance.now() - t;
      const seen = proxy.log.slice(start);
      console.log(
        `[strict-multipart] faults: ${seen.length} PUTs for 12 parts in ${(ms / 1000).toFixed(1)} s; ${result.retries} retries: ` +
          retries.map((r) => `part ${'part' in r.what ? r.what.part : r.what.call} ${r.error.code} (waited ${r.delayMs} ms)`).join(', '),
      );
      expect(result.retries).toBe(5);
      expect(retries.map((r) => r.error.code).sort()).toEqual(['NetworkError', 'NetworkError', 'NetworkError', 'SlowDown', 'SlowDown']);
      expect(result.resigns).toBe(0);
      expect(seen.filter((r) => r.fault).map((r) => r.fault)).toEqual(['drop', 'error', 'delay', 'drop', 'error', 'reset']);
      expect(seen).toHaveLength(12 + 5);
      await expectObject(key, small.sha256, 60 * MiB, 12);
    });

    it('signs a part again when its URL expired on the way (a slow proxy), on a server that checks expiry', async () => {
      const start = proxy.log.length;
      proxy.schedule = ({ n }) => (n - start === 1 ? { kind: 'delay', ms: 2500 } : undefined);
      const key = 'faults/expired.bin';
      const base = signerFor(key);
      // URLs that live 2 s: the delayed first PUT arrives after its URL died.
      const signer: MultipartSigner = {
        ...base,
        signParts: (uploadId, parts) => presignUploadParts(client, { bucket: BUCKET, key, uploadId, parts, expiresIn: 2 }),
      };
      const result = await uploadMultipart({
        body: await openAsBlob(small.path),
        signer,
        transport: fetchTransport(proxy.fetch),
        context: ctx,
        partSize: 5 * MiB,
        concurrency: 4,
        minUrlLifetimeMs: 0,
      });
      expect(result.resigns).toBeGreaterThanOrEqual(1);
      expect(proxy.log.slice(start).filter((r) => r.status === 403).length).toBe(result.resigns);
      await expectObject(key, small.sha256, 60 * MiB, 12);
    });

    it('gives up with a sentence when the endpoint stays unreachable beyond the retry budget, and aborts the upload', async () => {
      proxy.schedule = () => ({ kind: 'reset' });
      const key = 'faults/unreachable.bin';
      let uploadId = '';
      let retries = 0;
      const t = performance.now();
      const err = await uploadMultipart({
        body: await openAsBlob(small.path),
        signer: signerFor(key),
        transport: fetchTransport(proxy.fetch),
        context: ctx,
        partSize: 5 * MiB,
        retry: { baseDelayMs: 50, maxDelayMs: 400, budgetMs: 2000, maxAttempts: 100 },
        onCreated: (id) => (uploadId = id),
        onRetry: () => retries++,
      }).catch((e: unknown) => e);
      const ms = performance.now() - t;
      const took = `${(ms / 1000).toFixed(1)} s`;
      console.log(`[strict-multipart] unreachable: gave up after ${took} and ${retries} retries: ${(err as Error).message}`);
      expect(err).toBeInstanceOf(MultipartUploadFailedError);
      expect(err).toMatchObject({ uploadId, aborted: true, userError: { code: 'NetworkError', transient: true } });
      expect((err as Error).message).toBe(
        `Cannot reach ${s3.endpoint}. Check the endpoint URL, that the service is running, and your connection.`,
      );
      expect(retries).toBeGreaterThan(4);
      expect(ms).toBeLessThan(10_000);
      await expectGone(key, uploadId);
    });
  });

  it('stops at once when a part URL is refused (wrong secret), and aborts the upload', async () => {
    const key = 'refused/wrong-secret.bin';
    const base = signerFor(key);
    const wrong = createS3Client({ ...conn, credentials: { ...conn.credentials, secretAccessKey: 'not-the-secret' } });
    let uploadId = '';
    let retries = 0;
    const err = await uploadMultipart({
      body: await openAsBlob(small.path),
      signer: { ...base, signParts: (id, parts) => presignUploadParts(wrong, { bucket: BUCKET, key, uploadId: id, parts }) },
      transport: fetchTransport(),
      context: ctx,
      partSize: 5 * MiB,
      onCreated: (id) => (uploadId = id),
      onRetry: () => retries++,
    }).catch((e: unknown) => e);
    wrong.destroy();
    expect(err).toMatchObject({ name: 'MultipartUploadFailedError', aborted: true, userError: { code: 'SignatureDoesNotMatch' } });
    expect((err as Error).message).toMatch(/^The secret access key does not match the access key ID\./);
    expect(retries).toBe(0);
    await expectGone(key, uploadId);
  });

  it('cancel mid-way aborts the multipart upload: ListParts says NoSuchUpload, nothing is left', async () => {
    const key = 'cancel/60MiB.bin';
    const cancel = new AbortController();
    let uploadId = '';
    let done = 0;
    const err = await uploadMultipart({
      body: await openAsBlob(small.path),
      signer: signerFor(key),
      transport: fetchTransport(),
      context: ctx,
      partSize: 5 * MiB,
      signal: cancel.signal,
      onCreated: (id) => (uploadId = id),
      onPartDone: () => {
        if (++done === 3) cancel.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(done).toBeLessThan(12);
    await expectGone(key, uploadId);
  });

  it('Swift facts: part URLs bind Content-Length; parts under 5 MiB are refused only at Complete', async () => {
    const key = 'facts/small-parts.bin';
    const signer = signerFor(key);
    const { uploadId } = await signer.create();
    const [p1, p2] = await signer.signParts(uploadId, [
      { partNumber: 1, size: 1000 },
      { partNumber: 2, size: 10 },
    ]);
    const longer = await fetch(p1!.url, { method: 'PUT', body: new Uint8Array(1001) });
    expect(longer.status).toBe(403);
    expect(await longer.text()).toMatch(/SignatureDoesNotMatch/);
    const r1 = await fetch(p1!.url, { method: 'PUT', body: new Uint8Array(1000) });
    const r2 = await fetch(p2!.url, { method: 'PUT', body: new Uint8Array(10) });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const err = await signer
      .complete(uploadId, [
        { PartNumber: 1, ETag: r1.headers.get('etag')! },
        { PartNumber: 2, ETag: r2.headers.get('etag')! },
      ])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    await signer.abort(uploadId);
    await expectGone(key, uploadId);
  });
});
