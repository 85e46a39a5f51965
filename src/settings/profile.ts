import { DEFAULT_KEY_TEMPLATE, validateKeyTemplate } from '../keys/template';
import { DEFAULT_LINK_EXPIRY_SECONDS, validateLinkExpiry } from '../s3/expiry';

/** Everything about a bucket connection except its secrets. Safe to show in any extension page. */
export interface Profile {
  accessKeyId: string;
  bucket: string;
  /** Empty means "detect it". */
  region: string;
  /** Empty means AWS S3; otherwise the base URL of an S3-compatible service. */
  endpoint: string;
  forcePathStyle: boolean;
  keyTemplate: string;
  linkExpirySeconds: number;
}

/** Only the background ever reads these back. */
export interface Secrets {
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * What the options page sends. An empty secret means "keep the saved one", so
 * the page never needs to read a secret back to show or resubmit the form.
 */
export type ProfileDraft = Profile & Partial<Secrets>;

export type ProfileField = keyof ProfileDraft;
export type FieldErrors = Partial<Record<ProfileField, string>>;

export const EMPTY_PROFILE: Profile = {
  accessKeyId: '',
  bucket: '',
  region: '',
  endpoint: '',
  forcePathStyle: false,
  keyTemplate: DEFAULT_KEY_TEMPLATE,
  linkExpirySeconds: DEFAULT_LINK_EXPIRY_SECONDS,
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$|^[a-z0-9-]+$/;

/** Bucket naming rules that matter for addressing (AWS "general purpose" rules, lenient on dots). */
export function validateBucketName(bucket: string): string | null {
  if (!bucket) return 'Enter the bucket name.';
  if (bucket.length < 3 || bucket.length > 63) return 'A bucket name has 3 to 63 characters.';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket))
    return 'A bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'A bucket name cannot look like an IP address.';
  return null;
}

/** Returns a sentence for an unusable endpoint, or `null`. Empty is valid (AWS). */
export function validateEndpoint(endpoint: string): string | null {
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The endpoint must be a full URL such as https://s3.example.com (with http:// or https://).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The endpoint must start with https:// or http://.';
  if (url.pathname !== '/' || url.search || url.hash)
    return `The endpoint is the server only, without a path: try ${url.origin}.`;
  return null;
}

/** Trims what people paste with stray spaces, and reports which fields changed. */
export function normalizeDraft(draft: ProfileDraft): { draft: ProfileDraft; trimmed: ProfileField[] } {
  const trimmed: ProfileField[] = [];
  const out = { ...draft };
  for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken', 'bucket', 'region', 'endpoint'] as const) {
    const value = out[field];
    if (typeof value === 'string' && value !== value.trim()) {
      out[field] = value.trim();
      trimmed.push(field);
    }
  }
  if (out.endpoint) out.endpoint = out.endpoint.replace(/\/+$/, '');
  return { draft: out, trimmed };
}

/** Field-level sentences for everything wrong with a draft; empty when it can be saved. */
export function validateDraft(draft: ProfileDraft, opts: { hasSavedSecret: boolean }): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.accessKeyId) errors.accessKeyId = 'Enter the access key ID.';
  if (!draft.secretAccessKey && !opts.hasSavedSecret) errors.secretAccessKey = 'Enter the secret access key.';
  const bucket = validateBucketName(draft.bucket);
  if (bucket) errors.bucket = bucket;
  if (draft.region && !REGION.test(draft.region))
    errors.region = 'A region looks like eu-west-1 (lowercase letters, digits and hyphens); leave it empty to detect it.';
  const endpoint = validateEndpoint(draft.endpoint);
  if (endpoint) errors.endpoint = endpoint;
  const template = validateKeyTemplate(draft.keyTemplate);
  if (template) errors.keyTemplate = template;
  const expiry = validateLinkExpiry(draft.linkExpirySeconds);
  if (expiry) errors.linkExpirySeconds = expiry;
  return errors;
}

/** Splits a draft into what may be shown anywhere and what only the background keeps. */
export function splitDraft(draft: ProfileDraft): { profile: Profile; secrets: Partial<Secrets> } {
  const { secretAccessKey, sessionToken, ...profile } = draft;
  return { profile, secrets: { secretAccessKey, sessionToken } };
}
