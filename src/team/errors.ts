/**
 * Sentences for what can go wrong in team mode: talking to the presign service,
 * and S3 refusing the URLs it signed. Pure; the background maps each failure
 * here into the same `UserError` the popup already shows.
 */
import { describeFailure, type FailureContext, type S3Failure, type UserError } from '../s3/errors';
import type { PresignFailure, PresignFailureCode } from './presign-client';
import { hostOf, PRESIGN_PATH, serviceName } from './service-url';

export interface TeamContext {
  operation: 'upload' | 'share' | 'connect';
  /** The service's base URL as saved. */
  serviceUrl: string;
  /** Whether a token was sent (a refusal means something else without one). */
  sentToken: boolean;
  /** The object name asked for, when there was one. */
  objectName?: string;
  /** The bucket name sent, empty when none was. */
  bucket: string;
}

const ANSWER_SHAPES = 'a JSON string, {"url": …}, {"presigned_url": …}, or the URL as plain text';

/** The sentence for a failed call to the presign service. Never contains the token (the client removed it from what the service said). */
export function describePresignFailure(f: PresignFailure, ctx: TeamContext): UserError {
  const where = `the presign service at ${serviceName(ctx)}`;
  const http = f.status ? `HTTP ${f.status}` : '';
  const said = f.detail ? `: "${f.detail}"` : '';
  const make = (message: string, extra: Partial<UserError> = {}): UserError => ({ code: f.code, message, transient: false, ...extra });

  switch (f.code) {
    case 'PresignServiceUnreachable':
      return make(
        f.timedOut
          ? `No answer from ${where} within 15 seconds. Check that it is running, and try again.`
          : `Cannot reach ${where}. Check the service URL in Options, that the service is running, and your connection.`,
        { transient: true },
      );
    case 'PresignServiceRefused':
      return make(
        ctx.sentToken
          ? `${capital(where)} refused your token (${http}${said}). Check the token in Options, or ask whoever runs the service for a new one.`
          : `${capital(where)} refused the request (${http}${said}): it wants a token. Choose how to send it in Options.`,
        { fix: { kind: 'open-options' } },
      );
    case 'PresignServiceNotFound':
      return make(
        f.status === 405
          ? `${capital(where)} does not take ${f.method} at ${PRESIGN_PATH} (HTTP 405). S3 Drop asks for upload URLs with POST and for links with GET, as the seed service does.`
          : `${capital(where)} has nothing at ${PRESIGN_PATH} (HTTP 404). Check the service URL in Options: it is the base address, and S3 Drop adds ${PRESIGN_PATH}.`,
        { fix: { kind: 'open-options' } },
      );
    case 'PresignServiceRejected': {
      const hint = /bucket/i.test(f.detail ?? '')
        ? ctx.bucket
          ? ' Check the bucket name in Options.'
          : ' It may want a bucket name: enter one in Options.'
        : /object|name|prefix|key/i.test(f.detail ?? '')
          ? ' Change the object key template in Options so keys fit what the service allows.'
          : '';
      const what = ctx.objectName ? ` for "${ctx.objectName}"` : '';
      return make(`${capital(where)} did not accept the request${what} (${http}${said}).${hint}`, { fix: { kind: 'open-options' } });
    }
    case 'PresignServiceBusy':
      return make(`${capital(where)} is busy (${http}). Try again in a moment.`, { transient: true });
    case 'PresignServiceError':
      return make(`${capital(where)} had an error (${http}${said}). Try again in a moment; if it goes on, tell whoever runs the service.`, {
        transient: true,
      });
    case 'PresignServiceBadAnswer':
      switch (f.badAnswer) {
        case 'html':
          return make(`${capital(where)} answered with a web page, not a URL: often a sign-in page in front of the service. Check the service URL and the token.`, {
            fix: { kind: 'open-options' },
          });
        case 'post-form':
          return make(
            `${capital(where)} answered with a POST form (a URL and fields, as boto3's generate_presigned_post gives). S3 Drop uploads with PUT: the service must use generate_presigned_url('put_object').`,
          );
        case 'empty':
          return make(`${capital(where)} answered ${http || 'OK'} with nothing. S3 Drop expects ${ANSWER_SHAPES}.`);
        case 'not-http':
          return make(`${capital(where)} answered with "${f.answer ?? ''}", which is not an http(s) URL.`);
        default:
          return make(`${capital(where)} answered, but not with a URL: "${f.answer ?? ''}". S3 Drop expects ${ANSWER_SHAPES}.`);
      }
  }
}

/** Every presign-service code with a sentence of its own (a meta-test checks each one). */
export const TEAM_MAPPED_CODES: readonly PresignFailureCode[] = [
  'PresignServiceUnreachable',
  'PresignServiceRefused',
  'PresignServiceNotFound',
  'PresignServiceRejected',
  'PresignServiceBusy',
  'PresignServiceError',
  'PresignServiceBadAnswer',
];

/** No access yet to the service's own origin: the background cannot ask it anything. */
export function serviceAccessMissing(ctx: { serviceUrl: string }): UserError {
  return {
    code: 'HostPermissionMissing',
    message: `S3 Drop has no access to the presign service at ${serviceName(ctx)} yet. Grant access in Options (Save asks for it).`,
    fix: { kind: 'grant-access' },
    transient: false,
  };
}

/** No access to the S3 host the service's URLs point at: the upload could not reach it. */
export function s3AccessMissing(host: string): UserError {
  return {
    code: 'HostPermissionMissing',
    message: `S3 Drop has no access to ${host}, where the presign service's URLs point. Allow it in Options: Test connection offers the button.`,
    fix: { kind: 'grant-access' },
    transient: false,
  };
}

/** A saved presign-service profile that wants a token and has none. */
export const TOKEN_MISSING: UserError = {
  code: 'NotConfigured',
  message: "The presign service's token is not saved. Open Options and enter it.",
  fix: { kind: 'open-options' },
  transient: false,
};

const WRONG_REGION = new Set(['AuthorizationHeaderMalformed', 'AuthorizationQueryParametersError', 'PermanentRedirect', 'Http301']);

/**
 * S3's refusal of a URL the service signed, in team terms: the user holds no
 * keys, so "paste the secret again" is the wrong advice; whoever runs the
 * service has to act. Anything not about the signer falls back to the
 * keys-mode sentence (expiry, busy, too large, network…).
 */
export function describeTeamS3Failure(f: S3Failure, ctx: FailureContext): UserError {
  const s3 = ctx.endpoint ? hostOf(ctx.endpoint) : 'S3';
  const make = (message: string): UserError => ({ code: f.code, message, transient: false });
  if (WRONG_REGION.has(f.code) && (f.code !== 'AuthorizationQueryParametersError' || f.region || /region/i.test(f.message ?? '')))
    return make(
      `${s3} refused the presign service's URL: it was signed for ${ctx.region ? `region ${ctx.region}` : 'the wrong region'}${f.region ? `, but the bucket is in ${f.region}` : ''}. The service must create its S3 client for the bucket's region; tell whoever runs it.`,
    );
  switch (f.code) {
    case 'SignatureDoesNotMatch':
      return make(`${s3} refused the presign service's signature (SignatureDoesNotMatch): the service signs with a secret S3 does not accept, or for other headers than S3 Drop sends. Tell whoever runs the service.`);
    case 'InvalidAccessKeyId':
      return make(`${s3} does not know the access key the presign service signs with (InvalidAccessKeyId). Tell whoever runs the service.`);
    case 'ExpiredToken':
    case 'InvalidToken':
      return make(`${s3} refused the presign service's temporary credentials (${f.code}). Tell whoever runs the service.`);
    case 'NoSuchBucket':
      return make(`${s3} has no bucket ${ctx.bucket ? `"${ctx.bucket}"` : 'by the name the service signs for'}. Check the bucket name in Options, or tell whoever runs the service.`);
    case 'AccessDenied':
      if (!/expired/i.test(f.message ?? ''))
        return make(
          `${s3} refused the presign service's URL (AccessDenied): the service's own keys may not ${ctx.operation === 'upload' ? 'upload (s3:PutObject)' : 'read (s3:GetObject)'} there. Tell whoever runs the service.`,
        );
      break;
    default:
      break;
  }
  return describeFailure(f, ctx);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
