import { defineExtensionMessaging } from '@webext-core/messaging';
import type { ConnectionReport } from '../s3/connection-test';
import type { UserError } from '../s3/errors';
import type { SignedRequest } from '../s3/presign';
import type { RecentUpload } from '../history/recent';
import type { FieldErrors, Profile, ProfileDraft, ProfileField } from '../settings/profile';

/** Success with a value, or a failure the user can read. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

/** What any extension page may know about the settings: never a secret, only whether one is saved. */
export interface PublicSettings {
  profile: Profile | null;
  hasSecret: boolean;
  hasSessionToken: boolean;
}

export interface SaveReport {
  saved: boolean;
  errors: FieldErrors;
  /** Fields that had spaces around them, trimmed before saving. */
  trimmed: ProfileField[];
  /** Set when the region was left empty and the bucket told us. */
  detectedRegion?: string;
  /** Origin patterns the saved profile needs and the browser has not granted (ask in a click). */
  needsAccess: string[];
}

export interface FileDescription {
  name: string;
  type: string;
  size: number;
}

export interface UploadPlan {
  key: string;
  bucket: string;
  contentType: string;
}

export interface SignUploadRequest {
  key: string;
  contentType: string;
  size: number;
}

export interface ShareLinkRequest {
  key: string;
  fileName: string;
  contentType: string;
}

/** Every message between the extension's pages and its background, with its reply. */
export interface ProtocolMap {
  getSettings(): PublicSettings;
  saveProfile(draft: ProfileDraft): SaveReport;
  testConnection(draft: ProfileDraft): ConnectionReport;
  /** Decides the object key for a file, from the profile's template. */
  planUpload(file: FileDescription): Result<UploadPlan>;
  /** A short-lived PUT URL bound to the key, type and size. */
  signUpload(request: SignUploadRequest): Result<SignedRequest>;
  /** A GET link with the profile's expiry and the original file name. */
  shareLink(request: ShareLinkRequest): Result<SignedRequest>;
  /** Adds or updates an upload in this session's list, which every view shows. */
  recordUpload(upload: RecentUpload): void;
}

export type MessageType = keyof ProtocolMap;

/** One async handler per message: what the background implements. */
export type ProtocolHandlers = {
  [K in MessageType]: (...args: Parameters<ProtocolMap[K]>) => Promise<ReturnType<ProtocolMap[K]>>;
};

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

/**
 * Messages the background sends to its offscreen document (Chrome only): work
 * that needs a DOM the service worker lacks.
 */
export interface OffscreenProtocolMap {
  /** Copies text with a textarea and execCommand: an offscreen document is never focused, so navigator.clipboard refuses. */
  offscreenCopy(text: string): boolean;
}

export const offscreenMessaging = defineExtensionMessaging<OffscreenProtocolMap>();
