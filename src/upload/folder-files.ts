/**
 * A dropped or chosen folder, as files with their folders: what `{path}` in
 * the key template is made of. Hidden files and folders (names starting with
 * `.`: `.DS_Store`, `.git/`) are left out and counted, so the popup can say
 * how many.
 *
 * Only the shapes of the browser's entries are used (a drop's
 * `webkitGetAsEntry()`, a folder input's `webkitRelativePath`), so this runs
 * in Node with fake entries.
 */

/** One file of a folder: `path` is its folders from the dropped one down, ending in `/` (`trip/day1/`). */
export interface FolderFile<F = File> {
  file: F;
  path: string;
}

/** What was found: the files to upload (sorted by path and name), and how many hidden files or folders were left out. */
export interface FolderScan<F = File> {
  files: FolderFile<F>[];
  skipped: number;
}

/** What a drop's `FileSystemEntry` offers that the walk uses. */
export interface EntryLike<F = File> {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  /** Files only. */
  file?(success: (file: F) => void, failure?: (err: unknown) => void): void;
  /** Folders only. */
  createReader?(): { readEntries(success: (entries: EntryLike<F>[]) => void, failure?: (err: unknown) => void): void };
}

/** Hidden by convention on macOS and Linux (and `.DS_Store`, `.git`…): not uploaded by default. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** `trip/day1/a.jpg` → folders `trip/day1/` and name `a.jpg`. */
export function splitRelativePath(relative: string): { path: string; name: string } {
  const cut = relative.lastIndexOf('/');
  return cut < 0 ? { path: '', name: relative } : { path: relative.slice(0, cut + 1), name: relative.slice(cut + 1) };
}

const byPath = <F extends { name: string }>(a: FolderFile<F>, b: FolderFile<F>) =>
  a.path + a.file.name < b.path + b.file.name ? -1 : a.path + a.file.name > b.path + b.file.name ? 1 : 0;

/**
 * The files of a folder input (`<input webkitdirectory>`), by their
 * `webkitRelativePath` (`trip/day1/a.jpg`; the chosen folder's own name
 * first). A hidden folder counts once, however many files it holds.
 */
export function scanRelativePaths<F extends { name: string; webkitRelativePath: string }>(files: Iterable<F>): FolderScan<F> {
  const out: FolderFile<F>[] = [];
  const hidden = new Set<string>();
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    const first = parts.findIndex(isHidden);
    if (first >= 0) {
      hidden.add(parts.slice(0, first + 1).join('/'));
      continue;
    }
    out.push({ file, path: splitRelativePath(parts.join('/')).path });
  }
  return { files: out.sort(byPath), skipped: hidden.size };
}

function readBatch<F>(reader: ReturnType<NonNullable<EntryLike<F>['createReader']>>): Promise<EntryLike<F>[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf<F>(entry: EntryLike<F>): Promise<F> {
  return new Promise((resolve, reject) => entry.file!(resolve, reject));
}

/**
 * Walks dropped entries: files as they are (no folder), folders down to their
 * last file, each file with the folders above it, the dropped folder's name
 * first. A folder's reader answers in batches (Chrome: 100 at a time) until
 * it answers none, so it is read until empty.
 */
export async function walkEntries<F extends { name: string } = File>(entries: Iterable<EntryLike<F>>): Promise<FolderScan<F>> {
  const out: FolderFile<F>[] = [];
  let skipped = 0;
  const visit = async (entry: EntryLike<F>, path: string): Promise<void> => {
    if (isHidden(entry.name)) {
      skipped++;
      return;
    }
    if (entry.isFile) {
      out.push({ file: await fileOf(entry), path });
      return;
    }
    if (!entry.isDirectory || !entry.createReader) return;
    const reader = entry.createReader();
    const inside = `${path}${entry.name}/`;
    for (let batch = await readBatch(reader); batch.length; batch = await readBatch(reader))
      for (const child of batch) await visit(child, inside);
  };
  for (const entry of entries) await visit(entry, '');
  return { files: out.sort(byPath), skipped };
}
