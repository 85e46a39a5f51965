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
  'lifecycle',
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
  /** The keys may not change the bucket's rules: the whole lifecycle configuration to paste (JSON, as the S3 API and CLI take it). */
  | { kind: 'paste-lifecycle'; json: string };

/** The fixes the background can apply (`fixBucket`). */
export type BucketFixKind = Extract<BucketFix, { kind: 'add-abort-rule' }>['kind'];

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
