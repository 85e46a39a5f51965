import type { HistoryEntry } from '../messaging/protocol';
import type { RecentUpload } from './recent';
import { t } from '../i18n/t';

/** How many uploads each profile's history keeps unless the user says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 500;
/** The most the setting allows: every entry is a few hundred bytes of `storage.local`, which holds 10 MB. */
export const MAX_HISTORY_LIMIT = 5000;

/** Newest first; equal times keep their order. */
function newestFirst(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => b.at - a.at);
}

/** Keeps at most `limit` entries of each profile, dropping each profile's oldest; newest first. */
export function boundPerProfile(entries: readonly HistoryEntry[], limit: number): HistoryEntry[] {
  const kept = new Map<string, number>();
  return newestFirst(entries).filter((e) => {
    const n = kept.get(e.profileId) ?? 0;
    kept.set(e.profileId, n + 1);
    return n < limit;
  });
}

/**
 * Adds an entry, or updates the one with its id (a deletion mark survives a
 * repeated record of the same upload); newest first; the profile's oldest go
 * beyond `limit`.
 */
export function addEntry(entries: readonly HistoryEntry[], entry: HistoryEntry, limit = DEFAULT_HISTORY_LIMIT): HistoryEntry[] {
  const existing = entries.find((e) => e.id === entry.id);
  const merged = existing ? { ...existing, ...entry, ...(existing.deletedAt ? { deletedAt: existing.deletedAt } : {}) } : entry;
  return boundPerProfile(newestFirst([merged, ...entries.filter((e) => e.id !== entry.id)]), limit);
}

/** A profile's entries, newest first, whose file name or key contains `search` (any case). */
export function searchEntries(entries: readonly HistoryEntry[], profileId: string, search = ''): HistoryEntry[] {
  const needle = search.trim().toLowerCase();
  return newestFirst(entries.filter((e) => e.profileId === profileId)).filter(
    (e) => !needle || e.name.toLowerCase().includes(needle) || e.key.toLowerCase().includes(needle),
  );
}

/** Marks an entry's object as deleted from the bucket (the first time only); the entry stays. */
export function markDeleted(entries: readonly HistoryEntry[], id: string, at: number): HistoryEntry[] {
  return entries.map((e) => (e.id === id && !e.deletedAt ? { ...e, deletedAt: at } : e));
}

/** Sets when the entry's latest link expires; `undefined` means it does not expire. */
export function withLinkExpiry(entries: readonly HistoryEntry[], id: string, expiresAt: number | undefined): HistoryEntry[] {
  return entries.map((e) => {
    if (e.id !== id) return e;
    const { linkExpiresAt: _old, ...rest } = e;
    return expiresAt === undefined ? rest : { ...rest, linkExpiresAt: expiresAt };
  });
}

/** Forgets a profile's entries (the objects stay in the bucket). */
export function clearProfile(entries: readonly HistoryEntry[], profileId: string): { entries: HistoryEntry[]; removed: number } {
  const kept = entries.filter((e) => e.profileId !== profileId);
  return { entries: kept, removed: entries.length - kept.length };
}

/** Schemes whose address names a place; any other page (`data:`, `blob:`, `about:`) is not kept at all. */
const PLACE_SCHEMES = new Set(['https:', 'http:', 'file:', 'ftp:']);

/**
 * The part of a page's address the history keeps: scheme, host and path.
 * The query and fragment often carry session ids, reset or OAuth tokens, and
 * search terms, and a `user:password@` before the host is a credential; none
 * of them says where the image came from, so they are never stored.
 * `undefined` for an address that is not a place or cannot be read.
 */
export function pageAddress(pageUrl: string | undefined): string | undefined {
  if (!pageUrl) return undefined;
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return undefined;
  }
  if (!PLACE_SCHEMES.has(url.protocol)) return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** An entry with its page address cut down to what the history keeps (entries stored before that rule). */
export function withPageAddressOnly(entry: HistoryEntry): HistoryEntry {
  const { pageUrl, ...rest } = entry;
  const kept = pageAddress(pageUrl);
  return kept ? { ...rest, pageUrl: kept } : rest;
}

/**
 * The history entry of a finished upload, or `null` for one that did not
 * finish (uploading, failed) or has no key. `profileId` is the profile it went
 * to, resolved by the caller (uploads that name none went to the default).
 * Never the link: it carries a signature, and a fresh one is signed when asked.
 */
export function entryFromUpload(upload: RecentUpload, profileId: string): HistoryEntry | null {
  if (upload.status !== 'done' || !upload.key || !profileId) return null;
  // The one place a page's address enters the history.
  const page = pageAddress(upload.pageUrl);
  return {
    id: upload.id,
    profileId,
    name: upload.name,
    size: upload.size,
    type: upload.type,
    key: upload.key,
    at: upload.at,
    ...(upload.linkExpiresAt ? { linkExpiresAt: upload.linkExpiresAt } : {}),
    ...(upload.deletesAt ? { deletesAt: upload.deletesAt } : {}),
    ...(upload.verified ? { verified: true } : {}),
    source: upload.source,
    ...(page ? { pageUrl: page } : {}),
  };
}

/** A sentence for an unusable history limit, or `null`. */
export function validateHistoryLimit(limit: number): string | null {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)
    return t('history_limitRange', { max: MAX_HISTORY_LIMIT });
  return null;
}

/** Whether the browser can show the object as a thumbnail. */
export function isImage(entry: Pick<HistoryEntry, 'type'>): boolean {
  return /^image\/(png|jpe?g|gif|webp|avif|bmp|svg\+xml|x-icon|vnd\.microsoft\.icon)$/i.test(entry.type);
}
