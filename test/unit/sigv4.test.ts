import { createHash, createHmac } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { contentDisposition, defaultDisposition } from '../../src/s3/content-disposition';
import { OBJECT_ENDPOINT_PARAMETERS, presignShareLink, presignUpload, presignUploadPart } from '../../src/s3/presign';
import { deriveSigningKey, hmacSha256, presignUrl, sha256Hex, toHex, uriEscape } from '../../src/s3/sigv4';

/**
 * S3 Drop signs URLs with its own small SigV4 signer (src/s3/sigv4.ts) instead
 * of the SDK's `getSignedUrl`. These tests hold it to the published test
 * vectors and to the SDK itself: for the same inputs and signing date, the URL
 * must be byte-for-byte the one `getSignedUrl` makes.
 */

describe('SHA-256 and HMAC-SHA-256 in plain JavaScript', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto at every length around the block and padding boundaries', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(sha256Hex(bytes), `length ${n}`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('hashes text as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
    );
  });

  it('matches node:crypto HMAC for short, block-sized and long keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        expect(toHex(hmacSha256(key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
      }),
    );
  });

  it('matches RFC 4231 test case 2', () => {
    expect(toHex(hmacSha256('Jefe', 'what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('SigV4 against AWS published examples', () => {
  it('derives the signing key of the AWS documentation example', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    expect(toHex(key)).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('signs the S3 query-string authentication example (GET examplebucket/test.txt)', () => {
    // From "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)" in the S3 API reference.
    // Our URLs also carry X-Amz-Content-Sha256=UNSIGNED-PAYLOAD (as the SDK's do; S3 assumes it when absent),
    // so the documented URL is not ours byte for byte: check its parameters, then the documented signature.
    const url = new URL(
      presignUrl({
        method: 'GET',
        protocol: 'https:',
        host: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        region: 'us-east-1',
        service: 's3',
        signingDate: new Date('2013-05-24T00:00:00Z'),
        expiresIn: 86400,
      }),
    );
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20130524T000000Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');

    // The documented canonical request, hashed and signed with the documented key, gives the documented signature.
    const canonical = [
      'GET',
      '/test.txt',
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host',
      'host:examplebucket.s3.amazonaws.com',
      '',
      'host',
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const stringToSign = `AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${sha256Hex(canonical)}`;
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
    expect(toHex(hmacSha256(key, stringToSign))).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });

  it('escapes query values the way SigV4 wants (RFC 3986, spaces as %20)', () => {
    expect(uriEscape("a b+c/d*e'f(g)h!i~j_k.l-m")).toBe('a%20b%2Bc%2Fd%2Ae%27f%28g%29h%21i~j_k.l-m');
    expect(uriEscape('日本')).toBe('%E6%97%A5%E6%9C%AC');
  });

  it('refuses lifetimes SigV4 does not allow, and credentials that are not strings', () => {
    const base = {
      method: 'GET',
      protocol: 'https:',
      host: 'h',
      path: '/k',
      credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
      region: 'us-east-1',
      service: 's3',
      signingDate: new Date(),
    };
    expect(() => presignUrl({ ...base, expiresIn: 604801 })).toThrow(RangeError);
    expect(() => presignUrl({ ...base, expiresIn: 0 })).toThrow(RangeError);
    expect(() => presignUrl({ ...base, expiresIn: 604800 })).not.toThrow();
    expect(() => presignUrl({ ...base, expiresIn: 60, credentials: { accessKeyId: 'A' } as never })).toThrow(/credential/);
  });
});

// ---------------------------------------------------------------------------
// The same URLs as the SDK

/** How presign.ts signed before it had its own signer: the SDK's getSignedUrl. */
async function sdkUpload(client: S3Client, t: { bucket: string; key: string; contentType: string; contentLength: number; expiresIn: number; now: Date }) {
  const contentType = t.contentType || 'application/octet-stream';
  return getSignedUrl(
    client,
    new PutObjectCommand({ Bucket: t.bucket, Key: t.key, ContentType: contentType, ContentLength: t.contentLength }),
    { expiresIn: t.expiresIn, signingDate: t.now, signableHeaders: new Set(['content-type', 'content-length']) },
  );
}
async function sdkShare(client: S3Client, t: { bucket: string; key: string; fileName: string; contentType: string; expiresIn: number; now: Date }) {
  return getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: t.bucket,
      Key: t.key,
      ResponseContentDisposition: contentDisposition(t.fileName, defaultDisposition(t.contentType)),
    }),
    { expiresIn: t.expiresIn, signingDate: t.now },
  );
}

async function sdkPart(
  client: S3Client,
  t: { bucket: string; key: string; uploadId: string; partNumber: number; contentLength: number; expiresIn: number; now: Date },
) {
  return getSignedUrl(
    client,
    new UploadPartCommand({ Bucket: t.bucket, Key: t.key, UploadId: t.uploadId, PartNumber: t.partNumber, ContentLength: t.contentLength }),
    { expiresIn: t.expiresIn, signingDate: t.now, signableHeaders: new Set(['content-length']) },
  );
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET };
const CONNECTIONS: S3Connection[] = [
  { bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: creds },
  { bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: true, credentials: creds },
  { bucket: 'my.dotted.bucket', region: 'ap-southeast-2', endpoint: '', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: '', endpoint: 'http://localhost:9000', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com:8443', forcePathStyle: true, credentials: creds },
  { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com:443', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com/prefix', forcePathStyle: true, credentials: creds },
  { bucket: 'tester-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:8080', forcePathStyle: true, credentials: { accessKeyId: 'test:tester', secretAccessKey: 'testing' } },
  {
    bucket: 'my-bucket',
    region: 'eu-central-1',
    endpoint: '',
    forcePathStyle: false,
    credentials: { ...creds, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN/with+slash=' },
  },
];

const clients: S3Client[] = [];
function client(conn: S3Connection): S3Client {
  const c = createS3Client(conn);
  clients.push(c);
  return c;
}
afterAll(() => {
  for (const c of clients) c.destroy();
});

const label = (c: S3Connection) =>
  `${c.bucket} at "${c.endpoint || 'AWS'}" (${c.region || 'no region'}, path style ${c.forcePathStyle}${c.credentials.sessionToken ? ', session token' : ''})`;

describe.each(CONNECTIONS.map((conn) => ({ conn, name: label(conn) })))('the same URLs as the SDK: $name', ({ conn }) => {
  const now = new Date('2024-03-05T07:08:09.456Z');

  it.each([
    ['k/file.png', 'image/png', 1234],
    ['2024/03/05/uuid-my holiday photo.jpg', 'image/jpeg', 0],
    ['résumé 日本.txt', '', 5],
    ["it's (1)*~!$&=;:@,.txt", 'text/plain;  charset=utf-8 ', 10],
    ['x/a%2Fb', 'application/octet-stream', 5 * 1024 ** 3],
    ['a//b/', 'text/html', 1],
    ['tag#1?.txt', 'video/mp4', 42],
  ])('PUT %j (%j, %d bytes)', async (key, contentType, contentLength) => {
    const c = client(conn);
    const t = { bucket: conn.bucket, key, contentType, contentLength, expiresIn: 300, now };
    expect((await presignUpload(c, t)).url).toBe(await sdkUpload(c, t));
  });

  it.each([
    ['big/video.mp4', 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA', 1, 8 * 1024 * 1024],
    ['résumé 日本.bin', '2~iCw_lDY8VoHD1cG0HRjpe9-6K0q/+x=', 10_000, 5 * 1024 ** 3],
    ['a//b', 'c4a0f0e1-8b1e-4b5d-9a63-0d5e1e9c3b77', 42, 0],
  ])('UploadPart %j (upload %j, part %d, %d bytes)', async (key, uploadId, partNumber, contentLength) => {
    const c = client(conn);
    const t = { bucket: conn.bucket, key, uploadId, partNumber, contentLength, expiresIn: 300, now };
    const signed = await presignUploadPart(c, t);
    expect(signed.url).toBe(await sdkPart(c, t));
    expect(signed.headers).toEqual({});
    expect(signed.expiresAt).toBe(now.getTime() + 300_000);
  });

  it.each([
    ['k/file.txt', 'résumé 日本.txt', 'text/plain', 3600],
    ['emoji/😀 👨‍👩‍👧.png', '😀.png', 'image/png', 604800],
    ['a+b.txt', 'a+b&c=d#e;f?.pdf', 'application/pdf', 1],
    ['100%.txt', 'it\'s "quoted" (1)*.txt', '', 900],
  ])('GET %j as %j', async (key, fileName, contentType, expiresIn) => {
    const c = client(conn);
    const t = { bucket: conn.bucket, key, fileName, contentType, expiresIn, now };
    expect((await presignShareLink(c, t)).url).toBe(await sdkShare(c, t));
  });
});

describe('the same URLs as the SDK, for any key, name and type', () => {
  const conn = CONNECTIONS[0]!;
  const c = client(conn);
  const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
  // Types with the whitespace that canonical header values fold and trim.
  const contentType = fc.string({ unit: fc.constantFrom('a', 'b/', '+', ';', '=', ' ', '  ', '\t', '\v', '\u00a0', 'é'), maxLength: 12 });

  it('PUT', async () => {
    await fc.assert(
      fc.asyncProperty(text, contentType, fc.nat(), fc.integer({ min: 1, max: 900 }), fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('2100-01-01') }), async (key, contentType, contentLength, expiresIn, now) => {
        const t = { bucket: conn.bucket, key, contentType, contentLength, expiresIn, now };
        expect((await presignUpload(c, t)).url).toBe(await sdkUpload(c, t));
      }),
      { numRuns: 200 },
    );
  });

  it('GET', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 604800 }), async (key, fileName, contentType, expiresIn) => {
        const t = { bucket: conn.bucket, key, fileName, contentType, expiresIn, now: new Date() };
        expect((await presignShareLink(c, t)).url).toBe(await sdkShare(c, t));
      }),
      { numRuns: 200 },
    );
  });

  it('signs with the current keys when several are used on the same day', async () => {
    const now = new Date('2024-03-05T07:08:09Z');
    for (const secretAccessKey of ['first-secret', 'second-secret', 'first-secret']) {
      const other = client({ ...conn, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey } });
      const t = { bucket: conn.bucket, key: 'k', contentType: 'text/plain', contentLength: 1, expiresIn: 300, now };
      expect((await presignUpload(other, t)).url).toBe(await sdkUpload(other, t));
    }
  });
});

describe('endpoint resolution', () => {
  it('uses the endpoint parameters of the SDK’s own GetObject, PutObject and UploadPart', () => {
    expect(OBJECT_ENDPOINT_PARAMETERS).toEqual(GetObjectCommand.getEndpointParameterInstructions());
    expect(OBJECT_ENDPOINT_PARAMETERS).toEqual(PutObjectCommand.getEndpointParameterInstructions());
    expect(OBJECT_ENDPOINT_PARAMETERS).toEqual(UploadPartCommand.getEndpointParameterInstructions());
  });

  it('refuses part numbers and sizes S3 does not take', async () => {
    const c = client(CONNECTIONS[0]!);
    const part = { bucket: 'my-bucket', key: 'k', uploadId: 'u', partNumber: 1, contentLength: 1 };
    for (const partNumber of [0, 10_001, 1.5]) await expect(presignUploadPart(c, { ...part, partNumber })).rejects.toThrow(RangeError);
    for (const contentLength of [-1, 0.5, Number.NaN]) await expect(presignUploadPart(c, { ...part, contentLength })).rejects.toThrow(RangeError);
  });

  it('says so when a bucket needs a signature other than SigV4 (S3 Express directory buckets)', async () => {
    const c = client({ bucket: 'drop--usw2-az1--x-s3', region: 'us-west-2', endpoint: '', forcePathStyle: false, credentials: creds });
    await expect(presignUpload(c, { bucket: 'drop--usw2-az1--x-s3', key: 'k', contentType: '', contentLength: 1 })).rejects.toThrow(
      /sigv4-s3express/,
    );
  });

  it('reports an unusable region as the SDK does', async () => {
    const c = client({ bucket: 'my-bucket', region: 'not a region!', endpoint: '', forcePathStyle: false, credentials: creds });
    const t = { bucket: 'my-bucket', key: 'k', contentType: '', contentLength: 1, expiresIn: 300, now: new Date() };
    const sdkError = await sdkUpload(c, t).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(sdkError).not.toBeNull();
    await expect(presignUpload(c, t)).rejects.toThrow(sdkError!);
  });
});
