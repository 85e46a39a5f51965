import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ProxiedRequest } from './throttle-proxy';

const MiB = 1024 * 1024;

/** Writes `size` random bytes to `path`, a MiB at a time (never all in memory); returns their SHA-256. */
export async function randomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = size; left > 0; left -= MiB) {
    const chunk = randomBytes(Math.min(MiB, left));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

/**
 * A random file `name` in `dir`, and an impostor: another file of the same
 * name, size and date in `dir/copy`, with other bytes, so only its content
 * tells it apart. Returns both paths and the real file's SHA-256.
 */
export async function fileAndImpostor(dir: string, name: string, size: number): Promise<{ path: string; impostor: string; sha: string }> {
  const path = join(dir, name);
  const sha = await randomFile(path, size);
  mkdirSync(join(dir, 'copy'));
  const impostor = join(dir, 'copy', name);
  await randomFile(impostor, size);
  // Both dated to the same whole second: browsers round a file's sub-millisecond time differently (Firefox's
  // lastModified of a copy set to the same Date came out one off), and only the bytes may differ here.
  const date = new Date(Math.floor(statSync(path).mtimeMs / 1000) * 1000);
  for (const file of [path, impostor]) utimesSync(file, date, date);
  return { path, impostor, sha };
}

/** The UploadPart requests of a proxy's log (`PUT …?partNumber=N&uploadId=…`), with their part number and upload ID. */
export function uploadParts(requests: readonly ProxiedRequest[]) {
  return requests.flatMap((r) => {
    const query = new URL(r.url, 'http://proxy').searchParams;
    const partNumber = Number(query.get('partNumber'));
    const uploadId = query.get('uploadId');
    return r.method === 'PUT' && partNumber && uploadId ? [{ ...r, partNumber, uploadId }] : [];
  });
}

/** The distinct part numbers, in order. */
export const partNumbers = (parts: readonly { partNumber: number }[]) => [...new Set(parts.map((p) => p.partNumber))].sort((a, b) => a - b);

/** An upload journal entry as a test compares it: the file's name, the upload ID, the part numbers it holds. */
export interface JournalSummary {
  name: string;
  uploadId: string;
  parts: number[];
}

/**
 * Reads the upload journal; pass it to an extension page's `evaluate` (it runs
 * in the page: the same IndexedDB the popup lists from), Chromium or Firefox.
 */
export async function readJournalInPage(): Promise<JournalSummary[]> {
  // Opening a database that does not exist would create it without its store: look first.
  if (!(await indexedDB.databases()).some((d) => d.name === 's3drop-journal')) return [];
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('s3drop-journal');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains('uploads')) return [];
    const all = db.transaction('uploads').objectStore('uploads').getAll();
    const entries = await new Promise<{ name: string; uploadId: string; parts: { partNumber: number }[] }[]>((resolve, reject) => {
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
    return entries.map((e) => ({ name: e.name, uploadId: e.uploadId, parts: e.parts.map((p) => p.partNumber).sort((a, b) => a - b) }));
  } finally {
    db.close();
  }
}

/**
 * Stands in for Chrome's file dialog, which no test can drive here: headless Chromium closes
 * `showOpenFilePicker` at once ("The user aborted a request"), and with DevTools' file chooser
 * interception it reports `Page.fileChooserOpened` (no element to set files on) and aborts the picker.
 * So a real file on disk is dropped on the page through DevTools (a drop gives the page a real
 * `FileSystemFileHandle` for it, with read access, as the picker would), and the page's
 * `showOpenFilePicker` returns that handle. Everything after the dialog is the product's own code:
 * the Choose files button, the picker module, the runner, the journal.
 */
export async function pickerChooses(page: Page, path: string): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { dropped: Promise<FileSystemFileHandle>; showOpenFilePicker(): Promise<FileSystemFileHandle[]> };
    w.dropped = new Promise((resolve) => {
      // Caught before the popup's own drop handler (which would upload the file as a dropped one).
      window.addEventListener('dragover', (e) => (e.stopImmediatePropagation(), e.preventDefault()), { capture: true });
      window.addEventListener(
        'drop',
        (e) => {
          e.stopImmediatePropagation();
          e.preventDefault();
          void (e.dataTransfer!.items[0] as DataTransferItem & { getAsFileSystemHandle(): Promise<FileSystemFileHandle> })
            .getAsFileSystemHandle()
            .then(resolve);
        },
        { capture: true, once: true },
      );
    });
    w.showOpenFilePicker = async () => [await w.dropped];
  });
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: [path], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x: 40, y: 40, data });
  } finally {
    await cdp.detach();
  }
  await page.evaluate(() => (window as unknown as { dropped: Promise<unknown> }).dropped);
}
