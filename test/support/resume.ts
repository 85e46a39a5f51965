import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
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
