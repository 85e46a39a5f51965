/**
 * Checksums on the strict lane: every part and single PUT carries the
 * Content-MD5 the runner computed, signed into its URL; Swift's s3api
 * recomputes it. Through the real pipeline (`runUpload`) and the real
 * background upload handlers, with the bytes going through a loopback proxy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { createS3Client } from '../../src/s3/client';
import { presignUpload, presignUploadPart } from '../../src/s3/presign';
import { createMultipartUpload, abortMultipartUpload } from '../../src/s3/multipart';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { MiB } from '../../src/upload/part-plan';
import { runUpload, type UploadBackend, type UploadOutcome } from '../../src/upload/pipeline';
import { sha256Of } from '../support/download';
import { fakeSettings } from '../support/fake-settings';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../support/fault-proxy';
import { strictLaneAvailable } from '../support/lanes';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'sums';
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Random bytes as a File (no pattern a bug could get right by luck). */
function randomFile(size: number, name: string, type = 'application/octet-stream'): { file: File; bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size));
  return { file: new File([bytes], name, { type }), bytes };
}

const isPartPut = (e: ProxyLogEntry) => e.method === 'PUT' && /[?&]partNumber=/.test(e.url);
const isPlainPut = (e: ProxyLogEntry) => e.method === 'PUT' && !/[?&]partNumber=/.test(e.url);
const partOf = (e: ProxyLogEntry) => Number(new URL(e.url, 'http://x').searchParams.get('partNumber'));

describe.skipIf(!strictLaneAvailable())('checksums on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let background: RealBackground;
  let proxy: FaultProxy;
  const recorded: RecentUpload[] = [];

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    proxy = await startFaultProxy(s3.endpoint);
    background = realBackground(fakeSettings(), { record: async (u) => void recorded.push(u) });
    // Files above 8 MiB go in parts; the multi-MB one in one PUT.
    await saveServerProfile(background.service, s3, BUCKET, { keyTemplate: 'sums/{uuid}/{name}', multipartThresholdMiB: 8 });
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await s3?.stop();
  });

  /** One file through the pipeline as the runner runs it, its bytes through the proxy. */
  async function upload(file: File): Promise<Extract<UploadOutcome, { status: 'done' }>> {
    const { uploads } = background;
    const backend: UploadBackend = {
      startUpload: (r) => uploads.startUpload(r),
      signPut: (t) => uploads.signPut(t),
      signParts: (r) => uploads.signParts(r),
      finishUpload: (r) => uploads.finishUpload(r),
      abortUpload: (t) => uploads.abortUpload(t),
    };
    const outcome = await runUpload(
      { body: file, name: file.name, type: file.type, source: 'popup' },
      { backend, transport: fetchTransport(proxy.fetch), copy: async () => true },
    );
    if (outcome.status !== 'done') throw new Error(`upload ended ${outcome.status}: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  /** The object through its share link: the same bytes as the file. */
  async function expectStored(outcome: { link: string }, bytes: Uint8Array) {
    const got = await sha256Of(outcome.link);
    expect(got.bytes).toBe(bytes.length);
    expect(got.hex).toBe(sha256(bytes));
  }

  it('a byte flipped on the way in one part: Swift answers BadDigest, the part is sent again from the file, the object is whole', async () => {
    const { file, bytes } = randomFile(24 * MiB + 333, 'footage.mov', 'video/quicktime');
    const from = proxy.log.length;
    let flipped = false;
    // The first try of part 2 gets one byte inverted, a few KiB in; nothing else is touched.
    proxy.schedule = (r) => {
      if (flipped || r.method !== 'PUT' || !/[?&]partNumber=2(&|$)/.test(r.url)) return undefined;
      flipped = true;
      return { kind: 'flip', at: 5000 };
    };
    const outcome = await upload(file);
    proxy.schedule = () => undefined;
    const parts = proxy.log.slice(from).filter(isPartPut);
    // Every part went with a Content-MD5 header on the wire.
    for (const p of parts) expect(p.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const part2 = parts.filter((p) => partOf(p) === 2);
    expect(part2.map((p) => [p.fault, p.status])).toEqual([
      ['flip', 400],
      [undefined, 200],
    ]);
    expect(part2[0]!.headers['content-md5']).toBe(part2[1]!.headers['content-md5']);
    // Each other part once, accepted.
    const others = parts.filter((p) => partOf(p) !== 2);
    expect(others.every((p) => p.status === 200)).toBe(true);
    expect(new Set(others.map(partOf)).size).toBe(others.length);
    await expectStored(outcome, bytes);
    expect(outcome.verified).toBe(true);
    expect(recorded.find((r) => r.id === outcome.id)).toMatchObject({ status: 'done', verified: true });
  }, 120_000);

  it('a byte flipped on the way in a single PUT: refused, sent again, stored whole', async () => {
    const { file, bytes } = randomFile(3 * MiB + 7, 'scan.pdf', 'application/pdf');
    const from = proxy.log.length;
    let flipped = false;
    proxy.schedule = (r) => (r.method === 'PUT' && !flipped ? ((flipped = true), { kind: 'flip', at: 2 * MiB }) : undefined);
    const outcome = await upload(file);
    proxy.schedule = () => undefined;
    const puts = proxy.log.slice(from).filter(isPlainPut);
    expect(puts.map((p) => [p.fault, p.status, p.headers['content-md5']])).toEqual([
      ['flip', 400, md5(bytes)],
      [undefined, 200, md5(bytes)],
    ]);
    await expectStored(outcome, bytes);
    expect(outcome.verified).toBe(true);
  }, 60_000);

  it('an endpoint that requires Content-MD5 (as Object Lock buckets do) accepts single and multipart uploads', async () => {
    // Swift cannot enforce this itself (it has no Object Lock): this proxy stands in for such a bucket, answering
    // as AWS S3 does to any PUT (PutObject, UploadPart) that carries no Content-MD5.
    const lock = (r: { method: string; headers: Record<string, unknown> }) =>
      r.method === 'PUT' && !r.headers['content-md5']
        ? {
            kind: 'error' as const,
            status: 400,
            code: 'InvalidRequest',
            message: 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
          }
        : undefined;
    proxy.schedule = lock;
    try {
      // The stand-in does refuse: a PUT signed without a checksum.
      const client = createS3Client(connectionTo(s3, BUCKET));
      const bare = await presignUpload(client, { bucket: BUCKET, key: 'sums/bare.txt', contentType: 'text/plain', contentLength: 5 });
      const refused = await proxy.fetch(bare.url, { method: 'PUT', body: 'hello', headers: bare.headers });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('<Code>InvalidRequest</Code>');
      client.destroy();

      const from = proxy.log.length;
      const small = randomFile(4 * MiB + 1, 'contract.pdf', 'application/pdf');
      const large = randomFile(21 * MiB + 5, 'backup.tar', 'application/x-tar');
      const [one, parts] = [await upload(small.file), await upload(large.file)];
      await expectStored(one, small.bytes);
      await expectStored(parts, large.bytes);
      const puts = proxy.log.slice(from).filter((e) => e.method === 'PUT');
      expect(puts.filter(isPartPut).length).toBeGreaterThanOrEqual(2);
      expect(puts.every((p) => p.status === 200 && !p.fault)).toBe(true);
    } finally {
      proxy.schedule = () => undefined;
    }
  }, 120_000);

  it('Swift verifies the signed Content-MD5: other bytes are refused (BadDigest), another header breaks the signature', async () => {
    const client = createS3Client(connectionTo(s3, BUCKET));
    try {
      const body = new Uint8Array(randomBytes(5 * MiB));
      const other = new Uint8Array(body);
      other[123] = other[123]! ^ 1;
      const put = await presignUpload(client, {
        bucket: BUCKET,
        key: 'sums/signed.bin',
        contentType: 'application/octet-stream',
        contentLength: body.length,
        checksum: { algorithm: 'md5', base64: md5(body) },
      });
      expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-md5');
      const wrongBody = await fetch(put.url, { method: 'PUT', body: other, headers: put.headers });
      expect(wrongBody.status).toBe(400);
      expect(await wrongBody.text()).toContain('<Code>BadDigest</Code>');
      // The header that matches the other bytes: not the one signed.
      const wrongHeader = await fetch(put.url, { method: 'PUT', body: other, headers: { ...put.headers, 'content-md5': md5(other) } });
      expect(wrongHeader.status).toBe(403);
      expect(await wrongHeader.text()).toContain('SignatureDoesNotMatch');
      const right = await fetch(put.url, { method: 'PUT', body, headers: put.headers });
      expect(right.status).toBe(200);

      // The same for a part.
      const key = 'sums/signed-part.bin';
      const uploadId = await createMultipartUpload(client, { bucket: BUCKET, key, contentType: 'application/octet-stream' });
      const part = await presignUploadPart(client, { bucket: BUCKET, key, uploadId, partNumber: 1, contentLength: body.length, contentMd5: md5(body) });
      const badPart = await fetch(part.url, { method: 'PUT', body: other, headers: part.headers });
      expect(badPart.status).toBe(400);
      expect(await badPart.text()).toContain('<Code>BadDigest</Code>');
      const goodPart = await fetch(part.url, { method: 'PUT', body, headers: part.headers });
      expect(goodPart.status).toBe(200);
      await abortMultipartUpload(client, { bucket: BUCKET, key, uploadId });
    } finally {
      client.destroy();
    }
  }, 60_000);
});
