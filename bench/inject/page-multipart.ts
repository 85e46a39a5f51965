/**
 * The product's multipart engine (`uploadMultipart` over the XHR transport the
 * runner uses), for the part-size sweep (bench/part-sizes.ts), evaluated in an
 * extension page of the copied build. Part URLs are signed in the page with the
 * background's signer (a few µs each, next to seconds of transfer).
 */
import { createS3Client } from '../../src/s3/client';
import { s3MultipartSigner } from '../../src/s3/multipart';
import { uploadMultipart } from '../../src/upload/multipart';
import { xhrTransport } from '../../src/upload/xhr-transport';
import type { SignerConnection } from './shared';

const api = {
  /** Uploads the input's file in parts of `partSize`, `concurrency` at a time; ms from start to CompleteMultipartUpload's answer. */
  async upload(conn: SignerConnection, key: string, partSize: number, concurrency: number): Promise<{ ms: number; parts: number }> {
    const file = document.querySelector<HTMLInputElement>('input[type="file"]:not([webkitdirectory])')?.files?.[0];
    if (!file) throw new Error('no file chosen');
    const client = createS3Client({
      bucket: conn.bucket,
      region: conn.region,
      endpoint: conn.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey },
    });
    try {
      const start = performance.now();
      const result = await uploadMultipart({
        body: file,
        signer: s3MultipartSigner(client, { bucket: conn.bucket, key, contentType: 'application/octet-stream' }),
        transport: xhrTransport(),
        context: { operation: 'upload', endpoint: conn.endpoint, bucket: conn.bucket, region: conn.region },
        partSize,
        concurrency,
      });
      return { ms: performance.now() - start, parts: result.plan.partCount };
    } finally {
      client.destroy();
    }
  },
};

export type PageMultipart = typeof api;
(globalThis as unknown as { __benchMultipart: PageMultipart }).__benchMultipart = api;
