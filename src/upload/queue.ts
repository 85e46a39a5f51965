import type { FailureContext, UserError } from '../s3/errors';
import type { Result, UploadPlan } from '../messaging/protocol';
import type { SignedRequest } from '../s3/presign';
import { SpeedMeter } from './speed';
import { uploadWithSinglePut } from './single-put';
import { ResultError, unwrapResult } from '../messaging/result';
import type { PutTransport } from './transport';
import { uploadMultipart, type MultipartSigner } from './multipart';
import { DEFAULT_MULTIPART_THRESHOLD, MAX_OBJECT_SIZE } from './part-plan';
import { t } from '../i18n/t';

/** `waiting`: the secrets are locked; the upload starts once the user enters the passphrase. */
export type UploadStatus = 'queued' | 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

/** One file's upload, as the popup shows it. */
export interface UploadItem {
  id: number;
  /** Stable across views: the id this upload has in the session's upload list. */
  uid: string;
  name: string;
  size: number;
  type: string;
  /** The profile it goes to; absent means the default. */
  profileId?: string;
  /** Seconds the share link should live, chosen for this upload; absent means the profile's. */
  expiresIn?: number;
  status: UploadStatus;
  loaded: number;
  bytesPerSecond: number;
  key?: string;
  link?: string;
  linkExpiresAt?: number;
  /** Whether the link made it onto the clipboard. */
  copied?: boolean;
  error?: UserError;
}

/** Everything the queue needs from the outside world. */
export interface QueueDeps {
  /**
   * Called first for each file, before anything is decided for it: reads the
   * file's profile afresh (so an edit in Options applies to the next file,
   * threshold included) and waits while the secrets are locked, calling
   * `waiting` so the view can say why. Rejects or returns when `signal` aborts.
   */
  prepare?(item: UploadItem, signal: AbortSignal, waiting: () => void): Promise<void>;
  plan(file: { name: string; type: string; size: number; profileId?: string }): Promise<Result<UploadPlan>>;
  sign(request: { key: string; contentType: string; size: number; profileId?: string; ifNoneMatch?: boolean }): Promise<Result<SignedRequest>>;
  share(request: { key: string; fileName: string; contentType: string; profileId?: string; expiresIn?: number }): Promise<Result<SignedRequest>>;
  transport: PutTransport;
  /** Puts text on the clipboard; false if the browser refused. */
  copy(text: string): Promise<boolean>;
  context(): FailureContext;
  /**
   * Signs the parts of a multipart upload for one object. Without it files go
   * up in one PUT, which S3 caps at 5 GiB (team mode without a multipart endpoint).
   */
  multipart?(target: { key: string; contentType: string; profileId?: string }): MultipartSigner;
  /** Files above this many bytes go up in parts; default 64 MiB. */
  multipartThreshold?: number;
  /** Called when an upload is done or has failed, e.g. to add it to the session's list. */
  onSettled?(item: UploadItem): void;
  now?: () => number;
  uuid?: () => string;
}

/** S3's limit for one PUT. Larger files need multipart. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Uploads files one after another, each with a fresh short-lived URL, then
 * signs its share link and copies it. Failures stay on their item with a
 * sentence; the rest of the queue goes on.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private files = new Map<number, Blob>();
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

  /** Adds files to the queue, for a profile (default: the default profile) and a link expiry (default: the profile's); returns their ids. */
  add(files: Iterable<File | (Blob & { name: string })>, options: { profileId?: string; expiresIn?: number } = {}): number[] {
    const profile = {
      ...(options.profileId ? { profileId: options.profileId } : {}),
      // Kept on the item (a retry keeps it), and asked of the share link only.
      ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}),
    };
    const ids: number[] = [];
    for (const file of files) {
      const id = this.nextId++;
      this.files.set(id, file);
      const uid = this.deps.uuid?.() ?? crypto.randomUUID();
      this.items = [...this.items, { id, uid, name: file.name, size: file.size, type: file.type, ...profile, status: 'queued', loaded: 0, bytesPerSecond: 0 }];
      ids.push(id);
    }
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
    const profile = item.profileId ? { profileId: item.profileId } : {};
    try {
      if (this.deps.prepare) {
        await this.deps.prepare(item, abort.signal, () => {
          if (!abort.signal.aborted) this.update(item.id, { status: 'waiting' });
        });
        if (abort.signal.aborted) return;
        this.update(item.id, { status: 'uploading' });
      }
      const multipart = this.deps.multipart;
      const inParts = multipart !== undefined && item.size > (this.deps.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD);
      if (!multipart && item.size > MAX_SINGLE_PUT_BYTES)
        throw new ResultError({
          code: 'EntityTooLarge',
          message: t('upload_tooLargeForOnePut', { name: item.name }),
          transient: false,
        });
      if (item.size > MAX_OBJECT_SIZE)
        throw new ResultError({ code: 'EntityTooLarge', message: t('upload_tooLargeForS3', { name: item.name }), transient: false });
      const plan = unwrapResult(await this.deps.plan({ name: item.name, type: item.type, size: item.size, ...profile }));
      this.update(item.id, { key: plan.key });
      const onProgress = (loaded: number) => {
        meter.add(this.now(), loaded);
        this.update(item.id, { loaded, bytesPerSecond: meter.bytesPerSecond() });
      };
      if (inParts)
        await uploadMultipart({
          body,
          signer: multipart({ key: plan.key, contentType: plan.contentType, ...profile }),
          transport: this.deps.transport,
          context: this.deps.context(),
          signal: abort.signal,
          onProgress,
        });
      else
        await uploadWithSinglePut({
          body,
          sign: async () =>
            unwrapResult(
              await this.deps.sign({ key: plan.key, contentType: plan.contentType, size: item.size, ...profile, ...(plan.ifNoneMatch ? { ifNoneMatch: true } : {}) }),
            ),
          transport: this.deps.transport,
          context: this.deps.context(),
          signal: abort.signal,
          now: this.now,
          onProgress,
        });
      if (abort.signal.aborted) return;
      const expiry = item.expiresIn !== undefined ? { expiresIn: item.expiresIn } : {};
      const link = unwrapResult(await this.deps.share({ key: plan.key, fileName: item.name, contentType: plan.contentType, ...profile, ...expiry }));
      // Cancel may be pressed while the link is signed: the user asked for nothing to be copied.
      if (abort.signal.aborted) return;
      // No expiresAt: a public or custom-domain link, which never expires.
      this.update(item.id, { status: 'done', loaded: item.size, bytesPerSecond: 0, link: link.url, linkExpiresAt: link.expiresAt });
      const copied = await this.deps.copy(link.url).catch(() => false);
      this.update(item.id, { copied });
      this.settled(item.id);
    } catch (err) {
      if (abort.signal.aborted) return;
      const userError =
        err instanceof ResultError
          ? err.userError
          : { code: 'Unexpected', message: t('upload_failed', { reason: (err as Error).message }), transient: false };
      this.update(item.id, { status: 'failed', bytesPerSecond: 0, error: userError });
      this.settled(item.id);
    } finally {
      this.aborts.delete(item.id);
      // A failed file stays in memory so Retry needs nothing from the user.
      if (this.items.find((i) => i.id === item.id)?.status !== 'failed') this.files.delete(item.id);
    }
  }

  private settled(id: number): void {
    const item = this.items.find((i) => i.id === id);
    if (item) this.deps.onSettled?.(item);
  }

  private update(id: number, patch: Partial<UploadItem>): void {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.items);
  }
}
