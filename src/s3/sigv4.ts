/**
 * AWS Signature Version 4 for presigned (query-string) URLs, synchronous and
 * dependency-free: SHA-256 and HMAC-SHA-256 in plain JavaScript, so the same
 * code runs in a Chrome service worker, a Firefox event page and Node (no
 * `node:crypto`). WebCrypto would do too, but each `crypto.subtle` call is an
 * asynchronous job that costs more than hashing a few hundred bytes here.
 *
 * Only what presigning needs: the canonical request of AWS's SigV4 spec with
 * S3's rules (the path is signed as sent, never double-encoded; the payload is
 * `UNSIGNED-PAYLOAD`). The output is byte-for-byte what the AWS SDK's
 * `getSignedUrl` produces for the same request (test/unit/sigv4.test.ts).
 */

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface PresignInput {
  method: string;
  /** `http:` or `https:` */
  protocol: string;
  /** The Host header the request will carry: host name, and the port unless it is the scheme's default. */
  host: string;
  /** The path exactly as sent, already URI-encoded; S3 signs it as is. */
  path: string;
  /** Query parameters besides the X-Amz-* ones, not encoded. */
  query?: Record<string, string>;
  /** Headers the request must carry and that are signed (besides host), lowercase names. */
  headers?: Record<string, string>;
  credentials: SigV4Credentials;
  region: string;
  service: string;
  signingDate: Date;
  /** Seconds, 1 to 604 800. */
  expiresIn: number;
}

/** SigV4 refuses presigned URLs that live longer than 7 days. */
const MAX_EXPIRES_IN = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A URL that carries its own signature: whoever holds it can make this one request until it expires. */
export function presignUrl(input: PresignInput): string {
  const { credentials: creds, expiresIn } = input;
  if (typeof creds?.accessKeyId !== 'string' || typeof creds.secretAccessKey !== 'string')
    throw new Error('Resolved credential object is not valid');
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN)
    throw new RangeError('Signature version 4 presigned URLs must expire within one week (1 to 604800 seconds).');
  const longDate = amzDate(input.signingDate);
  const key = signingKey(creds, longDate.slice(0, 8), input.region, input.service);

  // Signed headers: host and the caller's, by name.
  let headerNames = 'host';
  let canonicalHeaders = `host:${input.host}\n`;
  if (input.headers) {
    const names = Object.keys(input.headers);
    if (names.length) {
      names.push('host');
      names.sort();
      headerNames = names.join(';');
      canonicalHeaders = '';
      for (const name of names)
        canonicalHeaders += `${name}:${name === 'host' ? input.host : canonicalHeaderValue(input.headers[name]!)}\n`;
    }
  }

  // Query parameters as encoded `name=value` pairs, sorted by encoded name (the SDK sorts the same way).
  const pairs: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
    ['X-Amz-Credential', key.credential],
    ['X-Amz-Date', longDate],
    ['X-Amz-Expires', String(expiresIn)],
    ['X-Amz-SignedHeaders', uriEscape(headerNames)],
  ];
  if (creds.sessionToken) pairs.push(['X-Amz-Security-Token', uriEscape(creds.sessionToken)]);
  for (const name in input.query) pairs.push([uriEscape(name), uriEscape(input.query[name]!)]);
  pairs.sort(byName);
  let canonicalQuery = '';
  for (const [name, value] of pairs) canonicalQuery += `${canonicalQuery ? '&' : ''}${name}=${value}`;

  const canonicalRequest = `${input.method}\n${input.path}\n${canonicalQuery}\n${canonicalHeaders}\n${headerNames}\n${UNSIGNED_PAYLOAD}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${key.scope}\n${sha256Hex(canonicalRequest)}`;
  pairs.push(['X-Amz-Signature', toHex(hmacWith(key, utf8(stringToSign)))]);
  pairs.sort(byName);
  let search = '';
  for (const [name, value] of pairs) search += `${search ? '&' : '?'}${name}=${value}`;
  return `${input.protocol}//${input.host}${input.path}${search}`;
}

const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** RFC 3986 escaping as SigV4 wants it: everything but `A-Z a-z 0-9 - . _ ~` is percent-encoded. */
export function uriEscape(value: string): string {
  return UNRESERVED.test(value) ? value : encodeURIComponent(value).replace(/[!'()*]/g, hexEscape);
}
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const hexEscape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** Header values are signed with runs of spaces folded and the ends trimmed. */
function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

let lastSecond = Number.NaN;
let lastDate = '';
/** `20240305T070809Z`; the same second is formatted once. */
function amzDate(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastDate = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    lastSecond = second;
  }
  return lastDate;
}

// ---------------------------------------------------------------------------
// Signing keys: derived with four HMACs from the secret, valid for one day,
// region and service. A few are kept, so signing many URLs costs one SHA-256
// of the canonical request and one HMAC each.

/** The HMAC key as SHA-256 states after its inner and outer pad blocks. */
interface HmacKey {
  inner: Int32Array;
  outer: Int32Array;
}

interface SigningKey extends HmacKey {
  /** `20240305/us-east-1/s3/aws4_request` */
  scope: string;
  /** The X-Amz-Credential value, encoded: `AKID%2F20240305%2Fus-east-1%2Fs3%2Faws4_request` */
  credential: string;
}

const MAX_CACHED_KEYS = 8;
const keyCache = new Map<string, SigningKey>();

function signingKey(creds: SigV4Credentials, shortDate: string, region: string, service: string): SigningKey {
  const id = `${shortDate}\n${region}\n${service}\n${creds.accessKeyId}\n${creds.secretAccessKey}`;
  let key = keyCache.get(id);
  if (!key) {
    const scope = `${shortDate}/${region}/${service}/aws4_request`;
    key = {
      ...hmacKey(deriveSigningKey(creds.secretAccessKey, shortDate, region, service)),
      scope,
      credential: uriEscape(`${creds.accessKeyId}/${scope}`),
    };
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export function deriveSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): Uint8Array {
  let key = hmacSha256(utf8(`AWS4${secretAccessKey}`), shortDate);
  for (const part of [region, service, 'aws4_request']) key = hmacSha256(key, part);
  return key;
}

// ---------------------------------------------------------------------------
// SHA-256 (FIPS 180-4) and HMAC (RFC 2104)

// The round constants and the initial state are the first 32 bits of the
// fractional parts of the cube roots of the first 64 primes and the square
// roots of the first 8 (FIPS 180-4, 4.2.2 and 5.3.3); computed, not spelled
// out, which keeps 600 bytes of hex out of the background bundle.
const PRIMES: number[] = [];
for (let c = 2; PRIMES.length < 64; c++) if (PRIMES.every((p) => c % p)) PRIMES.push(c);
const fraction32 = (x: number) => ((x - Math.floor(x)) * 0x100000000) | 0;
const K = Int32Array.from(PRIMES, (p) => fraction32(Math.cbrt(p)));
const INIT = Int32Array.from(PRIMES.slice(0, 8), (p) => fraction32(Math.sqrt(p)));
const W = new Int32Array(64);

/** Runs the compression function over every whole 64-byte block of `bytes[0, end)`. */
function compress(state: Int32Array, bytes: Uint8Array, end: number): void {
  let h0 = state[0]!, h1 = state[1]!, h2 = state[2]!, h3 = state[3]!, h4 = state[4]!, h5 = state[5]!, h6 = state[6]!, h7 = state[7]!;
  for (let off = 0; off + 64 <= end; off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15]!, y = W[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
  state[5] = h5;
  state[6] = h6;
  state[7] = h7;
}

const tail = new Uint8Array(128);

/**
 * Finishes a SHA-256 that started from `state` after `prefixLength` bytes
 * (0, or 64 for an HMAC pad block) over `data`. Returns the 32-byte digest.
 */
function finish(state: Int32Array, prefixLength: number, data: Uint8Array): Uint8Array {
  const whole = data.length & ~63;
  compress(state, data, whole);
  const rest = data.length - whole;
  tail.fill(0);
  tail.set(data.subarray(whole), 0);
  tail[rest] = 0x80;
  const tailLength = rest < 56 ? 64 : 128;
  const bits = (prefixLength + data.length) * 8;
  const hi = Math.floor(bits / 0x100000000);
  tail[tailLength - 8] = hi >>> 24;
  tail[tailLength - 7] = hi >>> 16;
  tail[tailLength - 6] = hi >>> 8;
  tail[tailLength - 5] = hi;
  tail[tailLength - 4] = bits >>> 24;
  tail[tailLength - 3] = bits >>> 16;
  tail[tailLength - 2] = bits >>> 8;
  tail[tailLength - 1] = bits;
  compress(state, tail, tailLength);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

export function sha256(data: string | Uint8Array): Uint8Array {
  return finish(INIT.slice(), 0, typeof data === 'string' ? utf8(data) : data);
}

export function sha256Hex(data: string | Uint8Array): string {
  return toHex(sha256(data));
}

function hmacKey(key: Uint8Array): HmacKey {
  const k = key.length > 64 ? sha256(key) : key;
  const pad = new Uint8Array(64);
  const inner = INIT.slice();
  const outer = INIT.slice();
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
  compress(inner, pad, 64);
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c;
  compress(outer, pad, 64);
  return { inner, outer };
}

function hmacWith(key: HmacKey, data: Uint8Array): Uint8Array {
  const innerDigest = finish(key.inner.slice(), 64, data);
  return finish(key.outer.slice(), 64, innerDigest);
}

export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  return hmacWith(hmacKey(typeof key === 'string' ? utf8(key) : key), typeof data === 'string' ? utf8(data) : data);
}

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

// Known answer (FIPS 180-4, "abc"): proves the computed constants in this JavaScript engine before anything is signed.
if (sha256Hex('abc') !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  throw new Error('SHA-256 self-test failed in this JavaScript engine');
