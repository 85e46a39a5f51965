/**
 * What a presigned URL from someone else's signer says about itself: where it
 * points, for which region, until when, and which headers it binds. Pure.
 */

export interface SignedUrlFacts {
  /** e.g. `https://my-bucket.s3.eu-west-1.amazonaws.com` */
  origin: string;
  host: string;
  /** `sigv4` (X-Amz-Signature), `sigv2` (Signature + Expires), or `none` (a plain URL). */
  signature: 'sigv4' | 'sigv2' | 'none';
  /** From SigV4's credential scope (`AKID/20240305/eu-west-1/s3/aws4_request`). */
  region?: string;
  /** Epoch milliseconds after which S3 refuses the URL (X-Amz-Date + X-Amz-Expires, or SigV2's Expires). */
  expiresAt?: number;
  /** Lower-case header names the signature covers (SigV4 X-Amz-SignedHeaders). */
  signedHeaders: string[];
  /** Checksum parameters (SDKs ≥ 2025 add them by default; many S3-compatible servers refuse them). */
  checksumParameters: string[];
}

function param(url: URL, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** `20240305T070809Z` → epoch ms. */
function amzDate(value: string | undefined): number | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Reads a URL's signing facts. Throws a TypeError for a string that is not a URL. */
export function readSignedUrl(href: string): SignedUrlFacts {
  const url = new URL(href);
  const facts: SignedUrlFacts = {
    origin: url.origin,
    host: url.host,
    signature: 'none',
    signedHeaders: [],
    checksumParameters: [...url.searchParams.keys()].filter((k) => /^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(k)),
  };
  if (param(url, 'X-Amz-Signature') !== undefined) {
    facts.signature = 'sigv4';
    const region = param(url, 'X-Amz-Credential')?.split('/')[2];
    if (region) facts.region = region;
    const date = amzDate(param(url, 'X-Amz-Date'));
    const expires = Number(param(url, 'X-Amz-Expires'));
    if (date !== undefined && Number.isFinite(expires) && expires > 0) facts.expiresAt = date + expires * 1000;
    facts.signedHeaders = (param(url, 'X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean).map((h) => h.toLowerCase());
  } else if (param(url, 'Signature') !== undefined) {
    facts.signature = 'sigv2';
    const expires = Number(param(url, 'Expires'));
    if (Number.isFinite(expires) && expires > 0) facts.expiresAt = expires * 1000;
  }
  return facts;
}
