/**
 * The background's signer, for row 1, evaluated in the extension's service
 * worker: `presignUpload` + `presignShareLink` with a client from
 * `createS3Client`, kept for the whole run as the background keeps its client
 * (src/background/saved-connection.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/s3/client';
import { presignShareLink, presignUpload } from '../../src/s3/presign';
import { SIGNED_FILE, type SignerConnection } from './shared';

let client: S3Client | null = null;
let bucket = '';

async function signFile(i: number): Promise<{ put: string; get: string }> {
  const key = `bench/${i}/${SIGNED_FILE.name}`;
  const put = await presignUpload(client!, { bucket, key, contentType: SIGNED_FILE.type, contentLength: SIGNED_FILE.size });
  const get = await presignShareLink(client!, {
    bucket,
    key,
    fileName: SIGNED_FILE.name,
    contentType: SIGNED_FILE.type,
    expiresIn: SIGNED_FILE.linkSeconds,
  });
  return { put: put.url, get: get.url };
}

const api = {
  init(conn: SignerConnection): void {
    client?.destroy();
    bucket = conn.bucket;
    client = createS3Client({
      bucket,
      region: conn.region,
      endpoint: conn.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey },
    });
  },
  /** The URLs for file 0, to check that the strict server accepts them. */
  sample: () => signFile(0),
  /** Signs `n` files one after the other (as the background does); µs per file. */
  async perFile(n: number): Promise<number> {
    const start = performance.now();
    for (let i = 0; i < n; i++) await signFile(i);
    return ((performance.now() - start) * 1000) / n;
  },
};

export type WorkerSigner = typeof api;
(globalThis as unknown as { __benchSigner: WorkerSigner }).__benchSigner = api;
