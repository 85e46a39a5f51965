import type { UserError } from '../s3/errors';

/** Where an upload was started. */
export type UploadSource = 'popup' | 'image' | 'screenshot';

/** One upload as every view shows it: the popup, and later the history. Never holds a secret or an upload URL. */
export interface RecentUpload {
  id: string;
  source: UploadSource;
  name: string;
  size: number;
  type: string;
  status: 'uploading' | 'done' | 'failed';
  at: number;
  key?: string;
  /** The share link (a presigned GET: it carries a signature, but only for reading this object). */
  link?: string;
  linkExpiresAt?: number;
  copied?: boolean;
  error?: UserError;
  /** The page an image or screenshot came from. */
  pageUrl?: string;
  /** The profile it went to. */
  profileId?: string;
}

export const MAX_RECENT_UPLOADS = 20;

/** Inserts or updates an entry by id; newest first; bounded. */
export function upsertRecent(list: readonly RecentUpload[], entry: RecentUpload, max = MAX_RECENT_UPLOADS): RecentUpload[] {
  const rest = list.filter((e) => e.id !== entry.id);
  const existing = list.find((e) => e.id === entry.id);
  return [existing ? { ...existing, ...entry } : entry, ...rest].sort((a, b) => b.at - a.at).slice(0, max);
}
