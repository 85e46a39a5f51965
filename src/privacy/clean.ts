/**
 * The privacy stage's one entry: takes a file's bytes and the profile's
 * choice, gives back the bytes to upload and what was done. Byte-level: the
 * picture is never decoded or re-encoded, only metadata around it is taken
 * out. Never throws: a file whose structure does not add up goes up
 * untouched, with a report that says so.
 */
import { startsWith } from './bytes';
import { cleanJpeg } from './jpeg';
import { cleanPng } from './png';
import { type PhotoFormat, type PhotoPrivacy, type PrivacyReport } from './report';
import { cleanWebp } from './webp';

const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The photo format of these bytes, from their signature (never from a name or a type a page gave). */
export function photoFormat(bytes: Uint8Array): PhotoFormat | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (startsWith(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return 'webp';
  if (startsWith(bytes, 0, 'II*\0') || startsWith(bytes, 0, 'MM\0*')) return 'tiff';
  if (startsWith(bytes, 4, 'ftyp')) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (AVIF_BRANDS.has(brand)) return 'avif';
    if (HEIF_BRANDS.has(brand)) return 'heic';
  }
  return null;
}

/** Enough of the start of a file to know its format. */
export const SIGNATURE_BYTES = 12;

const REWRITERS = { jpeg: cleanJpeg, png: cleanPng, webp: cleanWebp } as const;

/** Whether this stage can rewrite the format (else it reports `cannot` without reading further). */
export function rewritable(format: PhotoFormat): format is keyof typeof REWRITERS {
  return Object.hasOwn(REWRITERS, format);
}

/**
 * Cleans one file. `null`: not a photo this stage knows (a PDF, a GIF, a
 * ZIP…), nothing to say about it. With `keep` nothing is read.
 */
export function cleanPhoto(bytes: Uint8Array, mode: PhotoPrivacy): { bytes: Uint8Array; report: PrivacyReport } | null {
  if (mode === 'keep') return null;
  const format = photoFormat(bytes);
  if (!format) return null;
  if (!rewritable(format)) return { bytes, report: { status: 'cannot', format } };
  try {
    const cleaned = REWRITERS[format](bytes, mode);
    return { bytes: cleaned.bytes, report: { status: cleaned.changed ? 'removed' : 'none-found', mode, format } };
  } catch {
    // A DamagedFile, or anything a stranger file makes the reading trip on: the upload must not fail for
    // its metadata, so the file goes up as it came, and the report says its location may still be in it.
    return { bytes, report: { status: 'damaged', format } };
  }
}
