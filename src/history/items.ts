import { storage } from 'wxt/utils/storage';
import type { HistoryEntry } from '../messaging/protocol';
import { PUBLISHED_HISTORY_REVISION } from '../published';
import { DEFAULT_HISTORY_LIMIT, withPageAddressOnly } from './history';

/** Links behind "Link copied" notifications, so a click still opens them after the worker restarts. */
export const notificationLinksItem = storage.defineItem<Record<string, string>>('session:notificationLinks', {
  fallback: {},
  version: 1,
});

/**
 * Numbered migrations of the stored history; each is tested in
 * test/unit/history-migration.test.ts. An added optional field needs none
 * when its absence is true of older entries (`verified`: they carried no checksum).
 */
export const historyMigrations = {
  /** v2: a page's address keeps its scheme, host and path; queries and fragments stored before are dropped. */
  2: (v1: { entries: HistoryEntry[] } | null): { entries: HistoryEntry[] } | null =>
    v1 && Array.isArray(v1.entries) ? { entries: v1.entries.map(withPageAddressOnly) } : v1,
};

/**
 * The upload history of every profile, newest first (see ./history.ts): what
 * was uploaded where, never a link or a secret. `local:` so it outlives the
 * browser session. Written only by the background, one change at a time,
 * and read only there: pages watch `historyRevisionItem` and ask for what
 * they show (importing this module runs its migrations where it is imported).
 */
export const historyItem = storage.defineItem<{ entries: HistoryEntry[] }>('local:history', {
  fallback: { entries: [] },
  version: 2,
  migrations: historyMigrations,
});

/** How many entries each profile's history keeps. */
export const historySettingsItem = storage.defineItem<{ limit: number }>('local:historySettings', {
  fallback: { limit: DEFAULT_HISTORY_LIMIT },
  version: 1,
});

/** Bumped after each write of the history or its limit (see ../published.ts). */
export const historyRevisionItem = storage.defineItem<number>(`session:${PUBLISHED_HISTORY_REVISION.key}`, {
  fallback: 0,
  version: PUBLISHED_HISTORY_REVISION.version,
});
