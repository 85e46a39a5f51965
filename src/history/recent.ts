import type { UserError } from '../result';
import type { UploadSource } from '../upload/ticket';

/** A finished upload, as the background records it in the history. Never holds a secret or an upload URL. */
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
  /** When the bucket's Auto-delete rule deletes it (ms). */
  deletesAt?: number;
  copied?: boolean;
  error?: UserError;
  /** The page an image or screenshot came from. */
  pageUrl?: string;
  /** The profile it went to. */
  profileId?: string;
  /** The server verified a checksum of every part (or of the one PUT). */
  verified?: true;
}
