import { storage } from 'wxt/utils/storage';
import type { RecentUpload } from './recent';

/**
 * Uploads of this browser session, newest first. `session:` survives the
 * Chrome service worker being stopped but not the browser closing. Written
 * only by the background; pages read and watch it.
 */
export const recentUploadsItem = storage.defineItem<RecentUpload[]>('session:recentUploads', {
  fallback: [],
  version: 1,
});

/** Links behind "Link copied" notifications, so a click still opens them after the worker restarts. */
export const notificationLinksItem = storage.defineItem<Record<string, string>>('session:notificationLinks', {
  fallback: {},
  version: 1,
});
