/**
 * The image stage's decisions, without any browser API: which files it may
 * touch (known by their bytes, never by a name or a type a page gave), what
 * they become, how large, under which name, and whether the result is worth
 * keeping. The pixels are drawn by `canvas.ts`; the stage that ties them
 * together is `src/upload/image-stage.ts`.
 */
import type { ImageFormatChoice, ImageSettings } from './settings';

/** A picture format this stage knows by its signature. */
export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'avif';
/** What a canvas can be asked to write. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif';

export const OUTPUT_TYPES: Record<OutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif' };
const EXTENSIONS: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };
/** Extensions a picture's name may end in; they are replaced, any other dot stays. */
const PICTURE_EXTENSION = /\.(jpe?g|jpe|jfif|pjpeg|pjp|png|apng|webp|gif|bmp|dib|avif)$/i;

/** Enough of the start of a file to tell whether it may be a picture this stage reads. */
export const SNIFF_BYTES = 32;
/** A canvas side no browser exceeds (Chrome's and Firefox's limit): a larger picture without a maximum size is left alone. */
export const MAX_CANVAS_SIDE = 16_384;
/** The largest file read whole into memory to be decoded: beyond it the file goes up unchanged. */
export const MAX_IMAGE_BYTES = 256 * 1024 ** 2;

export interface PictureKind {
  format: SourceFormat;
  /** More than one frame (GIF, APNG, animated WebP or AVIF sequence): a canvas would keep only the first. */
  animated: boolean;
}

/** What the stage did, for the popup's row. Absent on the file: it was not a picture the stage had anything to do with. */
export type ImageReport =
  /** Re-encoded: `width` × `height` upright pixels in `format`; `resized` when made smaller, `changedFormat` when the format is new. */
  | { status: 'converted'; format: OutputFormat; width: number; height: number; resized: boolean; changedFormat: boolean }
  /**
   * Went up unchanged: animated (only the first frame would survive), larger
   * (the new file was bigger and nothing was resized), cannot-make (this
   * browser cannot write `format`), unreadable (the browser could not decode
   * it), too-large (beyond what is read into memory or drawn).
   */
  | { status: 'kept'; reason: 'animated' | 'larger' | 'unreadable' | 'too-large' }
  | { status: 'kept'; reason: 'cannot-make'; format: OutputFormat };

const ascii = (b: Uint8Array, at: number, text: string) => {
  if (at + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
};
const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** BITMAPINFOHEADER and its relatives: the header sizes a real BMP has at byte 14. */
const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

/** The picture format from the file's first bytes (`SNIFF_BYTES` are enough), or `null`: not one this stage reads (SVG, HEIC, TIFF, PDF…). */
export function sniffFormat(b: Uint8Array): SourceFormat | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(b, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (ascii(b, 0, 'BM') && b.length >= 18 && BMP_HEADER_SIZES.has(u32le(b, 14))) return 'bmp';
  if (ascii(b, 4, 'ftyp') && (ascii(b, 8, 'avif') || ascii(b, 8, 'avis'))) return 'avif';
  return null;
}

/** The format and whether it moves, from the whole file. `null`: not a picture this stage reads, or one whose structure does not add up. */
export function pictureKind(b: Uint8Array): PictureKind | null {
  const format = sniffFormat(b);
  switch (format) {
    case null:
      return null;
    case 'gif': {
      const frames = gifFrames(b);
      return frames === null ? null : { format, animated: frames > 1 };
    }
    case 'png':
      return { format, animated: pngHasAnimation(b) };
    case 'webp':
      return { format, animated: webpHasAnimation(b) };
    case 'avif':
      // An image sequence's brand; a still AVIF is `avif`.
      return { format, animated: ascii(b, 8, 'avis') };
    default:
      return { format, animated: false };
  }
}

/** The number of frames (image descriptors) of a GIF, or `null` if its blocks run past the end. */
export function gifFrames(b: Uint8Array): number | null {
  if (b.length < 13) return null;
  let pos = 13;
  // A global colour table follows the screen descriptor when its packed byte's top bit says so.
  if (b[10]! & 0x80) pos += 3 * 2 ** ((b[10]! & 0x07) + 1);
  let frames = 0;
  const skipSubBlocks = () => {
    while (pos < b.length && b[pos] !== 0) pos += b[pos]! + 1;
    pos += 1; // the terminator
  };
  while (pos < b.length) {
    const introducer = b[pos];
    if (introducer === 0x3b) return frames; // trailer
    if (introducer === 0x21) {
      pos += 2; // introducer, label
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      if (pos + 10 > b.length) return null;
      const packed = b[pos + 9]!;
      pos += 10;
      if (packed & 0x80) pos += 3 * 2 ** ((packed & 0x07) + 1);
      pos += 1; // LZW minimum code size
      skipSubBlocks();
      frames += 1;
    } else return frames > 0 ? frames : null;
    if (pos > b.length) return null;
  }
  // No trailer (a cut file): what was read counts.
  return frames > 0 ? frames : null;
}

/** APNG: an `acTL` chunk before the first `IDAT`. */
function pngHasAnimation(b: Uint8Array): boolean {
  let pos = 8;
  while (pos + 8 <= b.length) {
    if (ascii(b, pos + 4, 'acTL')) return true;
    if (ascii(b, pos + 4, 'IDAT')) return false;
    pos += 12 + u32be(b, pos);
  }
  return false;
}

/** Animated WebP: the VP8X animation flag, or an `ANIM`/`ANMF` chunk (trusted even when the flag is not set). */
function webpHasAnimation(b: Uint8Array): boolean {
  if (ascii(b, 12, 'VP8X') && b.length > 20 && b[20]! & 0x02) return true;
  let pos = 12;
  while (pos + 8 <= b.length) {
    if (ascii(b, pos, 'ANIM') || ascii(b, pos, 'ANMF')) return true;
    const size = u32le(b, pos + 4);
    pos += 8 + size + (size & 1);
  }
  return false;
}

/** The format a picture becomes: the profile's, or with `keep`, its own (PNG for those a canvas cannot write: GIF, BMP). */
export function outputFormat(source: SourceFormat, choice: ImageFormatChoice): OutputFormat {
  if (choice !== 'keep') return choice;
  return source === 'gif' || source === 'bmp' ? 'png' : source;
}

/**
 * Before decoding: whether to decode at all. `skip` with a report says why
 * the file goes up as it is; `skip` without one means there is nothing to
 * do (same format, no maximum size) and nothing worth saying.
 */
export function planPicture(kind: PictureKind, settings: ImageSettings): { action: 'skip'; report?: ImageReport } | { action: 'decode'; format: OutputFormat } {
  if (kind.animated) return { action: 'skip', report: { status: 'kept', reason: 'animated' } };
  const format = outputFormat(kind.format, settings.format);
  if (format === kind.format && !settings.maxSize) return { action: 'skip' };
  return { action: 'decode', format };
}

/**
 * The size to draw at: the long side at most `maxSize`, the aspect ratio
 * kept (each side rounded, at least 1 px), never larger than the original.
 */
export function targetSize(width: number, height: number, maxSize?: number): { width: number; height: number; resized: boolean } {
  const long = Math.max(width, height);
  if (!maxSize || long <= maxSize) return { width, height, resized: false };
  const scale = maxSize / long;
  return {
    width: width >= height ? maxSize : Math.max(1, Math.round(width * scale)),
    height: height > width ? maxSize : Math.max(1, Math.round(height * scale)),
    resized: true,
  };
}

/** The name under the new format: `photo.jpg` → `photo.webp`, `my.trip.PNG` → `my.trip.webp`; a name without a picture's extension gets one. */
export function renamed(name: string, format: OutputFormat): string {
  const base = name.replace(PICTURE_EXTENSION, '') || 'image';
  return `${base}.${EXTENSIONS[format]}`;
}

/**
 * After encoding: use the new file, or keep the original. A browser that
 * cannot write the format gives back another type (a canvas falls back to
 * PNG): the original stays. A re-encode that only made the file larger,
 * with nothing resized, is not worth it.
 */
export function judgeEncoded(args: {
  asked: OutputFormat;
  gotType: string;
  originalBytes: number;
  newBytes: number;
  resized: boolean;
}): { use: true } | { use: false; report: ImageReport } {
  if (args.gotType !== OUTPUT_TYPES[args.asked]) return { use: false, report: { status: 'kept', reason: 'cannot-make', format: args.asked } };
  if (!args.resized && args.newBytes >= args.originalBytes) return { use: false, report: { status: 'kept', reason: 'larger' } };
  return { use: true };
}
