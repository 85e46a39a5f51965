/**
 * Resuming from a kept file handle. Where the browser gives one (Chrome: a
 * file chosen through its own file picker, `showOpenFilePicker`), the upload
 * journal keeps the file's `FileSystemFileHandle`, so Resume after a restart
 * asks only for leave to read the file again, in one click, instead of asking
 * the user to find it. Anywhere else (Firefox, dropped or pasted files, older
 * entries) Resume asks for the file again.
 *
 * Pure: the handle is passed in and only its three methods are used, so this
 * runs in Node with a stand-in for it.
 */
import type { JournalEntry } from './journal';

/**
 * The part of a `FileSystemFileHandle` Resume uses. `queryPermission` and
 * `requestPermission` are Chrome's (not yet in TypeScript's DOM library).
 */
export interface KeptHandle {
  queryPermission(descriptor: { mode: 'read' }): Promise<PermissionState>;
  requestPermission(descriptor: { mode: 'read' }): Promise<PermissionState>;
  getFile(): Promise<File>;
}

/** How Resume gets the file back for an entry: through its kept handle, or by asking the user to choose it again. */
export const resumeSourceOf = (entry: Pick<JournalEntry, 'handle'>): 'handle' | 'pick' => (entry.handle ? 'handle' : 'pick');

/** Why a kept handle did not give the file back: reading it was refused, the file is no longer there, or it could not be read. */
export type HandleFailure = 'denied' | 'gone' | 'unreadable';

/** What a failure of `requestPermission` or `getFile` means for the user. */
export function handleFailureOf(err: unknown): HandleFailure {
  const name = (err as { name?: unknown } | null)?.name;
  // Moved, renamed or deleted since it was chosen (Chrome also says so for a folder that went away).
  if (name === 'NotFoundError' || name === 'TypeMismatchError') return 'gone';
  // The user said no, or the browser would not ask (no user gesture, a policy).
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  return 'unreadable';
}

/**
 * The file behind a kept handle, with leave to read it: asked of the user
 * only when the browser does not grant it already (after a restart it asks).
 * Call it straight from the click: `requestPermission` needs the user's gesture.
 *
 * `canAsk: false` (Chrome's toolbar popup): never asks. There the browser
 * answers "denied" without showing its prompt (Chromium bug 40237487, still
 * open), so the caller asks in a tab instead (`not-here`).
 */
export async function fileFromHandle(
  handle: KeptHandle,
  { canAsk = true }: { canAsk?: boolean } = {},
): Promise<{ ok: true; file: File } | { ok: false; why: HandleFailure | 'not-here' }> {
  try {
    const mode = { mode: 'read' } as const;
    const granted = (await handle.queryPermission(mode)) === 'granted';
    if (!granted && !canAsk) return { ok: false, why: 'not-here' };
    const state = granted ? 'granted' : await handle.requestPermission(mode);
    if (state !== 'granted') return { ok: false, why: 'denied' };
    return { ok: true, file: await handle.getFile() };
  } catch (err) {
    return { ok: false, why: handleFailureOf(err) };
  }
}
