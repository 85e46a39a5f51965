import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { chromium, type Page } from 'playwright-core';
import { createS3Client } from '../../src/s3/client';
import { presignUpload } from '../../src/s3/presign';
import { CHROMIUM, grantedCopyOfBuild, OptionsPage, type ExtensionBrowser } from '../../test/support/extension';
import type { S3Server } from '../../test/support/s3-servers';
import { measuredRow, placeholderRow, summarize, type Row } from '../lib/report';

/**
 * A tiny page added to the copied build (never to the product), so "popup
 * ready" has a baseline: the same browser, the same extension origin, the same
 * kind of navigation, and nothing to load but one button.
 */
const BLANK_PAGE = 'bench-blank.html';
const BLANK_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><button type="button">Ready</button></body></html>\n';

/** The controls that make the popup usable, whichever state it opens in; "Ready" is the blank page's. */
const READY_LABELS = ['Choose files', 'Set up bucket', 'Ready'];

/**
 * Runs in every document before its own scripts: records, in ms since the
 * navigation started (performance.now()), when the first ready control is in
 * the document and visible.
 */
function readyProbe(labels: string[]): void {
  const w = window as unknown as { __benchReadyAt?: number };
  const find = () =>
    Array.from(document.querySelectorAll('button, label')).find(
      (el) => labels.includes((el.textContent ?? '').trim()) && (el as HTMLElement).checkVisibility(),
    );
  const check = () => {
    if (w.__benchReadyAt === undefined && find()) {
      w.__benchReadyAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener('DOMContentLoaded', check);
}

export interface BrowserOptions {
  /** Bytes of the file for the single-PUT row. */
  putSize: number;
  putReps: number;
  /** Bytes of the file for the multipart row. */
  multipartSize: number;
  multipartReps: number;
  readyReps: number;
  log: (line: string) => void;
}

interface RowDef {
  id: string;
  name: string;
  ratioOf: string;
  budget: Row['budget'];
}

const size = (bytes: number) => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`);

export const rowDefs = {
  put: (bytes: number): RowDef => ({
    id: 'single-put',
    name: `2  Single PUT via the popup, ${size(bytes)}`,
    ratioOf: 'curl / S3 Drop (time)',
    budget: { op: '>=', value: 0.9 },
  }),
  multipart: (bytes: number): RowDef => ({
    id: 'multipart',
    name: `3  Multipart via the popup, ${size(bytes)}`,
    ratioOf: 'curl / S3 Drop (time)',
    budget: null,
  }),
  ready: { id: 'popup-ready', name: '6  Popup ready', ratioOf: 'popup / blank page (time)', budget: { op: '<=', value: 1.5 } } as RowDef,
};

type Client = ReturnType<typeof createS3Client>;

export async function browserRows(s3: S3Server, opts: BrowserOptions): Promise<Row[]> {
  const work = mkdtempSync(join(tmpdir(), 's3drop-bench-'));
  const extDir = grantedCopyOfBuild([`${s3.endpoint}/*`]);
  writeFileSync(join(extDir, BLANK_PAGE), BLANK_HTML);
  const bucket = 'bench-popup';
  await s3.createBucket(bucket);
  const client = createS3Client({
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: false, // Playwright's headless flag picks the old mode, which cannot load extensions.
    viewport: { width: 380, height: 560 },
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--disable-extensions-except=${extDir}`,
      `--load-extension=${extDir}`,
    ],
  });
  const rows: Row[] = [];
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // tsx (esbuild, keepNames) wraps named functions in __name(); functions sent to pages need it defined there.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(worker.url()).host;
    const url = (path: string) => `chrome-extension://${extensionId}/${path}`;
    const ext: ExtensionBrowser = { context, extensionId, worker, url, close: async () => {} };

    // Set up the bucket through the options page, as a user would.
    const options = await OptionsPage.open(ext);
    await options.fill({
      bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      pathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    const saved = await options.save();
    if (!/^Saved/.test(saved)) throw new Error(`the options page did not save the bench profile: ${saved}`);
    await options.page.close();
    opts.log('browser: extension loaded and bucket saved through the options page');

    // Popup ready first, while the machine is not busy with the aftermath of large uploads.
    rows.push(await popupReady(ext, opts).catch((e: Error) => placeholderRow(rowDefs.ready, 'error', e.message)));
    const put = rowDefs.put(opts.putSize);
    rows.push(
      await viaPopup(ext, client, bucket, work, opts, put, opts.putSize, opts.putReps, 'single').catch((e: Error) =>
        placeholderRow(put, 'error', e.message),
      ),
    );
    const multi = rowDefs.multipart(opts.multipartSize);
    rows.push(
      await viaPopup(ext, client, bucket, work, opts, multi, opts.multipartSize, opts.multipartReps, 'multipart').catch((e: Error) =>
        placeholderRow(multi, 'error', e.message),
      ),
    );
  } finally {
    await context.close().catch(() => {});
    client.destroy();
    rmSync(extDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/**
 * Uploads a file made inside the popup from one 1 MiB buffer (never pushed
 * through the DevTools protocol): ms from `change` on the file input to the
 * share link shown.
 */
async function uploadFromPopup(page: Page, bytes: number, name: string): Promise<number> {
  return page.evaluate(
    ({ n, name, timeoutMs }) => {
      const input = document.querySelector<HTMLInputElement>('input[type="file"]');
      if (!input) throw new Error('the popup has no file input (is the bucket set up?)');
      const chunk = new Uint8Array(Math.min(n, 1024 * 1024)).fill(1);
      const parts: Uint8Array<ArrayBuffer>[] = [];
      for (let left = n; left > 0; left -= chunk.length) parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
      const transfer = new DataTransfer();
      transfer.items.add(new File(parts, name, { type: 'application/octet-stream' }));
      return new Promise<number>((resolve, reject) => {
        const link = `input[aria-label="Share link for ${name}"]`;
        const finish = (fn: () => void) => {
          observer.disconnect();
          clearTimeout(timer);
          fn();
        };
        const check = () => {
          if (document.querySelector(link)) finish(() => resolve(performance.now() - start));
          const alert = document.querySelector('[role="alert"]');
          if (alert) finish(() => reject(new Error(`upload failed: ${alert.textContent}`)));
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        const timer = setTimeout(() => finish(() => reject(new Error(`no link after ${timeoutMs} ms`))), timeoutMs);
        const start = performance.now();
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
    },
    { n: bytes, name, timeoutMs: 600_000 },
  );
}

async function emptyBucket(client: Client, bucket: string): Promise<void> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const o of listed.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
}

/** The same bytes on disk for curl, written 1 MiB at a time. */
function writeFile(path: string, bytes: number): void {
  const chunk = new Uint8Array(1024 * 1024).fill(1);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  } finally {
    closeSync(fd);
  }
}

/**
 * One row: the popup uploads a file of `bytes`, then curl -T PUTs the same
 * bytes to a presigned URL on the same server, `reps` times, alternating. The
 * object's ETag tells one PUT (plain MD5) from a multipart upload (`…-<parts>`).
 */
async function viaPopup(
  ext: ExtensionBrowser,
  client: Client,
  bucket: string,
  work: string,
  opts: BrowserOptions,
  def: RowDef,
  bytes: number,
  reps: number,
  expect: 'single' | 'multipart',
): Promise<Row> {
  const file = join(work, `upload-${bytes}.bin`);
  writeFile(file, bytes);
  const label = def.name.slice(3).split(' via')[0]!.toLowerCase();
  const extension: number[] = [];
  const curl: number[] = [];
  const partCounts = new Set<number>();
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const page = await ext.context.newPage();
      await page.goto(ext.url('popup.html'));
      await page.locator('input[type="file"]').waitFor({ state: 'attached' });
      extension.push(await uploadFromPopup(page, bytes, `bench-${def.id}-${rep}.bin`));
      await page.close();

      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const uploaded = listed.Contents?.find((o) => o.Key?.includes(`bench-${def.id}-${rep}.bin`));
      if (uploaded?.Size !== bytes) throw new Error(`the popup's object is missing or has ${uploaded?.Size} bytes, not ${bytes}`);
      const parts = Number(/-(\d+)"?$/.exec(uploaded.ETag ?? '')?.[1] ?? 0);
      partCounts.add(parts);
      if (expect === 'multipart' && !parts) {
        await emptyBucket(client, bucket);
        return placeholderRow(def, 'n/a', `lands with large-file uploads (the popup sent ${size(bytes)} as one PUT)`);
      }

      const { url } = await presignUpload(client, { bucket, key: `curl/${rep}.bin`, contentType: 'application/octet-stream', contentLength: bytes });
      // Plain `curl -T`; its own transfer time (no process start-up).
      const [status, seconds] = execFileSync(
        'curl',
        ['-sS', '-T', file, '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-H', 'Content-Type: application/octet-stream', url],
        { encoding: 'utf8' },
      ).split(' ');
      if (status !== '200') throw new Error(`curl PUT answered ${status}`);
      curl.push(Number(seconds) * 1000);
      opts.log(
        `${label}: ${rep}/${reps}: popup ${extension.at(-1)!.toFixed(0)} ms${parts ? ` (${parts} parts)` : ' (one PUT)'}, curl ${curl.at(-1)!.toFixed(0)} ms`,
      );
      await emptyBucket(client, bucket);
    }
  } finally {
    rmSync(file, { force: true });
  }
  const figure = summarize(extension, 'ms');
  const baseline = { ...summarize(curl, 'ms'), label: 'curl -T' };
  const counts = [...partCounts].sort((a, b) => a - b);
  const note =
    expect === 'single'
      ? counts.some((c) => c > 0)
        ? `the popup uploaded ${size(bytes)} in ${counts.join('/')} parts (multipart), not one PUT`
        : 'one PUT per upload (no part count in the ETag)'
      : `${counts.join('/')} parts per upload`;
  return measuredRow({ ...def, note }, figure, baseline, baseline.median / figure.median);
}

async function popupReady(ext: ExtensionBrowser, opts: BrowserOptions): Promise<Row> {
  const page = await ext.context.newPage();
  await page.addInitScript(readyProbe, READY_LABELS);
  const readyAt = async (path: string) => {
    await page.goto(ext.url(path));
    await page.waitForFunction(() => (window as unknown as { __benchReadyAt?: number }).__benchReadyAt !== undefined, null, {
      timeout: 15_000,
    });
    return page.evaluate(() => ({
      ready: (window as unknown as { __benchReadyAt: number }).__benchReadyAt,
      domContentLoaded: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
    }));
  };
  // One of each first, unmeasured: the first load of a page also compiles its scripts.
  await readyAt('popup.html');
  await readyAt(BLANK_PAGE);
  const popup: number[] = [];
  const popupDcl: number[] = [];
  const blank: number[] = [];
  for (let i = 0; i < opts.readyReps; i++) {
    const p = await readyAt('popup.html');
    popup.push(p.ready);
    popupDcl.push(p.domContentLoaded);
    blank.push((await readyAt(BLANK_PAGE)).ready);
  }
  await page.close();
  opts.log(`popup ready: popup ${popup.map((v) => v.toFixed(0)).join(' ')} ms; blank ${blank.map((v) => v.toFixed(0)).join(' ')} ms`);
  const figure = summarize(popup, 'ms');
  const baseline = { ...summarize(blank, 'ms'), label: 'blank page' };
  const dcl = summarize(popupDcl, 'ms').median;
  const note = `popup scripts done (DOMContentLoaded) at ${dcl.toFixed(0)} ms median; the control appears once the background answers getSettings`;
  return measuredRow({ ...rowDefs.ready, note }, figure, baseline, figure.median / baseline.median);
}
