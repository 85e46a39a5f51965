/**
 * Where an upload goes and who signs for it. Two kinds: the user's own keys
 * (the background signs) and a team's presign service (the service signs).
 * One is chosen per upload (`openDestination`); callers ask what it can do,
 * never which kind it is.
 */
import type { LinkText } from '../links/link-format';
import type { PhotoPrivacy } from '../privacy/report';
import type { ImageSettings } from '../images/settings';
import type { SaveReport } from '../messaging/protocol';
import type { Result } from '../result';
import type { FailureContext } from '../s3/errors';
import type { FetchLike } from '../s3/region';
import type { Profile, ProfileDraft, ProfileField, Secrets } from '../settings/profile';
import type { TeamConnectionReport } from '../team/team-signer';
import type { CompletedPart, ListedPart, PartSpec, SignedPart } from '../s3/multipart';
import type { SignedRequest } from '../s3/presign';
import type { UrlSigner } from '../team/errors';

/** One object to PUT, with everything the URL binds. */
export interface PutTarget {
  key: string;
  contentType: string;
  size: number;
  /** Sign `If-None-Match: *`: nothing is stored if the key was taken meanwhile (412). Ignored where the server does not honour it. */
  ifNoneMatch?: boolean;
  /** Store the object to download under this name whatever link serves it (`Content-Disposition: attachment`). Ignored where it cannot be signed. */
  downloadAs?: string;
  /** The body's MD5 (base64), signed as `Content-MD5` where the destination signs checksums (`checksum`). Ignored elsewhere. */
  md5?: string;
}

export interface LinkRequest {
  key: string;
  fileName: string;
  contentType: string;
  /** Seconds the link should live (1 to 604 800); default the profile's. Ignored by links that never expire. */
  expiresIn?: number;
}

/** A share link and how long it really lives (a session token's end or a service's cap can cut it). */
export interface ShareLink extends SignedRequest {
  /** Seconds the link lives from now; absent for links that never expire (public, custom domain). */
  lifetimeSeconds?: number;
}

/** The signed calls of a multipart upload for one object. */
export interface MultipartOps {
  create(target: { key: string; contentType: string }): Promise<Result<{ uploadId: string }>>;
  signParts(target: { key: string; uploadId: string; parts: readonly PartSpec[] }): Promise<Result<SignedPart[]>>;
  /**
   * Joins the parts. `size` is the file's: when the join's answer is lost
   * (timeout, dropped connection, 5xx), the bucket is asked whether an object
   * of that size, made of these parts, is there before failing.
   */
  complete(target: { key: string; uploadId: string; parts: readonly CompletedPart[]; size: number }): Promise<Result<{ etag?: string }>>;
  abort(target: { key: string; uploadId: string }): Promise<Result<null>>;
  /** The parts the bucket holds for the upload (ListParts), to resume it. */
  list(target: { key: string; uploadId: string }): Promise<Result<ListedPart[]>>;
}

/**
 * A destination's abilities. Missing abilities are `undefined` methods on the
 * destination; these flags say the same for views that only hold a profile.
 */
export interface DestinationAbilities {
  /** Files above the single-PUT limit (5 GiB), and faster large uploads. */
  multipart: boolean;
  /** Deleting uploaded objects. */
  delete: boolean;
  /** Asking whether a key is taken before choosing it (never overwrite). */
  freeNameCheck: boolean;
}

export interface Destination {
  readonly profileId: string;
  readonly bucket: string;
  readonly keyTemplate: string;
  /** How the link goes on the clipboard after an upload (Markdown, HTML…). */
  readonly linkText: LinkText;
  /** PUTs (and multipart completions) carry `If-None-Match: *` where the key could be taken meanwhile, and the server honours it. */
  readonly conditionalWrites: boolean;
  /** Files above this many bytes go up in parts, when `multipart` exists. */
  readonly multipartThreshold: number;
  /**
   * How S3's answers to this destination's URLs are described: the bucket,
   * region and endpoint, and, for URLs someone else signed, who to turn to.
   */
  readonly transferContext: Pick<FailureContext, 'bucket' | 'region' | 'endpoint' | 'tagged'> & { signer: UrlSigner };
  /** Uploads are tagged to be deleted by the bucket this many days after they go up; absent: they stay. */
  readonly autoDeleteDays?: number;
  /**
   * The checksum signed into upload and part URLs when the sender gives one;
   * absent: none can be (a presign service signs only what its API takes,
   * or the endpoint refused the header when its bucket was checked).
   */
  readonly checksum?: 'md5';
  /** The server is known or assumed to recompute that checksum (not seen to ignore it): an upload that carried it is verified. */
  readonly checksumVerified?: boolean;
  /** What the profile removes from photos before they go up; absent means the default, the location. */
  readonly photoPrivacy?: PhotoPrivacy;
  /** How the profile resizes or converts pictures before they go up; absent: it does not. */
  readonly images?: ImageSettings;
  /** A short-lived PUT URL bound to the key, type and size. */
  signPut(target: PutTarget): Promise<Result<SignedRequest>>;
  shareLink(request: LinkRequest): Promise<Result<ShareLink>>;
  /** Whether a key is taken; absent when the destination cannot ask. */
  keyExists?(key: string): Promise<Result<boolean>>;
  /** Absent when the destination signs single PUTs only. */
  multipart?: MultipartOps;
  /** Absent when the destination cannot delete. */
  deleteObject?(key: string): Promise<Result<null>>;
}

/** What a destination can do, from its methods. */
export function abilitiesOf(destination: Destination): DestinationAbilities {
  return {
    multipart: destination.multipart !== undefined,
    delete: destination.deleteObject !== undefined,
    freeNameCheck: destination.keyExists !== undefined,
  };
}

/** What a kind's steps on a draft may reach: the browser's permissions, the network, a clock and ids. */
export interface ProfileStepDeps {
  hasHostPermission(origins: string[]): Promise<boolean>;
  fetch: FetchLike;
  now(): Date;
  uuid(): string;
}

/** What saving a draft goes on, read by the background before the kind's step runs. */
export interface SaveInput<D extends ProfileDraft> {
  /** Normalized (`normalizeDraft`). */
  draft: D;
  trimmed: ProfileField[];
  /** The profile's saved secrets; `null` for a new one. */
  saved: Secrets | null;
  /** The other profiles' names, which this one may not take. */
  names: string[];
  /** The profile as saved before this change; `null` for a new one. */
  before: Profile | null;
  /** The profile's id: its own, or a new one. Asked only once the draft is valid. */
  id(): string;
  /** Writes the profile and its secrets; secrets the kind does not use are emptied (one kind of credential per profile). */
  store(profile: Profile, secrets: Partial<Secrets>): Promise<void>;
}

/**
 * A kind's steps on a profile being edited, in the background: what the
 * options page's Save and Test connection do that differs by kind. Chosen
 * once per draft (`stepsFor`), like a destination per upload.
 */
export interface ProfileSteps<D extends ProfileDraft> {
  /**
   * The draft with the saved secrets it may use where it leaves them empty;
   * `tokenDropped` when a saved secret may not go where the draft now sends it.
   * `before` reads the saved profile, only if the kind needs it.
   */
  withSavedSecrets(draft: D, saved: Secrets | null, before: () => Promise<Profile | null>): Promise<{ draft: D; tokenDropped: boolean }>;
  /** Validates, learns what it can (a bucket's region, where a service's URLs point), stores, and says what access is still needed. */
  save(deps: ProfileStepDeps, input: SaveInput<D>): Promise<SaveReport>;
  /** Test connection for a draft whose blocking fields are fine (`connectionBlockingFields`). */
  test(deps: ProfileStepDeps, draft: D): Promise<TeamConnectionReport>;
}
