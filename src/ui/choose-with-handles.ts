/**
 * Chrome's own file picker, for the popup's Choose files: unlike the file
 * input it gives a handle to each file, which the upload journal keeps, so an
 * upload a restart interrupts resumes with one click (allow reading the file
 * again) instead of the user finding the file again. Loaded on the click, not
 * with the popup.
 */

/** Chrome's `showOpenFilePicker` (not in TypeScript's DOM library). */
type OpenFilePicker = (options: { multiple: boolean }) => Promise<FileSystemFileHandle[]>;

/**
 * Opens the picker and hands the chosen files, with their handles, to `add`.
 * A closed picker (AbortError) chooses nothing and says nothing. Called within
 * the click: the picker opens only during the user's gesture.
 */
export async function chooseWithHandles(add: (files: File[], handles: FileSystemFileHandle[]) => void, scope: object = globalThis): Promise<void> {
  let handles: FileSystemFileHandle[];
  try {
    handles = await (scope as { showOpenFilePicker: OpenFilePicker }).showOpenFilePicker({ multiple: true });
  } catch (err) {
    if ((err as DOMException).name === 'AbortError') return;
    throw err;
  }
  if (handles.length) add(await Promise.all(handles.map((h) => h.getFile())), handles);
}
