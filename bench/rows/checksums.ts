/**
 * Row 3d: what per-part checksums cost. The product's multipart engine runs in
 * an extension page of the copied build (as the runner runs it in the
 * offscreen document: same thread, same XHR transport, same WebAssembly MD5), over one
 * file chosen from disk, alternately with checksums (each part hashed a batch
 * ahead of the transfer and signed with its Content-MD5) and without, against
 * the same local server in the same run. The note gives the hashing alone, per GiB.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { chromium } from 'playwright-core';
import { createS3Client } from '../../src/s3/client';
import { preferredPartSize } from '../../src/upload/part-plan';
import { CHROMIUM, chromiumExtensionArgs, grantedCopyOfBuild } from '../../test/support/extension';
import type { S3Server } from '../../test/support/s3-servers';
import { startThrottleProxy } from '../../test/support/throttle-proxy';
import { E2E_BUILD_DIR } from '../lib/build';
import { browserScript } from '../lib/inject';
import { measuredRow, summarize, type Row } from '../lib/report';
import type { PageMultipart } from '../inject/page-multipart';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PAGE = 'bench-engine.html';
const PAGE_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>engine</title></head><body><input type="file"></body></html>\n';

/**
 * About 1 Gbit/s, the fastest link most users upload over, shared by the 4
 * parts in flight as a user's uplink is: whichever connection is sending can
 * use all of it.
 */
export const GIGABIT_LINK = 120 * MiB;

const sizeText = (bytes: number) => (bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`);

/** 3d: over a gigabit link, what a user feels; budgeted. */
export const checksumsDef = (bytes: number) => ({
  id: 'multipart-checksums',
  name: `3d Multipart with checksums, ${sizeText(bytes)} over ~1 Gbit/s, vs without`,
  ratioOf: 'without / with (time)',
  budget: { op: '>=' as const, value: 0.85 },
});

/**
 * 3e: over loopback, where the upload is bound by this machine's CPU (the
 * server shares it), so the row shows what hashing costs in CPU. No budget:
 * no user uploads at loopback speed, and no hash of the file's bytes is free
 * when every core is already busy moving them.
 */
export const checksumsLoopbackDef = (bytes: number) => ({
  id: 'multipart-checksums-loopback',
  name: `3e Multipart with checksums, ${sizeText(bytes)} over loopback (CPU-bound), vs without`,
  ratioOf: 'without / with (time)',
  budget: null,
});

/** Random-looking bytes (MD5 cost does not depend on them, but a server that dedups or compresses might). */
function writeFile(path: string, bytes: number): void {
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  } finally {
    closeSync(fd);
  }
}

export async function checksumRow(
  s3: S3Server,
  opts: { bytes: number; reps: number; log: (line: string) => void; linkBytesPerSecond?: number },
): Promise<Row> {
  const { bytes, reps, log } = opts;
  const def = opts.linkBytesPerSecond ? checksumsDef(bytes) : checksumsLoopbackDef(bytes);
  const bucket = opts.linkBytesPerSecond ? 'bench-checksums-link' : 'bench-checksums';
  await s3.createBucket(bucket);
  // The link: a proxy that lets the request bodies of all connections together through at the set rate.
  const link = opts.linkBytesPerSecond ? await startThrottleProxy(s3.endpoint, opts.linkBytesPerSecond, { shared: true }) : undefined;
  const endpoint = link?.origin ?? s3.endpoint;
  const conn = { endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket };
  const client = createS3Client({ ...conn, endpoint: s3.endpoint, forcePathStyle: true, credentials: conn });
  const work = mkdtempSync(join(tmpdir(), 's3drop-checksums-'));
  const extDir = grantedCopyOfBuild([`${endpoint}/*`], E2E_BUILD_DIR);
  writeFileSync(join(extDir, PAGE), PAGE_HTML);
  const context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, headless: false, args: chromiumExtensionArgs(extDir) });
  const partSize = preferredPartSize(bytes);
  const withSums: number[] = [];
  const without: number[] = [];
  const hashing: number[] = [];
  try {
    const file = join(work, 'file.bin');
    writeFile(file, bytes);
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const page = await context.newPage();
    await page.goto(`chrome-extension://${new URL(worker.url()).host}/${PAGE}`);
    await page.evaluate(browserScript('page-multipart'));
    await page.locator('input[type="file"]').setInputFiles(file);
    const run = (key: string, checksums: boolean) =>
      page.evaluate(
        ({ conn, key, partSize, checksums }) =>
          (globalThis as unknown as { __benchMultipart: PageMultipart }).__benchMultipart.upload(conn, key, partSize, 4, checksums),
        { conn, key, partSize, checksums },
      );
    for (let rep = 1; rep <= reps; rep++) {
      // Alternating, and each order in turn, so a drift in the machine's load falls on both alike.
      const order = rep % 2 ? [true, false] : [false, true];
      for (const checksums of order) {
        const key = `sums/${rep}-${checksums ? 'with' : 'without'}.bin`;
        const r = await run(key, checksums);
        if (r.checksummed !== checksums) throw new Error(`asked for checksums: ${checksums}, the engine says ${r.checksummed}`);
        (checksums ? withSums : without).push(r.ms);
        log(`checksums: ${rep}/${reps}: ${checksums ? 'with' : 'without'} ${(r.ms / 1000).toFixed(2)} s (${r.parts} parts)`);
        // Swift keeps segments until the object goes; a full disk would skew later runs.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
      const h = await page.evaluate((partSize) => (globalThis as unknown as { __benchMultipart: PageMultipart }).__benchMultipart.hash(partSize), partSize);
      hashing.push((h.ms * GiB) / bytes);
      log(`checksums: ${rep}/${reps}: hashing alone ${(h.ms / 1000).toFixed(2)} s`);
    }
  } finally {
    await context.close().catch(() => {});
    await link?.close();
    client.destroy();
    rmSync(extDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  const figure = summarize(withSums, 'ms');
  const base = { ...summarize(without, 'ms'), label: 'without checksums' };
  const perGiB = summarize(hashing, 'ms');
  const note =
    (link ? `Through a loopback proxy passing all connections together at ${opts.linkBytesPerSecond! / MiB} MiB/s (one link of about 1 Gbit/s). ` : 'Loopback, no proxy. ') +
    `MD5 (hash-wasm's WebAssembly MD5, src/upload/md5-wasm.ts) runs on the upload runner's thread (the offscreen document in Chrome, the background page in Firefox), ` +
    `each part read into one reused buffer, up to a signing batch (16 parts) ahead of the transfer, so it overlaps the parts in flight; ` +
    `${partSize / MiB} MiB parts × 4. Hashing alone: ${perGiB.median.toFixed(0)} ms per GiB (min ${perGiB.min.toFixed(0)}, max ${perGiB.max.toFixed(0)}), ` +
    `${((GiB / MiB) / (perGiB.median / 1000)).toFixed(0)} MiB/s`;
  return measuredRow({ ...def, note }, figure, base, base.median / figure.median);
}
