import { defineExtensionMessaging } from '@webext-core/messaging';
import type { ConnectionReport } from '../s3/connection-test';
import type { Result } from '../result';
import type { SignedRequest } from '../s3/presign';
import type { ListedPart, PartSpec, SignedPart } from '../s3/multipart';
import type { FileTreatment, FinishRequest, ResumeRequest, TreatmentRequest, UploadFinish, UploadRequest, UploadStart, UploadTicket } from '../upload/ticket';
import type { Capabilities, FieldErrors, Profile, ProfileDraft, ProfileField } from '../settings/profile';
import type { TeamConnectionReport } from '../team/team-signer';
import type { BucketCheck, BucketFixKind } from '../bucket-check/facts';

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
  /** Presign service: saved without its token, because the service's origin, header or way of sending it changed. Type it again. */
  tokenDropped?: boolean;
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

/** One upload as the history keeps it (per profile, in `storage.local`): never a secret, never a link (links are signed afresh). */
export interface HistoryEntry {
  id: string;
  profileId: string;
  name: string;
  size: number;
  type: string;
  key: string;
  /** When the upload finished (ms since epoch). */
  at: number;
  /** When the link made at upload time expires (ms); absent for links that do not expire (public, custom domain). */
  linkExpiresAt?: number;
  source: 'popup' | 'image' | 'screenshot';
  /** The page an image or screenshot came from: scheme, host and path only (see `pageAddress`). */
  pageUrl?: string;
  /** Set when the object was deleted from S3 Drop: the entry stays, marked. */
  deletedAt?: number;
  /** When the bucket's Auto-delete rule deletes the object (ms); absent when it stays. */
  deletesAt?: number;
  /**
   * Every part (or the one PUT) carried a checksum the server recomputed and
   * accepted: what arrived is byte for byte what was sent. Absent in entries
   * from before checksums, which carried none.
   */
  verified?: true;
}

export interface HistoryQuery extends ForProfile {
  /** Case-insensitive match on the file name or the key. */
  search?: string;
  /** At most this many, newest first (default: all). */
  limit?: number;
  /** Sign a small, short-lived GET for each image entry. */
  thumbnails?: boolean;
  /** Only the entries with these ids, of any profile (`profileId`, `search` and `limit` are then ignored). */
  ids?: string[];
}

export interface HistoryView {
  /** Newest first. `thumbnail` is a short-lived URL for image entries when asked for. */
  entries: (HistoryEntry & { thumbnail?: string })[];
  /** Entries of this profile before `search`/`limit`. */
  total: number;
  /** How many entries each profile keeps (the oldest go first). */
  limit: number;
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
}

/** The upload history: what the history page and the popup's recent list ask the background. */
export interface HistoryProtocolMap {
  /** The profile's upload history, newest first. */
  listHistory(query: HistoryQuery): Result<HistoryView>;
  /** A new share link for an earlier upload, with the profile's link mode and this expiry (default: the profile's). */
  freshLink(request: { historyId: string; expiresIn?: number }): Result<SignedRequest>;
  /** Deletes the object from the bucket and marks its history entry deleted. */
  deleteUpload(historyId: string): Result<null>;
  /** Forgets the profile's history (default: the default profile's); the objects stay in the bucket. */
  clearHistory(profileId?: string): Result<{ removed: number }>;
  /** How many entries each profile's history keeps. */
  setHistoryLimit(limit: number): Result<null>;
}

/**
 * Uploads, from any source: one request starts a file, one finishes it; more
 * URLs only when a large file or a slow link needs them.
 */
export interface UploadProtocolMap {
  /** Makes sure the upload runner is running (Chrome: the offscreen document). */
  ensureRunner(): void;
  /** The runner has nothing queued, waiting or moving (Chrome: its document may close). */
  runnerIdle(): void;
  /**
   * What to do to a photo's bytes before it starts (the profile's privacy
   * choice). Asked only for files whose first bytes say they are photos; needs
   * no secret, so it answers while S3 Drop is locked.
   */
  fileTreatment(request: TreatmentRequest): Result<FileTreatment>;
  /** Reads the profile once, decides the key and signs the PUT, or starts a multipart upload and signs its first parts. */
  startUpload(request: UploadRequest): Result<UploadStart>;
  /** The PUT URL again, when the first one ran out before the bytes arrived. */
  signPut(ticket: UploadTicket): Result<SignedRequest>;
  signParts(request: { ticket: UploadTicket; parts: PartSpec[] }): Result<SignedPart[]>;
  /** Joins the parts (multipart), signs the share link and adds the upload to the history. */
  finishUpload(request: FinishRequest): Result<UploadFinish>;
  /** Throws a multipart upload's parts away (cancel, failure): nothing is left to pay for. */
  abortUpload(ticket: UploadTicket): Result<null>;
  /** A ticket for an upload begun before a restart: the same profile, bucket and key as journaled, or a sentence why not. */
  resumeUpload(request: ResumeRequest): Result<UploadStart>;
  /** The parts of a multipart upload the bucket holds, to send only the others. */
  listParts(ticket: UploadTicket): Result<ListedPart[]>;
  /** Throws away an upload begun before a restart (Discard, and the sweep of old ones). */
  discardUpload(request: ResumeRequest): Result<null>;
}

/** "Check my bucket" on the options page: the background runs the checks, keeps the result per profile, applies fixes. */
export interface BucketCheckProtocolMap {
  /** Runs every check that applies to the profile and stores the result. A presign-service profile gets one line saying it cannot be checked yet. */
  checkBucket(request: { profileId: string }): Result<BucketCheck>;
  /** Applies a fix a check offered, asks the bucket again, and returns (and stores) the updated checklist. */
  fixBucket(request: { profileId: string; fix: BucketFixKind }): Result<BucketCheck>;
  /** The profile's last stored check, or `null` (never checked, or checked on a bucket the profile no longer uses). */
  getBucketCheck(request: { profileId: string }): BucketCheck | null;
}

/** Every message between the extension's pages and its background, with its reply. */
export interface ProtocolMap extends CoreProtocolMap, UploadProtocolMap, HistoryProtocolMap, BucketCheckProtocolMap {}

export type MessageType = keyof ProtocolMap;

/** One async handler per message of a map. */
export type Handlers<M> = {
  [K in keyof M]: M[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** What the background service implements. */
export type ProtocolHandlers = Handlers<CoreProtocolMap>;
/** What the background's upload part implements. */
export type UploadHandlers = Handlers<UploadProtocolMap>;
/** What the background's history part implements. */
export type HistoryHandlers = Handlers<HistoryProtocolMap>;
/** What the background's bucket check part implements. */
export type BucketCheckHandlers = Handlers<BucketCheckProtocolMap>;

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

/**
 * Messages the background sends to its offscreen document (Chrome only): work
 * that needs a DOM the service worker lacks.
 */
export interface OffscreenProtocolMap {
  /** Copies text with a textarea and execCommand: an offscreen document is never focused, so navigator.clipboard refuses. */
  offscreenCopy(text: string): boolean;
  /** Whether the upload runner has anything queued, waiting or moving: then the document must stay. */
  runnerBusy(): boolean;
}

export const offscreenMessaging = defineExtensionMessaging<OffscreenProtocolMap>();
