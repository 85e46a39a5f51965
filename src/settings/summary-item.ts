import { storage } from 'wxt/utils/storage';
import type { SettingsSummary } from './summary';

/**
 * The settings summary the popup draws itself from before the background
 * answers (see ./summary.ts): never a secret. Written only by the background
 * (src/background/publish-summary.ts); pages read and watch it.
 *
 * `session:`, like the vault's key: it lives as long as the unlock it
 * describes, so a browser restart can never show a stale "unlocked" (the
 * popup asks the background until the worker has written it again). Every
 * start of the background rewrites it, an update included. When the shape of
 * `SettingsSummary` (or of a profile) changes, bump `version` with a migration
 * to `null`, so no popup reads an old one meanwhile.
 */
export const settingsSummaryItem = storage.defineItem<SettingsSummary | null>('session:settingsSummary', {
  fallback: null,
  version: 1,
});
