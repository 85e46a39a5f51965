/**
 * Sentences for what can go wrong in team mode: talking to the presign service,
 * and S3 refusing the URLs it signed. Pure; the background maps each failure
 * here into the same `UserError` the popup already shows.
 */
import { serverCode, type UserError } from '../result';
import { describeFailure, type FailureContext, type S3Failure } from '../s3/errors';
import type { PresignFailure, PresignFailureCode } from './presign-client';
import { hostOf, PRESIGN_PATH, serviceName } from './service-url';
import { t } from '../i18n/t';

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

/** The sentence for a failed call to the presign service. Never contains the token (the client removed it from what the service said). */
export function describePresignFailure(f: PresignFailure, ctx: TeamContext): UserError {
  const service = serviceName(ctx);
  // "HTTP 401" and `: "what the service said"`, each empty when unknown.
  const http = f.status ? `HTTP ${f.status}` : '';
  const said = f.detail ? t('team_said', { detail: f.detail }) : '';
  const make = (message: string, extra: Partial<UserError> = {}): UserError => ({ code: f.code, message, transient: false, ...extra });

  switch (f.code) {
    case 'PresignServiceUnreachable':
      return make(f.timedOut ? t('team_timedOut', { service }) : t('team_unreachable', { service }), { transient: true });
    case 'PresignServiceRefused':
      // What the service said with a 401/403 is never quoted (it may echo the token); the client does not even keep it.
      return make(ctx.sentToken ? t('team_refusedToken', { service, http }) : t('team_wantsToken', { service, http }), {
        fix: { kind: 'open-options' },
      });
    case 'PresignServiceRedirected':
      // Where it pointed is unknown in a browser (a manual redirect hides its Location), so the sentence names what to check.
      return make(ctx.sentToken ? t('team_redirectedToken', { service }) : t('team_redirected', { service }), { fix: { kind: 'open-options' } });
    case 'PresignServiceNotFound':
      return make(
        f.status === 405 ? t('team_methodNotAllowed', { service, method: f.method, path: PRESIGN_PATH }) : t('team_notFound', { service, path: PRESIGN_PATH }),
        { fix: { kind: 'open-options' } },
      );
    case 'PresignServiceRejected': {
      const hint = /bucket/i.test(f.detail ?? '')
        ? ctx.bucket
          ? t('team_hintCheckBucket')
          : t('team_hintWantsBucket')
        : /object|name|prefix|key/i.test(f.detail ?? '')
          ? t('team_hintTemplate')
          : '';
      const rejected = ctx.objectName ? t('team_rejectedFor', { service, name: ctx.objectName, http, said }) : t('team_rejected', { service, http, said });
      return make([rejected, hint].filter(Boolean).join(' '), { fix: { kind: 'open-options' } });
    }
    case 'PresignServiceBusy':
      return make(t('team_busy', { service, http }), { transient: true });
    case 'PresignServiceError':
      return make(t('team_error', { service, http, said }), { transient: true });
    case 'PresignServiceBadAnswer':
      switch (f.badAnswer) {
        case 'html':
          return make(t('team_answerHtml', { service }), { fix: { kind: 'open-options' } });
        case 'post-form':
          return make(t('team_answerPostForm', { service }));
        case 'empty':
          return make(t('team_answerEmpty', { service, http: http || 'OK' }));
        case 'not-http':
          return make(t('team_answerNotHttp', { service, answer: f.answer ?? '' }));
        default:
          return make(t('team_answerNotUrl', { service, answer: f.answer ?? '' }));
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
  'PresignServiceRedirected',
];

/** No access yet to the service's own origin: the background cannot ask it anything. */
export function serviceAccessMissing(ctx: { serviceUrl: string }): UserError {
  return {
    code: 'HostPermissionMissing',
    message: t('team_noServiceAccess', { service: serviceName(ctx) }),
    fix: { kind: 'grant-access' },
    transient: false,
  };
}

/** No access to the S3 host the service's URLs point at: the upload could not reach it. */
export function s3AccessMissing(host: string): UserError {
  return {
    code: 'HostPermissionMissing',
    message: t('team_noS3Access', { host }),
    fix: { kind: 'grant-access' },
    transient: false,
  };
}

/** A saved presign-service profile that wants a token and has none. */
export const TOKEN_MISSING: UserError = {
  code: 'NotConfigured',
  message: t('team_tokenMissing'),
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
  const make = (message: string): UserError => ({ code: serverCode(f.code), message, transient: false });
  if (WRONG_REGION.has(f.code) && (f.code !== 'AuthorizationQueryParametersError' || f.region || /region/i.test(f.message ?? '')))
    return make(
      ctx.region
        ? f.region
          ? t('team_s3RegionBucketIn', { s3, signed: ctx.region, bucketRegion: f.region })
          : t('team_s3Region', { s3, signed: ctx.region })
        : f.region
          ? t('team_s3WrongRegionBucketIn', { s3, bucketRegion: f.region })
          : t('team_s3WrongRegion', { s3 }),
    );
  switch (f.code) {
    case 'SignatureDoesNotMatch':
      return make(t('team_s3Signature', { s3 }));
    case 'InvalidAccessKeyId':
      return make(t('team_s3AccessKey', { s3 }));
    case 'ExpiredToken':
    case 'InvalidToken':
      return make(t('team_s3Token', { s3, code: f.code }));
    case 'NoSuchBucket':
      return make(ctx.bucket ? t('team_s3NoSuchBucket', { s3, bucket: ctx.bucket }) : t('team_s3NoSuchBucketUnnamed', { s3 }));
    case 'AccessDenied':
      if (!/expired/i.test(f.message ?? ''))
        return make(ctx.operation === 'upload' ? t('team_s3DeniedUpload', { s3 }) : t('team_s3DeniedRead', { s3 }));
      break;
    default:
      break;
  }
  return describeFailure(f, ctx);
}

/**
 * Who signed an upload's URLs: S3 Drop, with the user's own keys, or a
 * presign service. S3's refusals are worded for whoever has to act. A name,
 * not a function: it travels from the background to wherever the bytes are.
 */
export type UrlSigner = 'extension' | 'service';

/** How S3's answers to each signer's URLs are described; absent: `describeFailure`'s own sentences. */
export const S3_ANSWERS_BY_SIGNER: Record<UrlSigner, FailureContext['describe']> = {
  extension: undefined,
  // The user holds no keys for a service's URLs: whoever runs the service has to act.
  service: describeTeamS3Failure,
};
