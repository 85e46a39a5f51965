/**
 * The upload journal's storage: one IndexedDB object store of the extension's
 * origin, which the upload runner (Chrome's offscreen document, Firefox's
 * background page), the popup and the background all reach. IndexedDB rather
 * than `storage.local`: Chrome's offscreen document has no storage API, and a
 * part's entry is written as it finishes, many times a minute.
 */
import { isJournalEntry, withPart, type JournalEntry, type JournalPart } from './journal';

export const JOURNAL_DB = 's3drop-journal';
const STORE = 'uploads';
/** The database's schema version (the entries carry their own, see JOURNAL_VERSION). */
const DB_VERSION = 1;

/** The journal as its users see it; an in-memory one serves the tests. */
export interface UploadJournal {
  put(entry: JournalEntry): Promise<void>;
  get(id: string): Promise<JournalEntry | undefined>;
  /** Entries of this version, oldest first. */
  list(): Promise<JournalEntry[]>;
  /** Adds a finished part in one transaction: parts finish concurrently, and none may overwrite another's. */
  addPart(id: string, part: JournalPart, now: number): Promise<void>;
  remove(id: string): Promise<void>;
}

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const committed = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('The upload journal could not be written.'));
  });

/** The journal in this origin's IndexedDB (`factory`: `indexedDB` of the document or worker). */
export function idbJournal(factory: IDBFactory = indexedDB): UploadJournal {
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(JOURNAL_DB, DB_VERSION);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((err) => {
      db = undefined;
      throw err;
    }));
  const run = async <T>(mode: IDBTransactionMode, step: (store: IDBObjectStore) => Promise<T> | T): Promise<T> => {
    const tx = (await open()).transaction(STORE, mode);
    const ended = committed(tx);
    const value = await step(tx.objectStore(STORE));
    await ended;
    return value;
  };
  return {
    put: (entry) => run('readwrite', (s) => void s.put(entry)),
    get: (id) => run('readonly', async (s) => {
      const value = await done(s.get(id));
      return isJournalEntry(value) ? value : undefined;
    }),
    list: () => run('readonly', async (s) => (await done(s.getAll())).filter(isJournalEntry).sort((a, b) => a.createdAt - b.createdAt)),
    addPart: (id, part, now) =>
      run('readwrite', async (s) => {
        const entry = await done(s.get(id));
        // Gone: the upload finished or was discarded while this part's answer was on its way.
        if (isJournalEntry(entry)) s.put(withPart(entry, part, now));
      }),
    remove: (id) => run('readwrite', (s) => void s.delete(id)),
  };
}
