import type { SettingsSummary } from './settings/summary';

/**
 * A value the background publishes in `storage.session` for extension pages
 * to read and watch: written only by the background (through the storage
 * library's item of the same key and version), read by pages with
 * `src/ui/read-published.ts`. Pages do not load the storage library: it is
 * a sixth of the popup's script, and defining an item with migrations runs
 * them in whichever context defines it, while only the background may write.
 */
export interface Published<T> {
  /** The key in `storage.session` (the item is `session:<key>`). */
  readonly key: string;
  /** The item's version: a value stored under another version is not read. */
  readonly version: number;
  /** Never set: carries the value's type. */
  readonly type?: T;
}

/**
 * The settings summary the popup draws itself from before the background
 * answers (see ./settings/summary.ts, written by background/publish-summary.ts).
 * When the shape of `SettingsSummary` (or of a profile) changes, bump the
 * version with a migration to `null`, so no page reads an old one.
 */
export const PUBLISHED_SETTINGS: Published<SettingsSummary | null> = { key: 'settingsSummary', version: 1 };

/**
 * Changes whenever the stored history does (an upload recorded, a delete, a
 * clear, a new limit), so pages know to ask again for what they show: the
 * history itself can hold 20 000 entries and is read only by the background.
 */
export const PUBLISHED_HISTORY_REVISION: Published<number> = { key: 'historyRevision', version: 1 };
