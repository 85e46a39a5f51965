import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { bucketOrigin, type BucketAddress } from '../../src/s3/endpoint';
import { presignShareLink, presignUpload } from '../../src/s3/presign';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FQoGZXIvYXdzEXAMPLETOKEN/with+slash=';
const now = new Date('2024-03-05T07:08:09Z');

const pathStyle: S3Connection = {
  bucket: 'my-bucket',
  region: '',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET },
};
const awsVirtualHost: S3Connection = {
  bucket: 'my-bucket',
  region: 'eu-west-1',
  endpoint: '',
  forcePathStyle: false,
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET },
};

const clients: S3Client[] = [];
function client(conn: S3Connection): S3Client {
  const c = createS3Client(conn);
  clients.push(c);
  return c;
}
afterAll(() => {
  for (const c of clients) c.destroy();
});

function params(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

/** The key as it appears in the URL path, segment by segment, decoded. */
function keyFromUrl(url: string, conn: S3Connection): string {
  const segments = new URL(url).pathname.split('/').slice(1);
  const keySegments = conn.forcePathStyle ? segments.slice(1) : segments;
  if (conn.forcePathStyle) expect(segments[0]).toBe(conn.bucket);
  return keySegments.map((s) => decodeURIComponent(s)).join('/');
}

const KEYS = [
  'plain.txt',
  '2024/03/05/uuid-my holiday photo.jpg',
  'résumé 日本.txt',
  'Cafe\u0301.txt',
  'a+b.txt',
  '100%.txt',
  'x/a%2Fb',
  'x/a%252Fb',
  'tag#1?.txt',
  'emoji/😀 👨‍👩‍👧.png',
  "it's (1)*~!$&=;:@,.txt",
];

const setups = [
  { label: 'path style (custom endpoint)', conn: pathStyle, host: '127.0.0.1:9', protocol: 'http:', region: 'us-east-1' },
  { label: 'virtual host (AWS)', conn: awsVirtualHost, host: 'my-bucket.s3.eu-west-1.amazonaws.com', protocol: 'https:', region: 'eu-west-1' },
] as const;

describe.each(setups)('presignUpload, $label', ({ conn, host, protocol, region }) => {
  const upload = (over: Partial<Parameters<typeof presignUpload>[1]> = {}) =>
    presignUpload(client(conn), { bucket: conn.bucket, key: 'k/file.png', contentType: 'image/png', contentLength: 1234, now, ...over });

  it('goes to the bucket host and signs type, length and host', async () => {
    const { url } = await upload();
    const u = new URL(url);
    expect(u.protocol).toBe(protocol);
    expect(u.host).toBe(host);
    const signed = params(url).get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['content-type', 'content-length', 'host']));
    expect(params(url).get('X-Amz-Credential')).toBe(`AKIAEXAMPLE/20240305/${region}/s3/aws4_request`);
    expect(params(url).get('X-Amz-Date')).toBe('20240305T070809Z');
    expect(params(url).get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
  });

  it('puts no checksum parameters in the URL', async () => {
    for (const size of [0, 1234]) {
      const { url } = await upload({ contentLength: size });
      const names = [...params(url).keys()].map((k) => k.toLowerCase());
      expect(names.filter((k) => k.startsWith('x-amz-checksum-') || k.startsWith('x-amz-sdk-checksum-'))).toEqual([]);
      expect(url.toLowerCase()).not.toContain('checksum');
    }
  });

  it.each([
    ['md5', 'content-md5', 'kAFQmDzST7DWlj99KOF/cg=='],
    ['crc32', 'x-amz-checksum-crc32', 'NSRBwg=='],
    ['sha256', 'x-amz-checksum-sha256', 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='],
  ] as const)('signs a %s checksum (of "abc") as the header %s, which the PUT must carry', async (algorithm, header, base64) => {
    const { url, headers } = await upload({ checksum: { algorithm, base64 } });
    // Signed, so a PUT without it or with another value is refused; a header, not a query parameter, as boto3 signs it.
    expect(params(url).get('X-Amz-SignedHeaders')).toBe(['content-length', 'content-type', 'host', header].sort().join(';'));
    expect(headers).toEqual({ 'content-type': 'image/png', [header]: base64 });
    expect([...params(url).keys()].map((k) => k.toLowerCase())).not.toContain(header);
  });

  it.each([
    ['md5', 'AAAAAA=='],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['crc32', 'AAAAAAA='],
    ['crc32', 'AA AA=='],
    ['sha256', 'AAAAAAAAAAAAAAAAAAAAAA=='],
  ] as const)('refuses a %s checksum that is not base64 of its digest: %j', async (algorithm, base64) => {
    await expect(upload({ checksum: { algorithm, base64 } })).rejects.toThrow(RangeError);
  });

  it('lives 300 s by default and says when it dies', async () => {
    const signed = await upload();
    expect(params(signed.url).get('X-Amz-Expires')).toBe('300');
    expect(signed.expiresAt).toBe(now.getTime() + 300_000);
  });

  it.each([
    [60, 60],
    [900, 900],
    [5000, 900],
    [0, 1],
    [-10, 1],
    [1.9, 1],
  ])('clamps expiresIn %s to %s', async (requested, expected) => {
    const signed = await upload({ expiresIn: requested });
    expect(params(signed.url).get('X-Amz-Expires')).toBe(String(expected));
    expect(signed.expiresAt).toBe(now.getTime() + expected * 1000);
  });

  it('returns the content type the PUT must carry', async () => {
    expect((await upload({ contentType: 'image/png' })).headers).toEqual({ 'content-type': 'image/png' });
    expect((await upload({ contentType: '' })).headers).toEqual({ 'content-type': 'application/octet-stream' });
  });

  it('never puts the secret in the URL, and no token when there is none', async () => {
    const { url } = await upload();
    expect(url).not.toContain(SECRET);
    expect(url).not.toContain(encodeURIComponent(SECRET));
    expect(params(url).has('X-Amz-Security-Token')).toBe(false);
  });

  it('carries the session token when there is one', async () => {
    const withToken = { ...conn, credentials: { ...conn.credentials, sessionToken: TOKEN } };
    const { url } = await presignUpload(client(withToken), {
      bucket: conn.bucket,
      key: 'k',
      contentType: 'text/plain',
      contentLength: 1,
      now,
    });
    expect(params(url).get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(url).not.toContain(SECRET);
  });

  it.each(KEYS)('encodes the key %j in the path', async (key) => {
    const { url } = await upload({ key });
    expect(keyFromUrl(url, conn)).toBe(key);
    expect(new URL(url).pathname).not.toMatch(/[ +#?]/);
    // The URL a browser would send has the same path the SDK signed.
    expect(new URL(url).href.split('?')[0]).toBe(url.split('?')[0]);
  });
});

describe.each(setups)('presignShareLink, $label', ({ conn, host }) => {
  const share = (over: Partial<Parameters<typeof presignShareLink>[1]> = {}) =>
    presignShareLink(client(conn), {
      bucket: conn.bucket,
      key: 'k/file.txt',
      fileName: 'résumé 日本.txt',
      contentType: 'text/plain',
      expiresIn: 3600,
      now,
      ...over,
    });

  it.each([1, 900, 3600, 86400, 604800])('lives exactly the %s seconds asked for', async (expiresIn) => {
    const signed = await share({ expiresIn });
    expect(params(signed.url).get('X-Amz-Expires')).toBe(String(expiresIn));
    expect(signed.expiresAt).toBe(now.getTime() + expiresIn * 1000);
    expect(signed.headers).toEqual({});
  });

  it.each([604801, 0, -1, 1.5, Number.NaN])('refuses an expiry of %s with a RangeError', async (expiresIn) => {
    await expect(share({ expiresIn })).rejects.toThrow(RangeError);
  });

  it('goes to the bucket host and signs only the host', async () => {
    const { url } = await share();
    expect(new URL(url).host).toBe(host);
    expect(params(url).get('X-Amz-SignedHeaders')).toBe('host');
    expect(url).not.toContain(SECRET);
  });

  it.each(['résumé 日本.txt', 'Cafe\u0301 ☕.txt', 'a+b&c=d#e;f?.pdf', "it's \"quoted\" (1)*.txt", '😀.png'])(
    'offers %j under its exact name',
    async (fileName) => {
      const disposition = params((await share({ fileName })).url).get('response-content-disposition');
      expect(disposition).not.toBeNull();
      const m = /filename\*=UTF-8''(.*)$/.exec(disposition!);
      expect(m).not.toBeNull();
      expect(decodeURIComponent(m![1]!)).toBe(fileName);
    },
  );

  it('shows safe types inline and downloads risky ones', async () => {
    const inline = params((await share({ contentType: 'image/png', fileName: 'a.png' })).url).get('response-content-disposition');
    expect(inline).toMatch(/^inline; /);
    const svg = params((await share({ contentType: 'image/svg+xml', fileName: 'a.svg' })).url).get('response-content-disposition');
    expect(svg).toMatch(/^attachment; /);
  });

  it.each(KEYS)('encodes the key %j in the path', async (key) => {
    const { url } = await share({ key });
    expect(keyFromUrl(url, conn)).toBe(key);
    expect(new URL(url).pathname).not.toMatch(/[ +#?]/);
  });

  it('carries the session token when there is one', async () => {
    const withToken = { ...conn, credentials: { ...conn.credentials, sessionToken: TOKEN } };
    const { url } = await presignShareLink(client(withToken), {
      bucket: conn.bucket,
      key: 'k',
      fileName: 'k',
      contentType: '',
      expiresIn: 60,
      now,
    });
    expect(params(url).get('X-Amz-Security-Token')).toBe(TOKEN);
  });
});

describe('host permissions match where presigned URLs go', () => {
  const addresses: BucketAddress[] = [
    { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false },
    { bucket: 'my-bucket', region: '', endpoint: '', forcePathStyle: false },
    { bucket: 'my.dotted.bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false },
    { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: true },
    { bucket: 'my-bucket', region: '', endpoint: 'http://127.0.0.1:9', forcePathStyle: true },
    { bucket: 'my-bucket', region: '', endpoint: 'https://s3.example.com', forcePathStyle: false },
    { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com:8443', forcePathStyle: true },
    { bucket: 'my-bucket', region: '', endpoint: 'http://localhost:9000', forcePathStyle: false },
  ];

  it.each(addresses)('$bucket at "$endpoint" (region "$region", path style $forcePathStyle)', async (address) => {
    const conn = { ...address, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET } };
    const put = await presignUpload(client(conn), { bucket: address.bucket, key: 'k', contentType: '', contentLength: 1, now });
    const get = await presignShareLink(client(conn), { bucket: address.bucket, key: 'k', fileName: 'k', contentType: '', expiresIn: 60, now });
    expect(new URL(put.url).origin).toBe(bucketOrigin(address));
    expect(new URL(get.url).origin).toBe(bucketOrigin(address));
  });
});
