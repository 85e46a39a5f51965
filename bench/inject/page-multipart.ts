/**
 * The product's multipart engine (`uploadMultipart` over the XHR transport the
 * runner uses), for the part-size sweep (bench/part-sizes.ts) and the checksum
 * row (bench/rows/checksums.ts), evaluated in an extension page of the copied build. Part URLs are signed in the page with the
 * background's signer (a few µs each, next to seconds of transfer).
 */
import { createS3Client } from '../../src/s3/client';
import { s3MultipartSigner } from '../../src/s3/multipart';
import { uploadMultipart } from '../../src/upload/multipart';
import { wasmMd5 } from '../../src/upload/md5-wasm';
import { md5Base64 } from '../../src/upload/part-hash';
import { xhrTransport } from '../../src/upload/xhr-transport';
import type { SignerConnection } from './shared';

function chosenFile(): File {
  const file = document.querySelector<HTMLInputElement>('input[type="file"]:not([webkitdirectory])')?.files?.[0];
  if (!file) throw new Error('no file chosen');
  return file;
}

const api = {
  /**
   * Uploads the input's file in parts of `partSize`, `concurrency` at a time; ms from start to
   * CompleteMultipartUpload's answer. `checksums`: each part hashed and its URL signed with Content-MD5, as the runner does.
   */
  async upload(conn: SignerConnection, key: string, partSize: number, concurrency: number, checksums = false): Promise<{ ms: number; parts: number; checksummed: boolean }> {
    const file = chosenFile();
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
        ...(checksums ? { checksums: wasmMd5 } : {}),
      });
      return { ms: performance.now() - start, parts: result.plan.partCount, checksummed: result.checksummed };
    } finally {
      client.destroy();
    }
  },

  /** Hashes the input's file alone, in parts of `partSize` read as streams, as the runner does (no transfer): ms. */
  async hash(partSize: number): Promise<{ ms: number }> {
    const file = chosenFile();
    const start = performance.now();
    for (let at = 0; at < file.size; at += partSize) await md5Base64(file.slice(at, Math.min(file.size, at + partSize)), wasmMd5);
    return { ms: performance.now() - start };
  },
};

export type PageMultipart = typeof api;
(globalThis as unknown as { __benchMultipart: PageMultipart }).__benchMultipart = api;
