import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import { presignUploadParts, s3MultipartSigner } from '../../src/s3/multipart';
import type { MultipartSigner } from '../../src/upload/multipart';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const now = new Date('2024-03-05T07:08:09Z');
const conn: S3Connection = {
  bucket: 'my-bucket',
  region: 'eu-west-1',
  endpoint: '',
  forcePathStyle: false,
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'TOKEN' },
};
const client = createS3Client(conn);
afterAll(() => client.destroy());

const parts = [
  { partNumber: 1, size: 8 * 1024 * 1024 },
  { partNumber: 2, size: 8 * 1024 * 1024 },
  { partNumber: 3, size: 12_345 },
];

async function sign(extra: { expiresIn?: number } = {}, using: S3Client = client) {
  return presignUploadParts(using, { bucket: 'my-bucket', key: '2024/a b+c.bin', uploadId: 'UP/ID+=', parts, now, ...extra });
}

describe('presignUploadParts', () => {
  it('signs one UploadPart URL per part, bound to its upload, number and exact size', async () => {
    const signed = await sign();
    expect(signed.map((s) => s.partNumber)).toEqual([1, 2, 3]);
    for (const [i, s] of signed.entries()) {
      const url = new URL(s.url);
      expect(url.origin).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com');
      expect(decodeURIComponent(url.pathname)).toBe('/2024/a b+c.bin');
      expect(url.searchParams.get('uploadId')).toBe('UP/ID+=');
      expect(url.searchParams.get('partNumber')).toBe(String(parts[i]!.partNumber));
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('TOKEN');
      // The browser sets Content-Length from the Blob: nothing else to send.
      expect(s.headers).toEqual({});
    }
    // Different sizes, different signatures: the size is in each signature.
    expect(new Set(signed.map((s) => new URL(s.url).searchParams.get('X-Amz-Signature'))).size).toBe(3);
  });

  it('puts no checksum parameter in the URL, even from a client whose default would add them', async () => {
    for (const s of await sign()) {
      const names = [...new URL(s.url).searchParams.keys()];
      expect(names.filter((n) => /checksum|crc|sdk-checksum/i.test(n))).toEqual([]);
    }
    // getSignedUrl with SDK ≥ 3.729 defaults adds x-amz-checksum-crc32/x-amz-sdk-checksum-algorithm;
    // part URLs are signed by S3 Drop's own signer, which signs only what it is given.
    const defaults = new S3Client({ region: 'eu-west-1', credentials: conn.credentials });
    try {
      const [s] = await sign({}, defaults);
      expect([...new URL(s!.url).searchParams.keys()].filter((n) => /checksum/i.test(n))).toEqual([]);
      expect(new URL(s!.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    } finally {
      defaults.destroy();
    }
  });

  it('lives 5 minutes by default and at most 15', async () => {
    const [fiveMin] = await sign();
    expect(new URL(fiveMin!.url).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(fiveMin!.expiresAt).toBe(now.getTime() + 300_000);
    const [capped] = await sign({ expiresIn: 7 * 24 * 3600 });
    expect(new URL(capped!.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(capped!.expiresAt).toBe(now.getTime() + 900_000);
  });

  it('refuses part numbers outside 1–10 000 and sizes that are not byte counts', async () => {
    const base = { bucket: 'b', key: 'k', uploadId: 'u', now };
    await expect(presignUploadParts(client, { ...base, parts: [{ partNumber: 0, size: 1 }] })).rejects.toThrow(RangeError);
    await expect(presignUploadParts(client, { ...base, parts: [{ partNumber: 10_001, size: 1 }] })).rejects.toThrow(/1 to 10000/);
    await expect(presignUploadParts(client, { ...base, parts: [{ partNumber: 1, size: -1 }] })).rejects.toThrow(RangeError);
  });

  it('s3MultipartSigner is a MultipartSigner for the upload engine', async () => {
    const signer: MultipartSigner = s3MultipartSigner(client, { bucket: 'my-bucket', key: 'k.bin', contentType: '' });
    const [s] = await signer.signParts('U1', [{ partNumber: 7, size: 5 }]);
    expect(new URL(s!.url).searchParams.get('partNumber')).toBe('7');
    expect(new URL(s!.url).searchParams.get('uploadId')).toBe('U1');
  });
});
