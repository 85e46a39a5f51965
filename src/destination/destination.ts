/**
 * Where an upload goes and who signs for it. Two kinds: the user's own keys
 * (the background signs) and a team's presign service (the service signs).
 * One is chosen per upload (`openDestination`); callers ask what it can do,
 * never which kind it is.
 */
import type { Result } from '../result';
import type { FailureContext } from '../s3/errors';
import type { CompletedPart, PartSpec, SignedPart } from '../s3/multipart';
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
  complete(target: { key: string; uploadId: string; parts: readonly CompletedPart[] }): Promise<Result<{ etag?: string }>>;
  abort(target: { key: string; uploadId: string }): Promise<Result<null>>;
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
  /** PUTs (and multipart completions) carry `If-None-Match: *` where the key could be taken meanwhile, and the server honours it. */
  readonly conditionalWrites: boolean;
  /** Files above this many bytes go up in parts, when `multipart` exists. */
  readonly multipartThreshold: number;
  /**
   * How S3's answers to this destination's URLs are described: the bucket,
   * region and endpoint, and, for URLs someone else signed, who to turn to.
   */
  readonly transferContext: Pick<FailureContext, 'bucket' | 'region' | 'endpoint'> & { signer: UrlSigner };
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
