import type { UserError } from '../result';
import type { PrivacyReport } from '../privacy/report';
import type { ImageReport } from '../images/decide';
import type { ImageChoice } from '../images/choice';
import { SpeedMeter } from './speed';
import { runUpload, type PipelineDeps } from './pipeline';
import type { JournalEntry } from './journal';

/** `waiting`: the secrets are locked; the upload starts once the user enters the passphrase. */
export type UploadStatus = 'queued' | 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

/** One file's upload, as the popup shows it. */
export interface UploadItem {
  id: number;
  /** The id of its history entry, from the moment the upload starts: the history and the popup's Recent name it so. */
  entryId?: string;
  name: string;
  size: number;
  type: string;
  /** The profile it goes to; absent means the default. */
  profileId?: string;
  /** Seconds the share link should live, chosen for this upload; absent means the profile's. */
  expiresIn?: number;
  /** The image choice made in the popup when it was added, over the profile's (a retry keeps it). */
  images?: ImageChoice;
  /** For a file of a dropped or chosen folder: its folders (`trip/day1/`), the key template's `{path}`. */
  path?: string;
  /** The dropped or chosen folder it came with: the popup shows its files as one row. */
  folder?: FolderOf;
  status: UploadStatus;
  loaded: number;
  bytesPerSecond: number;
  key?: string;
  link?: string;
  linkExpiresAt?: number;
  /** When the bucket deletes it (Auto-delete). */
  deletesAt?: number;
  /** The link as the profile copies it (Markdown, HTML…): what Copy puts on the clipboard. */
  copyText?: string;
  /** Whether the link made it onto the clipboard. */
  copied?: boolean;
  error?: UserError;
  /** What the privacy stage did to it, for a photo: the row says it. */
  privacy?: PrivacyReport;
  /** What the image stage did to it, when the profile resizes or converts pictures: the row says it. */
  image?: ImageReport;
  /** The server verified a checksum of every part (or of the one PUT): the row marks it. */
  verified?: true;
}

/** A folder's files share this: `id` is its first file's (unique in the queue), `name` the folder's. */
export interface FolderOf {
  id: number;
  name: string;
  /** Set on every file of the folder once all are settled: whether the list of links made it onto the clipboard. */
  listCopied?: boolean;
}

/** Everything the queue needs from the outside world: the pipeline's deps, and a clock. */
export interface QueueDeps extends PipelineDeps {
  /** Called when an upload is done or has failed. */
  onSettled?(item: UploadItem): void;
}

/**
 * Uploads files one after another, each with a fresh short-lived URL, then
 * signs its share link and copies it. Failures stay on their item with a
 * sentence; the rest of the queue goes on.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private files = new Map<number, Blob>();
  /** Handles from the browser's file picker, by item: the journal keeps them (a retry too). */
  private handles = new Map<number, FileSystemFileHandle>();
  /** Uploads begun before a restart that these items finish. */
  private resumes = new Map<number, JournalEntry>();
  private aborts = new Map<number, AbortController>();
  private listeners = new Set<(items: readonly UploadItem[]) => void>();
  private nextId = 1;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly deps: QueueDeps) {
    this.now = deps.now ?? Date.now;
  }

  subscribe(listener: (items: readonly UploadItem[]) => void): () => void {
    this.listeners.add(listener);
    listener(this.items);
    return () => this.listeners.delete(listener);
  }

  snapshot(): readonly UploadItem[] {
    return this.items;
  }

  /**
   * Adds files to the queue, for a profile (default: the default profile) and a link expiry (default: the profile's); returns their ids.
   * A folder's files come with `paths` (each file's folders, in the same order) and the `folder` they make up;
   * `images` is the popup's image choice for them (default: the profile's); `handles`, each file's handle, in the same
   * order, when they came from the browser's file picker.
   */
  add(
    files: Iterable<File | (Blob & { name: string })>,
    options: {
      profileId?: string;
      expiresIn?: number;
      paths?: readonly string[];
      folder?: string;
      images?: ImageChoice;
      handles?: readonly (FileSystemFileHandle | undefined)[];
    } = {},
  ): number[] {
    const profile = {
      ...(options.profileId ? { profileId: options.profileId } : {}),
      // Kept on the item (a retry keeps it), and asked of the share link only.
      ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}),
      ...(options.images ? { images: options.images } : {}),
    };
    const ids: number[] = [];
    const added: UploadItem[] = [];
    let index = 0;
    const folder = options.folder ? { id: this.nextId, name: options.folder } : undefined;
    for (const file of files) {
      const id = this.nextId++;
      // Not `paths?.[index++]`: without paths the optional chain would skip the increment.
      const at = index++;
      const handle = options.handles?.[at];
      const path = options.paths?.[at];
      this.files.set(id, file);
      if (handle) this.handles.set(id, handle);
      added.push({
        id,
        name: file.name,
        size: file.size,
        type: file.type,
        ...profile,
        ...(path ? { path } : {}),
        ...(folder ? { folder } : {}),
        status: 'queued',
        loaded: 0,
        bytesPerSecond: 0,
      });
      ids.push(id);
    }
    // One new list for a whole folder, not one per file.
    this.items = [...this.items, ...added];
    this.emit();
    void this.run();
    return ids;
  }

  cancel(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || (item.status !== 'queued' && item.status !== 'waiting' && item.status !== 'uploading')) return;
    this.aborts.get(id)?.abort();
    this.update(id, { status: 'cancelled', bytesPerSecond: 0 });
    this.files.delete(id);
    this.handles.delete(id);
  }

  /**
   * Finishes an upload begun before a restart, with the file picked again
   * (already matched with the entry): only its missing parts go up, and it
   * ends like any other upload (link, clipboard, history). Returns its id.
   */
  resume(file: File | (Blob & { name: string }), entry: JournalEntry): number {
    // Not twice: a second Resume of the same upload while the first runs would send its parts twice.
    const running = this.items.find((i) => i.entryId === entry.id && (i.status === 'queued' || i.status === 'waiting' || i.status === 'uploading'));
    if (running) return running.id;
    const id = this.nextId++;
    this.files.set(id, file);
    this.resumes.set(id, entry);
    const loaded = entry.parts.reduce((n, p) => n + p.size, 0);
    this.items = [
      ...this.items,
      { id, entryId: entry.id, name: entry.name, size: file.size, type: entry.contentType, profileId: entry.profileId, key: entry.key, status: 'queued', loaded, bytesPerSecond: 0 },
    ];
    this.emit();
    void this.run();
    return id;
  }

  /** Puts a failed upload back in the queue, with the same file. */
  retry(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (item?.status !== 'failed' || !this.files.has(id)) return;
    this.update(id, { status: 'queued', loaded: 0, error: undefined });
    void this.run();
  }

  /** Resolves when nothing is queued or uploading. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.nextQueued(); next; next = this.nextQueued()) await this.upload(next);
    } finally {
      this.running = false;
    }
  }

  private nextQueued(): UploadItem | undefined {
    return this.items.find((i) => i.status === 'queued');
  }

  private async upload(item: UploadItem): Promise<void> {
    const body = this.files.get(item.id);
    if (!body) return;
    const abort = new AbortController();
    this.aborts.set(item.id, abort);
    const meter = new SpeedMeter();
    this.update(item.id, { status: 'uploading' });
    try {
      const outcome = await runUpload(
        {
          body,
          name: item.name,
          type: item.type,
          source: 'popup',
          ...(item.profileId ? { profileId: item.profileId } : {}),
          ...(item.expiresIn !== undefined ? { expiresIn: item.expiresIn } : {}),
          ...(item.path ? { path: item.path } : {}),
          ...(item.images ? { images: item.images } : {}),
          ...(this.resumes.has(item.id) ? { resume: this.resumes.get(item.id)! } : {}),
          ...(this.handles.has(item.id) ? { handle: this.handles.get(item.id)! } : {}),
        },
        this.deps,
        {
          signal: abort.signal,
          onWaiting: () => {
            if (!abort.signal.aborted) this.update(item.id, { status: 'waiting' });
          },
          // The size the background signed: a photo's is its cleaned size.
          onStarted: (start) => this.update(item.id, { status: 'uploading', key: start.ticket.key, entryId: start.ticket.id, size: start.ticket.size }),
          onProgress: (loaded) => {
            meter.add(this.now(), loaded);
            this.update(item.id, { loaded, bytesPerSecond: meter.bytesPerSecond() });
          },
        },
      );
      if (outcome.status === 'cancelled' || abort.signal.aborted) return;
      if (outcome.status === 'failed') {
        this.update(item.id, {
          status: 'failed',
          bytesPerSecond: 0,
          error: outcome.error,
          ...(outcome.key ? { key: outcome.key } : {}),
          ...(outcome.privacy ? { privacy: outcome.privacy } : {}),
          ...(outcome.image ? { image: outcome.image } : {}),
        });
      } else {
        // No linkExpiresAt: a public or custom-domain link, which never expires.
        this.update(item.id, {
          status: 'done',
          loaded: this.items.find((i) => i.id === item.id)?.size ?? item.size,
          bytesPerSecond: 0,
          key: outcome.key,
          link: outcome.link,
          linkExpiresAt: outcome.linkExpiresAt,
          deletesAt: outcome.deletesAt,
          copyText: outcome.copyText,
          copied: outcome.copied,
          ...(outcome.privacy ? { privacy: outcome.privacy } : {}),
          ...(outcome.image ? { image: outcome.image } : {}),
          ...(outcome.verified ? { verified: true } : {}),
        });
      }
      this.settled(item.id);
    } finally {
      this.aborts.delete(item.id);
      // A failed file stays in memory so Retry needs nothing from the user.
      if (this.items.find((i) => i.id === item.id)?.status !== 'failed') {
        this.files.delete(item.id);
        this.resumes.delete(item.id);
        this.handles.delete(item.id);
      }
    }
  }

  private settled(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (!item) return;
    this.deps.onSettled?.(item);
    if (item.folder) void this.folderSettled(item.folder.id);
  }

  /**
   * Once the last file of a folder has settled, the clipboard gets every
   * link of it, one a line, in the profile's form (each file's own link went
   * there as it finished; the list replaces the last one).
   */
  private async folderSettled(folderId: number): Promise<void> {
    const files = this.items.filter((i) => i.folder?.id === folderId);
    if (files.some((i) => i.status === 'queued' || i.status === 'waiting' || i.status === 'uploading')) return;
    const lines = files.flatMap((i) => (i.status === 'done' && i.link ? [i.copyText ?? i.link] : []));
    if (!lines.length) return;
    const listCopied = await this.deps.copy(lines.join('\n')).catch(() => false);
    this.items = this.items.map((i) => (i.folder?.id === folderId ? { ...i, folder: { ...i.folder, listCopied } } : i));
    this.emit();
  }

  private update(id: number, patch: Partial<UploadItem>): void {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.items);
  }
}
