import { defineExtensionMessaging } from '@webext-core/messaging';
import type { ConnectionReport } from '../s3/connection-test';
import type { UserError } from '../s3/errors';
import type { SignedRequest } from '../s3/presign';
import type { CompletedPart, PartSpec, SignedPart } from '../s3/multipart';
import type { RecentUpload } from '../history/recent';
import type { Capabilities, FieldErrors, Profile, ProfileDraft, ProfileField } from '../settings/profile';
import type { TeamConnectionReport } from '../team/team-signer';

/** Success with a value, or a failure the user can read. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

/** One profile as any extension page may know it: never a secret, only whether one is saved. */
export interface ProfileSummary {
  profile: Profile;
  /** Whether the credential the profile signs with is saved: the secret key (keys), or the token (presign service; true when it wants none). */
  hasSecret: boolean;
  hasSessionToken: boolean;
  /** What this kind of profile can do: a presign service signs single PUTs and GETs only (no multipart, no delete). */
  capabilities: Capabilities;
  /** Every origin pattern the profile needs (bucket; or presign service + the S3 host its URLs point at), for an "Allow access" click. */
  accessOrigins: string[];
}

export interface SecurityStatus {
  /** Secrets are sealed under a passphrase. */
  encrypted: boolean;
  /** Sealed, and not unlocked in this browser session: uploads wait for the passphrase. */
  locked: boolean;
  /** The vault locks itself after this many idle minutes (0: when the browser closes). */
  lockAfterMinutes: number;
}

/**
 * What any extension page may know about the settings. The top-level profile
 * fields describe the profile asked for (or the default): views that show one
 * profile need nothing else.
 */
export interface PublicSettings extends Omit<ProfileSummary, 'profile'> {
  profile: Profile | null;
  profiles: ProfileSummary[];
  defaultId: string | null;
  security: SecurityStatus;
}

/** Which profile a request is for; absent means the default. */
export interface ForProfile {
  profileId?: string;
}

export interface SaveReport {
  saved: boolean;
  /** The saved profile's id (new profiles get one now); empty when not saved. */
  id: string;
  errors: FieldErrors;
  /** Fields that had spaces around them, trimmed before saving. */
  trimmed: ProfileField[];
  /** Set when the region was left empty and the bucket told us. */
  detectedRegion?: string;
  /** Origin patterns the saved profile needs and the browser has not granted (ask in a click). */
  needsAccess: string[];
  /** Presign service: the S3 origin its URLs point at, learned while saving. */
  s3Origin?: string;
  /** Not saved because the secrets are sealed and locked: unlock first. */
  locked?: boolean;
}

export interface FileDescription extends ForProfile {
  name: string;
  type: string;
  size: number;
}

export interface UploadPlan {
  /** The profile the upload goes to, resolved (the default when none was asked for). */
  profileId: string;
  key: string;
  bucket: string;
  contentType: string;
}

export interface SignUploadRequest extends ForProfile {
  key: string;
  contentType: string;
  size: number;
}

export interface ShareLinkRequest extends ForProfile {
  key: string;
  fileName: string;
  contentType: string;
}

/** Settings and single uploads: what the background service answers. */
export interface ImportReport {
  /** How many profiles were added. */
  imported: number;
  /** Names of the profiles added: they have no secrets yet. */
  names: string[];
  /** One sentence per problem, naming the profile and the field; nothing is imported when there is any. */
  problems: string[];
}

export interface PassphraseChange {
  next: string;
  /** Required when a passphrase is set already. */
  current?: string;
}

export interface CoreProtocolMap {
  /** Every profile and the security state; the top-level profile fields describe `profileId` (default: the default profile). */
  getSettings(profileId?: string): PublicSettings;
  /** Adds (empty id) or replaces a profile. An empty secret keeps the saved one. */
  saveProfile(draft: ProfileDraft): SaveReport;
  /** Deletes a profile and its secrets. */
  deleteProfile(id: string): Result<null>;
  /** Copies a profile, secrets included (they never leave the background), under a new name. */
  duplicateProfile(id: string): Result<{ id: string; name: string }>;
  setDefaultProfile(id: string): Result<null>;
  /** Adds the profiles of an export (JSON text, no secrets), after validating every one. */
  importProfiles(json: string): ImportReport;
  /** Opens the vault for this browser session. */
  unlock(passphrase: string): Result<null>;
  lock(): void;
  /** Seals the secrets under a new passphrase (re-encrypting everything in one write). */
  setPassphrase(change: PassphraseChange): Result<null>;
  removePassphrase(current: string): Result<null>;
  setLockAfter(minutes: number): Result<null>;
  /** Keys: one signed read-only request. Presign service: asks it for a GET URL and tries it (see TeamConnectionReport). */
  testConnection(draft: ProfileDraft): ConnectionReport & TeamConnectionReport;
  /** Decides the object key for a file, from the profile's template. */
  planUpload(file: FileDescription): Result<UploadPlan>;
  /** A short-lived PUT URL bound to the key, type and size. */
  signUpload(request: SignUploadRequest): Result<SignedRequest>;
  /** A GET link with the profile's expiry and the original file name. */
  shareLink(request: ShareLinkRequest): Result<SignedRequest>;
  /** Adds or updates an upload in this session's list, which every view shows. */
  recordUpload(upload: RecentUpload): void;
}

export interface MultipartTargetRequest extends ForProfile {
  key: string;
  contentType: string;
}

/** The upload runner's needs beyond single uploads: a home that outlives the popup, and multipart signing. */
export interface UploadProtocolMap {
  /** Makes sure the upload runner is running (Chrome: the offscreen document). */
  ensureRunner(): void;
  multipartCreate(request: MultipartTargetRequest): Result<{ uploadId: string }>;
  multipartSignParts(request: MultipartTargetRequest & { uploadId: string; parts: PartSpec[] }): Result<SignedPart[]>;
  multipartComplete(request: MultipartTargetRequest & { uploadId: string; parts: CompletedPart[] }): Result<{ etag?: string }>;
  multipartAbort(request: MultipartTargetRequest & { uploadId: string }): Result<null>;
}

/** Every message between the extension's pages and its background, with its reply. */
export interface ProtocolMap extends CoreProtocolMap, UploadProtocolMap {}

export type MessageType = keyof ProtocolMap;

/** One async handler per message of a map. */
export type Handlers<M> = {
  [K in keyof M]: M[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** What the background service implements. */
export type ProtocolHandlers = Handlers<CoreProtocolMap>;
/** What the background's upload part implements. */
export type UploadHandlers = Handlers<UploadProtocolMap>;

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
