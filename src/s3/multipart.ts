import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { effectiveContentType, presignUploadPart, type SignedRequest } from './presign';
import { t } from '../i18n/t';

/**
 * Multipart uploads, signer side: the few signed calls (create, complete,
 * abort, list) and presigned UploadPart URLs. Runs where the keys are (the
 * background); the bytes go through the URLs from wherever the file is.
 */

export interface MultipartTarget {
  bucket: string;
  key: string;
}

/** A part to sign: its number (1–10 000), exact size in bytes, and its MD5 if the sender hashed it. */
export interface PartSpec {
  partNumber: number;
  size: number;
  /** The part's MD5 in base64: signed into the URL as `Content-MD5`, so the server refuses other bytes (BadDigest). */
  md5?: string;
}

/** A presigned UploadPart URL for one part. */
export interface SignedPart extends SignedRequest {
  partNumber: number;
  expiresAt: number;
}

/** What CompleteMultipartUpload needs per part: the ETag its PUT answered. */
export interface CompletedPart {
  PartNumber: number;
  ETag: string;
}

export interface ListedPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** S3's largest part number. */
export const MAX_PART_NUMBER = 10_000;

/** Starts a multipart upload; the object's Content-Type is fixed here, not on the parts. */
export async function createMultipartUpload(
  client: S3Client,
  target: MultipartTarget & { contentType: string; tagging?: string },
): Promise<string> {
  const res = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: effectiveContentType(target.contentType),
      // The object's tags are set when the upload in parts starts; the parts carry none.
      ...(target.tagging ? { Tagging: target.tagging } : {}),
    }),
  );
  if (!res.UploadId) throw new Error(t('s3_noUploadId'));
  return res.UploadId;
}

export interface PresignPartsRequest extends MultipartTarget {
  uploadId: string;
  parts: readonly PartSpec[];
  /** Seconds; clamped to [1 s, 15 min], default 5 min, like a single upload URL. */
  expiresIn?: number;
  now?: Date;
}

/**
 * Presigned UploadPart URLs. Each is bound to its upload, part number and
 * exact size (`Content-Length` is a signed header: a leaked URL cannot store
 * more), lives minutes, and carries no checksum parameter (the client is
 * built with `requestChecksumCalculation: 'WHEN_REQUIRED'`). The browser sets
 * `Content-Length` from the Blob, so the caller sends no header of its own.
 */
export async function presignUploadParts(client: S3Client, request: PresignPartsRequest): Promise<SignedPart[]> {
  const now = request.now ?? new Date();
  const signed: SignedPart[] = [];
  for (const { partNumber, size, md5 } of request.parts) {
    const part = await presignUploadPart(client, {
      bucket: request.bucket,
      key: request.key,
      uploadId: request.uploadId,
      partNumber,
      contentLength: size,
      ...(md5 ? { contentMd5: md5 } : {}),
      ...(request.expiresIn !== undefined ? { expiresIn: request.expiresIn } : {}),
      now,
    });
    signed.push({ partNumber, ...part });
  }
  return signed;
}

/** Joins the parts into the object. Parts are sent in ascending order, as S3 requires. */
export async function completeMultipartUpload(
  client: S3Client,
  request: MultipartTarget & { uploadId: string; parts: readonly CompletedPart[]; ifNoneMatch?: boolean },
): Promise<{ etag?: string; location?: string }> {
  const parts = [...request.parts].sort((a, b) => a.PartNumber - b.PartNumber);
  const res = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: request.bucket,
      Key: request.key,
      UploadId: request.uploadId,
      MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      // Joins the parts only if the key is still free (AWS S3 answers 412 PreconditionFailed otherwise).
      ...(request.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    }),
  );
  return { ...(res.ETag ? { etag: res.ETag } : {}), ...(res.Location ? { location: res.Location } : {}) };
}

/**
 * Throws the parts away. S3 answers `NoSuchUpload` for an upload that is
 * already gone (aborted or completed); callers that only want it gone treat
 * that as done.
 */
export async function abortMultipartUpload(client: S3Client, request: MultipartTarget & { uploadId: string }): Promise<void> {
  await client.send(new AbortMultipartUploadCommand({ Bucket: request.bucket, Key: request.key, UploadId: request.uploadId }));
}

/** Every part stored so far, in order (follows S3's pages of 1 000). */
export async function listParts(client: S3Client, request: MultipartTarget & { uploadId: string }): Promise<ListedPart[]> {
  const parts: ListedPart[] = [];
  let marker: string | undefined;
  for (;;) {
    const res = await client.send(
      new ListPartsCommand({
        Bucket: request.bucket,
        Key: request.key,
        UploadId: request.uploadId,
        ...(marker ? { PartNumberMarker: marker } : {}),
      }),
    );
    for (const p of res.Parts ?? [])
      if (p.PartNumber !== undefined) parts.push({ partNumber: p.PartNumber, etag: p.ETag ?? '', size: p.Size ?? 0 });
    if (!res.IsTruncated || !res.NextPartNumberMarker || res.NextPartNumberMarker === marker) return parts;
    marker = res.NextPartNumberMarker;
  }
}

export interface MultipartSignerTarget extends MultipartTarget {
  contentType: string;
  /** Seconds each part URL lives; default 5 min. */
  expiresIn?: number;
  /** Complete with `If-None-Match: *` (see `presignUpload`). */
  ifNoneMatch?: boolean;
  /** The object's tags, set at the create (see `presignUpload`). */
  tagging?: string;
}

/**
 * The signer the upload engine asks for URLs, for one object, over an SDK
 * client (in the background, or in Node tests). Its shape is
 * `MultipartSigner` from `src/upload/multipart.ts`; SDK errors pass through
 * unchanged for the engine to turn into sentences.
 */
export function s3MultipartSigner(client: S3Client, target: MultipartSignerTarget) {
  const { bucket, key } = target;
  return {
    create: async () => ({ uploadId: await createMultipartUpload(client, target) }),
    signParts: (uploadId: string, parts: readonly PartSpec[]) =>
      presignUploadParts(client, { bucket, key, uploadId, parts, ...(target.expiresIn ? { expiresIn: target.expiresIn } : {}) }),
    complete: (uploadId: string, parts: readonly CompletedPart[]) =>
      completeMultipartUpload(client, { bucket, key, uploadId, parts, ...(target.ifNoneMatch ? { ifNoneMatch: true } : {}) }),
    abort: (uploadId: string) => abortMultipartUpload(client, { bucket, key, uploadId }),
  };
}
