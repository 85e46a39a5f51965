/**
 * What a profile is: its fields (per kind), its secrets, and checks of single
 * fields. What differs by kind, and the checks of a whole draft, are in
 * `profile-kinds.ts`.
 */
import { t } from '../i18n/t';
import { DEFAULT_KEY_TEMPLATE } from '../keys/template';
import { AWS_REGION_SHAPE, closestAwsRegion } from '../s3/aws-regions';
import type { LinkFormat } from '../links/link-format';
import type { LinkDisposition } from '../s3/content-disposition';
import { DEFAULT_LINK_EXPIRY_SECONDS } from '../s3/expiry';
import type { ServiceAuth } from '../team/service-url';
import type { PhotoPrivacy } from '../privacy/report';
import type { ImageFormatChoice } from '../images/settings';

export type { ServiceAuth } from '../team/service-url';

/** What both kinds of profile have: where objects go and how uploads are named and shared. */
interface ProfileCommon {
  /** Stable id, given by the background when the profile is first saved; empty in a new draft. */
  id: string;
  /** What the popup's "Upload to" list and the context menu call it. */
  name: string;
  /** Keys: the bucket's name. Presign service: sent as `bucket_name` when not empty ("if the service wants one"). */
  bucket: string;
  /**
   * Keys: empty means "detect it". Presign service: learned from the
   * service's URLs (their credential scope), never typed.
   */
  region: string;
  /**
   * Keys: empty means AWS S3; otherwise the base URL of an S3-compatible
   * service. Presign service: the S3 origin the service's URLs point at,
   * learned from its answers (with `forcePathStyle` true, so that origin is
   * the one requests go to); empty until the service has been asked.
   */
  endpoint: string;
  forcePathStyle: boolean;
  keyTemplate: string;
  linkExpirySeconds: number;
  /** How a share link goes on the clipboard after an upload. Absent means the plain address (`url`). */
  linkFormat?: LinkFormat;
  /** For the `custom` format: text with `{url}`, `{name}` and `{key}`. */
  linkTemplate?: string;
  /**
   * What happens to a photo's metadata before it goes up (`src/privacy/`):
   * absent means `location` (GPS removed). It is about the bytes, not who
   * signs them, so both kinds have it.
   */
  photoPrivacy?: PhotoPrivacy;
  /**
   * The image stage (`src/images/`), about the bytes like `photoPrivacy`, so
   * both kinds have it. Off unless one is set: `imageFormat` absent means
   * `keep`, `imageMaxSize` absent means any size; `imageQuality` absent means 85.
   */
  imageFormat?: ImageFormatChoice;
  /** Pixels on a picture's long side; larger pictures are made smaller, smaller ones are never enlarged. */
  imageMaxSize?: number;
  /** The encoder's quality for JPEG, WebP and AVIF, 1–100. */
  imageQuality?: number;
  /**
   * Screenshots and full-page captures open in the capture editor (crop,
   * redact…) and go up only when the user confirms there. Absent means off:
   * they go up at once.
   */
  editCaptures?: boolean;
}

/** Your own keys: the background signs every URL itself. */
export interface KeysProfile extends ProfileCommon {
  kind: 'keys';
  accessKeyId: string;
  /**
   * When the session token dies, as ISO 8601 (STS prints it as `Expiration`),
   * if the user knows it. Share links are cut to it: a URL signed with
   * temporary credentials dies with them, whatever its own expiry says.
   */
  sessionTokenExpiration?: string;
  /** Files above this many MiB go up in parts; absent means 64. A presign service only signs single PUTs. */
  multipartThresholdMiB?: number;
  /**
   * Whether share links open in the browser or download. Absent means
   * `auto`: pictures, media, plain text and PDFs open, the rest downloads
   * (`chooseDisposition`). Applies to presigned links (unsigned links cannot ask S3 for a disposition).
   */
  linkDisposition?: LinkDisposition;
  /**
   * What a share link is. Absent means `presigned` (a signed GET that
   * expires); `public`: the object's plain URL (the bucket or prefix must
   * allow anonymous reads); `custom`: the key under `linkBaseUrl` (a CDN).
   * Public and custom links never expire.
   */
  linkMode?: LinkMode;
  /** For `custom` links: e.g. `https://cdn.example.com/{key}`; without `{key}`, `/key` is appended. */
  linkBaseUrl?: string;
  /**
   * Delete each upload this many days after it went up (`src/s3/auto-delete.ts`):
   * uploads are tagged and a lifecycle rule of the bucket deletes them. Absent: files stay.
   */
  autoDeleteDays?: number;
}

export type LinkMode = 'presigned' | 'public' | 'custom';
export const LINK_MODES: readonly LinkMode[] = ['presigned', 'public', 'custom'];
export const LINK_DISPOSITIONS: readonly LinkDisposition[] = ['auto', 'inline', 'attachment'];

/** Parts are at least 5 MiB; one PUT takes at most 5 GiB. */
export const MULTIPART_THRESHOLD_RANGE_MIB = { min: 5, max: 5 * 1024, default: 64 } as const;

/** Returns a sentence for an unusable multipart threshold, or `null`. */
export function validateMultipartThreshold(mib: number | undefined): string | null {
  if (mib === undefined) return null;
  const { min, max } = MULTIPART_THRESHOLD_RANGE_MIB;
  if (!Number.isInteger(mib) || mib < min || mib > max)
    return t('profile_thresholdRange', { min, max });
  return null;
}

/**
 * Your team's presign service (the common FastAPI + boto3 design:
 * `POST`/`GET /api/v1/files/presign`): the service signs, S3 Drop holds no
 * bucket keys, only the service's token.
 */
export interface PresignServiceProfile extends ProfileCommon {
  kind: 'presign-service';
  /**
   * Always empty: this kind holds no S3 key. It is here only so code written
   * before profiles had kinds (which reads `profile.accessKeyId`) still type-checks;
   * new code narrows on `kind` instead.
   */
  accessKeyId: '';
  /** The service's base URL; `/api/v1/files/presign` is appended. */
  serviceUrl: string;
  serviceAuth: ServiceAuth;
  /** The header that carries the token when `serviceAuth` is `header`, e.g. `X-API-Key`. */
  serviceAuthHeader: string;
}

/** Everything about a connection except its secrets. Safe to show in any extension page. */
export type Profile = KeysProfile | PresignServiceProfile;
export type ProfileKind = Profile['kind'];

/** Only the background ever reads these back. */
export interface Secrets {
  secretAccessKey: string;
  sessionToken: string;
  /** Presign service: the bearer token, or the custom header's value. Absent or empty in keys mode. */
  serviceToken?: string;
}

/**
 * What the options page sends. An empty secret means "keep the saved one", so
 * the page never needs to read a secret back to show or resubmit the form.
 */
export type ProfileDraft = KeysDraft | PresignServiceDraft;
export type KeysDraft = KeysProfile & Partial<Secrets>;
export type PresignServiceDraft = PresignServiceProfile & Partial<Secrets>;

/** Every field of either kind of draft. */
export type ProfileField = keyof KeysProfile | keyof PresignServiceProfile | keyof Secrets;
export type FieldErrors = Partial<Record<ProfileField, string>>;

/** Each field's label on the options page, for sentences that name a field. */
export const FIELD_LABELS: Partial<Record<ProfileField, string>> = {
  name: t('field_name'),
  accessKeyId: t('field_accessKeyId'),
  secretAccessKey: t('field_secretAccessKey'),
  sessionToken: t('field_sessionToken'),
  sessionTokenExpiration: t('field_sessionTokenExpiration'),
  bucket: t('field_bucket'),
  region: t('field_region'),
  endpoint: t('field_endpoint'),
  serviceUrl: t('field_serviceUrl'),
  serviceAuth: t('field_serviceAuth'),
  serviceAuthHeader: t('field_serviceAuthHeader'),
  serviceToken: t('field_serviceToken'),
  keyTemplate: t('field_keyTemplate'),
  linkExpirySeconds: t('field_linkExpirySeconds'),
  multipartThresholdMiB: t('field_multipartThresholdMiB'),
  linkDisposition: t('field_linkDisposition'),
  linkMode: t('field_linkMode'),
  linkBaseUrl: t('field_linkBaseUrl'),
  autoDeleteDays: t('field_autoDeleteDays'),
  linkFormat: t('field_linkFormat'),
  linkTemplate: t('field_linkTemplate'),
  photoPrivacy: t('field_photoPrivacy'),
  imageFormat: t('field_imageFormat'),
  imageMaxSize: t('field_imageMaxSize'),
  imageQuality: t('field_imageQuality'),
  editCaptures: t('field_editCaptures'),
};

export const EMPTY_PROFILE: KeysProfile = {
  kind: 'keys',
  id: '',
  name: '',
  accessKeyId: '',
  bucket: '',
  region: '',
  endpoint: '',
  forcePathStyle: false,
  keyTemplate: DEFAULT_KEY_TEMPLATE,
  linkExpirySeconds: DEFAULT_LINK_EXPIRY_SECONDS,
};

export const EMPTY_SERVICE_PROFILE: PresignServiceProfile = {
  kind: 'presign-service',
  id: '',
  name: '',
  accessKeyId: '',
  serviceUrl: '',
  serviceAuth: 'bearer',
  serviceAuthHeader: '',
  bucket: '',
  region: '',
  endpoint: '',
  forcePathStyle: true,
  keyTemplate: DEFAULT_KEY_TEMPLATE,
  linkExpirySeconds: DEFAULT_LINK_EXPIRY_SECONDS,
};

/** The ways a presign service takes its token. */
export const SERVICE_AUTH: readonly ServiceAuth[] = ['none', 'bearer', 'header'];

/** What a kind of profile can do. A presign service signs single PUTs and GETs only. */
export interface Capabilities {
  /** Multipart uploads (files over the single-PUT limit of 5 GiB). */
  multipart: boolean;
  /** Deleting uploaded objects. */
  delete: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$|^[a-z0-9-]+$/;

/**
 * Returns a sentence for a region that cannot be right, or `null`. Empty means
 * "detect it". S3-compatible services name regions freely (`garage`, `auto`),
 * so only AWS (no endpoint) is held to AWS's shape; a near miss of a known
 * region is named.
 */
export function validateRegion(region: string, endpoint: string): string | null {
  if (!region) return null;
  const shapeOk = REGION.test(region);
  if (shapeOk && (endpoint || AWS_REGION_SHAPE.test(region))) return null;
  // Only a region that is wrong is compared with the known ones.
  const meant = closestAwsRegion(region);
  const suggestion = meant && meant !== region ? t('profile_regionDidYouMean', { region: meant }) : '';
  if (!shapeOk) return [t('profile_regionShape'), suggestion].filter(Boolean).join(' ');
  return `${t('profile_regionNotAws', { region })} ${suggestion || t('profile_regionLeaveEmpty')}`;
}

/** Bucket naming rules that matter for addressing (AWS "general purpose" rules, lenient on dots). */
export function validateBucketName(bucket: string): string | null {
  if (!bucket) return t('profile_bucketEmpty');
  if (bucket.length < 3 || bucket.length > 63) return t('profile_bucketLength');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) return t('profile_bucketCharacters');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return t('profile_bucketIp');
  return null;
}

/** Returns a sentence for an unusable endpoint, or `null`. Empty is valid (AWS). */
export function validateEndpoint(endpoint: string): string | null {
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return t('profile_endpointNotUrl');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return t('profile_endpointScheme');
  if (url.pathname !== '/' || url.search || url.hash) return t('profile_endpointPath', { origin: url.origin });
  return null;
}

/** Fields people paste with stray spaces, trimmed before anything else looks at them. */
export const TRIMMED_FIELDS = [
  'name',
  'sessionTokenExpiration',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'bucket',
  'region',
  'endpoint',
  'serviceUrl',
  'serviceAuthHeader',
  'serviceToken',
  'linkBaseUrl',
] as const satisfies readonly ProfileField[];

export const MAX_PROFILE_NAME_LENGTH = 60;

/** Returns a sentence for an unusable session-token expiry, or `null`. Empty means "not known". */
export function validateTokenExpiration(value: string | undefined): string | null {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value)))
    return t('profile_tokenExpiration');
  return null;
}
