import { storage } from 'wxt/utils/storage';
import { PUBLISHED_SETTINGS } from '../published';
import type { SettingsSummary } from './summary';

/**
 * The settings summary (see ./summary.ts and ../published.ts): never a
 * secret. Written only by the background (src/background/publish-summary.ts);
 * pages read it with src/ui/read-published.ts.
 *
 * `session:`, like the vault's key: it lives as long as the unlock it
 * describes, so a browser restart can never show a stale "unlocked" (the
 * popup asks the background until the worker has written it again). Every
 * start of the background rewrites it, an update included.
 */
export const settingsSummaryItem = storage.defineItem<SettingsSummary | null>(`session:${PUBLISHED_SETTINGS.key}`, {
  fallback: null,
  version: PUBLISHED_SETTINGS.version,
});
