/**
 * What each kind of profile is: the one module outside the two destinations
 * (src/destination/) and the profile editor that knows there are kinds. Every
 * caller asks a trait here (`linkModeOf`, `capabilitiesOf`, `storageUrls`…)
 * and never compares `profile.kind` itself; a test holds that rule.
 *
 * Each trait answers through `byKind`, which asks for one case per kind: a
 * third kind of profile is added to `Profile` and `PROFILE_KINDS`, and the
 * compiler then names every trait that needs a case for it.
 *
 * Pages import this module, so it holds no secret and no signer: only facts
 * about a profile's fields. The background's steps per kind (saving, testing
 * a connection, signing) live with the destinations.
 */
import { t } from '../i18n/t';
import { validateKeyTemplate } from '../keys/template';
import { bucketOrigin, hostPermissionOrigins, regionProbeUrl, serviceEndpoint } from '../s3/endpoint';
import { LINK_FORMATS, validateLinkTemplate } from '../links/link-format';
import { validateAutoDeleteDays } from '../s3/auto-delete';
import { validateLinkExpiry } from '../s3/expiry';
import { validateLinkBaseUrl } from '../s3/public-url';
import { PHOTO_PRIVACY_CHOICES } from '../privacy/report';
import { IMAGE_MAX_SIZE_RANGE, IMAGE_QUALITY_RANGE, imageFieldProblems } from '../images/settings';
import type { UrlSigner } from '../team/errors';
import { normalizeServiceUrl, originPattern, validateHeaderName, validateServiceUrl, validateTokenValue } from '../team/service-url';
import {
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  LINK_DISPOSITIONS,
  LINK_MODES,
  MAX_PROFILE_NAME_LENGTH,
  SERVICE_AUTH,
  TRIMMED_FIELDS,
  validateBucketName,
  validateEndpoint,
  validateMultipartThreshold,
  validateRegion,
  validateTokenExpiration,
  type Capabilities,
  type FieldErrors,
  type KeysProfile,
  type LinkMode,
  type PresignServiceProfile,
  type Profile,
  type ProfileDraft,
  type ProfileField,
  type ProfileKind,
  type Secrets,
} from './profile';

/** Every kind of profile, as stored in `kind`. The record makes the compiler hold the list to `ProfileKind`. */
const KINDS: Record<ProfileKind, true> = { keys: true, 'presign-service': true };
export const PROFILE_KINDS = Object.keys(KINDS) as ProfileKind[];

/** Whether a value read from outside (an import file) names a kind of profile. */
export function isProfileKind(value: unknown): value is ProfileKind {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}

/** One case per kind, each given the value narrowed to its kind. */
type PerKind<P extends { kind: ProfileKind }, R> = { [K in ProfileKind]: (value: Extract<P, { kind: K }>) => R };

/** The one place a profile's kind is looked at: runs the case for its kind. */
function byKind<P extends { kind: ProfileKind }, R>(value: P, cases: PerKind<P, R>): R {
  // Types keep every caller to the known kinds; a stored or sent value that is not one (`toString` included) is a bug to hear about.
  if (!Object.hasOwn(cases, value.kind)) throw new TypeError(`Not a kind of profile: ${String(value.kind)}`);
  return (cases as unknown as Record<string, (value: P) => R>)[value.kind]!(value);
}

// ───────────────────────── What a profile can do and where it reaches ─────────────────────────

/** The link mode a profile uses: a presign service signs GETs only, so it is always presigned. */
export function linkModeOf(profile: Profile): LinkMode {
  return byKind(profile, { keys: (p) => p.linkMode ?? 'presigned', 'presign-service': () => 'presigned' });
}

/** What a profile can do. A presign service signs single PUTs and GETs only. */
export function capabilitiesOf(profile: Profile | null): Capabilities {
  // No profile chosen: nothing is offered anyway, and nothing is held back.
  if (!profile) return { multipart: true, delete: true };
  return byKind<Profile, Capabilities>(profile, {
    keys: () => ({ multipart: true, delete: true }),
    'presign-service': () => ({ multipart: false, delete: false }),
  });
}

/**
 * Who signs the profile's URLs: S3 Drop with the user's keys, or a presign
 * service. Only the first can ask the bucket about itself ("Check my bucket"
 * checks a service's profile through the URLs it signs).
 */
export function signerOf(profile: Profile): UrlSigner {
  return byKind<Profile, UrlSigner>(profile, { keys: () => 'extension', 'presign-service': () => 'service' });
}

/**
 * After how many days the bucket deletes the profile's uploads (Auto-delete),
 * or `undefined` when they stay. Only own keys sign the tag it needs: a
 * service signs its own URLs, and its owner sets the bucket's rules.
 */
export function autoDeleteDaysOf(profile: Profile): number | undefined {
  return byKind<Profile, number | undefined>(profile, { keys: (p) => p.autoDeleteDays, 'presign-service': () => undefined });
}

/**
 * Every origin the profile needs host permission for. Keys: the bucket's (see
 * `hostPermissionOrigins`). Presign service: the service's, and the S3 origin
 * its URLs point at once it is known.
 */
export function accessOrigins(profile: Profile): string[] {
  return byKind(profile, {
    keys: (p) => hostPermissionOrigins(p),
    'presign-service': (p) => {
      const origins: string[] = [];
      for (const url of [p.serviceUrl, p.endpoint]) {
        try {
          if (url) origins.push(originPattern(url));
        } catch {
          /* not a URL yet: validation says so */
        }
      }
      return [...new Set(origins)];
    },
  });
}

/**
 * The addresses where a profile's files live (ports included; callers keep
 * what they need). Keys: the bucket as requests address it (virtual-hosted
 * `bucket.s3.region.amazonaws.com`), the endpoint itself (path-style
 * `s3.region.amazonaws.com/bucket` reaches the same bucket) and the address
 * asked for the bucket's region. Presign service: the service, and the S3
 * origin its URLs point at. Empty parts and addresses that are not URLs are left out.
 */
export function storageUrls(profile: Profile): (string | URL)[] {
  return byKind<Profile, (string | URL)[]>(profile, {
    keys: (p) => {
      const urls: (string | URL)[] = [];
      if (!p.bucket) return urls;
      try {
        urls.push(bucketOrigin(p));
        urls.push(serviceEndpoint(p));
        urls.push(regionProbeUrl(p));
      } catch {
        /* an endpoint that is not a URL: nothing is stored there */
      }
      return urls;
    },
    'presign-service': (p) => [p.serviceUrl, p.endpoint].filter(Boolean),
  });
}

// ───────────────────────── Secrets, as far as a page may know them ─────────────────────────

/**
 * Whether the profile has what it signs with, given whether its credential
 * (secret key, or service token) is saved. A presign service that wants no
 * token needs nothing saved to be ready.
 */
export function secretReady(profile: Profile, credentialSaved: boolean): boolean {
  return byKind(profile, {
    keys: () => credentialSaved,
    'presign-service': (p) => p.serviceAuth === 'none' || credentialSaved,
  });
}

/** Whether the profile signs with a session token (temporary keys) when one is saved. */
export function usesSessionToken(profile: Profile): boolean {
  return byKind(profile, { keys: () => true, 'presign-service': () => false });
}

/**
 * When the credentials the profile signs with die, as the user told us
 * (ISO 8601), or `undefined`. Links signed with temporary keys die with them;
 * a presign service's URLs are the service's business.
 */
export function credentialsExpireAt(profile: Profile): string | undefined {
  return byKind(profile, { keys: (p) => p.sessionTokenExpiration, 'presign-service': () => undefined });
}

// ───────────────────────── Words ─────────────────────────

/** What the options page's list shows under a profile's name: the bucket, or that a service signs for it. */
export function listLabel(profile: Profile): string {
  return byKind(profile, { keys: (p) => p.bucket, 'presign-service': () => t('options_presignService') });
}

/** A name for a profile the user did not name: its bucket, else its service's host. */
export function defaultProfileName(profile: Omit<KeysProfile, 'id' | 'name'> | Omit<PresignServiceProfile, 'id' | 'name'>): string {
  if (profile.bucket) return profile.bucket;
  const fromKind = byKind<typeof profile, string | null>(profile, {
    keys: () => null,
    'presign-service': (p) => {
      if (!p.serviceUrl) return null;
      try {
        return new URL(p.serviceUrl).host;
      } catch {
        return null; // not a URL yet: validation says so
      }
    },
  });
  return fromKind ?? t('profile_defaultName');
}

// ───────────────────────── Drafts ─────────────────────────

/** A kind's fields as an import file may carry them: its empty profile (every field, with its type), and the fields it has only sometimes. */
export function fieldsOfKind(kind: ProfileKind): { empty: Profile; optional: readonly ProfileField[] } {
  return byKind<{ kind: ProfileKind }, { empty: Profile; optional: readonly ProfileField[] }>(
    { kind },
    {
      keys: () => ({
        empty: EMPTY_PROFILE,
        optional: [
          'multipartThresholdMiB',
          'sessionTokenExpiration',
          'linkDisposition',
          'linkMode',
          'linkBaseUrl',
          'autoDeleteDays',
          'linkFormat',
          'linkTemplate',
          'photoPrivacy',
          'imageFormat',
          'imageMaxSize',
          'imageQuality',
          'editCaptures',
        ],
      }),
      'presign-service': () => ({ empty: EMPTY_SERVICE_PROFILE, optional: ['linkFormat', 'linkTemplate', 'photoPrivacy', 'imageFormat', 'imageMaxSize', 'imageQuality', 'editCaptures'] }),
    },
  );
}

/** Fields without which Test connection cannot ask anything, in the order they are reported. */
export function connectionBlockingFields(profile: Profile): readonly ProfileField[] {
  return byKind<Profile, readonly ProfileField[]>(profile, {
    keys: () => ['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region'],
    'presign-service': () => ['serviceUrl', 'serviceAuth', 'serviceAuthHeader', 'serviceToken', 'bucket', 'keyTemplate'],
  });
}

/** Trims what people paste with stray spaces, and reports which fields changed. */
export function normalizeDraft(draft: ProfileDraft): { draft: ProfileDraft; trimmed: ProfileField[] } {
  const trimmed: ProfileField[] = [];
  // A draft from before profiles had kinds is a keys draft.
  const out = { ...draft, kind: draft.kind ?? 'keys' } as ProfileDraft;
  const fields = out as unknown as Record<string, unknown>;
  for (const field of TRIMMED_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && value !== value.trim()) {
      fields[field] = value.trim();
      trimmed.push(field);
    }
  }
  if (out.endpoint) out.endpoint = out.endpoint.replace(/\/+$/, '');
  if (!out.name) out.name = defaultProfileName(out);
  byKind(out, {
    keys: () => {},
    'presign-service': (d) => {
      d.accessKeyId = '';
      d.serviceUrl = normalizeServiceUrl(d.serviceUrl);
      // Requests go exactly to the origin the service's URLs name.
      d.forcePathStyle = true;
      // A service signs plain GETs: no link modes, no disposition.
      const loose = d as unknown as Record<string, unknown>;
      delete loose.linkMode;
      delete loose.linkBaseUrl;
      delete loose.linkDisposition;
    },
  });
  return { draft: out, trimmed };
}

/** Field-level sentences for everything wrong with a draft; empty when it can be saved. `hasSavedSecret` is the saved secret key (keys) or token (presign service). */
export function validateDraft(draft: ProfileDraft, opts: { hasSavedSecret: boolean; otherNames?: readonly string[] }): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.name.length > MAX_PROFILE_NAME_LENGTH) errors.name = t('profile_nameTooLong', { max: MAX_PROFILE_NAME_LENGTH });
  else if (opts.otherNames?.some((n) => n.toLowerCase() === draft.name.toLowerCase())) errors.name = t('profile_nameTaken', { name: draft.name });
  byKind(draft, {
    keys: (d) => {
      if (!d.accessKeyId) errors.accessKeyId = t('profile_accessKeyIdEmpty');
      if (!d.secretAccessKey && !opts.hasSavedSecret) errors.secretAccessKey = t('profile_secretEmpty');
      const bucket = validateBucketName(d.bucket);
      if (bucket) errors.bucket = bucket;
      const region = validateRegion(d.region, d.endpoint);
      if (region) errors.region = region;
      const endpoint = validateEndpoint(d.endpoint);
      if (endpoint) errors.endpoint = endpoint;
      const expiration = validateTokenExpiration(d.sessionTokenExpiration);
      if (expiration) errors.sessionTokenExpiration = expiration;
      const threshold = validateMultipartThreshold(d.multipartThresholdMiB);
      if (threshold) errors.multipartThresholdMiB = threshold;
      const autoDelete = validateAutoDeleteDays(d.autoDeleteDays);
      if (autoDelete) errors.autoDeleteDays = autoDelete;
      if (d.linkDisposition !== undefined && !LINK_DISPOSITIONS.includes(d.linkDisposition))
        errors.linkDisposition = t('profile_linkDispositionChoose');
      if (d.linkMode !== undefined && !LINK_MODES.includes(d.linkMode)) errors.linkMode = t('profile_linkModeChoose');
      if (d.linkMode === 'custom') {
        const base = validateLinkBaseUrl(d.linkBaseUrl ?? '');
        if (base) errors.linkBaseUrl = base;
      }
    },
    'presign-service': (d) => {
      const url = validateServiceUrl(d.serviceUrl);
      if (url) errors.serviceUrl = url;
      if (!SERVICE_AUTH.includes(d.serviceAuth)) errors.serviceAuth = t('profile_serviceAuthChoose');
      if (d.serviceAuth === 'header') {
        const header = validateHeaderName(d.serviceAuthHeader);
        if (header) errors.serviceAuthHeader = header;
      }
      if (d.serviceAuth === 'bearer' || d.serviceAuth === 'header') {
        if (!d.serviceToken && !opts.hasSavedSecret)
          errors.serviceToken = d.serviceAuth === 'bearer' ? t('profile_serviceTokenEmpty') : t('profile_headerValueEmpty');
        const token = d.serviceToken ? validateTokenValue(d.serviceToken) : null;
        if (token) errors.serviceToken = token;
      }
      if (d.bucket) {
        const bucket = validateBucketName(d.bucket);
        if (bucket) errors.bucket = bucket;
      }
      const endpoint = validateEndpoint(d.endpoint);
      if (endpoint) errors.endpoint = endpoint;
    },
  });
  const template = validateKeyTemplate(draft.keyTemplate);
  if (template) errors.keyTemplate = template;
  const expiry = validateLinkExpiry(draft.linkExpirySeconds);
  if (expiry) errors.linkExpirySeconds = expiry;
  if (draft.linkFormat !== undefined && !LINK_FORMATS.includes(draft.linkFormat)) errors.linkFormat = t('profile_linkFormatChoose');
  if (draft.linkFormat === 'custom') {
    const linkTemplate = validateLinkTemplate(draft.linkTemplate);
    if (linkTemplate) errors.linkTemplate = linkTemplate;
  }
  if (draft.photoPrivacy !== undefined && !PHOTO_PRIVACY_CHOICES.includes(draft.photoPrivacy)) errors.photoPrivacy = t('profile_photoPrivacyChoose');
  const images = imageFieldProblems(draft);
  if (images.imageFormat) errors.imageFormat = t('profile_imageFormatChoose');
  if (images.imageMaxSize) errors.imageMaxSize = t('profile_imageMaxSizeRange', IMAGE_MAX_SIZE_RANGE);
  if (images.imageQuality) errors.imageQuality = t('profile_imageQualityRange', IMAGE_QUALITY_RANGE);
  // Storage and import files are JSON: only a real true or false is a choice.
  if (draft.editCaptures !== undefined && typeof draft.editCaptures !== 'boolean') errors.editCaptures = t('profile_editCapturesChoose');
  return errors;
}

/** Splits a draft into what may be shown anywhere and what only the background keeps: each kind keeps its own secrets only. */
export function splitDraft(draft: ProfileDraft): { profile: Profile; secrets: Partial<Secrets> } {
  return byKind<ProfileDraft, { profile: Profile; secrets: Partial<Secrets> }>(draft, {
    keys: (d) => {
      const { secretAccessKey, sessionToken, serviceToken: _token, ...profile } = d;
      return { profile, secrets: { secretAccessKey, sessionToken } };
    },
    'presign-service': (d) => {
      const { secretAccessKey: _key, sessionToken: _session, serviceToken, ...profile } = d;
      return { profile, secrets: { serviceToken } };
    },
  });
}
