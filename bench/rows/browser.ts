import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { createS3Client } from '../../src/s3/client';
import { presignUpload } from '../../src/s3/presign';
import { MULTIPART_THRESHOLD_RANGE_MIB } from '../../src/settings/profile';
import { CHROMIUM, chromiumExtensionArgs, grantedCopyOfBuild, OptionsPage, type ExtensionBrowser } from '../../test/support/extension';
import type { S3Server } from '../../test/support/s3-servers';
import { startImagePage, type ImagePage } from '../lib/image-page';
import { chromiumProcesses, MemorySampler, type ProcessGroup } from '../lib/memory';
import { Boto3 } from '../lib/boto3';
import { clearUploadTrace, describeTraces, readUploadTrace, tracePhases, type UploadTrace } from '../lib/upload-trace';
import { measuredRow, placeholderRow, summarize, type Row } from '../lib/report';
import { signingDef, signingRow, type SigningOptions } from './signing';

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
  signing: Omit<SigningOptions, 'log'>;
  /** Bytes of the file for row 2 (default settings). */
  putSize: number;
  putReps: number;
  /** Bytes of the file for the multipart rows. */
  multipartSize: number;
  multipartReps: number;
  /** Bytes of the right-clicked image. */
  imageSize: number;
  rightClickReps: number;
  readyReps: number;
  log: (line: string) => void;
}

interface RowDef {
  id: string;
  name: string;
  ratioOf: string;
  budget: Row['budget'];
}

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / MiB)} MiB`);
const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The options page's field (keys profiles): files above this many MiB go up in parts. */
const THRESHOLD_LABEL = 'Upload in parts above (MiB)';
/** One PUT's limit: with this threshold every file the bench makes goes up in one PUT. */
const ONE_PUT_MIB = MULTIPART_THRESHOLD_RANGE_MIB.max;
/** The default: files above 64 MiB go up in parts. */
const DEFAULT_MIB = MULTIPART_THRESHOLD_RANGE_MIB.default;
/**
 * The most the default may be: above it the bench's 256 MiB file would no
 * longer be a mid-sized file in parts, and row 2 would measure a setting
 * chosen for the bench rather than the parts users get.
 */
const MAX_DEFAULT_MIB = 100;
/** Issue 8: the extension may grow by at most this much while it uploads 1 GiB in parts. */
const MEMORY_BUDGET = 64 * MiB;
/** What row 3c counts as the extension: its renderer (offscreen document, popup, worker) and the network service. */
const EXTENSION_GROUPS = ['extension', 'network'] as const satisfies readonly ProcessGroup[];
const ALL_GROUPS = ['browser', 'extension', 'network', 'other'] as const satisfies readonly ProcessGroup[];

export const rowDefs = {
  signing: signingDef as RowDef,
  defaultUpload: (bytes: number): RowDef => ({
    id: 'upload-default',
    name: `2  File from disk via the popup, ${size(bytes)}, default settings`,
    ratioOf: 'curl / S3 Drop (time)',
    budget: { op: '>=', value: 0.85 },
  }),
  multipart: (bytes: number): RowDef => ({
    id: 'multipart',
    name: `3a Multipart via the popup, ${size(bytes)}, vs curl -T`,
    ratioOf: 'curl / S3 Drop (time)',
    budget: { op: '>=', value: 0.9 },
  }),
  multipartBoto3: (bytes: number): RowDef => ({
    id: 'multipart-boto3',
    name: `3b Multipart via the popup, ${size(bytes)}, vs boto3 upload_file`,
    ratioOf: 'boto3 / S3 Drop (time)',
    budget: { op: '>=', value: 1 },
  }),
  multipartMemory: (bytes: number): RowDef => ({
    id: 'multipart-memory',
    name: `3c Multipart, memory growth, ${size(bytes)}`,
    ratioOf: 'largest peak growth / budget',
    budget: { op: '<=', value: 1 },
  }),
  rightClick: (bytes: number): RowDef => ({
    id: 'right-click',
    name: `4  Right-click to clipboard, ${size(bytes)} image`,
    ratioOf: 'S3 Drop / fetch + PUT (time)',
    budget: { op: '<=', value: 1.3 },
  }),
  ready: { id: 'popup-ready', name: '6  Popup ready', ratioOf: 'popup / blank page (time)', budget: { op: '<=', value: 1.5 } } as RowDef,
};

type Client = ReturnType<typeof createS3Client>;

/** Everything the rows share: the browser with the extension, the bucket, a scratch dir. */
interface Bench {
  ext: ExtensionBrowser;
  client: Client;
  bucket: string;
  work: string;
  /** The browser target's DevTools session (process list). */
  browserSession: CDPSession;
  /** boto3 on the same server and bucket, or null with `botoMissing` saying why. */
  boto: Boto3 | null;
  botoMissing: string | null;
  opts: BrowserOptions;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Chromium sets up its blob storage (and with it the limits for blobs) a few
 * seconds after start; until then a blob made in a page above 500 MiB cannot
 * be built (reading it gives NotReadableError, uploading it never ends).
 * Its directory appears once that is done.
 */
async function waitForBlobStorage(profile: string, log: (line: string) => void): Promise<void> {
  const dir = join(profile, 'Default', 'blob_storage');
  const start = performance.now();
  while (!existsSync(dir) && performance.now() - start < 30_000) await sleep(100);
  log(existsSync(dir) ? `browser: blob storage ready after ${secs(performance.now() - start)}` : 'browser: no blob storage after 30 s (page-made files above 500 MiB will fail)');
}

export async function browserRows(s3: S3Server, opts: BrowserOptions): Promise<Row[]> {
  const work = mkdtempSync(join(tmpdir(), 's3drop-bench-'));
  const site = await startImagePage(opts.imageSize);
  const extDir = grantedCopyOfBuild([`${s3.endpoint}/*`, `${site.origin}/*`]);
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
  const profile = join(work, 'profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // Playwright's headless flag picks the old mode, which cannot load extensions.
    viewport: { width: 380, height: 560 },
    args: chromiumExtensionArgs(extDir),
  });
  const rows: Row[] = [];
  const put = rowDefs.defaultUpload(opts.putSize);
  const multi = rowDefs.multipart(opts.multipartSize);
  const versusBoto = rowDefs.multipartBoto3(opts.multipartSize);
  const memory = rowDefs.multipartMemory(opts.multipartSize);
  const menu = rowDefs.rightClick(opts.imageSize);
  const connection = { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket };
  const botoMissing = Boto3.missing();
  let boto: Boto3 | null = null;
  try {
    boto = botoMissing ? null : await Boto3.start(connection);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // tsx (esbuild, keepNames) wraps named functions in __name(); functions sent to pages need it defined there.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(worker.url()).host;
    const url = (path: string) => `chrome-extension://${extensionId}/${path}`;
    const ext: ExtensionBrowser = {
      context,
      extensionId,
      worker,
      url,
      close: async () => {},
      quit: async () => {},
      restart: async () => {
        throw new Error('the bench never restarts the browser');
      },
      kill: async () => {
        throw new Error('the bench never kills the browser');
      },
    };
    const browser = context.browser();
    if (!browser) throw new Error('Playwright gave no browser for the persistent context (needed for the process list)');
    const bench: Bench = { ext, client, bucket, work, browserSession: await browser.newBrowserCDPSession(), boto, botoMissing, opts };

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
    await waitForBlobStorage(profile, opts.log);

    // Signing, popup ready and right-click first, while the machine is not busy with the aftermath of large uploads.
    rows.push(
      await signingRow(worker, connection, boto, botoMissing, { ...opts.signing, log: opts.log }).catch((e: Error) =>
        placeholderRow(rowDefs.signing, 'error', e.message),
      ),
    );
    rows.push(await popupReady(ext, opts).catch((e: Error) => placeholderRow(rowDefs.ready, 'error', e.message)));
    rows.push(await rightClick(bench, site, menu).catch((e: Error) => placeholderRow(menu, 'error', e.message)));
    rows.push(await defaultUploadRow(bench, put).catch((e: Error) => placeholderRow(put, 'error', e.message)));
    rows.push(
      ...(await multipartRows(bench, multi, versusBoto, memory).catch((e: Error) =>
        [multi, versusBoto, memory].map((def) => placeholderRow(def, 'error', e.message)),
      )),
    );
  } finally {
    boto?.stop();
    await context.close().catch(() => {});
    await site.stop();
    client.destroy();
    rmSync(extDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/**
 * Opens the options page once it shows the saved profile: it fills its fields
 * when the background answers, and typing before that would be overwritten.
 */
async function optionsWithProfile(b: Bench): Promise<OptionsPage> {
  const options = await OptionsPage.open(b.ext);
  const bucketField = options.page.getByLabel('Bucket', { exact: true });
  const until = performance.now() + 15_000;
  while ((await bucketField.inputValue()) !== b.bucket) {
    if (performance.now() > until) throw new Error('the options page did not show the saved profile');
    await sleep(50);
  }
  return options;
}

/** "Upload in parts above (MiB)" as the options page shows it for the saved profile. */
async function shownPartThreshold(b: Bench): Promise<number> {
  const options = await optionsWithProfile(b);
  try {
    return Number(await options.page.getByLabel(THRESHOLD_LABEL, { exact: true }).inputValue());
  } finally {
    await options.page.close();
  }
}

/** Sets "Upload in parts above (MiB)" on the options page, by its label, and saves. */
async function setPartThreshold(b: Bench, thresholdMiB: number): Promise<void> {
  const options = await optionsWithProfile(b);
  await options.page.getByLabel(THRESHOLD_LABEL, { exact: true }).fill(String(thresholdMiB));
  const saved = await options.save();
  if (!/^Saved/.test(saved)) throw new Error(`the options page did not save "${THRESHOLD_LABEL}" = ${thresholdMiB}: ${saved}`);
  await options.page.close();
  // The runner reads each file's profile just before it starts (QueueDeps.prepare), so the next upload uses it.
  b.opts.log(`options: "${THRESHOLD_LABEL}" set to ${thresholdMiB} and saved`);
}

/** The popup page's globals the bench adds. */
interface BenchWindow {
  __benchFile?: File;
  __benchUpload?: Promise<number>;
  /** When the file was chosen, epoch ms. */
  __benchChosenAt?: number;
}

/**
 * Makes a file of `bytes` inside the popup from one 1 MiB buffer (never pushed
 * through the DevTools protocol), and reads its last byte, so the blob is
 * fully built (its bytes handed from the page's renderer to the browser's blob
 * storage) before anything is timed or measured.
 */
async function makeFileInPopup(page: Page, bytes: number, name: string): Promise<void> {
  const error = await page.evaluate(
    async ({ n, name }) => {
      const chunk = new Uint8Array(Math.min(n, 1024 * 1024)).fill(1);
      const parts: Uint8Array<ArrayBuffer>[] = [];
      for (let left = n; left > 0; left -= chunk.length) parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
      const file = new File(parts, name, { type: 'application/octet-stream' });
      try {
        await file.slice(file.size - 1).arrayBuffer();
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      (window as unknown as BenchWindow).__benchFile = file;
      return null;
    },
    { n: bytes, name },
  );
  if (error) throw new Error(`Chromium could not build the ${size(bytes)} file made in the popup (${error})`);
}

/**
 * Times one upload in the popup: ms from the file input's `change` (seen
 * first, in the capture phase on the document) to the share link shown.
 * `choose` puts the file in the input.
 */
async function timeUpload(page: Page, name: string, bytes: number, choose: () => Promise<void>): Promise<number> {
  await page.evaluate(
    ({ name, timeoutMs }) => {
      const w = window as unknown as BenchWindow;
      if (!document.querySelector('input[type="file"]:not([webkitdirectory])')) throw new Error('the popup has no file input (is the bucket set up?)');
      w.__benchUpload = new Promise<number>((resolve, reject) => {
        let start = Number.NaN;
        const link = `input[aria-label="Share link for ${name}"]`;
        const finish = (fn: () => void) => {
          observer.disconnect();
          clearTimeout(timer);
          fn();
        };
        const check = () => {
          if (Number.isNaN(start)) return;
          if (document.querySelector(link)) finish(() => resolve(performance.now() - start));
          const alert = document.querySelector('[role="alert"]');
          if (alert) finish(() => reject(new Error(`upload failed: ${alert.textContent}`)));
        };
        document.addEventListener(
          'change',
          () => {
            start = performance.now();
            w.__benchChosenAt = performance.timeOrigin + start;
          },
          { capture: true, once: true },
        );
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        const timer = setTimeout(() => finish(() => reject(new Error(`no link after ${timeoutMs} ms`))), timeoutMs);
      });
      w.__benchUpload.catch(() => {});
    },
    // A minute, and 0.2 s per MiB (5 MiB/s).
    { name, timeoutMs: 60_000 + (bytes / MiB) * 200 },
  );
  await choose();
  return page.evaluate(() => (window as unknown as BenchWindow).__benchUpload!);
}

/** The file made in the page goes in the input as a script would put it there. */
const chooseMadeFile = (page: Page) => () =>
  page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('input[type="file"]:not([webkitdirectory])')!;
    const transfer = new DataTransfer();
    transfer.items.add((window as unknown as BenchWindow).__benchFile!);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });

/**
 * A file from disk, as the file chooser gives it: Playwright hands Chromium
 * only the path (DevTools `DOM.setFileInputFiles`), so the File is backed by
 * the file, not by memory.
 */
const chooseDiskFile = (page: Page, path: string) => () => page.locator('input[type="file"]:not([webkitdirectory])').setInputFiles(path);

interface PopupUpload {
  ms: number;
  /** The stored object's key. */
  key: string;
  /** Parts in the stored object's ETag; 0 for one PUT. */
  parts: number;
  memory?: MemorySampler;
  trace?: UploadTrace;
}

/**
 * Opens the popup, puts a file in it (made in the page, or `diskFile`),
 * times the upload, optionally samples Chromium's memory meanwhile (from just
 * before the file is chosen), and checks the stored object.
 */
async function popupUpload(
  b: Bench,
  bytes: number,
  name: string,
  opts: { diskFile?: string; sampleMemory?: boolean; trace?: boolean } = {},
): Promise<PopupUpload> {
  const page = await b.ext.context.newPage();
  let sampler: MemorySampler | undefined;
  let linked: string | undefined;
  try {
    await page.goto(b.ext.url('popup.html'));
    await page.locator('input[type="file"]:not([webkitdirectory])').waitFor({ state: 'attached' });
    if (opts.diskFile) {
      // The chooser names the File after the path: give the same bytes this upload's name (a hard link, no copy).
      linked = join(dirname(opts.diskFile), name);
      linkSync(opts.diskFile, linked);
    } else await makeFileInPopup(page, bytes, name);
    if (opts.sampleMemory) {
      sampler = new MemorySampler(await chromiumProcesses(b.browserSession));
      // The page's renderer lets go of its copy of the made file once the browser holds it: wait for that.
      await sampler.settle(ALL_GROUPS);
      sampler.start();
    }
    if (opts.trace) await clearUploadTrace(page, b.ext.worker);
    const ms = await timeUpload(page, name, bytes, linked ? chooseDiskFile(page, linked) : chooseMadeFile(page));
    sampler?.stop();
    let trace: UploadTrace | undefined;
    if (opts.trace) {
      const chosenAt = await page.evaluate(() => (window as unknown as BenchWindow).__benchChosenAt!);
      trace = await readUploadTrace(page, b.ext.worker, chosenAt, chosenAt + ms);
    }
    const listed = await b.client.send(new ListObjectsV2Command({ Bucket: b.bucket }));
    const uploaded = listed.Contents?.find((o) => o.Key?.includes(name));
    if (uploaded?.Size !== bytes) throw new Error(`the popup's object is missing or has ${uploaded?.Size} bytes, not ${bytes}`);
    const parts = Number(/-(\d+)"?$/.exec(uploaded.ETag ?? '')?.[1] ?? 0);
    return { ms, key: uploaded.Key!, parts, ...(sampler ? { memory: sampler } : {}), ...(trace ? { trace } : {}) };
  } finally {
    sampler?.stop();
    await page.close();
    if (linked) rmSync(linked, { force: true });
  }
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

/** Plain `curl -T` to a URL signed with the background's signer; curl's own transfer time (no process start-up). */
async function curlPut(b: Bench, file: string, bytes: number, key: string): Promise<number> {
  const { url } = await presignUpload(b.client, { bucket: b.bucket, key, contentType: 'application/octet-stream', contentLength: bytes });
  const [status, seconds] = execFileSync(
    'curl',
    ['-sS', '-T', file, '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-H', 'Content-Type: application/octet-stream', url],
    { encoding: 'utf8' },
  ).split(' ');
  if (status !== '200') throw new Error(`curl PUT answered ${status}`);
  return Number(seconds) * 1000;
}

/**
 * How the popup sent a file: one PUT or parts, from the ETag's part count, and
 * the parts' size where the server answers `HeadObject?partNumber=1` (AWS S3
 * does; Swift s3api refuses it, and then the average part is given).
 */
async function howSent(b: Bench, key: string, bytes: number, parts: number): Promise<string> {
  if (!parts) return 'one PUT';
  const first = await b.client
    .send(new HeadObjectCommand({ Bucket: b.bucket, Key: key, PartNumber: 1 }))
    .then((h) => (h.PartsCount === parts ? h.ContentLength : undefined))
    .catch(() => undefined);
  return first ? `${parts} parts of ${mib(first)}` : `${parts} parts (${mib(bytes / parts)} on average)`;
}

/**
 * Row 2: a file from disk, chosen in the popup as a user picks one, with the
 * settings a new profile has (the options page's "Upload in parts above" is
 * read back, not set), alternating with curl -T of the same file, `reps`
 * times. Once more for the note: the same bytes made in the page.
 */
/**
 * The same file once more as one PUT ("Upload in parts above" at its maximum,
 * then back to the default): what the browser itself reaches, the ceiling the
 * parts are held against.
 */
async function asOnePut(b: Bench, bytes: number, def: RowDef, file: string): Promise<PopupUpload> {
  await setPartThreshold(b, ONE_PUT_MIB);
  try {
    const run = await popupUpload(b, bytes, `bench-${def.id}-one-put.bin`, { diskFile: file, trace: true });
    b.opts.log(`the same ${size(bytes)} as one PUT (threshold ${ONE_PUT_MIB}): popup ${secs(run.ms)}${run.parts ? ` (${run.parts} parts!)` : ''}`);
    return run;
  } finally {
    await setPartThreshold(b, DEFAULT_MIB);
    await emptyBucket(b.client, b.bucket);
  }
}

/** The note's words for one comparison run: its time, and where it went. */
const comparedRun = (run: PopupUpload) => `${secs(run.ms)} (${tracePhases([run.trace!])})`;

async function defaultUploadRow(b: Bench, def: RowDef): Promise<Row> {
  const { putSize: bytes, putReps: reps, log } = b.opts;
  if (DEFAULT_MIB > MAX_DEFAULT_MIB) throw new Error(`the default "${THRESHOLD_LABEL}" is ${DEFAULT_MIB}; it must stay at or below ${MAX_DEFAULT_MIB}`);
  const threshold = await shownPartThreshold(b);
  if (threshold !== DEFAULT_MIB) throw new Error(`"${THRESHOLD_LABEL}" shows ${threshold}, not the default ${DEFAULT_MIB}`);
  const file = join(b.work, `upload-${bytes}.bin`);
  writeFile(file, bytes);
  const extension: number[] = [];
  const curl: number[] = [];
  const traces: UploadTrace[] = [];
  const sent = new Set<string>();
  let made: PopupUpload;
  let onePut: PopupUpload;
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const run = await popupUpload(b, bytes, `bench-${def.id}-${rep}.bin`, { diskFile: file, trace: true });
      extension.push(run.ms);
      traces.push(run.trace!);
      sent.add(await howSent(b, run.key, bytes, run.parts));
      curl.push(await curlPut(b, file, bytes, `curl/${rep}.bin`));
      log(`default settings: ${rep}/${reps}: popup ${secs(run.ms)} (${[...sent].at(-1)}), curl ${secs(curl.at(-1)!)}`);
      await emptyBucket(b.client, b.bucket);
    }
    made = await popupUpload(b, bytes, `bench-${def.id}-made.bin`);
    log(`default settings, file made in the page: popup ${secs(made.ms)} (${await howSent(b, made.key, bytes, made.parts)})`);
    await emptyBucket(b.client, b.bucket);
    onePut = await asOnePut(b, bytes, def, file);
  } finally {
    rmSync(file, { force: true });
  }
  const note =
    `${[...sent].join(' / ')} per upload, "${THRESHOLD_LABEL}" at its default ${DEFAULT_MIB} (read back from the options page); file chosen from disk; ` +
    `once each for comparison: the same bytes made in the page ${secs(made.ms)}, the file as one PUT (threshold ${ONE_PUT_MIB}) ${comparedRun(onePut)}; ` +
    describeTraces(traces);
  const figure = summarize(extension, 'ms');
  const baseline = { ...summarize(curl, 'ms'), label: 'curl -T' };
  return measuredRow({ ...def, note }, figure, baseline, baseline.median / figure.median);
}

/**
 * Rows 3a–3c: a file from disk chosen in the popup with the default settings
 * (in parts), alternating with curl -T and boto3 `upload_file` of the same
 * file, while Chromium's memory is sampled. Then, once each, for the notes: the
 * same bytes made in the page, and the file as one PUT (threshold 5120: the
 * only upload knob outside src/).
 */
async function multipartRows(b: Bench, def: RowDef, botoDef: RowDef, memDef: RowDef): Promise<Row[]> {
  const { multipartSize: bytes, multipartReps: reps, log } = b.opts;
  const threshold = await shownPartThreshold(b);
  if (threshold !== DEFAULT_MIB) throw new Error(`"${THRESHOLD_LABEL}" shows ${threshold}, not the default ${DEFAULT_MIB}`);
  const file = join(b.work, `upload-${bytes}.bin`);
  writeFile(file, bytes);
  const extension: number[] = [];
  const curl: number[] = [];
  const boto: number[] = [];
  const growth: number[] = [];
  const allGrowth: number[] = [];
  const traces: UploadTrace[] = [];
  const sent = new Set<string>();
  let sampling = { interval: 0, kind: 'PSS' };
  /** The same bytes made in the page, for the notes only: if it fails (blob storage not ready), the rows still stand. */
  let made: PopupUpload | Error;
  let onePut: PopupUpload;
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const run = await popupUpload(b, bytes, `bench-${def.id}-${rep}.bin`, { diskFile: file, sampleMemory: true, trace: true });
      traces.push(run.trace!);
      if (!run.parts) throw new Error(`the popup sent ${size(bytes)} as one PUT although "${THRESHOLD_LABEL}" is ${DEFAULT_MIB}`);
      const m = run.memory!;
      extension.push(run.ms);
      sent.add(await howSent(b, run.key, bytes, run.parts));
      growth.push(m.peakGrowth(EXTENSION_GROUPS));
      allGrowth.push(m.peakGrowth(ALL_GROUPS));
      sampling = { interval: m.interval, kind: m.kind };
      curl.push(await curlPut(b, file, bytes, `curl/${rep}.bin`));
      if (b.boto) boto.push(await b.boto.uploadFile(file, `boto3/${rep}.bin`));
      log(
        `multipart: ${rep}/${reps}: popup ${secs(run.ms)} (${[...sent].at(-1)}), curl ${secs(curl.at(-1)!)}` +
          (b.boto ? `, boto3 ${secs(boto.at(-1)!)}` : '') +
          `; peak growth: extension renderer + network ${mib(growth.at(-1)!)}, all Chromium processes ${mib(allGrowth.at(-1)!)}`,
      );
      await emptyBucket(b.client, b.bucket);
    }
    made = await popupUpload(b, bytes, `bench-${def.id}-made.bin`, { sampleMemory: true }).catch((err: Error) => err);
    log(
      made instanceof Error
        ? `multipart, file made in the page: not measured (${made.message.split('\n')[0]})`
        : `multipart, file made in the page: popup ${secs(made.ms)} (${made.parts} parts); browser process grew ${mib(made.memory!.peakGrowth(['browser']))}`,
    );
    await emptyBucket(b.client, b.bucket);
    onePut = await asOnePut(b, bytes, def, file);
  } finally {
    rmSync(file, { force: true });
  }

  const figure = summarize(extension, 'ms');
  const curlBase = { ...summarize(curl, 'ms'), label: 'curl -T' };
  const versusCurl = curlBase.median / figure.median;
  const timeNote =
    `${[...sent].join(' / ')} per upload, "${THRESHOLD_LABEL}" at its default ${DEFAULT_MIB}, file chosen from disk; ` +
    `once each for comparison: the same bytes made in the page ${made instanceof Error ? 'not measured (it failed)' : secs(made.ms)}, the file as one PUT (threshold ${ONE_PUT_MIB}) ${comparedRun(onePut)}; ` +
    describeTraces(traces);
  const time = measuredRow({ ...def, note: timeNote }, figure, curlBase, versusCurl);

  const botoNote = `the popup's uploads of row 3a; boto3 upload_file with its default TransferConfig (8 MiB parts, 10 threads: what aws s3 cp does), payload unsigned as over https, timed in Python; popup vs curl -T: ${versusCurl.toFixed(2)}×`;
  const versusBoto = b.boto
    ? (() => {
        const base = { ...summarize(boto, 'ms'), label: 'boto3' };
        return measuredRow({ ...botoDef, note: botoNote }, figure, base, base.median / figure.median);
      })()
    : measuredRow({ ...botoDef, note: `baseline skipped: ${b.botoMissing}` }, figure, null, null);

  const growthMiB = summarize(
    growth.map((g) => g / MiB),
    'MiB',
  );
  const memNote =
    `peak rise of ${sampling.kind} of the extension's renderer (offscreen document with the upload runner; it also hosts the popup and the worker) + that of the network service, ` +
    `sampled every ${sampling.interval.toFixed(0)} ms during row 3a's uploads from just before the file is chosen; ratio from the largest peak. ` +
    `All Chromium processes together grew ${allGrowth.map(mib).join('/')}. With the file made in the page instead, the browser process (which holds such a file in its blob storage, ` +
    `and copies every part sliced from it there) grew ${made instanceof Error ? '(not measured: it failed)' : mib(made.memory!.peakGrowth(['browser']))}`;
  const mem = measuredRow(
    { ...memDef, note: memNote },
    growthMiB,
    { median: MEMORY_BUDGET / MiB, min: MEMORY_BUDGET / MiB, max: MEMORY_BUDGET / MiB, unit: 'MiB', samples: [MEMORY_BUDGET / MiB], label: 'budget' },
    Math.max(...growth) / MEMORY_BUDGET,
  );
  return [time, versusBoto, mem];
}

/** What the background exposes to tests on its global scope (see src/background/start.ts). */
interface Listeners {
  menu(info: object, tab: unknown): Promise<{ status: string; link?: string; error?: { message: string } } | null>;
  isRegistered(): boolean;
}

/** The worker's `chrome` global, inside `worker.evaluate` callbacks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

/**
 * Row 4: a same-origin image on a local page, "Save image to S3" as the
 * browser calls it (the listener the extension registered, in the service
 * worker, as test/e2e/context-menu.test.ts does), timed from the call to the
 * link on the clipboard, read from the page with navigator.clipboard.readText
 * in a loop. Baseline: fetch of the same image and a PUT of it to a URL signed
 * in Node with the background's signer, both inside the worker. Both clocks
 * are Date.now() (the worker's and the page's: the same wall clock, 1 ms steps).
 */
async function rightClick(b: Bench, site: ImagePage, def: RowDef): Promise<Row> {
  const reps = b.opts.rightClickReps;
  const page = await b.ext.context.newPage();
  try {
    await page.goto(site.pageUrl);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0));
    await page.bringToFront();
    const bytes = site.image.length;

    const viaExtension = async (i: number): Promise<number> => {
      const sentinel = `bench-sentinel-${i}-${Date.now()}`;
      await page.evaluate((s) => navigator.clipboard.writeText(s), sentinel);
      const copied = page.evaluate(
        async ({ sentinel, timeoutMs }) => {
          const w = window as unknown as { __benchPolling?: string };
          const end = Date.now() + timeoutMs;
          for (;;) {
            const text = await navigator.clipboard.readText();
            const at = Date.now();
            w.__benchPolling = sentinel;
            if (text !== sentinel) return { text, at };
            if (at > end) throw new Error(`the clipboard still held the sentinel after ${timeoutMs} ms`);
          }
        },
        { sentinel, timeoutMs: 60_000 },
      );
      copied.catch(() => {});
      await page.waitForFunction((s) => (window as unknown as { __benchPolling?: string }).__benchPolling === s, sentinel);
      const started = await b.ext.worker.evaluate(
        async ({ srcUrl, pageUrl }) => {
          const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
          if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
          const [tab] = await chrome.tabs.query({ url: pageUrl });
          const info = { menuItemId: 'save-image', mediaType: 'image', srcUrl, pageUrl, frameId: 0, editable: false };
          const at = Date.now();
          const upload = await listeners.menu(info, tab);
          return { at, status: upload?.status ?? 'none', link: upload?.link ?? '', error: upload?.error?.message ?? '' };
        },
        { srcUrl: site.imageUrl, pageUrl: site.pageUrl },
      );
      if (started.status !== 'done') throw new Error(`the right-click upload ended ${started.status}: ${started.error}`);
      const { text, at } = await copied;
      if (text !== started.link) throw new Error('the clipboard holds something other than the share link');
      return at - started.at;
    };

    const baseline = async (i: number): Promise<number> => {
      const key = `baseline/${i}.png`;
      const { url } = await presignUpload(b.client, { bucket: b.bucket, key, contentType: 'image/png', contentLength: bytes });
      const r = await b.ext.worker.evaluate(
        async ({ imageUrl, url }) => {
          const start = performance.now();
          const image = await (await fetch(imageUrl, { credentials: 'include' })).arrayBuffer();
          const res = await fetch(url, { method: 'PUT', body: image, headers: { 'content-type': 'image/png' } });
          await res.text();
          return { ms: performance.now() - start, status: res.status, size: image.byteLength };
        },
        { imageUrl: site.imageUrl, url },
      );
      if (r.status !== 200 || r.size !== bytes) throw new Error(`baseline fetch + PUT: HTTP ${r.status}, ${r.size} bytes`);
      return r.ms;
    };

    // One of each first, unmeasured (first use of the code paths and connections).
    await viaExtension(0);
    await baseline(0);
    const extension: number[] = [];
    const raw: number[] = [];
    for (let i = 1; i <= reps; i++) {
      extension.push(await viaExtension(i));
      raw.push(await baseline(i));
    }
    b.opts.log(`right-click: S3 Drop ${extension.map((v) => v.toFixed(0)).join(' ')} ms; fetch + PUT ${raw.map((v) => v.toFixed(0)).join(' ')} ms`);
    await emptyBucket(b.client, b.bucket);
    const figure = summarize(extension, 'ms');
    const base = { ...summarize(raw, 'ms'), label: 'fetch + PUT' };
    const note =
      'same-origin image on an origin the extension may fetch: fetched by the worker, then start, PUT, finish (link, history), copy in the offscreen document (opened for it if closed); ' +
      'timed from calling the registered menu listener to the link read back from the clipboard (page polls readText); ' +
      'baseline: fetch + PUT in the service worker to a URL signed in Node (presignUpload)';
    return measuredRow({ ...def, note }, figure, base, figure.median / base.median);
  } finally {
    await page.close();
  }
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
  const note = `popup scripts done (DOMContentLoaded) at ${dcl.toFixed(0)} ms median; the control is drawn from the settings summary in storage.session, without waiting for the background`;
  return measuredRow({ ...rowDefs.ready, note }, figure, baseline, figure.median / baseline.median);
}
