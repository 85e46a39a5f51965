/**
 * The MD5 a part (or a whole small file) carries as `Content-MD5`, so the
 * server recomputes it and refuses bytes that changed on the way (400
 * BadDigest). WebCrypto has no MD5: the hash is a library's streaming one,
 * passed in (md5.ts says which runs where); never a hand-written hash.
 *
 * The bytes are read as a stream (`Blob.stream()`), a buffer at a time, so a
 * part is never held in memory whole next to the copy the transport sends.
 */
import type { NewMd5 } from './md5';
import { UploadAbortedError } from './transport';

/** Base64 of a digest (16 bytes: no spreading of a large array into a call, see DESIGN's traps). */
function base64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** How much is read into the one buffer a hash reuses (the hash copies each read out at once). */
const READ_BUFFER = 1024 * 1024;

/**
 * The streams being read now, held from module scope. Chromium (156 here)
 * lets the garbage collector take a Blob's stream while a BYOB read on it is
 * pending when nothing outside that read's own promise chain holds the
 * stream, and the read then never settles: the hash, and the upload waiting
 * for it, stop for good. Measured: 64 MiB parts of a 1 GiB file read with a
 * BYOB reader stalled after 5–6 GiB in 2 runs out of 2, and at the first read
 * with the collector forced every 5 ms; held here, 40 GiB read without a
 * stall (test/e2e/hashing-under-gc.test.ts forces the collector).
 */
const reading = new Set<ReadableStream<Uint8Array>>();

/**
 * The MD5 of a Blob's bytes in base64, as `Content-MD5` takes it, read in
 * chunks. Rejects with an AbortError when `signal` fires.
 *
 * Read with a BYOB ("bring your own buffer") reader into one reused buffer
 * where the browser offers it (Chromium): a default reader hands out a fresh
 * ArrayBuffer per chunk, and allocating and collecting those cost more than
 * reading and hashing together (measured in Chromium here: a 1 GiB file read
 * and hashed in 3.3 s instead of 6.8 s), and they are the garbage a long
 * upload piles up. Elsewhere, the default reader.
 */
export async function md5Base64(body: Blob, newMd5: NewMd5, signal?: AbortSignal): Promise<string> {
  const hash = await newMd5();
  const stream = body.stream();
  const reader = byobReader(stream);
  const chunks = reader ? undefined : stream.getReader();
  // Only the reused-buffer path reads into a buffer of its own.
  let buffer = reader && new ArrayBuffer(Math.min(READ_BUFFER, Math.max(1, body.size)));
  reading.add(stream);
  try {
    for (;;) {
      if (signal?.aborted) throw new UploadAbortedError();
      if (reader) {
        const { done, value } = await reader.read(new Uint8Array(buffer!));
        if (value) {
          if (value.byteLength) hash.update(value);
          // The read hands the buffer back (transferred): use it for the next read.
          buffer = value.buffer as ArrayBuffer;
        }
        if (done) break;
      } else {
        const { done, value } = await chunks!.read();
        if (done) break;
        hash.update(value);
      }
    }
  } finally {
    // Stops reading the file when the hash was abandoned (cancel, failure).
    await (reader ?? chunks)!.cancel().catch(() => {});
    reading.delete(stream);
  }
  return base64(await hash.digest());
}

/** A BYOB reader on a Blob's stream, or undefined where the stream is not a byte stream (then no reader is locked). */
function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return stream.getReader({ mode: 'byob' });
  } catch {
    return undefined;
  }
}

/**
 * Hashes parts ahead of the transfer, in part order, one at a time: while
 * the first parts are in flight the next ones are hashed, so the hash costs
 * little wall time (in the runner it runs at several times the speed of a fast upload) and never
 * holds more than `ahead` parts' digests that nobody asked for yet.
 */
export interface PartHasher {
  /** The part's MD5 (base64); starts hashing it, and the parts up to `ahead` after it, if not done yet. */
  get(partNumber: number): Promise<string>;
  /** The digest, if it is ready now. */
  ready(partNumber: number): string | undefined;
  /** Forgets a part's digest once its upload is done. */
  forget(partNumber: number): void;
}

export function partHasher(
  slice: (partNumber: number) => Blob,
  partCount: number,
  newMd5: NewMd5,
  options: { ahead?: number; signal?: AbortSignal } = {},
): PartHasher {
  const ahead = Math.max(1, options.ahead ?? 8);
  const digests = new Map<number, Promise<string>>();
  const done = new Map<number, string>();
  /** Hashing runs one part at a time, in order: a chain. */
  let chain: Promise<unknown> = Promise.resolve();
  let queued = 0;
  const enqueue = (n: number): Promise<string> => {
    let job = digests.get(n);
    if (job) return job;
    job = chain.then(() => md5Base64(slice(n), newMd5, options.signal));
    job.then((d) => {
      if (digests.has(n)) done.set(n, d);
    }, () => {});
    // A failed hash (cancel) is not retried here: the upload stops.
    chain = job.catch(() => {});
    digests.set(n, job);
    queued = Math.max(queued, n);
    return job;
  };
  return {
    get(n) {
      const job = enqueue(n);
      for (let k = queued + 1; k <= Math.min(partCount, n + ahead); k++) enqueue(k);
      return job;
    },
    ready: (n) => done.get(n),
    forget(n) {
      digests.delete(n);
      done.delete(n);
    },
  };
}
