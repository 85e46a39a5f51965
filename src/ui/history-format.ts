import type { HistoryEntry } from '../messaging/protocol';
import { t } from '../i18n/t';

/** "5 Mar 2024, 07:08" in the reader's locale. */
export function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** What the entry's latest link does now: expired, expires when, or never expires. */
export function linkNote(entry: Pick<HistoryEntry, 'linkExpiresAt'>, now = Date.now()): string {
  if (entry.linkExpiresAt === undefined) return t('history_linkNeverExpires');
  return t(entry.linkExpiresAt <= now ? 'history_linkExpired' : 'history_linkExpires', { when: when(entry.linkExpiresAt) });
}

/** "Deleted from the bucket on …" for a deleted entry. */
export function deletedNote(entry: Pick<HistoryEntry, 'deletedAt'>): string {
  return entry.deletedAt ? t('history_deletedOn', { when: when(entry.deletedAt) }) : '';
}

/** When the bucket's Auto-delete rule deletes the entry's object; empty when it stays or is gone already. */
export function autoDeleteNote(entry: Pick<HistoryEntry, 'deletesAt' | 'deletedAt'>, now = Date.now()): string {
  if (entry.deletesAt === undefined || entry.deletedAt) return '';
  return t(entry.deletesAt <= now ? 'history_autoDeleteDue' : 'history_autoDeletes', { when: when(entry.deletesAt) });
}

/** A short label for an entry without a thumbnail: its extension, else its type's family. */
export function typeBadge(entry: Pick<HistoryEntry, 'name' | 'type'>): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(entry.name)?.[1];
  if (ext) return ext.toUpperCase();
  return (entry.type.split('/')[0] || t('history_badgeFile')).slice(0, 5).toUpperCase();
}
