import type { OwnErrorCode } from '../result';
/**
 * A client for a team's presign service, in the common FastAPI + boto3 design:
 * `POST` (upload URL) and `GET` (access URL) on `/api/v1/files/presign`. Pure:
 * `fetch` is injected, no browser API, tested in Node.
 *
 * What it sends (exactly):
 *   POST <base>/api/v1/files/presign?bucket_name=…&object_name=…&expiration=…&content_type=…&content_length=…
 *        Content-Type: application/json
 *        {"bucket_name":…,"object_name":…,"expiration":…,"content_type":…,"content_length":…}
 *   GET  <base>/api/v1/files/presign?bucket_name=…&object_name=…&expiration=…
 * `bucket_name` only when the profile has one. The same fields go in the
 * query and (for POST) the JSON body, so a service that reads either works.
 * Authorization: `Authorization: Bearer <token>`, or `<Header>: <token>`, or
 * nothing. No cookies (`credentials: 'omit'`), no cache, and no redirect
 * followed (`redirect: 'manual'`): browsers strip only `Authorization` when a
 * redirect leaves the origin, so a token in a header of the team's choosing
 * would go wherever the service (or whoever answers at its address) points.
 * Browsers hide a manual redirect's `Location`, so it cannot be checked and
 * followed by hand either: a redirect is a failure with a sentence of its own.
 *
 * What it accepts: a JSON string, a JSON object with the URL under `url`,
 * `presigned_url` (or a few other common names, possibly inside `data` or
 * `result`), or the URL as plain text. A `headers` object beside the URL is
 * sent with the upload.
 */
import type { FetchLike } from '../s3/region';
import { presignEndpoint, type ServiceAuth } from './service-url';
import { readSignedUrl, type SignedUrlFacts } from './signed-url';

export interface PresignServiceConfig {
  baseUrl: string;
  auth: ServiceAuth;
  /** The header name for `auth: 'header'`. */
  authHeader?: string;
  /** The bearer token or the header's value. */
  token?: string;
  /** Sent as `bucket_name` when not empty. */
  bucket?: string;
  /** How long to wait for an answer; 15 s by default. */
  timeoutMs?: number;
}

export interface UploadUrlRequest {
  objectName: string;
  /** Seconds the URL should live; the service may cap it. */
  expiration: number;
  /** Sent as `content_type`: a service that binds it into the signature makes the URL refuse any other type. */
  contentType: string;
  /** Sent as `content_length`, for services that bind the size too. */
  contentLength?: number;
}

export interface AccessUrlRequest {
  objectName: string;
  expiration: number;
}

export interface PresignedUrl {
  url: string;
  /** Headers the service asked the request to carry (lower-case names). */
  headers: Record<string, string>;
  facts: SignedUrlFacts;
}

/** The service's failures: every presign-service code but the clock, which only Test connection finds. */
export type PresignFailureCode = Exclude<Extract<OwnErrorCode, `PresignService${string}`>, 'PresignServiceClock'>;

/** What went wrong talking to the service, before any sentence is made of it. */
export interface PresignFailure {
  code: PresignFailureCode;
  method: 'GET' | 'POST';
  /** The endpoint asked, without query. */
  endpoint: string;
  status?: number;
  /**
   * The service's own words (FastAPI's `detail`, `error`, `message`, or a short text body), token removed.
   * Never for 401/403, and never when the token is too short to remove safely (see `quoteSafely`).
   */
  detail?: string;
  /** Bad answers: what came instead of a URL. */
  answer?: string;
  badAnswer?: 'empty' | 'html' | 'post-form' | 'not-a-url' | 'not-http';
  /** Unreachable: nothing came back within the time limit. */
  timedOut?: boolean;
  /** Unreachable: what fetch said. */
  cause?: string;
}

export class PresignServiceError extends Error {
  constructor(readonly failure: PresignFailure) {
    super(`${failure.code}${failure.status ? ` (HTTP ${failure.status})` : ''}${failure.detail ? `: ${failure.detail}` : ''}`);
    this.name = 'PresignServiceError';
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;
const EXCERPT = 160;

/**
 * Tokens shorter than this are not redacted from what the service says: the
 * service's words are not quoted at all. Cutting a short string out of a
 * sentence gives it away — "invalid to[token]" spells out "ken" — and
 * a 1–3 character token occurs inside ordinary words; eight or more
 * characters of a real token do not turn up in prose by chance.
 */
export const MIN_REDACTABLE_TOKEN = 8;

/** The fetch spec's redirect statuses: `redirect: 'manual'` hands these back (Node) or as an opaque redirect (browsers). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Makes text from the service safe to quote: the token removed, or `undefined` when nothing of it may be quoted. */
export type Quote = (text: string) => string | undefined;
const asIs: Quote = (text) => text;

/**
 * How text from the service (or from fetch) may be quoted: with the token
 * removed in every form a service may echo it (as sent, JSON-escaped, with
 * `\uXXXX` escapes as Python's `json.dumps` writes them, percent-encoded),
 * before anything is cut short, so no piece of it survives a cut; `undefined`
 * when the token is too short to remove safely. No token: quoted as is.
 */
export function quoteSafely(token: string | undefined): Quote {
  if (!token) return asIs;
  if (token.length < MIN_REDACTABLE_TOKEN) return () => undefined;
  const json = JSON.stringify(token).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms = [...new Set([token, json, asciiJson, uriEncoded(token)])]
    // Longest first, so a form that contains another is removed whole.
    .sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((out, form) => out.split(form).join('[token]'), text);
}

function uriEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // a lone surrogate: no header could carry it anyway
  }
}

/** The request for one presign call, exactly as it goes out; exported so tests (and docs/team-mode.md) can show it. */
export function buildPresignRequest(
  config: PresignServiceConfig,
  method: 'GET' | 'POST',
  fields: { objectName: string; expiration: number; contentType?: string; contentLength?: number },
): { url: string; init: RequestInit & { headers: Record<string, string> } } {
  const params: [string, string | number][] = [];
  if (config.bucket) params.push(['bucket_name', config.bucket]);
  params.push(['object_name', fields.objectName], ['expiration', Math.floor(fields.expiration)]);
  if (method === 'POST' && fields.contentType) params.push(['content_type', fields.contentType]);
  if (method === 'POST' && fields.contentLength !== undefined) params.push(['content_length', fields.contentLength]);

  const url = presignEndpoint(config.baseUrl);
  for (const [name, value] of params) url.searchParams.append(name, String(value));
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
  if (config.auth === 'bearer' && config.token) headers.authorization = `Bearer ${config.token}`;
  if (config.auth === 'header' && config.authHeader && config.token) headers[config.authHeader.toLowerCase()] = config.token;
  const init: RequestInit & { headers: Record<string, string> } = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'manual' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(Object.fromEntries(params));
  }
  return { url: url.href, init };
}

/** Asks the service for a PUT URL (`POST`). Throws `PresignServiceError`. */
export function requestUploadUrl(fetchImpl: FetchLike, config: PresignServiceConfig, request: UploadUrlRequest): Promise<PresignedUrl> {
  return call(fetchImpl, config, 'POST', request);
}

/** Asks the service for a GET URL (`GET`). Throws `PresignServiceError`. */
export function requestAccessUrl(fetchImpl: FetchLike, config: PresignServiceConfig, request: AccessUrlRequest): Promise<PresignedUrl> {
  return call(fetchImpl, config, 'GET', request);
}

async function call(
  fetchImpl: FetchLike,
  config: PresignServiceConfig,
  method: 'GET' | 'POST',
  fields: { objectName: string; expiration: number; contentType?: string; contentLength?: number },
): Promise<PresignedUrl> {
  const { url, init } = buildPresignRequest(config, method, fields);
  const endpoint = url.split('?')[0]!;
  const quote = quoteSafely(config.token);
  const fail = (failure: Omit<PresignFailure, 'method' | 'endpoint'>): never => {
    throw new PresignServiceError({ method, endpoint, ...failure });
  };

  let res: Response;
  let body: string;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    body = await res.text();
  } catch (err) {
    const e = err as Error;
    const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
    const cause = quote(String(e?.message ?? err));
    return fail({ code: 'PresignServiceUnreachable', ...(timedOut ? { timedOut } : {}), ...(cause ? { cause } : {}) });
  }

  // Not followed (see the top of this file); a browser says only that it was one (status 0), Node gives the status.
  if (res.type === 'opaqueredirect' || REDIRECT_STATUSES.has(res.status))
    return fail({ code: 'PresignServiceRedirected', ...(res.status ? { status: res.status } : {}) });

  const contentType = res.headers.get('content-type');
  if (!res.ok) {
    const status = res.status;
    // A refusal's body is about the credentials: it may echo the token, or a fragment of it, or other secrets. Never quoted.
    if (status === 401 || status === 403) return fail({ code: 'PresignServiceRefused', status });
    const detail = errorDetail(body, contentType, quote);
    const withDetail = detail ? { detail } : {};
    // FastAPI's own 404/405 say "Not Found"/"Method Not Allowed": no such route, so the base URL is wrong.
    // Read from the words as they came (only to classify), since nothing may be quotable.
    const said = errorDetail(body, contentType);
    if (status === 405 || (status === 404 && (!said || /^not found$/i.test(said))))
      return fail({ code: 'PresignServiceNotFound', status, ...withDetail });
    if (status === 429) return fail({ code: 'PresignServiceBusy', status, ...withDetail });
    if (status >= 500) return fail({ code: 'PresignServiceError', status, ...withDetail });
    return fail({ code: 'PresignServiceRejected', status, ...withDetail });
  }

  const answer = parsePresignAnswer(body, contentType, quote);
  if ('badAnswer' in answer)
    return fail({ code: 'PresignServiceBadAnswer', status: res.status, badAnswer: answer.badAnswer, ...(answer.answer ? { answer: answer.answer } : {}) });
  return { url: answer.url, headers: answer.headers, facts: readSignedUrl(answer.url) };
}

const URL_FIELDS = [
  'url',
  'presigned_url',
  'presignedUrl',
  'presignedURL',
  'signed_url',
  'signedUrl',
  'upload_url',
  'uploadUrl',
  'download_url',
  'downloadUrl',
  'access_url',
  'accessUrl',
  'href',
  'link',
];
const WRAPPERS = ['data', 'result', 'body', 'presign', 'response'];

type Found = { url: string; headers: Record<string, string> } | { postForm: true } | null;

function findUrl(value: unknown, depth = 0): Found {
  if (typeof value === 'string') return { url: value, headers: {} };
  if (Array.isArray(value)) return value.length === 1 && depth < 3 ? findUrl(value[0], depth + 1) : null;
  if (!value || typeof value !== 'object') return null;
  const obj = value as Record<string, unknown>;
  if (typeof obj.url === 'string' && obj.fields && typeof obj.fields === 'object') return { postForm: true };
  for (const field of URL_FIELDS) {
    if (typeof obj[field] === 'string') return { url: obj[field] as string, headers: stringHeaders(obj.headers) };
  }
  for (const wrapper of WRAPPERS) {
    if (depth < 3 && wrapper in obj) {
      const inner = findUrl(obj[wrapper], depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

function stringHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number') out[name.toLowerCase()] = String(v);
  }
  return out;
}

/** What to quote of a text: redacted (or nothing) first, then flattened and cut, so the cut never splits a token. */
function excerpt(text: string, quote: Quote): string | undefined {
  const safe = quote(text);
  if (safe === undefined) return undefined;
  const flat = safe.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

/** A bad answer, with what may be quoted of it. */
function bad(badAnswer: NonNullable<PresignFailure['badAnswer']>, text: string, quote: Quote): { badAnswer: NonNullable<PresignFailure['badAnswer']>; answer?: string } {
  const answer = excerpt(text, quote);
  return answer ? { badAnswer, answer } : { badAnswer };
}

function looksLikeHtml(body: string, contentType: string | null): boolean {
  return /text\/html|application\/xhtml/i.test(contentType ?? '') || /^<(!doctype|html|head|body)\b/i.test(body);
}

/** Reads a 2xx answer: the URL and any headers to send, or why it is not one (quoted through `quote`, default as is). */
export function parsePresignAnswer(
  body: string,
  contentType: string | null,
  quote: Quote = asIs,
): { url: string; headers: Record<string, string> } | { badAnswer: NonNullable<PresignFailure['badAnswer']>; answer?: string } {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (!text) return { badAnswer: 'empty' };
  if (looksLikeHtml(text, contentType)) return bad('html', text, quote);

  let found: Found = null;
  let parsed = false;
  if (/^["{[]/.test(text) || /json/i.test(contentType ?? '')) {
    try {
      found = findUrl(JSON.parse(text));
      parsed = true;
    } catch {
      /* not JSON after all: maybe plain text */
    }
  }
  if (!parsed) {
    // Plain text: the URL alone, perhaps quoted.
    const line = text.replace(/^(['"])(.*)\1$/s, '$2').trim();
    found = /\s/.test(line) ? null : { url: line, headers: {} };
  }
  if (found && 'postForm' in found) return bad('post-form', text, quote);
  if (!found) return bad('not-a-url', text, quote);

  const candidate = found.url.trim();
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return bad('not-a-url', text, quote);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return bad('not-http', candidate, quote);
  return { url: candidate, headers: found.headers };
}

/** The service's own explanation in an error reply, if it gave one (quoted through `quote`, default as is). */
export function errorDetail(body: string, contentType: string | null, quote: Quote = asIs): string | undefined {
  const text = body.trim();
  if (!text || looksLikeHtml(text, contentType)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return excerpt(text, quote);
  }
  const fromJson = detailOf(json);
  if (fromJson) return excerpt(fromJson, quote);
  if (typeof json === 'string') return excerpt(json, quote);
  return undefined;
}

function detailOf(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const obj = json as Record<string, unknown>;
  for (const field of ['detail', 'error_description', 'message', 'error', 'msg']) {
    const value = obj[field];
    if (typeof value === 'string' && value) return value;
    // FastAPI validation errors: [{ loc: ['query', 'bucket_name'], msg: 'field required' }, …]
    if (Array.isArray(value) && value.length) {
      return value
        .map((item) => {
          if (typeof item === 'string') return item;
          const { loc, msg } = (item ?? {}) as { loc?: unknown; msg?: unknown };
          const where = Array.isArray(loc) ? loc.filter((l) => typeof l === 'string' && l !== 'body' && l !== 'query').join('.') : '';
          return `${where ? `${where}: ` : ''}${typeof msg === 'string' ? msg : JSON.stringify(item)}`;
        })
        .join('; ');
    }
    if (value && typeof value === 'object') {
      const inner = detailOf(value);
      if (inner) return inner;
    }
  }
  return undefined;
}
