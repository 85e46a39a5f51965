/**
 * The presign service's address and how the token reaches it. Pure: used by
 * settings validation, the options page (which host to ask access for) and the
 * background's client.
 */

import { t } from '../i18n/t';

/** The endpoint of the common FastAPI + boto3 presign service, appended to the service's base URL: `POST` gives an upload URL, `GET` an access URL. */
export const PRESIGN_PATH = '/api/v1/files/presign';

/** How the token is sent: not at all, as `Authorization: Bearer <token>`, or as the value of a header the team chose. */
export type ServiceAuth = 'none' | 'bearer' | 'header';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** RFC 9110 `token`: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers a page or worker cannot set with fetch (the browser drops or
 * rejects them), plus `content-type`, which S3 Drop sets for the JSON body.
 */
const UNSETTABLE_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/** True for hosts on this computer, where plain http:// exposes nothing to the network. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Cleans what people paste: spaces, trailing slashes, and the endpoint path
 * itself (people copy `…/api/v1/files/presign` from the service's docs).
 */
export function normalizeServiceUrl(input: string): string {
  let url = input.trim().replace(/\/+$/, '');
  if (url.toLowerCase().endsWith(PRESIGN_PATH)) url = url.slice(0, -PRESIGN_PATH.length).replace(/\/+$/, '');
  return url;
}

/** Returns a sentence for an unusable service URL, or `null`. */
export function validateServiceUrl(serviceUrl: string): string | null {
  if (!serviceUrl) return t('serviceUrl_empty');
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return t('serviceUrl_notUrl');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return t('serviceUrl_scheme');
  if (url.username || url.password) return t('serviceUrl_credentials');
  if (url.search || url.hash) return t('serviceUrl_query', { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` });
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return t('serviceUrl_http');
  return null;
}

/** Returns a sentence for a header name fetch cannot send, or `null`. */
export function validateHeaderName(name: string): string | null {
  if (!name) return t('header_empty');
  if (!HEADER_NAME.test(name)) return t('header_characters');
  const lower = name.toLowerCase();
  if (UNSETTABLE_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-'))
    return t('header_forbidden', { name });
  return null;
}

/** Returns a sentence for a token that cannot go in an HTTP header, or `null`. */
export function validateTokenValue(token: string): string | null {
  // Headers carry Latin-1 without line breaks; fetch throws on anything else.
  if (/[\r\n\0]/.test(token)) return t('header_tokenLineBreak');
  if (/[^\t\x20-\x7e\x80-\xff]/.test(token)) return t('header_tokenCharacters');
  return null;
}

/** Where a token goes and how: what a saved token was saved for. */
export interface TokenDestination {
  serviceUrl: string;
  serviceAuth: ServiceAuth;
  serviceAuthHeader: string;
}

function originOf(serviceUrl: string): string | null {
  try {
    return new URL(normalizeServiceUrl(serviceUrl)).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a token saved for `saved` may be sent as `next` would send it: to
 * the same origin (scheme, host and port), the same way, and in the same
 * header (names compared as HTTP does, ignoring case). Anything else could
 * hand the team's token to a server or a header nobody chose it for: an edited
 * URL is the user's to type a token for, not the saved token's to follow.
 * A new path on the same origin keeps it (the same server answers).
 */
export function savedTokenApplies(saved: TokenDestination, next: TokenDestination): boolean {
  const origin = originOf(saved.serviceUrl);
  if (!origin || origin !== originOf(next.serviceUrl)) return false;
  if (saved.serviceAuth !== next.serviceAuth) return false;
  return saved.serviceAuth !== 'header' || saved.serviceAuthHeader.trim().toLowerCase() === next.serviceAuthHeader.trim().toLowerCase();
}

/** Where the presign endpoint is: the base URL, with its own path prefix kept, plus `/api/v1/files/presign`. */
export function presignEndpoint(baseUrl: string): URL {
  const base = new URL(normalizeServiceUrl(baseUrl));
  base.pathname = `${base.pathname.replace(/\/+$/, '')}${PRESIGN_PATH}`;
  base.search = '';
  base.hash = '';
  return base;
}

export { originPattern } from '../permissions/origin-pattern';

/** How sentences name the service: its host and path prefix, e.g. `files.example.com/team`. */
export function serviceName(profile: { serviceUrl: string }): string {
  try {
    const url = new URL(profile.serviceUrl);
    return `${url.host}${url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return profile.serviceUrl;
  }
}

/** `host[:port]` of a URL, or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Origin patterns as the hosts a user knows: `http://127.0.0.1:9000/*` → `127.0.0.1:9000`, joined with commas. */
export function hostsOf(origins: readonly string[]): string {
  return origins.map((o) => hostOf(o.replace(/\/\*$/, '/'))).join(', ');
}
