/**
 * S3 error codes, turned into sentences a user can act on. Pure: the same
 * mapping serves SDK errors in the background and raw PUT/GET replies in the
 * pages, and every code here is tested against a signature-checking server
 * where that server can produce it.
 */

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
export type S3Operation = 'upload' | 'share' | 'download' | 'list' | 'connect' | 'delete';

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
}

/** A one-to-three-sentence explanation, plus a one-click fix where there is one. */
export interface UserError {
  code: string;
  message: string;
  fix?: { kind: 'use-region'; region: string } | { kind: 'grant-access' } | { kind: 'open-options' } | { kind: 'unlock' };
  /** Worth trying again unchanged (network, 5xx, SlowDown). */
  transient: boolean;
}

const PERMISSION: Record<S3Operation, string> = {
  upload: 's3:PutObject',
  share: 's3:GetObject',
  download: 's3:GetObject',
  list: 's3:ListBucket',
  connect: 's3:ListBucket',
  delete: 's3:DeleteObject',
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
  const bucket = `"${ctx.bucket}"`;
  const make = (message: string, extra: Partial<UserError> = {}): UserError => ({
    code: f.code,
    message,
    transient: false,
    ...extra,
  });

  if (WRONG_REGION.has(f.code) && (f.code !== 'AuthorizationQueryParametersError' || f.region || /region/i.test(f.message ?? ''))) {
    if (f.region && f.region !== ctx.region)
      return make(`Bucket ${bucket} is in region ${f.region}, not ${ctx.region || 'the one used'}. Use ${f.region}.`, {
        fix: { kind: 'use-region', region: f.region },
      });
    return make(
      `Bucket ${bucket} is not in region ${ctx.region || 'us-east-1'}. Leave Region empty and press Test connection to detect it.`,
    );
  }

  switch (f.code) {
    case 'InvalidAccessKeyId':
      return make(`The access key ID is not known to ${where(ctx)}. Check it for typos, and that it belongs to this service.`, {
        fix: { kind: 'open-options' },
      });
    case 'SignatureDoesNotMatch':
      return make('The secret access key does not match the access key ID. Paste the secret again; it is case-sensitive.', {
        fix: { kind: 'open-options' },
      });
    case 'NoSuchBucket':
      return make(
        `Bucket ${bucket} does not exist at ${where(ctx)}${ctx.endpoint ? '' : ` in ${ctx.region || 'us-east-1'}`}. Check the name, or create the bucket first.`,
        { fix: { kind: 'open-options' } },
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Http403':
      if (/expired/i.test(f.message ?? ''))
        return ctx.operation === 'upload'
          ? make('The upload URL expired before the upload finished. Try again; a fresh URL is signed for each try.', {
              code: 'UploadUrlExpired',
              transient: true,
            })
          : make('This link has expired. Copy a fresh link from S3 Drop.', { code: 'LinkExpired' });
      if (f.code === 'Http403')
        return make(
          `${where(ctx)} refused the keys for bucket ${bucket} (HTTP 403). Check the access key, the secret, and that the keys may use this bucket (${PERMISSION[ctx.operation]}).`,
        );
      return make(
        `These keys are not allowed to ${verb(ctx.operation)} in bucket ${bucket}: the key's policy must allow ${PERMISSION[ctx.operation]} on arn:aws:s3:::${ctx.bucket}${ctx.operation === 'list' || ctx.operation === 'connect' ? '' : '/*'}.`,
      );
    case 'RequestTimeTooSkewed':
      return make("Your computer's clock is off by more than 15 minutes, so S3 refuses the signature. Set the clock to the correct time and try again.");
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return make('The session token has expired. Paste fresh temporary credentials (key, secret and token) in Options.', {
        fix: { kind: 'open-options' },
      });
    case 'InvalidToken':
      return make('The session token is not valid for these keys. Paste the key, secret and token from the same set.', {
        fix: { kind: 'open-options' },
      });
    case 'NetworkError':
      return make(`Cannot reach ${ctx.endpoint || 'AWS S3'}. Check the endpoint URL, that the service is running, and your connection.`, {
        transient: true,
      });
    case 'HostPermissionMissing':
      return make(`S3 Drop has no access to ${ctx.endpoint || 'the bucket'} yet. Grant access in Options (Save asks for it).`, {
        fix: { kind: 'grant-access' },
      });
    case 'EntityTooLarge':
      return make('The file is larger than S3 takes in one upload (5 GiB).');
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'Http503':
      return make(`${where(ctx)} is busy right now (it asked us to slow down). Try again in a moment.`, { transient: true });
    case 'InternalError':
    case 'Http500':
      return make(`${where(ctx)} had an internal error. Try again in a moment.`, { transient: true });
    case 'RequestTimeout':
      return make(`${where(ctx)} gave up waiting for the data. Try again.`, { transient: true });
    case 'Http404':
      return make(`Bucket ${bucket} was not found at ${where(ctx)}. Check the name and the endpoint.`);
    case 'NoSuchUpload':
      return make(`The multipart upload is gone from ${where(ctx)}: it was cancelled, completed, or cleaned up by a lifecycle rule. Upload the file again.`);
    case 'InvalidPart':
      return make(`${where(ctx)} could not join the parts: one is missing or does not match what was sent. Upload the file again.`);
    case 'PreconditionFailed':
    case 'Http412':
      return make(
        `Another upload took this file's name in bucket ${bucket} just now; nothing was overwritten. Upload again to get the next free name.`,
        { code: 'PreconditionFailed' },
      );
    case 'EntityTooSmall':
      return make(`${where(ctx)} refused parts smaller than it allows (S3 needs at least 5 MiB for every part but the last).`);
    default: {
      const transient = (f.status ?? 0) >= 500;
      const detail = f.message ? `: ${f.message}` : '';
      return make(`${where(ctx)} refused the request (${f.code}${f.status ? `, HTTP ${f.status}` : ''})${detail}`, { transient });
    }
  }
}

function verb(op: S3Operation): string {
  return op === 'upload' ? 'upload' : op === 'list' || op === 'connect' ? 'list objects' : 'read objects';
}

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
] as const;
