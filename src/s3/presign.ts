import type { S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest } from '@smithy/core/protocols';
import { formatUrl } from '@aws-sdk/core/util';
import { SignatureV4 } from '@smithy/signature-v4';
import { chooseDisposition, contentDisposition, type LinkDisposition } from './content-disposition';
import { uploadUrlExpiry, validateLinkExpiry } from './expiry';
import { t } from '../i18n/t';

export interface SignedRequest {
  url: string;
  /** Headers the request must carry exactly, because they are signed. */
  headers: Record<string, string>;
  /**
   * Epoch milliseconds after which S3 refuses the URL. Absent: it never
   * expires (an unsigned public or custom-domain link). Upload URLs always have one.
   */
  expiresAt?: number;
}

/** A signed URL that expires: every upload and part URL. */
export type ExpiringRequest = SignedRequest & { expiresAt: number };

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
  contentLength: number;
  /** Seconds; clamped to [1 s, 15 min]. */
  expiresIn?: number;
  /**
   * Sign `If-None-Match: *`: S3 then stores the object only if the key is
   * free (412 PreconditionFailed otherwise). Only for servers that support
   * conditional writes (AWS S3 since 2024); Swift s3api answers 501.
   */
  ifNoneMatch?: boolean;
  /**
   * A `Content-Disposition` to store with the object, signed so the PUT must
   * carry exactly it. Public and own-domain links cannot add
   * `response-content-disposition`, so a stored one is the only way they download.
   */
  contentDisposition?: string;
  /**
   * Object tags (`x-amz-tagging`, URL-query encoded), signed so the PUT must
   * carry exactly them: Auto-delete's tag, which the bucket's rule deletes by.
   */
  tagging?: string;
  /**
   * A checksum of the body for S3 to recompute and compare, signed as its
   * header: a server that verifies it refuses bytes that differ (400 BadDigest).
   */
  checksum?: UploadChecksum;
  now?: Date;
}

/** The checksums S3's PutObject takes as a header. */
export type ChecksumAlgorithm = 'md5' | 'crc32' | 'sha256';

export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  /** The digest's bytes in base64, as S3 takes them (not hex). */
  base64: string;
}

/** The header that carries each checksum, and its digest's size in bytes. */
export const CHECKSUM_HEADERS: Record<ChecksumAlgorithm, { header: string; bytes: number }> = {
  md5: { header: 'content-md5', bytes: 16 },
  crc32: { header: 'x-amz-checksum-crc32', bytes: 4 },
  sha256: { header: 'x-amz-checksum-sha256', bytes: 32 },
};

/** `name: value` of a checksum header; a value that is not base64 of a digest of that size is a bug, refused here. */
function checksumHeader({ algorithm, base64 }: UploadChecksum): Record<string, string> {
  const { header, bytes } = CHECKSUM_HEADERS[algorithm];
  // Base64 of n bytes is 4·⌈n/3⌉ characters, padded with '='.
  const length = 4 * Math.ceil(bytes / 3);
  const padding = (3 - (bytes % 3)) % 3;
  if (base64.length !== length || !new RegExp(`^[A-Za-z0-9+/]{${length - padding}}={${padding}}$`).test(base64))
    throw new RangeError(`Not a ${algorithm} checksum in base64 (${bytes} bytes): ${JSON.stringify(base64)}`);
  return { [header]: base64 };
}

/** A bare browser PUT sends no type for an empty type; S3 stores what we sign. */
export function effectiveContentType(type: string): string {
  return type || 'application/octet-stream';
}

/**
 * A presigned PUT that accepts exactly this file: Content-Type and
 * Content-Length are signed (the SDK's `getSignedUrl` signs only `host` by
 * default, so a leaked URL could store any type and size), and the URL lives
 * minutes.
 */
export async function presignUpload(client: S3Client, target: UploadTarget): Promise<ExpiringRequest> {
  const expiresIn = uploadUrlExpiry(target.expiresIn);
  const now = target.now ?? new Date();
  const contentType = effectiveContentType(target.contentType);
  // Headers the sender must set itself; Content-Length comes from the body.
  const sent: Record<string, string> = {
    'content-type': contentType,
    ...(target.contentDisposition ? { 'content-disposition': target.contentDisposition } : {}),
    ...(target.ifNoneMatch ? { 'if-none-match': '*' } : {}),
    ...(target.tagging ? { 'x-amz-tagging': target.tagging } : {}),
    ...(target.checksum ? checksumHeader(target.checksum) : {}),
  };
  const url = await presignObjectUrl(client, {
    method: 'PUT',
    bucket: target.bucket,
    key: target.key,
    headers: { 'content-length': String(target.contentLength), ...sent },
    query: {},
    expiresIn,
    now,
  });
  return { url, headers: sent, expiresAt: now.getTime() + expiresIn * 1000 };
}

export interface ShareTarget {
  bucket: string;
  key: string;
  /** The original file name, offered when the link is saved. */
  fileName: string;
  contentType: string;
  expiresIn: number;
  /** Open in the browser, download, or by type (default); see `chooseDisposition`. */
  disposition?: LinkDisposition;
  now?: Date;
}

/** A presigned GET that opens or downloads under the original name (any script, RFC 5987). */
export async function presignShareLink(client: S3Client, target: ShareTarget): Promise<ExpiringRequest> {
  const invalid = validateLinkExpiry(target.expiresIn);
  if (invalid) throw new RangeError(invalid);
  const now = target.now ?? new Date();
  const url = await presignObjectUrl(client, {
    method: 'GET',
    bucket: target.bucket,
    key: target.key,
    headers: {},
    query: { 'response-content-disposition': contentDisposition(target.fileName, chooseDisposition(target.disposition, target.contentType)) },
    expiresIn: target.expiresIn,
    now,
  });
  return { url, headers: {}, expiresAt: now.getTime() + target.expiresIn * 1000 };
}

export interface PartTarget {
  bucket: string;
  key: string;
  uploadId: string;
  /** 1 to 10 000. */
  partNumber: number;
  /** The part's exact size in bytes. */
  contentLength: number;
  /**
   * The part's MD5 in base64: signed as the `Content-MD5` header the PUT must
   * carry, so the server refuses other bytes (400 BadDigest).
   */
  contentMd5?: string;
  /** Seconds; clamped to [1 s, 15 min]. */
  expiresIn?: number;
  now?: Date;
}

/**
 * A presigned UploadPart: bound to its upload, part number and exact size
 * (Content-Length is signed; the browser sets it from the Blob), and to its
 * MD5 when given (`Content-MD5`, the one header the PUT then carries, signed
 * and never hoisted into the query), and short-lived like an upload URL. The same
 * URL as the SDK's `getSignedUrl(UploadPartCommand)` with `signableHeaders:
 * ['content-length']`, at a fraction of the cost.
 */
export async function presignUploadPart(client: S3Client, target: PartTarget): Promise<ExpiringRequest> {
  if (!Number.isInteger(target.partNumber) || target.partNumber < 1 || target.partNumber > 10_000)
    throw new RangeError(`Part numbers run from 1 to 10000, not ${target.partNumber}.`);
  if (!Number.isSafeInteger(target.contentLength) || target.contentLength < 0)
    throw new RangeError(`Part ${target.partNumber} has no valid size (${target.contentLength}).`);
  const expiresIn = uploadUrlExpiry(target.expiresIn);
  const now = target.now ?? new Date();
  const sent = target.contentMd5 ? checksumHeader({ algorithm: 'md5', base64: target.contentMd5 }) : {};
  const url = await presignObjectUrl(client, {
    method: 'PUT',
    bucket: target.bucket,
    key: target.key,
    headers: { 'content-length': String(target.contentLength), ...sent },
    query: { partNumber: String(target.partNumber), uploadId: target.uploadId },
    expiresIn,
    now,
  });
  return { url, headers: sent, expiresAt: now.getTime() + expiresIn * 1000 };
}

// ---------------------------------------------------------------------------
// Presigning with the SDK's own SignatureV4 (the one @aws-sdk/client-s3 bundles,
// with the client's credentials and SHA-256). `getSignedUrl` would build and run
// a whole command's middleware stack for every URL; here the SDK's endpoint
// rules run once per client and bucket, and each URL is one `presign` call.
// The URLs are boto3's `generate_presigned_url` byte for byte (no `x-id`, no
// `X-Amz-Content-Sha256` parameter: S3 takes an unsigned payload for query
// authentication): test/integration/presign-boto3.test.ts checks that.

interface ObjectRequest {
  method: 'PUT' | 'GET';
  bucket: string;
  key: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  expiresIn: number;
  now: Date;
}

/** Where a bucket's objects are and how to sign for them. */
interface BucketEndpoint {
  protocol: string;
  host: string;
  /** `/bucket` path-style, empty when the bucket is in the host name. */
  basePath: string;
  query: Record<string, string>;
  signingRegion: string;
  signingName: string;
}

/**
 * The endpoint parameters of S3's object operations (GetObject, PutObject, UploadPart):
 * client settings plus the bucket. A unit test checks them against the SDK's
 * commands, so an SDK upgrade that changes them fails loudly.
 */
export const OBJECT_ENDPOINT_PARAMETERS = {
  ForcePathStyle: { type: 'clientContextParams', name: 'forcePathStyle' },
  UseArnRegion: { type: 'clientContextParams', name: 'useArnRegion' },
  DisableMultiRegionAccessPoints: { type: 'clientContextParams', name: 'disableMultiregionAccessPoints' },
  Accelerate: { type: 'clientContextParams', name: 'useAccelerateEndpoint' },
  DisableS3ExpressSessionAuth: { type: 'clientContextParams', name: 'disableS3ExpressSessionAuth' },
  UseGlobalEndpoint: { type: 'builtInParams', name: 'useGlobalEndpoint' },
  UseFIPS: { type: 'builtInParams', name: 'useFipsEndpoint' },
  Endpoint: { type: 'builtInParams', name: 'endpoint' },
  Region: { type: 'builtInParams', name: 'region' },
  UseDualStack: { type: 'builtInParams', name: 'useDualstackEndpoint' },
  Bucket: { type: 'contextParams', name: 'Bucket' },
  Key: { type: 'contextParams', name: 'Key' },
} as const;
const objectOperation = { getEndpointParameterInstructions: () => OBJECT_ENDPOINT_PARAMETERS };

const endpoints = new WeakMap<S3Client, Map<string, Promise<BucketEndpoint>>>();

function bucketEndpoint(client: S3Client, bucket: string): Promise<BucketEndpoint> {
  let byBucket = endpoints.get(client);
  if (!byBucket) endpoints.set(client, (byBucket = new Map()));
  let found = byBucket.get(bucket);
  if (!found) {
    found = resolveBucketEndpoint(client, bucket);
    byBucket.set(bucket, found);
    found.catch(() => byBucket.delete(bucket));
  }
  return found;
}

async function resolveBucketEndpoint(client: S3Client, bucket: string): Promise<BucketEndpoint> {
  // The key does not take part in S3's endpoint rules; the bucket and the client settings do.
  const endpoint = await getEndpointFromInstructions(
    { Bucket: bucket, Key: '' },
    objectOperation,
    client.config as unknown as Parameters<typeof getEndpointFromInstructions>[2],
  );
  const scheme = endpoint.properties?.authSchemes?.[0] as { name?: string; signingName?: string; signingRegion?: string } | undefined;
  if (scheme && scheme.name !== 'sigv4')
    throw new Error(t('s3_unsupportedSignature', { bucket, scheme: String(scheme.name) }));
  const { url } = endpoint;
  return {
    protocol: url.protocol,
    host: url.host,
    basePath: url.pathname === '/' ? '' : url.pathname,
    query: Object.fromEntries(url.searchParams),
    signingRegion: scheme?.signingRegion ?? (await client.config.region()),
    signingName: scheme?.signingName ?? 's3',
  };
}

/** S3 object keys go in the path segment by segment, RFC 3986-escaped as the SDK does (`/` stays). */
function encodeKey(key: string): string {
  return key.split('/').map(uriEscape).join('/');
}

/** RFC 3986: everything but letters, digits and `-._~` is escaped (encodeURIComponent leaves `!'()*`). */
function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const signers = new WeakMap<S3Client, SignatureV4>();

/** One signer per client: it asks the client's credential provider at each signature, so new keys are used at once. */
function signerFor(client: S3Client): SignatureV4 {
  let signer = signers.get(client);
  if (!signer) {
    const { credentials, region, sha256 } = client.config;
    // S3 signs the path as it is sent (no double escaping) and takes no checksum of an unknown body.
    signer = new SignatureV4({ credentials, region, sha256, service: 's3', uriEscapePath: false, applyChecksum: false });
    signers.set(client, signer);
  }
  return signer;
}

/** The payload is the browser's to send: sign it as UNSIGNED-PAYLOAD, as a header the URL does not carry. */
const PAYLOAD_HASH = 'x-amz-content-sha256';

async function presignObjectUrl(client: S3Client, request: ObjectRequest): Promise<string> {
  const endpoint = await bucketEndpoint(client, request.bucket);
  const [hostname, port] = splitHost(endpoint.host);
  const headers = { host: endpoint.host, ...request.headers };
  const signed = await signerFor(client).presign(
    new HttpRequest({
      method: request.method,
      protocol: endpoint.protocol,
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: `${endpoint.basePath}/${encodeKey(request.key)}`,
      query: { ...endpoint.query, ...request.query },
      headers: { ...headers, [PAYLOAD_HASH]: 'UNSIGNED-PAYLOAD' },
    }),
    {
      expiresIn: request.expiresIn,
      signingDate: request.now,
      signingRegion: endpoint.signingRegion,
      signingService: endpoint.signingName,
      // Every header we set is signed: a leaked URL then refuses another type, size or condition.
      signableHeaders: new Set(Object.keys(headers)),
      unsignableHeaders: new Set([PAYLOAD_HASH]),
      // Headers stay headers the sender must send (as boto3 does): the signer would move `x-amz-*` ones
      // (checksums, tags) into the query, where S3 ignores some.
      unhoistableHeaders: new Set([PAYLOAD_HASH, ...Object.keys(headers)]),
    },
  );
  return formatUrl(signed);
}

/** `host:port` → [host, port]; IPv6 hosts keep their brackets. */
function splitHost(host: string): [string, string | undefined] {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return match ? [match[1]!, match[2]] : [host, undefined];
}
