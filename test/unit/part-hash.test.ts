import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Base64, partHasher } from '../../src/upload/part-hash';
import type { NewMd5 } from '../../src/upload/md5';
import { sdkMd5 } from '../../src/upload/md5-sdk';
import { wasmMd5 } from '../../src/upload/md5-wasm';
import { partRange, planParts } from '../../src/upload/part-plan';

/** The expectation, from Node's own crypto (not a hash under test). */
const nodeMd5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/** A body whose stream yields exactly these chunks (a file read from disk comes in reads of whatever size the browser picks). */
function chunkedBody(chunks: Uint8Array[]): Blob {
  const stream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  return { stream } as unknown as Blob;
}

/** Node's Buffer as a BlobPart (its buffer may be shared as far as the types know). */
const part = (bytes: Uint8Array) => new Uint8Array(bytes);

// The upload runner's WebAssembly MD5 and the SDK's one the background uses.
const HASHES: [string, NewMd5][] = [
  ['hash-wasm', wasmMd5],
  ["the SDK's", sdkMd5],
];

describe.each(HASHES)('md5Base64 with %s MD5', (_name, md5) => {
  it('matches the RFC 1321 test vectors', async () => {
    // RFC 1321 appendix A.5 (hex), turned into base64 as Content-MD5 takes them.
    const vectors: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ].map(([text, hex]) => [text!, Buffer.from(hex!, 'hex').toString('base64')]);
    for (const [text, expected] of vectors) {
      expect(nodeMd5(new TextEncoder().encode(text))).toBe(expected);
      expect(await md5Base64(new Blob([text]), md5)).toBe(expected);
    }
  });

  it('hashes a multi-megabyte body read in many chunks of odd sizes as one', async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 13);
    const chunks: Uint8Array[] = [];
    // Chunk sizes that straddle MD5's 64-byte blocks.
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 63) % 70_001 || 1) chunks.push(bytes.subarray(at, at + size));
    expect(chunks.length).toBeGreaterThan(100);
    expect(await md5Base64(chunkedBody(chunks), md5)).toBe(nodeMd5(bytes));
  });

  it('hashes a body read into one reused buffer (a byte stream, as Chromium reads a file) as one', async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 13);
    const chunks: Uint8Array[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 63) % 1_500_001 || 1) chunks.push(bytes.subarray(at, at + size));
    let byobReads = 0;
    // A byte stream: reads fill the reader's buffer, sometimes in part, and chunks larger than it are split.
    const stream = () => {
      let next = 0;
      return new ReadableStream({
        type: 'bytes',
        pull(controller) {
          const request = controller.byobRequest;
          if (request?.view) byobReads++;
          if (next < chunks.length) controller.enqueue(new Uint8Array(chunks[next++]!));
          else {
            controller.close();
            // A read waiting with its buffer is answered "done" only once its request is responded to.
            request?.respond(0);
          }
        },
      });
    };
    expect(await md5Base64({ size: bytes.length, stream } as unknown as Blob, md5)).toBe(nodeMd5(bytes));
    expect(byobReads).toBeGreaterThan(9);
    // And Node's own Blob, whose stream is a byte stream too.
    expect(await md5Base64(new Blob([part(bytes)]), md5)).toBe(nodeMd5(bytes));
  });

  it('stops with an AbortError when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(md5Base64(new Blob([part(randomBytes(1024))]), md5, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('partHasher', () => {
  const file = randomBytes(23 * 1024 * 1024 + 5);
  const blob = new Blob([part(file)]);
  const plan = planParts(file.length, { preferredPartSize: 5 * 1024 * 1024 });
  const slice = (n: number) => {
    const r = partRange(plan, n);
    return blob.slice(r.start, r.end);
  };

  it('gives each part the MD5 of exactly its bytes (part boundaries, the short last part)', async () => {
    expect(plan.partCount).toBe(5);
    const hasher = partHasher(slice, plan.partCount, wasmMd5, { ahead: 2 });
    for (let n = 1; n <= plan.partCount; n++) {
      const r = partRange(plan, n);
      expect(await hasher.get(n)).toBe(nodeMd5(file.subarray(r.start, r.end)));
    }
  });

  it('hashes ahead of the part asked for, in order, up to `ahead` parts', async () => {
    const sliced: number[] = [];
    const hasher = partHasher((n) => (sliced.push(n), slice(n)), plan.partCount, wasmMd5, { ahead: 2 });
    await hasher.get(1);
    // Parts 2 and 3 were queued behind part 1: their digests come without being asked for again.
    await expect.poll(() => hasher.ready(3)).toBeDefined();
    expect(hasher.ready(2)).toBe(nodeMd5(file.subarray(partRange(plan, 2).start, partRange(plan, 2).end)));
    expect(hasher.ready(4)).toBeUndefined();
    expect(sliced).toEqual([1, 2, 3]);
    // Asking for one already hashed reads nothing again.
    await hasher.get(2);
    await expect.poll(() => hasher.ready(4)).toBeDefined();
    expect(sliced).toEqual([1, 2, 3, 4]);
    hasher.forget(2);
    expect(hasher.ready(2)).toBeUndefined();
  });
});
