import { GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { OBJECT_ENDPOINT_PARAMETERS, presignUpload, presignUploadPart } from '../../src/s3/presign';

/**
 * Where presigned URLs point. The signature itself is the SDK's SignatureV4,
 * held to boto3's URLs in test/integration/presign-boto3.test.ts; here, the
 * endpoint rules S3 Drop runs once per bucket, and the refusals.
 */

const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const clients: S3Client[] = [];
function client(conn: S3Connection): S3Client {
  const c = createS3Client(conn);
  clients.push(c);
  return c;
}
afterAll(() => {
  for (const c of clients) c.destroy();
});

/** Where the SDK's own `getSignedUrl` sends a PUT for this connection: scheme, host and path. */
async function sdkTarget(c: S3Client, bucket: string, key: string): Promise<string> {
  const url = await getSignedUrl(c, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60 });
  return url.slice(0, url.indexOf('?'));
}

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
];

describe('URLs point where the SDK’s own requests go', () => {
  it.each(CONNECTIONS.map((c) => [`${c.bucket} at ${c.endpoint || 'AWS'} (${c.region || 'no region'}, path style ${c.forcePathStyle})`, c] as const))(
    '%s',
    async (_label, conn) => {
      const c = client(conn);
      for (const key of ['k/file.png', 'résumé 日本.txt', "it's (1)*~!$&=;:@,.txt", 'a//b/', 'tag#1?.txt']) {
        const ours = (await presignUpload(c, { bucket: conn.bucket, key, contentType: 'text/plain', contentLength: 1 })).url;
        expect(ours.slice(0, ours.indexOf('?'))).toBe(await sdkTarget(c, conn.bucket, key));
      }
    },
  );

  it('signs with the keys of the moment when a profile’s keys change', async () => {
    const now = new Date('2024-03-05T07:08:09Z');
    const target = { bucket: 'my-bucket', key: 'k', contentType: 'text/plain', contentLength: 1, expiresIn: 300, now };
    const signatures = [];
    for (const secretAccessKey of ['first-secret', 'second-secret', 'first-secret']) {
      const c = client({ ...CONNECTIONS[0]!, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey } });
      signatures.push(new URL((await presignUpload(c, target)).url).searchParams.get('X-Amz-Signature'));
    }
    expect(signatures[0]).not.toBe(signatures[1]);
    expect(signatures[0]).toBe(signatures[2]);
  });

  it('binds type, size and the no-overwrite condition into the signature', async () => {
    const c = client(CONNECTIONS[0]!);
    const url = new URL((await presignUpload(c, { bucket: 'my-bucket', key: 'k', contentType: 'image/png', contentLength: 9, ifNoneMatch: true })).url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    // No checksum or payload parameters: many S3-compatible servers refuse them.
    expect([...url.searchParams.keys()].filter((k) => !k.startsWith('X-Amz-'))).toEqual([]);
    expect(url.searchParams.has('X-Amz-Content-Sha256')).toBe(false);
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
    const sdkError = await sdkTarget(c, t.bucket, t.key).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(sdkError).not.toBeNull();
    await expect(presignUpload(c, t)).rejects.toThrow(sdkError!);
  });
});
