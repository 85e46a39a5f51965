/**
 * Success or a failure the user can read. The bottom of `src/`: it imports
 * nothing, and every layer above returns or throws these.
 */

/** Codes S3 Drop itself gives a failure (the rest are S3's own, see `ServerCode`). */
export type OwnErrorCode =
  // Settings and the vault
  | 'NotConfigured'
  | 'NoSuchProfile'
  | 'InvalidSettings'
  | 'InvalidExpiry'
  | 'Locked'
  | 'WrongPassphrase'
  | 'WeakPassphrase'
  | 'PassphraseFailed'
  // Keys and uploads
  | 'NoFreeKey'
  | 'EntityTooLarge'
  | 'PartETagMissing'
  | 'UploadUrlExpired'
  | 'LinkExpired'
  | 'PreconditionFailed'
  | 'NetworkError'
  | 'HostPermissionMissing'
  | 'ExpiredToken'
  // History
  | 'NoSuchHistoryEntry'
  | 'ObjectDeleted'
  | 'DeleteNotSupported'
  // A team's presign service
  | 'PresignServiceUnreachable'
  | 'PresignServiceRefused'
  | 'PresignServiceNotFound'
  | 'PresignServiceRejected'
  | 'PresignServiceBusy'
  | 'PresignServiceError'
  | 'PresignServiceBadAnswer'
  | 'PresignServiceRedirected'
  | 'PresignServiceClock'
  // Images and screenshots read from a page
  | 'ImageUnavailable'
  | 'ImagePermissionDenied'
  | 'ImageTooLarge'
  | 'ImageHttpError'
  | 'ImageTimeout'
  | 'ImageRedirectRefused'
  | 'ImageNetworkError'
  /** A bug or a browser failure with no better sentence: the message carries the reason. */
  | 'Unexpected';

/**
 * A code an S3 server answered (`<Code>`, or `HttpNNN` for a bare status),
 * passed on as it came: servers add codes of their own. Made only by
 * `serverCode`, so a misspelt code of our own cannot pass as one.
 */
export type ServerCode = string & { readonly fromServer: unique symbol };

export type ErrorCode = OwnErrorCode | ServerCode;

export function serverCode(code: string): ServerCode {
  return code as ServerCode;
}

/** A one-to-three-sentence explanation, plus a one-click fix where there is one. */
export interface UserError {
  code: ErrorCode;
  message: string;
  fix?: { kind: 'use-region'; region: string } | { kind: 'grant-access' } | { kind: 'open-options' } | { kind: 'unlock' };
  /** Worth trying again unchanged (network, 5xx, SlowDown). */
  transient: boolean;
}

/** Success with a value, or a failure the user can read. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

/** A failure with its sentence, not worth retrying unchanged (the common case). */
export function userError(code: OwnErrorCode, message: string, extra: Partial<Omit<UserError, 'code' | 'message'>> = {}): UserError {
  return { code, message, transient: false, ...extra };
}

/** A failure that already has its sentence: thrown where a `Result` cannot be returned. */
export class ResultError extends Error {
  constructor(readonly userError: UserError) {
    super(userError.message);
    this.name = 'ResultError';
  }
}

/** The value of a successful `Result`; a failed one is thrown as a `ResultError`. */
export function unwrapResult<T>(result: Result<T>): T {
  if (!result.ok) throw new ResultError(result.error);
  return result.value;
}
