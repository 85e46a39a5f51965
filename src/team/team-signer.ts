/**
 * The background's team mode: upload URLs and share links come from the
 * team's presign service instead of local keys, with the same replies the
 * keys mode gives, so the popup, the context menu and the clipboard work
 * unchanged. Pure apart from the injected fetch and permission check.
 */
import { renderKey } from '../keys/template';
import type { ConnectionReport } from '../s3/connection-test';
import type { UserError, Result } from '../result';
import { failureFromResponse, isNetworkError } from '../s3/errors';
import { UPLOAD_URL_EXPIRY_SECONDS } from '../s3/expiry';
import { effectiveContentType, type SignedRequest } from '../s3/presign';
import type { FetchLike } from '../s3/region';
import type { PresignServiceProfile } from '../settings/profile';
import { describePresignFailure, describeTeamS3Failure, s3AccessMissing, serviceAccessMissing, type TeamContext } from './errors';
import { PresignServiceError, requestAccessUrl, requestUploadUrl, type PresignedUrl, type PresignServiceConfig } from './presign-client';
import { hostOf, originPattern, serviceName } from './service-url';
import type { SignedUrlFacts } from './signed-url';
import { t } from '../i18n/t';

export interface TeamDeps {
  fetch: FetchLike;
  hasHostPermission(origins: string[]): Promise<boolean>;
  now(): Date;
  uuid(): string;
}

/** Test connection's answer, plus what team mode learns: where the service's URLs point, and access still needed there. */
export interface TeamConnectionReport extends ConnectionReport {
  /** The S3 origin the service's URLs point at, e.g. `https://my-bucket.s3.eu-west-1.amazonaws.com`. */
  s3Origin?: string;
  /** The region those URLs are signed for. */
  region?: string;
  /** Origin patterns to ask the user for, in a click. */
  needsAccess?: string[];
}

/** How long the URL Test connection asks for lives: it is used at once, for a key that does not exist. */
export const PROBE_EXPIRY_SECONDS = 60;

export function serviceConfig(profile: PresignServiceProfile, token: string): PresignServiceConfig {
  return {
    baseUrl: profile.serviceUrl,
    auth: profile.serviceAuth,
    authHeader: profile.serviceAuthHeader,
    token: profile.serviceAuth === 'none' ? '' : token,
    bucket: profile.bucket,
  };
}

function teamContext(profile: PresignServiceProfile, token: string, operation: TeamContext['operation'], objectName?: string): TeamContext {
  return {
    operation,
    serviceUrl: profile.serviceUrl,
    sentToken: profile.serviceAuth !== 'none' && Boolean(token),
    bucket: profile.bucket,
    ...(objectName ? { objectName } : {}),
  };
}

/** Runs one call to the service, turning its failures into sentences. */
async function ask(
  profile: PresignServiceProfile,
  token: string,
  operation: TeamContext['operation'],
  objectName: string,
  call: () => Promise<PresignedUrl>,
): Promise<Result<PresignedUrl>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (err instanceof PresignServiceError) return { ok: false, error: describePresignFailure(err.failure, teamContext(profile, token, operation, objectName)) };
    return { ok: false, error: { code: 'Unexpected', message: t('team_askFailed', { reason: (err as Error).message }), transient: false } };
  }
}

/** A short-lived PUT URL from the service (`POST`), with the headers it must be sent with. */
export async function signTeamUpload(
  deps: TeamDeps,
  profile: PresignServiceProfile,
  token: string,
  request: { key: string; contentType: string; size: number },
): Promise<Result<SignedRequest>> {
  if (!(await deps.hasHostPermission([originPattern(profile.serviceUrl)]))) return { ok: false, error: serviceAccessMissing(profile) };
  const contentType = effectiveContentType(request.contentType);
  const now = deps.now().getTime();
  const answer = await ask(profile, token, 'upload', request.key, () =>
    requestUploadUrl(deps.fetch, serviceConfig(profile, token), {
      objectName: request.key,
      expiration: UPLOAD_URL_EXPIRY_SECONDS,
      contentType,
      contentLength: request.size,
    }),
  );
  if (!answer.ok) return answer;
  const { url, headers, facts } = answer.value;
  // The page PUTs straight to S3: without access to that host the browser would refuse it (no CORS set-up needed with it).
  if (!(await deps.hasHostPermission([originPattern(facts.origin)]))) return { ok: false, error: s3AccessMissing(facts.host) };
  return {
    ok: true,
    // Headers the service named win: if it bound another Content-Type, that is the one S3 will check.
    value: { url, headers: { 'content-type': contentType, ...headers }, expiresAt: facts.expiresAt ?? now + UPLOAD_URL_EXPIRY_SECONDS * 1000 },
  };
}

/**
 * A GET link from the service, asked to live `expiresIn` seconds (default the
 * profile's expiry), sent as `expiration`; the service may cap it, and
 * `expiresAt` says what it gave.
 */
export async function teamShareLink(
  deps: TeamDeps,
  profile: PresignServiceProfile,
  token: string,
  request: { key: string; expiresIn?: number },
): Promise<Result<SignedRequest>> {
  if (!(await deps.hasHostPermission([originPattern(profile.serviceUrl)]))) return { ok: false, error: serviceAccessMissing(profile) };
  const now = deps.now().getTime();
  const expiration = request.expiresIn ?? profile.linkExpirySeconds;
  const answer = await ask(profile, token, 'share', request.key, () =>
    requestAccessUrl(deps.fetch, serviceConfig(profile, token), { objectName: request.key, expiration }),
  );
  if (!answer.ok) return answer;
  const { url, facts } = answer.value;
  return { ok: true, value: { url, headers: {}, expiresAt: facts.expiresAt ?? now + expiration * 1000 } };
}

/** A key under the profile's template that does not exist, for asking the service a harmless question. */
export function probeKey(profile: PresignServiceProfile, deps: Pick<TeamDeps, 'now' | 'uuid'>): string {
  return renderKey(profile.keyTemplate, { name: 's3-drop-connection-test.txt', now: deps.now(), uuid: deps.uuid() });
}

/** Asks the service for a short-lived GET URL for a key that does not exist (the service's origin must be granted). */
export function probeService(deps: TeamDeps, profile: PresignServiceProfile, token: string): Promise<Result<PresignedUrl>> {
  const objectName = probeKey(profile, deps);
  return ask(profile, token, 'connect', objectName, () =>
    requestAccessUrl(deps.fetch, serviceConfig(profile, token), { objectName, expiration: PROBE_EXPIRY_SECONDS }),
  );
}

/** The profile with what the service's URLs say: their S3 origin (kept as the endpoint, path-style) and region. */
export function withS3Address(profile: PresignServiceProfile, facts: SignedUrlFacts): PresignServiceProfile {
  return { ...profile, endpoint: facts.origin, forcePathStyle: true, region: facts.region ?? profile.region };
}

/**
 * Test connection for a presign service: ask it for a short-lived GET URL for
 * a key that does not exist, say what came back and where it points, and —
 * when S3 Drop may reach that host — try the URL: S3 answering "no such key"
 * proves the service's signature good.
 */
export async function testPresignService(deps: TeamDeps, profile: PresignServiceProfile, token: string): Promise<TeamConnectionReport> {
  const fail = (error: UserError, extra: Partial<TeamConnectionReport> = {}): TeamConnectionReport => ({ ok: false, message: error.message, error, ...extra });
  const service = serviceName(profile);
  const probe = await probeService(deps, profile, token);
  if (!probe.ok) return fail(probe.error);

  const { url, facts } = probe.value;
  const where = facts.region ? t('team_hostInRegion', { host: facts.host, region: facts.region }) : facts.host;
  const moved = profile.endpoint && profile.endpoint !== facts.origin;
  const learned = { s3Origin: facts.origin, ...(facts.region ? { region: facts.region } : {}) };
  const answered = [
    moved ? t('team_answersMoved', { service, where, before: hostOf(profile.endpoint) }) : t('team_answers', { service, where }),
    facts.signature === 'none' ? t('team_unsigned') : '',
  ]
    .filter(Boolean)
    .join(' ');

  const pattern = originPattern(facts.origin);
  if (!(await deps.hasHostPermission([pattern])))
    return { ok: true, message: `${answered} ${t('team_allowS3Host', { host: facts.host })}`, ...learned, needsAccess: [pattern] };

  let res: Response;
  let body: string;
  try {
    res = await deps.fetch(url, { method: 'GET', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(15_000) });
    body = await res.text();
  } catch (err) {
    const reason = isNetworkError(err) ? t('team_nothingAnswered') : (err as Error).message;
    return fail(
      { code: 'NetworkError', message: `${answered} ${t('team_s3Unreachable', { host: facts.host, reason })}`, transient: true },
      learned,
    );
  }
  if (res.ok || res.status === 206) return { ok: true, message: t('team_connected', { answered }), ...learned };
  const failure = failureFromResponse(res.status, body, res.headers.get('x-amz-bucket-region'));
  if (failure.code === 'NoSuchKey' || failure.code === 'Http404')
    return { ok: true, message: t('team_connected', { answered }), ...learned };
  if (failure.code === 'AccessDenied' && !/expired/i.test(failure.message ?? ''))
    return {
      ok: true,
      message: t('team_connectedDenied', { answered }),
      ...learned,
    };
  if (/expired/i.test(failure.message ?? '') || failure.code === 'RequestTimeTooSkewed')
    return fail(
      { code: 'PresignServiceClock', message: `${answered} ${t('team_clock')}`, transient: false },
      learned,
    );
  const error = describeTeamS3Failure(failure, { operation: 'share', bucket: profile.bucket, region: facts.region ?? '', endpoint: facts.origin });
  return fail({ ...error, message: t('team_answersBut', { service, problem: lowerFirst(error.message) }) }, learned);
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

