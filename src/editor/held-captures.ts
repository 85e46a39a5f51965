/**
 * Captures waiting in the editor, held in the extension's own IndexedDB: the
 * background puts one there and opens the editor on its id, so the picture
 * never travels in a URL or through JSON messaging (a page capture is MBs).
 * Only this extension's pages and its background share that origin.
 *
 * Nothing is kept that was not uploaded: the editor deletes its capture when
 * the user saves or discards it, the background when the editor's tab closes,
 * and everything left at the browser's start (a crash, a killed tab).
 */

/** One capture, as the editor needs it. */
export interface HeldCapture {
  id: string;
  bytes: Uint8Array;
  /** The file name the upload keeps (`screenshot-host-….png`). */
  name: string;
  /** The profile the capture was for; absent means the default. */
  profileId?: string;
  /** A sentence about the capture the editor shows (e.g. a full page cut short). */
  note?: string;
  /** The editor's tab, once open: closing it deletes the capture. */
  tabId?: number;
}

const DATABASE = 's3drop-editor';
const STORE = 'captures';

/** Opens the store through `factory` (the global `indexedDB`, passed in). */
export function heldCaptures(factory: IDBFactory) {
  let opened: Promise<IDBDatabase> | undefined;
  const database = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opened = undefined;
        reject(request.error);
      };
    }));
  /** Runs one request in its own transaction and resolves once that transaction is committed. */
  const run = async <T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> => {
    const tx = (await database()).transaction(STORE, mode);
    const request = act(tx.objectStore(STORE));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  };
  return {
    put: (capture: HeldCapture) => run('readwrite', (s) => void s.put(capture)).then(() => {}),
    get: (id: string) => run<HeldCapture | undefined>('readonly', (s) => s.get(id) as IDBRequest<HeldCapture | undefined>),
    delete: (id: string) => run('readwrite', (s) => void s.delete(id)).then(() => {}),
    /** Notes the editor's tab on a capture still held (the editor may already have taken it). */
    setTab: (id: string, tabId: number) =>
      run('readwrite', (s) => {
        const request = s.get(id);
        request.onsuccess = () => {
          const held = request.result as HeldCapture | undefined;
          if (held) s.put({ ...held, tabId });
        };
      }).then(() => {}),
    /** Deletes the captures of an editor tab that closed. */
    deleteForTab: (tabId: number) =>
      run('readwrite', (s) => {
        const request = s.openCursor();
        request.onsuccess = () => {
          const cursor = request.result;
          if (!cursor) return;
          if ((cursor.value as HeldCapture).tabId === tabId) cursor.delete();
          cursor.continue();
        };
      }).then(() => {}),
    clear: () => run('readwrite', (s) => void s.clear()).then(() => {}),
  };
}

export type HeldCaptures = ReturnType<typeof heldCaptures>;
