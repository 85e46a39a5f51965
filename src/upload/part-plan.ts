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

/**
 * The range `preferredPartSize` picks from. Every part is a request, a
 * signature check and a stored segment, so on a fast link fewer, larger parts
 * win. Measured with `bench/part-sizes.ts`: the product's engine in Chromium,
 * files chosen from disk, the strict server (Swift s3api on loopback), 2 cores
 * under a load of 13 from other work, median of 2 rounds:
 *
 *   part size, 4 at a time    100 MiB   256 MiB   1 GiB
 *   8 MiB (before)            2.68 s    5.91 s    21.4 s
 *   16 MiB                    1.90 s    4.54 s    16.8 s
 *   32 MiB                    2.13 s    3.69 s    16.3 s
 *   64 MiB                    1.70 s    2.89 s    12.3 s
 *   128 MiB                   –         3.60 s    12.5 s
 *   256 MiB                   –         –         12.6 s
 *   curl -T, one PUT          1.13 s    2.59 s    8.24 s
 *
 * and for 100 MiB alone, 5 rounds: 16 MiB 2.73 s, 25 MiB (4 parts) 2.71 s,
 * 50 MiB (2 parts) 1.91 s, 64 MiB 2.03 s, curl 1.00 s. 2 or 8 parts at a time
 * instead of 4 moved times less than the machine's noise. Past 64 MiB nothing
 * more was gained, while a part that fails costs more to send again and a
 * link that one connection cannot fill needs parts in flight side by side, so
 * 64 MiB is the ceiling; the floor is the 8 MiB parts S3 Drop used before.
 */
export const PREFERRED_PART_SIZE_RANGE = { min: 8 * MiB, max: 64 * MiB } as const;

/** Files up to twice the ceiling go in this many equal parts (two halves measured faster than four quarters). */
const PARTS_FOR_MID_SIZED_FILES = 2;

/**
 * The part size to ask `planParts` for, for a file of `fileSize` bytes: half
 * the file in whole MiB, kept within 8–64 MiB, so files of 16–128 MiB go in 2
 * parts and larger ones in 64 MiB parts; a file that would need more than
 * 10 000 parts of 64 MiB gets the smallest whole-MiB size that fits (up to
 * S3's 5 GiB). Pure: the caller passes it on as the preferred size
 * (`uploadMultipart({ partSize: preferredPartSize(file.size) })`).
 */
export function preferredPartSize(fileSize: number): number {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new RangeError(`A file size must be a whole number of bytes, not ${fileSize}.`);
  const { min, max } = PREFERRED_PART_SIZE_RANGE;
  const share = Math.ceil(fileSize / PARTS_FOR_MID_SIZED_FILES / MiB) * MiB;
  const fitsPartCount = Math.ceil(fileSize / S3_PART_LIMITS.maxParts / MiB) * MiB;
  return Math.min(Math.max(Math.min(Math.max(share, min), max), fitsPartCount), S3_PART_LIMITS.maxPartSize);
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
