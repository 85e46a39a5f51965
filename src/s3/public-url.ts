import { bucketOrigin, usesPathStyle, type BucketAddress } from './endpoint';
import { t } from '../i18n/t';

/**
 * Links that carry no signature: the object's plain URL at the bucket's
 * endpoint (for a bucket, or a prefix, that allows anonymous reads), or the
 * key under the user's own domain (a CDN in front of the bucket). Pure: no
 * request is made, nothing is signed, and such a link never expires.
 */

/** The token a custom link base URL puts the key at. */
export const KEY_TOKEN = '{key}';

/**
 * One key segment for a URL path, RFC 3986 strictly: everything but
 * unreserved characters is percent-encoded as UTF-8 (`encodeURIComponent`
 * leaves `!'()*`, so they are done here), so spaces, `+`, `%`, `#`, `?` and
 * any script survive every CDN and browser unchanged.
 */
export function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A key as a URL path: each segment encoded, `/` kept between them. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeKeySegment).join('/');
}

/**
 * The object's unsigned URL, addressed as S3 Drop signs for it
 * (`src/s3/endpoint.ts`): `https://bucket.s3.region.amazonaws.com/key`
 * virtual-hosted, `endpoint/bucket/key` path-style (always for bucket names
 * with dots).
 */
export function publicObjectUrl(address: BucketAddress, key: string): string {
  const origin = bucketOrigin(address);
  const bucketPath = usesPathStyle(address) ? `/${encodeKeySegment(address.bucket)}` : '';
  return `${origin}${bucketPath}/${encodeKeyPath(key)}`;
}

/** The link for a key under a custom base URL: `{key}` replaced, or `/key` appended when there is none. */
export function customLinkUrl(baseUrl: string, key: string): string {
  const path = encodeKeyPath(key);
  if (baseUrl.includes(KEY_TOKEN)) return baseUrl.replace(KEY_TOKEN, path);
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Returns a sentence for an unusable link base URL, or `null`. It must be an
 * `https://` URL (`http://` only on this computer), without a query or a
 * fragment (a key would end up in them), with `{key}` at most once and only
 * in the path.
 */
export function validateLinkBaseUrl(value: string): string | null {
  // `{token}` in these sentences is the literal `{key}`, passed in so the catalog does not read it as a placeholder.
  const token = KEY_TOKEN;
  if (!value) return t('linkUrl_empty', { token });
  const tokens = value.match(/\{[^}]*\}/g) ?? [];
  const unknown = tokens.find((found) => found !== KEY_TOKEN);
  if (unknown) return t('linkUrl_unknownToken', { token, unknown });
  if (tokens.length > 1) return t('linkUrl_tokenTwice', { token });
  if (/[?#]/.test(value)) return t('linkUrl_queryOrFragment', { token });
  const marker = 's3drop-key-marker';
  let url: URL;
  try {
    url = new URL(value.replace(KEY_TOKEN, marker));
  } catch {
    return t('linkUrl_notUrl', { token });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))
    return t('linkUrl_notHttps');
  if (url.username || url.password) return t('linkUrl_credentials');
  if (tokens.length && !url.pathname.includes(marker)) return t('linkUrl_tokenNotInPath', { token });
  return null;
}
