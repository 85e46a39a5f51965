/**
 * Which part size and how many parts at a time upload fastest, measured on the
 * strict server (OpenStack Swift + s3api) with the product's engine
 * (`uploadMultipart` over the XHR transport) in an extension page of Chromium,
 * on files chosen from disk as a user picks them. The figures behind
 * `preferredPartSize` (src/upload/part-plan.ts) come from this script.
 *
 *   npx tsx bench/part-sizes.ts                 100 MiB, 256 MiB, 1 GiB; 2 rounds
 *   npx tsx bench/part-sizes.ts --sizes 256 --rounds 3 --parts 8,16,32 --concurrency 4
 *
 * Rounds go through the whole grid in turn (so load on the machine hits every
 * setting alike) with a `curl -T` of the same file each round for scale. Prints
 * the median time per setting and writes bench/results/part-sizes.json.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { chromium } from 'playwright-core';
import { createS3Client } from '../src/s3/client';
import { presignUpload } from '../src/s3/presign';
import { CHROMIUM, chromiumExtensionArgs, grantedCopyOfBuild } from '../test/support/extension';
import { startSwift } from '../test/support/s3-servers';
import { ensureBuild, E2E_BUILD_DIR, ROOT } from './lib/build';
import { browserScript } from './lib/inject';
import type { PageMultipart } from './inject/page-multipart';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const list = (name: string, fallback: number[]) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]!.split(',').map(Number) : fallback;
};
const sizesMiB = list('sizes', [100, 256, 1024]);
const partsMiB = list('parts', [8, 16, 32, 64, 128]);
const concurrencies = list('concurrency', [2, 4, 8]);
const rounds = list('rounds', [2])[0]!;
const log = (line: string) => process.stderr.write(`  · ${line}\n`);

const PAGE = 'bench-engine.html';
const PAGE_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>engine</title></head><body><input type="file"></body></html>\n';

function writeFile(path: string, bytes: number): void {
  const chunk = new Uint8Array(MiB).fill(1);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  } finally {
    closeSync(fd);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  process.stderr.write(`part-size sweep: ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}\n`);
  ensureBuild(log);
  const work = mkdtempSync(join(tmpdir(), 's3drop-parts-'));
  const s3 = await startSwift({ buckets: ['parts'] });
  const conn = { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket: 'parts' };
  const client = createS3Client({ ...conn, forcePathStyle: true, credentials: conn });
  const extDir = grantedCopyOfBuild([`${s3.endpoint}/*`], E2E_BUILD_DIR);
  writeFileSync(join(extDir, PAGE), PAGE_HTML);
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: false,
    args: chromiumExtensionArgs(extDir),
  });
  const results: { sizeMiB: number; partMiB: number | 'curl'; concurrency: number; ms: number[]; parts: number }[] = [];
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const page = await context.newPage();
    await page.goto(`chrome-extension://${new URL(worker.url()).host}/${PAGE}`);
    await page.evaluate(browserScript('page-multipart'));
    for (const sizeMiB of sizesMiB) {
      const file = join(work, `file-${sizeMiB}.bin`);
      writeFile(file, sizeMiB * MiB);
      await page.locator('input[type="file"]:not([webkitdirectory])').setInputFiles(file);
      const grid = partsMiB.filter((p) => p < sizeMiB).flatMap((p) => concurrencies.map((c) => ({ partMiB: p, concurrency: c })));
      const rows = [...grid.map((g) => ({ sizeMiB, ...g, ms: [] as number[], parts: 0 })), { sizeMiB, partMiB: 'curl' as const, concurrency: 1, ms: [] as number[], parts: 1 }];
      results.push(...rows);
      for (let round = 1; round <= rounds; round++) {
        for (const row of rows) {
          const key = `sweep/${sizeMiB}-${row.partMiB}-${row.concurrency}-${round}.bin`;
          if (row.partMiB === 'curl') {
            const { url } = await presignUpload(client, { bucket: conn.bucket, key, contentType: 'application/octet-stream', contentLength: sizeMiB * MiB });
            const [status, seconds] = execFileSync('curl', ['-sS', '-T', file, '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-H', 'Content-Type: application/octet-stream', url], {
              encoding: 'utf8',
            }).split(' ');
            if (status !== '200') throw new Error(`curl answered ${status}`);
            row.ms.push(Number(seconds) * 1000);
          } else {
            const r = await page.evaluate(
              ({ conn, key, part, c }) => (globalThis as unknown as { __benchMultipart: PageMultipart }).__benchMultipart.upload(conn, key, part, c),
              { conn, key, part: row.partMiB * MiB, c: row.concurrency },
            );
            row.ms.push(r.ms);
            row.parts = r.parts;
          }
          log(`${sizeMiB} MiB, ${row.partMiB === 'curl' ? 'curl -T' : `${row.partMiB} MiB × ${row.concurrency}`}: ${(row.ms.at(-1)! / 1000).toFixed(2)} s (round ${round})`);
          // Swift keeps segments until the object goes; a full disk would skew later rounds.
          await client.send(new DeleteObjectCommand({ Bucket: conn.bucket, Key: key }));
        }
      }
      rmSync(file, { force: true });
    }
  } finally {
    await context.close().catch(() => {});
    client.destroy();
    await s3.stop();
    rmSync(extDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }

  console.log(`\npart-size sweep on Swift s3api, ${rounds} round(s), median time (MiB/s); load ${loadavg()[0]!.toFixed(2)}\n`);
  for (const sizeMiB of sizesMiB) {
    const rows = results.filter((r) => r.sizeMiB === sizeMiB);
    const curl = median(rows.find((r) => r.partMiB === 'curl')!.ms);
    console.log(`${sizeMiB} MiB (curl -T ${(curl / 1000).toFixed(2)} s):`);
    console.log(`  part MiB  ${concurrencies.map((c) => `× ${c}`.padStart(18)).join('')}`);
    for (const p of partsMiB.filter((p) => p < sizeMiB)) {
      const cells = concurrencies.map((c) => {
        const ms = median(rows.find((r) => r.partMiB === p && r.concurrency === c)!.ms);
        return `${(ms / 1000).toFixed(2)} s (${Math.round((sizeMiB * 1000) / ms)})`.padStart(18);
      });
      console.log(`  ${String(p).padStart(8)}  ${cells.join('')}`);
    }
  }
  const out = join(ROOT, 'bench', 'results', 'part-sizes.json');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), rounds, results }, null, 2)}\n`);
  console.log(`\nJSON: ${out}`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
