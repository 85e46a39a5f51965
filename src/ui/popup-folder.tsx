/**
 * Files that come into the popup other than through the file input: folder
 * uploads (reading a dropped or chosen folder, and its one row), Chrome's file
 * picker (choose-with-handles.ts) and pasted images' names. Loaded when such
 * files come, so no popup pays for it before.
 */
import { useState } from 'preact/hooks';
import type { UploadItem } from '../upload/queue';
import { scanRelativePaths, walkEntries, type EntryLike, type FolderScan } from '../upload/folder-files';
import { formatBytes } from '../upload/speed';
import { copyText } from './clipboard';
import type { RunnerView } from './use-upload-runner';
import { t } from '../i18n/t';

export { chooseWithHandles as chooseFiles } from './choose-with-handles';

/** Pasted images arrive nameless ("image.png" at best); give them a name worth keeping. */
export function namePasted(file: File, now = new Date()): File {
  if (file.name && file.name !== 'image.png') return file;
  const ext = file.type.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
  const stamp = now.toISOString().replace(/[:T]/g, '-').replace(/\..+/, '');
  return new File([file], `pasted-${stamp}.${ext}`, { type: file.type });
}

/** A folder ready for the queue: its files, each one's folders (`{path}`), its name, and what to tell the user. */
export interface FolderPick {
  files: File[];
  paths: string[];
  name: string;
  note: string;
}

function picked(scan: FolderScan, name: string): FolderPick {
  const { skipped } = scan;
  return {
    files: scan.files.map((f) => f.file),
    paths: scan.files.map((f) => f.path),
    name,
    note: skipped ? (skipped === 1 ? t('popup_skippedHiddenOne') : t('popup_skippedHiddenMany', { count: skipped })) : '',
  };
}

/** A drop with a folder in it (its entries, taken during the drop event); nothing is queued if any folder cannot be read. */
export async function fromDrop(entries: FileSystemEntry[]): Promise<FolderPick> {
  const name = entries.flatMap((e) => (e.isDirectory ? [e.name] : [])).join(', ');
  try {
    return picked(await walkEntries(entries as unknown as EntryLike[]), name);
  } catch (err) {
    return { files: [], paths: [], name, note: t('popup_folderUnreadable', { reason: err instanceof Error ? err.message : String(err) }) };
  }
}

/** The files of a folder input; the first folder of each relative path is the chosen one. */
export async function fromInput(files: File[]): Promise<FolderPick> {
  return picked(scanRelativePaths(files), files[0]?.webkitRelativePath.split('/')[0] ?? '');
}

const active = (i: UploadItem) => i.status === 'queued' || i.status === 'waiting' || i.status === 'uploading';

/**
 * One row for a folder: overall progress while it goes up, then how it went
 * and every file's link (the list went to the clipboard, in the profile's form).
 */
export function FolderRow({ items, queue }: { items: UploadItem[]; queue: RunnerView }) {
  const [copied, setCopied] = useState(false);
  const folder = items[0]!.folder!;
  const running = items.filter(active);
  const done = items.filter((i) => i.status === 'done');
  const failed = items.filter((i) => i.status === 'failed');
  const size = items.reduce((sum, i) => sum + i.size, 0);
  const loaded = items.reduce((sum, i) => sum + (i.status === 'done' ? i.size : i.loaded), 0);
  const list = done.flatMap((i) => (i.link ? [i.copyText ?? i.link] : []));
  return (
    <li class={`upload folder ${running.length ? 'uploading' : failed.length ? 'failed' : 'done'}`}>
      <div class="name" title={folder.name}>
        {folder.name}
      </div>
      {running.length > 0 ? (
        <>
          <progress max={Math.max(size, 1)} value={loaded} aria-label={t('popup_uploading', { name: folder.name })} />
          <div class="row">
            <span class="muted">
              {t('popup_folderProgress', { done: done.length, total: items.length, loaded: formatBytes(loaded), size: formatBytes(size) })}
            </span>
            <button type="button" onClick={() => running.forEach((i) => queue.cancel(i.id))} aria-label={t('popup_cancelUpload', { name: folder.name })}>
              {t('popup_cancel')}
            </button>
          </div>
        </>
      ) : (
        <div class="row">
          <span class="muted" role="status">
            {t(folder.listCopied || copied ? 'popup_folderDoneCopied' : 'popup_folderDone', { done: done.length, total: items.length, size: formatBytes(size) })}
          </span>
          {list.length > 0 && (
            <button type="button" onClick={async () => setCopied(await copyText(list.join('\n')))} aria-label={t('popup_copyFolderLinks', { name: folder.name })}>
              {t('popup_copy')}
            </button>
          )}
        </div>
      )}
      {/* Each file once it is settled: its link, or why it failed (Retry puts it back in the folder's progress). */}
      <ul class="folder-files">
        {items.map((i) =>
          i.status === 'done' && i.link ? (
            <li>
              <span class="muted">{(i.path ?? '') + i.name}</span>
              <input type="text" readOnly value={i.link} aria-label={t('popup_shareLinkFor', { name: (i.path ?? '') + i.name })} onFocus={(e) => e.currentTarget.select()} />
            </li>
          ) : i.status === 'failed' ? (
            <li>
              <p class="alert">{`${(i.path ?? '') + i.name}: ${i.error?.message ?? ''}`}</p>
              <button type="button" onClick={() => queue.retry(i.id)} aria-label={t('popup_retryUpload', { name: (i.path ?? '') + i.name })}>
                {t('popup_retry')}
              </button>
            </li>
          ) : null,
        )}
      </ul>
    </li>
  );
}
