// @vitest-environment node
/**
 * What the strict S3 lane (OpenStack Swift 2.30 + s3api + tempauth) actually
 * enforces. Every observation is asserted, so a behaviour change fails here.
 * Summary: test/support/STRICT-LANE-FACTS.md. Set PRINT_FACTS=1 to dump the
 * raw observations as JSON after the run.
 *
 *   npx vitest run --root . test/integration/strict-lane-facts.test.ts
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { strictLaneAvailable } from '../support/lanes';
import { startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'facts';
const facts: Record<string, unknown> = {};
let server: S3Server;

function client(over: Partial<S3ClientConfig> & { secret?: string; accessKeyId?: string } = {}): S3Client {
  const { secret, accessKeyId, ...rest } = over;
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: accessKeyId ?? server.accessKeyId,
      secretAccessKey: secret ?? server.secretAccessKey,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...rest,
  });
}

interface Answer {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
  code: string | undefined;
  message: string | undefined;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const body = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(body);
  return {
    status: res.status,
    headers: res.headers,
    body,
    text,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1],
  };
}

/** The fields of an SDK error that callers can branch on. */
function sdkError(err: unknown) {
  const e = err as {
    name?: string;
    Code?: string;
    Region?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string> };
  };
  return {
    name: e.name,
    Code: e.Code,
    status: e.$metadata?.httpStatusCode,
    Region: e.Region,
    message: e.message,
  };
}

async function sdkFails(p: Promise<unknown>): Promise<ReturnType<typeof sdkError>> {
  try {
    await p;
  } catch (err) {
    return sdkError(err);
  }
  throw new Error('expected the SDK call to fail');
}

const bytes = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function presignedPut(key: string, body: Uint8Array, contentType = 'text/plain', c = client()) {
  return getSignedUrl(c, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: contentType, ContentLength: body.byteLength }), {
    expiresIn: 300,
    signableHeaders: new Set(['content-type', 'content-length']),
  });
}

async function presignedGet(key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}, c = client()) {
  return getSignedUrl(c, new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }), { expiresIn: 300 });
}

/** Replaces one hex char of X-Amz-Signature. */
function tamper(url: string): string {
  const u = new URL(url);
  const sig = u.searchParams.get('X-Amz-Signature') ?? '';
  const c = sig[10] === '0' ? '1' : '0';
  u.searchParams.set('X-Amz-Signature', sig.slice(0, 10) + c + sig.slice(11));
  return u.toString();
}

describe.skipIf(!strictLaneAvailable())('strict lane (Swift s3api) facts', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    server = await startSwift({ buckets: [BUCKET] });
    facts.startMs = Date.now() - t0;
    // seed object used by several cases
    const c = client();
    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'seed.txt', Body: 'seed', ContentType: 'text/plain' }));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (process.env.PRINT_FACTS) console.log(JSON.stringify(facts, null, 2));
  });

  describe('1. presigned PUT with signed content-type/content-length, presigned GET', () => {
    const key = 'one/hello.txt';
    const body = bytes('hello strict world');
    let putUrl: string;

    it('PUT with the signed headers succeeds (200) and stores the body', async () => {
      putUrl = await presignedPut(key, body);
      const signed = new URL(putUrl).searchParams.get('X-Amz-SignedHeaders');
      expect(signed).toBe('content-length;content-type;host');
      const r = await send(putUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
      facts.putOk = { status: r.status, etag: r.headers.get('etag') };
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    });

    it('PUT to the same URL with another Content-Type is 403 SignatureDoesNotMatch', async () => {
      const r = await send(putUrl, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      facts.putOtherType = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('PUT with another length (content-length is signed) is 403 SignatureDoesNotMatch', async () => {
      const r = await send(putUrl, { method: 'PUT', body: bytes('hello strict world!'), headers: { 'content-type': 'text/plain' } });
      facts.putOtherLength = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('PUT without the signed Content-Type header is 403 SignatureDoesNotMatch', async () => {
      // Uint8Array body: fetch adds no content-type of its own
      const r = await send(putUrl, { method: 'PUT', body });
      facts.putNoType = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('a string body makes fetch send text/plain;charset=UTF-8, which breaks a signed text/plain', async () => {
      const r = await send(putUrl, { method: 'PUT', body: 'hello strict world' });
      facts.putStringBody = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('presigned GET returns the bytes and the stored Content-Type', async () => {
      const r = await send(await presignedGet(key));
      expect(r.status).toBe(200);
      expect(r.text).toBe('hello strict world');
      expect(r.headers.get('content-type')).toBe('text/plain');
    });

    it('presigned GET with ResponseContentDisposition returns that header', async () => {
      const disp = 'attachment; filename="hello.txt"';
      const r = await send(await presignedGet(key, { ResponseContentDisposition: disp }));
      facts.getDisposition = r.headers.get('content-disposition');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-disposition')).toBe(disp);
    });

    it('CORS: preflight echoes any Origin; 2xx responses carry ACAO; s3api error responses do not', async () => {
      const origin = 'chrome-extension://abc';
      const pre = await send(putUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
      const get = await send(await presignedGet(key), { headers: { origin } });
      const denied = await send(tamper(await presignedGet(key)), { headers: { origin } });
      const missing = await send(await presignedGet('no/such/key'), { headers: { origin } });
      facts.cors = {
        preflight: {
          status: pre.status,
          allowOrigin: pre.headers.get('access-control-allow-origin'),
          allowMethods: pre.headers.get('access-control-allow-methods'),
          allowHeaders: pre.headers.get('access-control-allow-headers'),
        },
        get: { allowOrigin: get.headers.get('access-control-allow-origin'), expose: get.headers.get('access-control-expose-headers') },
        error403: { status: denied.status, allowOrigin: denied.headers.get('access-control-allow-origin') },
        error404: { status: missing.status, code: missing.code, allowOrigin: missing.headers.get('access-control-allow-origin') },
      };
      expect(pre.status).toBe(200);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      expect(pre.headers.get('access-control-allow-methods')).toBe('GET, HEAD, PUT, POST, DELETE, OPTIONS');
      expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBe(origin);
      expect(get.headers.get('access-control-expose-headers')?.split(', ')).toContain('etag');
      expect(denied.status).toBe(403);
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
      expect(missing.status).toBe(404);
      expect(missing.code).toBe('NoSuchKey');
      expect(missing.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('2. broken presigned URLs', () => {
    it('tampered signature → 403 SignatureDoesNotMatch', async () => {
      const r = await send(tamper(await presignedGet('seed.txt')));
      facts.tampered = { status: r.status, code: r.code, message: r.message };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('wrong secret → 403 SignatureDoesNotMatch', async () => {
      const r = await send(await presignedGet('seed.txt', {}, client({ secret: 'not-the-secret' })));
      facts.wrongSecret = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('extra query parameter appended → 403 SignatureDoesNotMatch', async () => {
      const r = await send(`${await presignedGet('seed.txt')}&download=1`);
      facts.extraParam = { status: r.status, code: r.code };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('expired (expiresIn 1, used after 2 s) → 403 AccessDenied "Request has expired"', async () => {
      const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), { expiresIn: 1 });
      await sleep(2100);
      const r = await send(url);
      facts.expired = { status: r.status, code: r.code, message: r.message };
      expect(r.status).toBe(403);
      expect(r.code).toBe('AccessDenied');
      expect(r.message).toBe('Request has expired');
    });

    it('X-Amz-Expires over a week is rejected by the presigner itself', async () => {
      await expect(
        getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), { expiresIn: 604801 }),
      ).rejects.toThrow(/one week/i);
    });
  });

  describe('3. wrong region', () => {
    it('presigned URL signed for eu-west-1 → 400 AuthorizationQueryParametersError with <Region>', async () => {
      const r = await send(await presignedGet('seed.txt', {}, client({ region: 'eu-west-1' })));
      const region = /<Region>([^<]*)<\/Region>/.exec(r.text)?.[1];
      facts.wrongRegionPresigned = { status: r.status, code: r.code, message: r.message, region, bucketRegionHeader: r.headers.get('x-amz-bucket-region') };
      expect(r.status).toBe(400);
      expect(r.code).toBe('AuthorizationQueryParametersError');
      expect(r.message).toBe("Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
      expect(region).toBe('us-east-1');
      expect(r.headers.get('x-amz-bucket-region')).toBeNull();
    });

    it('SDK ListObjectsV2 with region eu-west-1 → AuthorizationHeaderMalformed, 400, Region field', async () => {
      const e = await sdkFails(client({ region: 'eu-west-1' }).send(new ListObjectsV2Command({ Bucket: BUCKET })));
      facts.wrongRegionSdk = e;
      expect(e).toMatchObject({
        name: 'AuthorizationHeaderMalformed',
        Code: 'AuthorizationHeaderMalformed',
        status: 400,
        Region: 'us-east-1',
        message: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
      });
    });

    it('followRegionRedirects does not rescue it (no 301/x-amz-bucket-region from Swift)', async () => {
      const e = await sdkFails(
        client({ region: 'eu-west-1', followRegionRedirects: true }).send(new ListObjectsV2Command({ Bucket: BUCKET })),
      );
      facts.wrongRegionFollowRedirects = e;
      expect(e.name).toBe('AuthorizationHeaderMalformed');
      expect(e.status).toBe(400);
    });
  });

  describe('4. unknown key, missing bucket, HeadBucket, GetBucketLocation', () => {
    // AWS says InvalidAccessKeyId; s3api + tempauth cannot tell an unknown
    // user from a bad signature (tempauth answers 401 → SignatureDoesNotMatch).
    it('unknown access key (presigned) → 403 SignatureDoesNotMatch (not InvalidAccessKeyId)', async () => {
      const r = await send(await presignedGet('seed.txt', {}, client({ accessKeyId: 'nobody:nobody' })));
      facts.unknownKeyPresigned = { status: r.status, code: r.code, message: r.message };
      expect(r.status).toBe(403);
      expect(r.code).toBe('SignatureDoesNotMatch');
    });

    it('unknown access key (SDK ListObjectsV2) → SignatureDoesNotMatch 403', async () => {
      const e = await sdkFails(client({ accessKeyId: 'nobody:nobody' }).send(new ListObjectsV2Command({ Bucket: BUCKET })));
      facts.unknownKeySdk = e;
      expect(e).toMatchObject({ name: 'SignatureDoesNotMatch', Code: 'SignatureDoesNotMatch', status: 403 });
    });

    it('ListObjectsV2 on a missing bucket → NoSuchBucket 404', async () => {
      const e = await sdkFails(client().send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));
      facts.listMissingBucket = e;
      expect(e).toMatchObject({ name: 'NoSuchBucket', Code: 'NoSuchBucket', status: 404 });
    });

    it('presigned PUT into a missing bucket → 404 NoSuchBucket', async () => {
      const c = client();
      const body = bytes('x');
      const url = await getSignedUrl(
        c,
        new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'x.txt', ContentType: 'text/plain', ContentLength: 1 }),
        { expiresIn: 60, signableHeaders: new Set(['content-type', 'content-length']) },
      );
      const r = await send(url, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
      facts.putMissingBucket = { status: r.status, code: r.code };
      expect(r.status).toBe(404);
      expect(r.code).toBe('NoSuchBucket');
    });

    // HEAD responses have no body, so the SDK names errors by status: 404 → 'NotFound',
    // anything else (400, 403) → 'Unknown' with message 'UnknownError'. No Code field.
    it('HeadBucket: ok 200 (no BucketRegion); missing → NotFound 404; wrong secret / unknown key → Unknown 403; wrong region → Unknown 400', async () => {
      const ok = await client().send(new HeadBucketCommand({ Bucket: BUCKET }));
      const missing = await sdkFails(client().send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
      const wrongSecret = await sdkFails(client({ secret: 'nope' }).send(new HeadBucketCommand({ Bucket: BUCKET })));
      const unknownKey = await sdkFails(client({ accessKeyId: 'nobody:nobody' }).send(new HeadBucketCommand({ Bucket: BUCKET })));
      const wrongRegion = await sdkFails(client({ region: 'eu-west-1' }).send(new HeadBucketCommand({ Bucket: BUCKET })));
      facts.headBucket = {
        ok: { status: ok.$metadata.httpStatusCode, BucketRegion: ok.BucketRegion },
        missing,
        wrongSecret,
        unknownKey,
        wrongRegion,
      };
      expect(ok.$metadata.httpStatusCode).toBe(200);
      expect(ok.BucketRegion).toBeUndefined();
      expect(missing).toMatchObject({ name: 'NotFound', status: 404 });
      expect(missing).toMatchObject({ name: 'NotFound', status: 404, message: 'UnknownError', Code: undefined, Region: undefined });
      expect(wrongSecret).toMatchObject({ name: 'Unknown', status: 403, message: 'UnknownError', Code: undefined });
      expect(unknownKey).toMatchObject({ name: 'Unknown', status: 403, message: 'UnknownError', Code: undefined });
      expect(wrongRegion).toMatchObject({ name: 'Unknown', status: 400, message: 'UnknownError', Code: undefined, Region: undefined });
    });

    it('GetBucketLocation → LocationConstraint undefined (us-east-1 is reported as empty, like AWS)', async () => {
      const r = await client().send(new GetBucketLocationCommand({ Bucket: BUCKET }));
      facts.getBucketLocation = { LocationConstraint: r.LocationConstraint ?? null };
      expect(r.LocationConstraint).toBeUndefined();
    });
  });

  describe('5. clock skew', () => {
    it('presigned URL with X-Amz-Date 1 h in the past and expiresIn 7200 → accepted (200)', async () => {
      const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), {
        expiresIn: 7200,
        signingDate: new Date(Date.now() - 3600_000),
      });
      const r = await send(url);
      facts.presignPast = { status: r.status, code: r.code };
      expect(r.status).toBe(200);
      expect(r.text).toBe('seed');
    });

    it('presigned URL with X-Amz-Date 1 h in the past and expiresIn 3000 → 403 AccessDenied expired', async () => {
      const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), {
        expiresIn: 3000,
        signingDate: new Date(Date.now() - 3600_000),
      });
      const r = await send(url);
      facts.presignPastShort = { status: r.status, code: r.code, message: r.message };
      expect(r.status).toBe(403);
      expect(r.code).toBe('AccessDenied');
      expect(r.message).toBe('Request has expired');
    });

    it('presigned URL with X-Amz-Date 1 h in the future → accepted (200): query auth has no skew check', async () => {
      const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), {
        expiresIn: 7200,
        signingDate: new Date(Date.now() + 3600_000),
      });
      const r = await send(url);
      facts.presignFuture = { status: r.status, code: r.code };
      expect(r.status).toBe(200);
    });

    it('SDK with systemClockOffset +1 h and maxAttempts 1 → RequestTimeTooSkewed 403', async () => {
      const e = await sdkFails(client({ systemClockOffset: 3600_000 }).send(new ListObjectsV2Command({ Bucket: BUCKET })));
      facts.sdkSkew = e;
      expect(e).toMatchObject({ name: 'RequestTimeTooSkewed', Code: 'RequestTimeTooSkewed', status: 403 });
    });

    it('SDK with systemClockOffset +1 h (local clock right): first call fails even with retries, but the SDK re-syncs its offset so the next call works', async () => {
      // The SDK only flags clockSkewCorrected (→ retry) when the *corrected*
      // offset is ≥ 4 min, i.e. when the machine clock itself is wrong.
      const c = client({ systemClockOffset: 3600_000, maxAttempts: 3 });
      const first = await sdkFails(c.send(new ListObjectsV2Command({ Bucket: BUCKET })));
      const offsetAfter = c.config.systemClockOffset;
      const second = await c.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      facts.sdkSkewOffset = { first, offsetAfter, second: second.$metadata.httpStatusCode };
      expect(first).toMatchObject({ name: 'RequestTimeTooSkewed', status: 403 });
      expect(Math.abs(offsetAfter)).toBeLessThan(5_000);
      expect(second.$metadata.httpStatusCode).toBe(200);
    });

    it('local clock 1 h fast (faked Date): the SDK corrects from the Date header and its retry succeeds (attempts 2)', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 3600_000);
        const c = client({ maxAttempts: 3 });
        const r = await c.send(new ListObjectsV2Command({ Bucket: BUCKET }));
        facts.sdkLocalClockFast = { status: r.$metadata.httpStatusCode, attempts: r.$metadata.attempts, offsetAfter: c.config.systemClockOffset };
        expect(r.$metadata.httpStatusCode).toBe(200);
        expect(r.$metadata.attempts).toBe(2);
        expect(Math.abs(c.config.systemClockOffset + 3600_000)).toBeLessThan(5_000);
      } finally {
        vi.useRealTimers();
      }
    });

    it('X-Amz-Date 1 h in the future on a presigned URL, local clock fast: getSignedUrl ignores systemClockOffset unless signingDate is given', async () => {
      const c = client({ systemClockOffset: 3600_000 });
      const url = new URL(await getSignedUrl(c, new GetObjectCommand({ Bucket: BUCKET, Key: 'seed.txt' }), { expiresIn: 60 }));
      const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
      const signed = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
      facts.presignerUsesOffset = Math.round((signed - Date.now()) / 60_000);
      expect(Math.abs(signed - Date.now())).toBeLessThan(5_000);
    });
  });

  describe('6. odd keys and empty bodies round-trip through presigned URLs', () => {
    it('0-byte PUT with signed content-length 0', async () => {
      const url = await presignedPut('empty.bin', new Uint8Array(0), 'application/octet-stream');
      const r = await send(url, { method: 'PUT', body: new Uint8Array(0), headers: { 'content-type': 'application/octet-stream' } });
      facts.emptyPut = { status: r.status, etag: r.headers.get('etag') };
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
      const g = await send(await presignedGet('empty.bin'));
      expect(g.status).toBe(200);
      expect(g.body.byteLength).toBe(0);
      expect(g.headers.get('content-length')).toBe('0');
    });

    const keys = ['with space.txt', 'résumé 日本.txt', 'a+b.txt', '100%.txt', 'hash#tag.txt', 'what?.txt', 'dir/sub/x y.txt', "quote's & amp=.txt"];

    it.each(keys)('key %j: PUT, listed exactly, GET returns the bytes', async (key) => {
      const body = bytes(`body of ${key}`);
      const put = await send(await presignedPut(key, body), { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
      expect(put.status, put.text).toBe(200);
      const list = await client().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
      expect(list.Contents?.map((o) => o.Key)).toEqual([key]);
      expect(list.Contents?.[0]?.Size).toBe(body.byteLength);
      const get = await send(await presignedGet(key));
      expect(get.status).toBe(200);
      expect(get.text).toBe(`body of ${key}`);
    });
  });
});
