import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { chooseDisposition, contentDisposition } from '../../src/s3/content-disposition';
import { effectiveContentType, presignShareLink, presignUpload, presignUploadPart, type UploadChecksum } from '../../src/s3/presign';
import { presignServiceAvailable, PRESIGN_PYTHON } from '../support/presign-service';

/**
 * S3 Drop presigns with the SDK's SignatureV4 (src/s3/presign.ts). These tests
 * hold every URL to an independent implementation: boto3's
 * `generate_presigned_url`, what the common FastAPI + boto3 presign service
 * signs with, for the same connection, request and signing time. Path, every
 * query parameter as encoded (signature included) must be the same; only the
 * order of the parameters may differ.
 */

const SCRIPT = resolve(import.meta.dirname, '../support/boto3_presign_fixed.py');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET };

const CONNECTIONS: S3Connection[] = [
  { bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: creds },
  { bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials: creds },
  { bucket: 'my-bucket', region: 'eu-west-1', endpoint: '', forcePathStyle: true, credentials: creds },
  { bucket: 'my.dotted.bucket', region: 'ap-southeast-2', endpoint: '', forcePathStyle: true, credentials: creds },
  { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com:8443', forcePathStyle: true, credentials: creds },
  { bucket: 'tester-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:8080', forcePathStyle: true, credentials: { accessKeyId: 'test:tester', secretAccessKey: 'testing' } },
  { bucket: 'my-bucket', region: 'eu-central-1', endpoint: '', forcePathStyle: false, credentials: { ...creds, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN/with+slash=' } },
];

const KEYS = ['k/file.png', '2024/03/05/uuid-my holiday photo.jpg', 'résumé 日本.txt', "it's (1)*~!$&=;:@,.txt", 'x/a%2Fb', 'tag#1?.txt', 'emoji/😀 👨‍👩‍👧.png'];
const TYPES = ['image/png', 'image/jpeg', 'text/plain; charset=utf-8', 'application/octet-stream', 'video/mp4', 'text/html', 'image/png'];
const NAMES = ['résumé 日本.txt', '😀.png', 'a+b&c=d#e;f?.pdf', 'it\'s "quoted" (1)*.txt', 'plain.txt', 'x y.bin', 'z.png'];
const NOW = new Date('2024-03-05T07:08:09Z');
/** Checksums of "abc", each algorithm in turn; and boto3's parameter for each. */
const CHECKSUMS: UploadChecksum[] = [
  { algorithm: 'md5', base64: 'kAFQmDzST7DWlj99KOF/cg==' },
  { algorithm: 'crc32', base64: 'NSRBwg==' },
  { algorithm: 'sha256', base64: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=' },
];
const BOTO_CHECKSUM: Record<UploadChecksum['algorithm'], (value: string) => { param: string; value: string }> = {
  md5: (value) => ({ param: 'ContentMD5', value }),
  crc32: (value) => ({ param: 'ChecksumCRC32', value }),
  sha256: (value) => ({ param: 'ChecksumSHA256', value }),
};

interface Case {
  label: string;
  ours(client: S3Client): Promise<string>;
  boto: Record<string, unknown>;
}

function cases(conn: S3Connection): Case[] {
  const connection = {
    endpoint: conn.endpoint,
    region: conn.region,
    pathStyle: conn.forcePathStyle,
    accessKeyId: conn.credentials.accessKeyId,
    secretAccessKey: conn.credentials.secretAccessKey,
    ...(conn.credentials.sessionToken ? { sessionToken: conn.credentials.sessionToken } : {}),
  };
  const base = { connection, bucket: conn.bucket, now: NOW.toISOString().replace(/\.\d+Z$/, 'Z') };
  return KEYS.flatMap((key, i): Case[] => {
    const contentType = TYPES[i]!;
    const fileName = NAMES[i]!;
    const size = [1234, 0, 5, 10, 5 * 1024 ** 3, 1, 42][i]!;
    const disposition = contentDisposition(fileName, chooseDisposition(undefined, contentType));
    const checksum = CHECKSUMS[i % CHECKSUMS.length]!;
    return [
      {
        label: `PUT ${key}`,
        ours: async (c) => (await presignUpload(c, { bucket: conn.bucket, key, contentType, contentLength: size, expiresIn: 300, now: NOW })).url,
        boto: { ...base, op: 'put', key, contentType: effectiveContentType(contentType), contentLength: size, expiresIn: 300 },
      },
      {
        label: `PUT ${key} with its ${checksum.algorithm} checksum`,
        ours: async (c) =>
          (await presignUpload(c, { bucket: conn.bucket, key, contentType, contentLength: size, checksum, expiresIn: 300, now: NOW })).url,
        boto: { ...base, op: 'put', key, contentType: effectiveContentType(contentType), contentLength: size, expiresIn: 300, checksum: BOTO_CHECKSUM[checksum.algorithm](checksum.base64) },
      },
      {
        label: `GET ${key} as ${fileName}`,
        ours: async (c) => (await presignShareLink(c, { bucket: conn.bucket, key, fileName, contentType, expiresIn: 86_400, now: NOW })).url,
        boto: { ...base, op: 'get', key, contentDisposition: disposition, expiresIn: 86_400 },
      },
      {
        label: `UploadPart ${key}`,
        ours: async (c) =>
          (await presignUploadPart(c, { bucket: conn.bucket, key, uploadId: `2~iCw_lDY8VoHD1cG0HRjpe9-6K0q/+x=${i}`, partNumber: i * 1000 + 1, contentLength: size, expiresIn: 600, now: NOW })).url,
        boto: { ...base, op: 'part', key, uploadId: `2~iCw_lDY8VoHD1cG0HRjpe9-6K0q/+x=${i}`, partNumber: i * 1000 + 1, contentLength: size, expiresIn: 600 },
      },
    ];
  });
}

/** Scheme, host and raw path, then the raw `name=value` pairs, sorted: the order of parameters is free. */
function parts(url: string): { base: string; query: string[] } {
  const at = url.indexOf('?');
  return { base: url.slice(0, at), query: url.slice(at + 1).split('&').sort() };
}

const clients: S3Client[] = [];
afterAll(() => clients.forEach((c) => c.destroy()));

describe.skipIf(!presignServiceAvailable())('presigned URLs are boto3’s, byte for byte', () => {
  it.each(CONNECTIONS.map((conn) => [`${conn.bucket} at ${conn.endpoint || 'AWS'} (${conn.region}, path style ${conn.forcePathStyle})`, conn] as const))(
    '%s',
    async (_label, conn) => {
      const all = cases(conn);
      const run = spawnSync(PRESIGN_PYTHON, [SCRIPT], { input: JSON.stringify({ requests: all.map((c) => c.boto) }), encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const botoUrls = JSON.parse(run.stdout) as string[];
      const client = createS3Client(conn);
      clients.push(client);
      for (const [i, c] of all.entries()) {
        const ours = await c.ours(client);
        expect(parts(ours), `${c.label}\nours: ${ours}\nboto3: ${botoUrls[i]}`).toEqual(parts(botoUrls[i]!));
        expect(new URL(ours).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      }
    },
  );
});
