/**
 * How a file is cut into multipart parts. Pure arithmetic: S3 takes 1–10 000
 * parts of 5 MiB–5 GiB each (the last one may be smaller) and objects of at
 * most 5 TiB.
 */

import { t } from '../i18n/t';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

/** The largest object S3 stores. */
export const MAX_OBJECT_SIZE = 5 * TiB;

/** Files above this size go multipart; below it one presigned PUT is simpler and as fast. */
export const DEFAULT_MULTIPART_THRESHOLD = 64 * MiB;

export interface PartLimits {
  /** The part size used unless the file is too large for it; default 8 MiB. */
  preferredPartSize: number;
  /** At most this many parts; default 10 000 (S3's limit). */
  maxParts: number;
  /** Every part but the last must be at least this big; default 5 MiB (S3's limit). */
  minPartSize: number;
  /** No part may be bigger; default 5 GiB (S3's limit). */
  maxPartSize: number;
}

export const S3_PART_LIMITS: Readonly<PartLimits> = {
  preferredPartSize: 8 * MiB,
  maxParts: 10_000,
  minPartSize: 5 * MiB,
  maxPartSize: 5 * GiB,
};

export interface PartPlan {
  /** The size of every part but the last. */
  partSize: number;
  /** At least 1, also for an empty file (one empty part). */
  partCount: number;
  /** Between 0 (empty file only) and `partSize`. */
  lastPartSize: number;
}

/** One part's byte range in the file: `[start, end)`. */
export interface PartRange {
  partNumber: number;
  start: number;
  end: number;
  size: number;
}

/** Whether a file of this size is uploaded in parts. */
export function usesMultipart(size: number, threshold = DEFAULT_MULTIPART_THRESHOLD): boolean {
  return size > threshold;
}

/**
 * Picks the part size and count for a file. The preferred size is kept unless
 * the file would need more than `maxParts` parts; then the size grows to the
 * smallest whole MiB that fits. Throws a RangeError with a sentence for a size
 * no plan can take.
 */
export function planParts(size: number, options: Partial<PartLimits> = {}): PartPlan {
  const limits = { ...S3_PART_LIMITS, ...options };
  const { maxParts, minPartSize, maxPartSize } = limits;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`A file size must be a whole number of bytes, not ${size}.`);
  if (!(maxParts >= 1 && minPartSize >= 1 && maxPartSize >= minPartSize)) throw new RangeError('The part limits contradict each other.');
  if (size > MAX_OBJECT_SIZE)
    throw new RangeError(t('upload_fileTooLargeForS3'));
  if (size > maxParts * maxPartSize) throw new RangeError(t('upload_tooManyParts', { parts: maxParts, size: formatMiB(maxPartSize) }));

  let partSize = Math.min(Math.max(limits.preferredPartSize, minPartSize), maxPartSize);
  const needed = Math.ceil(size / maxParts);
  // Whole MiB keeps sizes readable in logs and listings; the cap keeps the part legal.
  if (needed > partSize) partSize = Math.min(Math.ceil(needed / MiB) * MiB, maxPartSize);

  const partCount = Math.max(1, Math.ceil(size / partSize));
  return { partSize, partCount, lastPartSize: size - (partCount - 1) * partSize };
}

/** The byte range of part `partNumber` (1-based). */
export function partRange(plan: PartPlan, partNumber: number): PartRange {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount)
    throw new RangeError(`Part ${partNumber} is not in 1–${plan.partCount}.`);
  const start = (partNumber - 1) * plan.partSize;
  const size = partNumber === plan.partCount ? plan.lastPartSize : plan.partSize;
  return { partNumber, start, end: start + size, size };
}

function formatMiB(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB} GiB` : `${Math.round(bytes / MiB)} MiB`;
}

/** The part size to prefer for a file of this size (see `planParts`, which still grows it to fit 10 000 parts). */
export function preferredPartSize(_size: number): number {
  return S3_PART_LIMITS.preferredPartSize;
}
