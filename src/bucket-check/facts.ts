/**
 * What "Check my bucket" observed: one fact per check, in the order a user
 * reads them. Pure types and small helpers; no request, no browser API.
 */

/** Every check there is (a closed set: the options page shows one line per id). */
export const CHECK_IDS = [
  /** A presign service's profile: the service signs an upload URL. */
  'service',
  'keys',
  'clock',
  'region',
  'probe',
  /** A presign service's profile: a link it signs opens the test file (own keys check that within `probe`). */
  'probeLink',
  'multipart',
  'conditionalWrites',
  'checksums',
  'lifecycle',
  'autoDelete',
  'publicLinks',
  'customLinks',
  'versioning',
  'objectLock',
  /** A presign service's profile: the bucket's settings are its owner's to check. */
  'bucketSettings',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** ok: works as S3 Drop needs; problem: uploads or links suffer; info: worth knowing, nothing to fix; skipped: not asked (and why). */
export type CheckStatus = 'ok' | 'problem' | 'info' | 'skipped';

/** What a Fix button does, or what the user pastes where S3 Drop may not do it. */
export type BucketFix =
  /** S3 Drop adds a rule that throws away unfinished uploads in parts, keeping the bucket's other rules. */
  | { kind: 'add-abort-rule' }
  /** S3 Drop adds the rule that deletes uploads tagged by Auto-delete after the profile's days, keeping the bucket's other rules. */
  | { kind: 'add-expiry-rule' }
  /** The keys may not change the bucket's rules: the whole lifecycle configuration to paste (JSON, as the S3 API and CLI take it). */
  | { kind: 'paste-lifecycle'; json: string };

/** The fixes the background can apply (`fixBucket`). */
export type BucketFixKind = Extract<BucketFix, { kind: 'add-abort-rule' | 'add-expiry-rule' }>['kind'];

export interface BucketFact {
  id: CheckId;
  status: CheckStatus;
  /** One sentence in the user's words: what was seen and what it means for their uploads. */
  sentence: string;
  fix?: BucketFix;
}

/**
 * How the bucket answered a PUT with `If-None-Match: *` (upload only if the
 * name is free): honoured (412 the second time), ignored (it overwrote), or
 * refused (501: the server stores nothing with the header).
 */
export type ConditionalWrites = 'honoured' | 'ignored' | 'refused';

/**
 * How the storage treated Auto-delete's tag on a PUT: kept it (GetObjectTagging
 * shows it), stored the file but dropped the tag, or refused the PUT (501).
 */
export type TagAnswer = 'kept' | 'ignored' | 'refused';

/**
 * How the bucket answered a PUT whose checksum header did not match the bytes:
 * verified (400 BadDigest: it recomputed and refused), ignored (200: it stored
 * them anyway), refused (501 or "not supported": it takes no such header), or
 * unclear (another answer, say 403).
 */
export type ChecksumAnswer = 'verified' | 'ignored' | 'refused' | 'unclear';

/** One answer per checksum header S3's PutObject takes. */
export interface ChecksumAnswers {
  /** `Content-MD5`. */
  contentMd5: ChecksumAnswer;
  /** `x-amz-checksum-crc32`. */
  crc32: ChecksumAnswer;
  /** `x-amz-checksum-sha256`. */
  sha256: ChecksumAnswer;
}

/** Which bucket a check was run on: a stored fact is only used while the profile still points there. */
export interface CheckedAddress {
  bucket: string;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  /**
   * A presign service's profile: the service that signed the check's URLs
   * (the bucket fields are what it was asked for and where its URLs pointed).
   * Absent for own keys, and in checks stored before services were checked.
   */
  serviceUrl?: string;
}

export interface BucketCheck {
  profileId: string;
  /** ms since epoch. */
  checkedAt: number;
  address: CheckedAddress;
  facts: BucketFact[];
  /** Set when the conditional-writes check got a clear answer; the no-overwrite guard reads it. */
  conditionalWrites?: ConditionalWrites;
  /** Set when the Auto-delete line got a clear answer about tags; its Fix reads it. */
  tagging?: TagAnswer;
  /** Set when the checksum check got at least one clear answer: which headers the bucket verifies, for uploads that send one. */
  checksums?: ChecksumAnswers;
}

export function fact(id: CheckId, status: CheckStatus, sentence: string, fix?: BucketFix): BucketFact {
  return fix ? { id, status, sentence, fix } : { id, status, sentence };
}

/** Whether a stored check was made on the bucket this profile uses now (the user may have changed it since). */
export function sameBucket(address: CheckedAddress, profile: CheckedAddress): boolean {
  return (
    address.bucket === profile.bucket &&
    address.endpoint === profile.endpoint &&
    address.region === profile.region &&
    address.forcePathStyle === profile.forcePathStyle &&
    // Another service signs for another bucket, whatever it is called; own keys have none on either side.
    (address.serviceUrl ?? '') === (profile.serviceUrl ?? '')
  );
}

/** The check with one fact replaced (after a fix, the lifecycle line is asked again). */
export function withFact(check: BucketCheck, replaced: BucketFact): BucketCheck {
  return { ...check, facts: check.facts.map((f) => (f.id === replaced.id ? replaced : f)) };
}
