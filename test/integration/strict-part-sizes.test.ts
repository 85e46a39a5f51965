import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { s3MultipartSigner } from '../../src/s3/multipart';
import { presignShareLink } from '../../src/s3/presign';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { uploadMultipart } from '../../src/upload/multipart';
import { MiB, preferredPartSize } from '../../src/upload/part-plan';
import { sha256Of } from '../support/download';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'part-sizes';

/** Writes `bytes` of random data (1 MiB of it repeated, each copy stamped with its index), hashed as written. */
async function makeFile(path: string, bytes: number): Promise<string> {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const fh = await open(path, 'w');
  try {
    for (let i = 0, left = bytes; left > 0; i++, left -= MiB) {
      block.writeUInt32LE(i, 0);
      const chunk = left >= MiB ? block : block.subarray(0, left);
      hash.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * The part sizes `preferredPartSize` picks, sent by the product's engine to the
 * strict server, which checks every part's signature and size and refuses
 * parts under 5 MiB (but the last) only when the upload is completed.
 */
describe.skipIf(!strictLaneAvailable())('preferred part sizes on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let client: S3Client;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3drop-part-sizes-'));
    s3 = await startSwift({ buckets: [BUCKET] });
    client = createS3Client(connectionTo(s3, BUCKET));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Just over the default multipart threshold (64 MiB), in two halves; and a file cut into 64 MiB parts and a shorter last one.
  it.each([
    { size: 64 * MiB + 12_345, parts: 2, partSize: 33 * MiB, lastPart: 31 * MiB + 12_345 },
    { size: 200 * MiB + 7, parts: 4, partSize: 64 * MiB, lastPart: 8 * MiB + 7 },
  ])('uploads $size bytes in $parts parts of the preferred size; the share link returns the same bytes', async ({ size, parts, partSize, lastPart }) => {
    const path = join(dir, `${size}.bin`);
    const sha256 = await makeFile(path, size);
    const key = `preferred/${size}.bin`;
    const result = await uploadMultipart({
      body: await openAsBlob(path, { type: 'application/octet-stream' }),
      signer: s3MultipartSigner(client, { bucket: BUCKET, key, contentType: 'application/octet-stream' }),
      transport: fetchTransport(),
      context: { operation: 'upload', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint },
      partSize: preferredPartSize(size),
    });
    rmSync(path);

    expect(result.plan).toEqual({ partSize, partCount: parts, lastPartSize: lastPart });
    expect(result.retries).toBe(0);
    // What the server stored: the ETag counts the parts, the object has every byte, in order.
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ETag).toMatch(new RegExp(`^"[0-9a-f]{32}-${parts}"$`));
    expect(head.ContentLength).toBe(size);
    const link = await presignShareLink(client, { bucket: BUCKET, key, fileName: 'file.bin', contentType: 'application/octet-stream', expiresIn: 600 });
    expect(await sha256Of(link.url)).toEqual({ hex: sha256, bytes: size });
  }, 120_000);
});
