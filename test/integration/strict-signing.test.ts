import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKeyName } from '../../src/keys/safe-name';
import { renderKey } from '../../src/keys/template';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { describeFailure, failureFromResponse, type FailureContext } from '../../src/s3/errors';
import { presignShareLink, presignUpload } from '../../src/s3/presign';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { uploadWithSinglePut, UploadFailedError } from '../../src/upload/single-put';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'signing';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * S3 Drop's own presigned URLs against Swift's s3api, which verifies every
 * SigV4 signature: what is accepted must be exactly what S3 Drop signed.
 */
describe.skipIf(!strictLaneAvailable())('presigned URLs on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let conn: S3Connection;
  let ctx: FailureContext;

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    conn = connectionTo(s3, BUCKET);
    ctx = { operation: 'upload', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint };
  });
  afterAll(() => s3?.stop());

  async function putWith(url: string, body: Blob, contentType: string) {
    const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
    return { status: res.status, body: await res.text() };
  }

  async function signedPut(key: string, body: Blob, contentType: string, expiresIn?: number, secret = s3.secretAccessKey) {
    const client = createS3Client({ ...conn, credentials: { ...conn.credentials, secretAccessKey: secret } });
    return presignUpload(client, { bucket: BUCKET, key, contentType, contentLength: body.size, ...(expiresIn ? { expiresIn } : {}) });
  }

  it.each([
    'plain.txt',
    'with spaces and (brackets).txt',
    'résumé 日本語 😀.txt',
    'a+b=c&d.txt',
    '100% 50%2F done %25.txt',
    'hash#and?query.txt',
    'back\\slash and /slash.txt',
  ])('uploads and shares %j: bytes, type and download name round-trip', async (name) => {
    const key = renderKey('{yyyy}/{mm}/{dd}/{uuid}-{name}', { name, now: new Date(), uuid: crypto.randomUUID() });
    const body = new Blob([`content of ${name}\n`]);
    const client = createS3Client(conn);
    await uploadWithSinglePut({
      body,
      sign: () => presignUpload(client, { bucket: BUCKET, key, contentType: 'text/plain', contentLength: body.size }),
      transport: fetchTransport(),
      context: ctx,
    });

    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key.slice(0, 11) }));
    expect(listed.Contents?.map((o) => o.Key)).toContain(key);
    expect(decodeKeyName(key.split('/').pop()!.slice(37))).toBe(name);

    const link = await presignShareLink(client, { bucket: BUCKET, key, fileName: name, contentType: 'text/plain', expiresIn: 600 });
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`content of ${name}\n`);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^inline; filename="[\x20-\x7e]*"; filename\*=UTF-8''/);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe(name);
  });

  it('uploads a 0-byte file', async () => {
    const body = new Blob([]);
    const signed = await signedPut('empty/zero.bin', body, 'application/octet-stream');
    expect((await putWith(signed.url, body, 'application/octet-stream')).status).toBe(200);
    const client = createS3Client(conn);
    const link = await presignShareLink(client, { bucket: BUCKET, key: 'empty/zero.bin', fileName: 'zero.bin', contentType: '', expiresIn: 60 });
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses an upload whose Content-Type or size differs from what was signed', async () => {
    const body = new Blob(['<h1>hi</h1>']);
    const signed = await signedPut('bound/type.txt', body, 'text/plain');
    expect((await putWith(signed.url, body, 'text/html')).status).toBe(403);
    expect((await putWith(signed.url, new Blob(['<h1>hi</h1> and more']), 'text/plain')).status).toBe(403);
    expect((await putWith(signed.url, body, 'text/plain')).status).toBe(200);
  });

  it('refuses a tampered URL, a wrong secret and an extra query parameter, each with the right sentence', async () => {
    const body = new Blob(['x']);
    const signed = await signedPut('refused/x.txt', body, 'text/plain');

    const tampered = new URL(signed.url);
    const sig = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', (sig[0] === '0' ? '1' : '0') + sig.slice(1));
    const t = await putWith(tampered.href, body, 'text/plain');
    expect(t.status).toBe(403);
    expect(describeFailure(failureFromResponse(t.status, t.body), ctx).message).toMatch(/secret access key does not match/);

    const wrong = await signedPut('refused/x.txt', body, 'text/plain', undefined, 'not-the-secret');
    const w = await putWith(wrong.url, body, 'text/plain');
    expect(w.status).toBe(403);
    expect(failureFromResponse(w.status, w.body).code).toBe('SignatureDoesNotMatch');

    const extra = new URL(signed.url);
    extra.searchParams.set('x-extra', '1');
    expect((await putWith(extra.href, body, 'text/plain')).status).toBe(403);

    const client = createS3Client(conn);
    const link = await presignShareLink(client, { bucket: BUCKET, key: 'refused/x.txt', fileName: 'x.txt', contentType: 'text/plain', expiresIn: 60 });
    const tamperedLink = new URL(link.url);
    tamperedLink.searchParams.set('response-content-disposition', 'attachment; filename="evil.html"');
    expect((await fetch(tamperedLink)).status).toBe(403);
  });

  it('refuses an upload URL signed for the wrong region and names the right one', async () => {
    const body = new Blob(['r']);
    const client = createS3Client({ ...conn, region: 'eu-west-1' });
    const signed = await presignUpload(client, { bucket: BUCKET, key: 'region/r.txt', contentType: 'text/plain', contentLength: body.size });
    const res = await putWith(signed.url, body, 'text/plain');
    expect(res.status).toBe(400);
    const error = describeFailure(failureFromResponse(res.status, res.body), { ...ctx, region: 'eu-west-1' });
    expect(error.code).toBe('AuthorizationQueryParametersError');
    expect(error.message).toBe(`Bucket "${BUCKET}" is in region ${s3.region}, not eu-west-1. Use ${s3.region}.`);
    expect(error.fix).toEqual({ kind: 'use-region', region: s3.region });
  });

  it('refuses an expired upload URL and an expired link, and says which', async () => {
    const body = new Blob(['late']);
    const client = createS3Client(conn);
    await uploadWithSinglePut({
      body,
      sign: () => presignUpload(client, { bucket: BUCKET, key: 'expired/late.txt', contentType: 'text/plain', contentLength: body.size }),
      transport: fetchTransport(),
      context: ctx,
    });
    const put = await signedPut('expired/late.txt', body, 'text/plain', 1);
    const link = await presignShareLink(client, { bucket: BUCKET, key: 'expired/late.txt', fileName: 'late.txt', contentType: 'text/plain', expiresIn: 1 });
    await sleep(2100);

    const p = await putWith(put.url, body, 'text/plain');
    expect(p.status).toBe(403);
    expect(describeFailure(failureFromResponse(p.status, p.body), ctx).code).toBe('UploadUrlExpired');

    const g = await fetch(link.url);
    expect(g.status).toBe(403);
    const linkError = describeFailure(failureFromResponse(g.status, await g.text()), { ...ctx, operation: 'download' });
    expect(linkError.code).toBe('LinkExpired');
    expect(linkError.message).toMatch(/link has expired/);
  });

  it('signs a fresh URL and retries when the first one expired on the way', async () => {
    const body = new Blob(['retry me']);
    const client = createS3Client(conn);
    let signs = 0;
    await uploadWithSinglePut({
      body,
      sign: async () => {
        signs++;
        const fresh = await presignUpload(client, {
          bucket: BUCKET,
          key: 'expired/retried.txt',
          contentType: 'text/plain',
          contentLength: body.size,
          ...(signs === 1 ? { expiresIn: 1, now: new Date(Date.now() - 60_000) } : {}),
        });
        // Pretend the first URL still had time left, as a slow link or a sleeping laptop would see it.
        return signs === 1 ? { ...fresh, expiresAt: Date.now() + 60_000 } : fresh;
      },
      transport: fetchTransport(),
      context: ctx,
    });
    expect(signs).toBe(2);
    const link = await presignShareLink(client, { bucket: BUCKET, key: 'expired/retried.txt', fileName: 'r.txt', contentType: 'text/plain', expiresIn: 60 });
    expect(await (await fetch(link.url)).text()).toBe('retry me');
  });

  it('fails with a clear sentence when the retried URL is refused too', async () => {
    const body = new Blob(['never']);
    const client = createS3Client({ ...conn, credentials: { ...conn.credentials, secretAccessKey: 'wrong' } });
    const attempt = uploadWithSinglePut({
      body,
      sign: () => presignUpload(client, { bucket: BUCKET, key: 'refused/never.txt', contentType: 'text/plain', contentLength: body.size }),
      transport: fetchTransport(),
      context: ctx,
    });
    await expect(attempt).rejects.toBeInstanceOf(UploadFailedError);
    await expect(attempt).rejects.toThrow(/secret access key does not match/);
  });
});
