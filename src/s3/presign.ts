import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition, defaultDisposition } from './content-disposition';
import { uploadUrlExpiry, validateLinkExpiry } from './expiry';

export interface SignedRequest {
  url: string;
  /** Headers the request must carry exactly, because they are signed. */
  headers: Record<string, string>;
  /** Epoch milliseconds after which S3 refuses the URL. */
  expiresAt: number;
}

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
  contentLength: number;
  /** Seconds; clamped to [1 s, 15 min]. */
  expiresIn?: number;
  now?: Date;
}

/** A bare browser PUT sends no type for an empty type; S3 stores what we sign. */
export function effectiveContentType(type: string): string {
  return type || 'application/octet-stream';
}

/**
 * A presigned PUT that accepts exactly this file: Content-Type and
 * Content-Length are signed (by default `getSignedUrl` signs only `host`, so a
 * leaked URL could store any type and size), and the URL lives minutes.
 */
export async function presignUpload(client: S3Client, target: UploadTarget): Promise<SignedRequest> {
  const expiresIn = uploadUrlExpiry(target.expiresIn);
  const now = target.now ?? new Date();
  const contentType = effectiveContentType(target.contentType);
  const url = await getSignedUrl(
    client,
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: contentType,
      ContentLength: target.contentLength,
    }),
    { expiresIn, signingDate: now, signableHeaders: new Set(['content-type', 'content-length']) },
  );
  return { url, headers: { 'content-type': contentType }, expiresAt: now.getTime() + expiresIn * 1000 };
}

export interface ShareTarget {
  bucket: string;
  key: string;
  /** The original file name, offered when the link is saved. */
  fileName: string;
  contentType: string;
  expiresIn: number;
  now?: Date;
}

/** A presigned GET that downloads under the original name (any script, RFC 5987). */
export async function presignShareLink(client: S3Client, target: ShareTarget): Promise<SignedRequest> {
  const invalid = validateLinkExpiry(target.expiresIn);
  if (invalid) throw new RangeError(invalid);
  const now = target.now ?? new Date();
  const url = await getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      ResponseContentDisposition: contentDisposition(target.fileName, defaultDisposition(target.contentType)),
    }),
    { expiresIn: target.expiresIn, signingDate: now },
  );
  return { url, headers: {}, expiresAt: now.getTime() + target.expiresIn * 1000 };
}
