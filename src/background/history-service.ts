import {
  addEntry,
  boundPerProfile,
  clearProfile,
  entryFromUpload,
  isImage,
  markDeleted,
  searchEntries,
  validateHistoryLimit,
  withLinkExpiry,
} from '../history/history';
import type { RecentUpload } from '../history/recent';
import type { HistoryEntry, HistoryHandlers, HistoryView } from '../messaging/protocol';
import { userError, type UserError, type Result } from '../result';
import { effectiveContentType, type SignedRequest } from '../s3/presign';
import type { ProfileStore } from '../settings/profile-store';
import { NOT_CONFIGURED } from '../destination/connection';
import type { Destination } from '../destination/destination';
import { linkExpiryRefusal } from '../s3/expiry';
import { t } from '../i18n/t';

/** Thumbnails are signed for 10 minutes: long enough for a page left open a while, short if one leaks. */
export const THUMBNAIL_SECONDS = 600;
/** Signed again when less than this is left, so an image on screen never dies mid-view. */
const THUMBNAIL_MIN_LEFT_MS = 5 * 60_000;
/** At most this many thumbnails per answer: a presign service is asked once for each. */
export const MAX_THUMBNAILS = 48;

/** What the history needs; injected, so it is tested in Node. */
export interface HistoryDeps {
  /** Every profile's entries as stored. */
  loadHistory(): Promise<HistoryEntry[]>;
  /** Changes the stored entries; changes run one at a time (see `serialHistory`). */
  updateHistory(change: (entries: HistoryEntry[]) => HistoryEntry[]): Promise<void>;
  loadLimit(): Promise<number>;
  saveLimit(limit: number): Promise<void>;
  loadProfiles(): Promise<ProfileStore>;
  /** The destination of a profile: links follow its link mode; deleting needs it to be able to. */
  open(profileId?: string): Promise<Result<Destination>>;
  now(): Date;
}

/**
 * Reads and writes over raw storage, with every change queued behind the one
 * before: uploads finishing together, a delete and a clear never overwrite
 * each other's write.
 */
export function serialHistory(io: {
  load(): Promise<HistoryEntry[]>;
  save(entries: HistoryEntry[]): Promise<void>;
}): Pick<HistoryDeps, 'loadHistory' | 'updateHistory'> {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    loadHistory: () => io.load(),
    updateHistory(change) {
      const next = queue.then(async () => io.save(change(await io.load())));
      queue = next.catch(() => {});
      return next;
    },
  };
}

const NO_SUCH_ENTRY: UserError = {
  code: 'NoSuchHistoryEntry',
  message: t('historyService_noSuchEntry'),
  transient: false,
};

function deletedAlready(entry: HistoryEntry): UserError {
  return {
    code: 'ObjectDeleted',
    message: t('historyService_deletedAlready', { name: entry.name, date: new Date(entry.deletedAt!).toUTCString() }),
    transient: false,
  };
}

/** S3 answers 204 to a DELETE of a missing key; other services may say so. Either way it is gone. */
const GONE_CODES = new Set(['NoSuchKey', 'Http404', 'NotFound']);

/**
 * Records a finished upload in the history. Uploads that name no profile
 * (from before profiles, or to "the default") belong to the default profile
 * of now; failed and unfinished ones are not kept.
 */
export function createHistoryRecorder(deps: Pick<HistoryDeps, 'updateHistory' | 'loadLimit' | 'loadProfiles'>): (upload: RecentUpload) => Promise<void> {
  return async (upload) => {
    if (upload.status !== 'done' || !upload.key) return;
    const profileId = upload.profileId || (await deps.loadProfiles()).defaultId;
    const entry = profileId ? entryFromUpload(upload, profileId) : null;
    if (!entry) return;
    const limit = await deps.loadLimit();
    await deps.updateHistory((entries) => addEntry(entries, entry, limit));
  };
}

/** Chrome: "Resource::kQuotaBytes quota exceeded"; Firefox: a `QuotaExceededError`. */
function isStorageFull(err: unknown): boolean {
  return err instanceof Error && /quota/i.test(`${err.name} ${err.message}`);
}

/** The sentence for an upload the history could not keep: the upload itself is done either way. */
export function historyNotSavedSentence(upload: Pick<RecentUpload, 'name'>, err: unknown): string {
  if (isStorageFull(err)) return t('history_notSavedFull', { name: upload.name });
  return t('history_notSavedReason', { name: upload.name, reason: err instanceof Error ? err.message : String(err) });
}

/** What recording an upload needs; injected, so the storage-full path is tested in Node. */
export interface UploadRecorderDeps {
  /** Adds a finished upload to the history (see `createHistoryRecorder`). */
  addToHistory(upload: RecentUpload): Promise<void>;
  /** Tells the user (a notification): a title and a sentence. */
  warn(title: string, sentence: string): Promise<void>;
}

/**
 * Records finished uploads in the history, one at a time so concurrent
 * uploads do not overwrite each other. When the history cannot be written
 * (storage full), the upload still stands: its link is out, and the user is
 * told in a sentence that the history does not have it.
 */
export function createUploadRecorder(deps: UploadRecorderDeps): (upload: RecentUpload) => Promise<void> {
  let queue: Promise<unknown> = Promise.resolve();
  return (upload) => {
    const run = queue.then(async () => {
      try {
        await deps.addToHistory(upload);
      } catch (err) {
        console.error('S3 Drop: the upload was not added to the history', err);
        await deps.warn(t('notify_historyNotSaved'), historyNotSavedSentence(upload, err)).catch(() => {});
      }
    });
    // One failed write does not stop the uploads after it from being recorded.
    queue = run.catch(() => {});
    return run;
  };
}

/** The background's side of the history messages. */
export function createHistoryHandlers(deps: HistoryDeps): HistoryHandlers {
  /** Signed thumbnails by entry id, reused while they have a while to live (a page reloads its list often). */
  const thumbnails = new Map<string, { url: string; expiresAt: number | undefined }>();

  async function find(historyId: string): Promise<HistoryEntry | null> {
    return (await deps.loadHistory()).find((e) => e.id === historyId) ?? null;
  }

  async function linkFor(entry: HistoryEntry, expiresIn?: number): Promise<Result<SignedRequest>> {
    const refused = linkExpiryRefusal(expiresIn);
    if (refused) return { ok: false, error: refused };
    const opened = await deps.open(entry.profileId);
    if (!opened.ok) return opened;
    const link = await opened.value.shareLink({
      key: entry.key,
      fileName: entry.name,
      contentType: effectiveContentType(entry.type),
      ...(expiresIn !== undefined ? { expiresIn } : {}),
    });
    if (!link.ok) return link;
    const { lifetimeSeconds: _lifetime, ...signed } = link.value;
    return { ok: true, value: signed };
  }

  async function thumbnail(entry: HistoryEntry): Promise<string | undefined> {
    const now = deps.now().getTime();
    const cached = thumbnails.get(entry.id);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - now > THUMBNAIL_MIN_LEFT_MS)) return cached.url;
    const signed = await linkFor(entry, THUMBNAIL_SECONDS).catch(() => null);
    if (!signed?.ok) return undefined;
    // A link mode without expiry (public bucket, custom domain) gives a plain URL.
    const { expiresAt } = signed.value;
    if (thumbnails.size > 1000) thumbnails.clear();
    thumbnails.set(entry.id, { url: signed.value.url, expiresAt });
    return signed.value.url;
  }

  return {
    async listHistory(query): Promise<Result<HistoryView>> {
      const [all, limit] = await Promise.all([deps.loadHistory(), deps.loadLimit()]);
      if (query.ids) {
        const wanted = new Set(query.ids);
        const entries = all.filter((e) => wanted.has(e.id));
        return { ok: true, value: { entries, total: entries.length, limit } };
      }
      const store = await deps.loadProfiles();
      const profileId = query.profileId || store.defaultId;
      // A deleted profile's entries stay readable by its id; with no id there must be a default.
      if (!profileId) return { ok: false, error: NOT_CONFIGURED };
      const mine = searchEntries(all, profileId);
      const found = query.search ? searchEntries(mine, profileId, query.search) : mine;
      const shown = query.limit !== undefined ? found.slice(0, Math.max(0, query.limit)) : found;
      let entries: HistoryView['entries'] = shown;
      if (query.thumbnails) {
        const wanted = new Set(shown.filter((e) => !e.deletedAt && isImage(e)).slice(0, MAX_THUMBNAILS).map((e) => e.id));
        entries = await Promise.all(
          shown.map(async (e) => {
            if (!wanted.has(e.id)) return e;
            const url = await thumbnail(e);
            return url ? { ...e, thumbnail: url } : e;
          }),
        );
      }
      return { ok: true, value: { entries, total: mine.length, limit } };
    },

    async freshLink({ historyId, expiresIn }) {
      const entry = await find(historyId);
      if (!entry) return { ok: false, error: NO_SUCH_ENTRY };
      if (entry.deletedAt) return { ok: false, error: deletedAlready(entry) };
      const signed = await linkFor(entry, expiresIn);
      if (!signed.ok) return signed;
      // The entry tells until when a link handed out still works: a shorter fresh link does not cut that.
      const { expiresAt } = signed.value;
      const latest = expiresAt === undefined ? undefined : Math.max(expiresAt, entry.linkExpiresAt ?? 0);
      await deps.updateHistory((entries) => withLinkExpiry(entries, entry.id, latest));
      return signed;
    },

    async deleteUpload(historyId) {
      const entry = await find(historyId);
      if (!entry) return { ok: false, error: NO_SUCH_ENTRY };
      if (entry.deletedAt) return { ok: true, value: null };
      const opened = await deps.open(entry.profileId);
      if (!opened.ok)
        return {
          ok: false,
          error:
            opened.error.code === 'NoSuchProfile' || opened.error.code === 'NotConfigured'
              ? { code: 'NoSuchProfile', message: t('historyService_profileGone', { name: entry.name }), transient: false }
              : opened.error,
        };
      const destination = opened.value;
      if (!destination.deleteObject)
        return {
          ok: false,
          error: {
            code: 'DeleteNotSupported',
            message: t('historyService_deleteNotSupported', { name: entry.name, key: entry.key }),
            transient: false,
          },
        };
      const deleted = await destination.deleteObject(entry.key);
      if (!deleted.ok && !GONE_CODES.has(deleted.error.code)) {
        if (deleted.error.code === 'AccessDenied' || deleted.error.code === 'AllAccessDisabled')
          return {
            ok: false,
            error: {
              ...deleted.error,
              message: t('historyService_deleteDenied', { bucket: destination.bucket, arn: `arn:aws:s3:::${destination.bucket}/*` }),
            },
          };
        return deleted;
      }
      thumbnails.delete(entry.id);
      await deps.updateHistory((entries) => markDeleted(entries, entry.id, deps.now().getTime()));
      return { ok: true, value: null };
    },

    async clearHistory(profileId) {
      const id = profileId || (await deps.loadProfiles()).defaultId;
      if (!id) return { ok: false, error: NOT_CONFIGURED };
      let removed = 0;
      await deps.updateHistory((entries) => {
        const cleared = clearProfile(entries, id);
        removed = cleared.removed;
        return cleared.entries;
      });
      return { ok: true, value: { removed } };
    },

    async setHistoryLimit(limit) {
      const invalid = validateHistoryLimit(limit);
      if (invalid) return { ok: false, error: userError('InvalidSettings', invalid) };
      await deps.saveLimit(limit);
      await deps.updateHistory((entries) => boundPerProfile(entries, limit));
      return { ok: true, value: null };
    },
  };
}
