/**
 * S3 error codes, turned into sentences a user can act on. Pure: the same
 * mapping serves SDK errors in the background and raw PUT/GET replies in the
 * pages, and every code here is tested against a signature-checking server
 * where that server can produce it.
 */
import { t } from '../i18n/t';
import { serverCode, type UserError } from '../result';

/** What went wrong, as the protocol said it. */
export interface S3Failure {
  /** S3's `<Code>`, or one of ours: `NetworkError`, `HostPermissionMissing`, `UploadUrlExpired`, `HttpNNN`. */
  code: string;
  status?: number;
  message?: string;
  /** The bucket's real region, when the reply told us (`<Region>`, `x-amz-bucket-region`, an `<Endpoint>` or the message). */
  region?: string;
}

/** What the request was for; decides which permission an AccessDenied is about. */
export type S3Operation = 'upload' | 'share' | 'download' | 'list' | 'connect' | 'delete' | 'listParts';

export interface FailureContext {
  operation: S3Operation;
  bucket: string;
  /** The region we signed for. */
  region: string;
  /** The endpoint as the user typed it, empty for AWS. */
  endpoint: string;
  /**
   * Who signed the request, when it was not S3 Drop: a team's presign service
   * gets its own sentences ("tell whoever runs the service", not "paste your secret").
   */
  describe?: (failure: S3Failure, ctx: Omit<FailureContext, 'describe'>) => UserError;
  /** The request carried object tags (Auto-delete): refusals may be about them. */
  tagged?: boolean;
}

const PERMISSION: Record<S3Operation, string> = {
  upload: 's3:PutObject',
  share: 's3:GetObject',
  download: 's3:GetObject',
  list: 's3:ListBucket',
  connect: 's3:ListBucket',
  delete: 's3:DeleteObject',
  // Resume asks which parts of an unfinished upload the bucket holds (ListParts).
  listParts: 's3:ListMultipartUploadParts',
};

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? decodeXmlText(m[1]!) : undefined;
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Named and numeric references: Go-based servers (MinIO) write `'` as `&#39;`. */
function decodeXmlText(text: string): string {
  return text.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(lt|gt|amp|quot|apos));/gi, (whole, hex?: string, dec?: string, name?: string) => {
    if (name) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    const code = hex ? parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Region from an AWS-style endpoint host such as `b.s3.eu-west-1.amazonaws.com` or `s3-eu-west-1.amazonaws.com`. */
function regionFromEndpoint(host: string | undefined): string | undefined {
  return host ? /s3[.-]([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com/.exec(host)?.[1] : undefined;
}

/** Region from "the region 'a' is wrong; expecting 'b'" (AWS and Swift s3api say it like this). */
function regionFromMessage(message: string | undefined): string | undefined {
  return message ? /expecting '([a-z0-9-]+)'/.exec(message)?.[1] : undefined;
}

/** Reads a raw S3 error reply (status, XML body, headers) — as a page's fetch/XHR sees it. */
export function failureFromResponse(status: number, body: string, bucketRegionHeader?: string | null): S3Failure {
  const code = tag(body, 'Code') ?? httpCode(status);
  const message = tag(body, 'Message');
  const region =
    tag(body, 'Region') ?? bucketRegionHeader ?? regionFromEndpoint(tag(body, 'Endpoint')) ?? regionFromMessage(message);
  return { code, status, ...(message ? { message } : {}), ...(region ? { region } : {}) };
}

function httpCode(status: number): string {
  return `Http${status}`;
}

interface SdkLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  Region?: string;
  Endpoint?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True for what fetch and the SDK throw when no HTTP reply came back at all. */
export function isNetworkError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as SdkLikeError;
  if (e.$metadata?.httpStatusCode) return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  // The SDK gave up waiting for an answer (the client's request timeout): no reply, as far as the caller knows.
  if (e.name === 'TimeoutError') return true;
  if (e.name === 'TypeError' && /fetch|network|load failed/i.test(e.message ?? '')) return true;
  if (e.cause) return isNetworkError(e.cause);
  return /Failed to fetch|NetworkError|fetch failed|ECONNREFUSED|ENOTFOUND/i.test(e.message ?? '');
}

/** Reads an error thrown by an AWS SDK `client.send()` or by `fetch`. */
export function failureFromError(err: unknown): S3Failure {
  if (isNetworkError(err)) return { code: 'NetworkError', message: (err as Error).message };
  const e = (err ?? {}) as SdkLikeError;
  const status = e.$metadata?.httpStatusCode;
  // HEAD replies have no body, so the SDK names the error after the status ("NotFound", "Forbidden", "301").
  let code = e.Code ?? e.name ?? 'Unknown';
  if (/^\d{3}$/.test(code)) code = httpCode(Number(code));
  if (code === 'NotFound' && status === 404) code = 'Http404';
  if (code === 'Forbidden' && status === 403) code = 'Http403';
  // A HEAD error other than 404/403 (Swift: 400, 403; any 5xx) comes as "Unknown": name it by its status.
  if (code === 'Unknown' && status) code = httpCode(status);
  const region =
    e.Region ?? e.$response?.headers?.['x-amz-bucket-region'] ?? regionFromEndpoint(e.Endpoint) ?? regionFromMessage(e.message);
  return {
    code,
    ...(status ? { status } : {}),
    ...(e.message ? { message: e.message } : {}),
    ...(region ? { region } : {}),
  };
}

function where(ctx: FailureContext): string {
  return ctx.endpoint ? ctx.endpoint : 'AWS S3';
}

const WRONG_REGION = new Set([
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'PermanentRedirect',
  'IllegalLocationConstraintException',
  'Http301',
]);

/** The sentence for a failure. Never includes a secret, a signature or a signed URL. */
export function describeFailure(f: S3Failure, context: FailureContext): UserError {
  const { describe, ...ctx } = context;
  if (describe) return describe(f, ctx);
  const bucket = ctx.bucket;
  const make = (message: string, extra: Partial<UserError> = {}): UserError => ({
    code: serverCode(f.code),
    message,
    transient: false,
    ...extra,
  });

  if (WRONG_REGION.has(f.code) && (f.code !== 'AuthorizationQueryParametersError' || f.region || /region/i.test(f.message ?? ''))) {
    if (f.region && f.region !== ctx.region)
      return make(
        ctx.region
          ? t('s3_wrongRegion', { bucket, region: f.region, signed: ctx.region })
          : t('s3_wrongRegionUnsigned', { bucket, region: f.region }),
        { fix: { kind: 'use-region', region: f.region } },
      );
    return make(t('s3_notInRegion', { bucket, region: ctx.region || 'us-east-1' }));
  }

  // Swift's s3api, among others, refuses any request with tags: without this, a user who turned Auto-delete on
  // would read "NotImplemented" and never connect it to that setting.
  if (ctx.tagged && (f.code === 'NotImplemented' || f.code === 'Http501'))
    return make(t('s3_tagsNotSupported', { where: where(ctx) }), { fix: { kind: 'open-options' } });

  switch (f.code) {
    case 'InvalidAccessKeyId':
      return make(t('s3_invalidAccessKeyId', { where: where(ctx) }), { fix: { kind: 'open-options' } });
    case 'SignatureDoesNotMatch':
      return make(t('s3_signatureDoesNotMatch'), { fix: { kind: 'open-options' } });
    case 'NoSuchBucket':
      return make(
        ctx.endpoint
          ? t('s3_noSuchBucketAt', { bucket, where: where(ctx) })
          : t('s3_noSuchBucketIn', { bucket, where: where(ctx), region: ctx.region || 'us-east-1' }),
        { fix: { kind: 'open-options' } },
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Http403':
      if (/expired/i.test(f.message ?? ''))
        return ctx.operation === 'upload'
          ? make(t('s3_uploadUrlExpired'), { code: 'UploadUrlExpired', transient: true })
          : make(t('s3_linkExpired'), { code: 'LinkExpired' });
      if (f.code === 'Http403') return make(t('s3_http403', { where: where(ctx), bucket, permission: PERMISSION[ctx.operation] }));
      return make(
        t(DENIED[ctx.operation], {
          bucket,
          // S3 needs a second permission for a PUT that sets tags.
          permission: ctx.tagged && ctx.operation === 'upload' ? t('s3_permissionTagged', { permission: PERMISSION.upload }) : PERMISSION[ctx.operation],
          arn: `arn:aws:s3:::${ctx.bucket}${ctx.operation === 'list' || ctx.operation === 'connect' ? '' : '/*'}`,
        }),
      );
    case 'RequestTimeTooSkewed':
      return make(t('s3_clockSkewed'));
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return make(t('s3_tokenExpired'), { fix: { kind: 'open-options' } });
    case 'InvalidToken':
      return make(t('s3_tokenInvalid'), { fix: { kind: 'open-options' } });
    case 'NetworkError':
      return make(t('s3_unreachable', { where: where(ctx) }), { transient: true });
    case 'HostPermissionMissing':
      return make(ctx.endpoint ? t('s3_noAccessTo', { endpoint: ctx.endpoint }) : t('s3_noAccessBucket'), { fix: { kind: 'grant-access' } });
    case 'EntityTooLarge':
      return make(t('s3_entityTooLarge'));
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'Http503':
      return make(t('s3_slowDown', { where: where(ctx) }), { transient: true });
    case 'InternalError':
    case 'Http500':
      return make(t('s3_internalError', { where: where(ctx) }), { transient: true });
    case 'RequestTimeout':
      return make(t('s3_requestTimeout', { where: where(ctx) }), { transient: true });
    case 'Http404':
      return make(t('s3_http404', { bucket, where: where(ctx) }));
    case 'NoSuchUpload':
      return make(t('s3_noSuchUpload', { where: where(ctx) }));
    case 'InvalidPart':
      return make(t('s3_invalidPart', { where: where(ctx) }));
    case 'PreconditionFailed':
    case 'Http412':
      return make(t('s3_preconditionFailed', { bucket }), { code: 'PreconditionFailed' });
    case 'EntityTooSmall':
      return make(t('s3_entityTooSmall', { where: where(ctx) }));
    case 'BadDigest':
      // The bytes changed on the way (the checksum signed into the URL did not match them): sent again from the file.
      // After the tries run out, something on the path keeps changing them.
      return make(t('s3_badDigest', { where: where(ctx) }), { transient: true });
    default: {
      const transient = (f.status ?? 0) >= 500;
      const { code, status, message: detail } = f;
      const said = { where: where(ctx), code };
      return make(
        status
          ? detail
            ? t('s3_refusedStatusDetail', { ...said, status, detail })
            : t('s3_refusedStatus', { ...said, status })
          : detail
            ? t('s3_refusedDetail', { ...said, detail })
            : t('s3_refused', said),
        { transient },
      );
    }
  }
}

/** What an AccessDenied says the keys may not do, by operation. */
const DENIED: Record<S3Operation, 's3_deniedUpload' | 's3_deniedList' | 's3_deniedRead' | 's3_deniedParts'> = {
  upload: 's3_deniedUpload',
  list: 's3_deniedList',
  connect: 's3_deniedList',
  share: 's3_deniedRead',
  download: 's3_deniedRead',
  delete: 's3_deniedRead',
  listParts: 's3_deniedParts',
};

/** Every code with a sentence of its own (a meta-test checks each one). */
export const MAPPED_CODES = [
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'PermanentRedirect',
  'AccessDenied',
  'RequestTimeTooSkewed',
  'ExpiredToken',
  'InvalidToken',
  'NetworkError',
  'HostPermissionMissing',
  'EntityTooLarge',
  'SlowDown',
  'InternalError',
  'RequestTimeout',
  'NoSuchUpload',
  'InvalidPart',
  'EntityTooSmall',
  'PreconditionFailed',
  'BadDigest',
] as const;
