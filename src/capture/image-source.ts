import { originPattern } from '../permissions/origin-pattern';
import { t } from '../i18n/t';

/**
 * Where a right-clicked image's bytes come from, and what to call the file.
 * Pure: the background decides the route, the page or the network supplies
 * the bytes.
 */

/** Images larger than this are refused before anything is uploaded. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/**
 * - `data`: decoded here, no network.
 * - `page`: read inside the page: `blob:` URLs belong to it.
 * - `same-origin`: the page's own origin. The background fetches it when it
 *   already may (no copy through the page); else the page reads it, as it can.
 * - `network`: another origin; the background fetches it with host permission, asked for in the click.
 */
export type ImageRoute = 'data' | 'page' | 'same-origin' | 'network';

export function imageRoute(srcUrl: string, pageUrl: string | undefined): ImageRoute {
  const src = new URL(srcUrl);
  if (src.protocol === 'data:') return 'data';
  if (src.protocol === 'blob:') return 'page';
  if (pageUrl && safeOrigin(pageUrl) === src.origin) return 'same-origin';
  return 'network';
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The origin pattern to ask host permission for, for a `network` image. */
export function imageOriginPattern(srcUrl: string): string {
  return originPattern(srcUrl);
}

/**
 * Decodes a `data:` URL (base64 or percent-encoded); `%XX` stands for a raw byte, as in a URL.
 * Screenshots and page images are tens of MB of base64: nothing here spreads bytes into a call
 * (V8 throws past ~100 000 arguments) or builds per-byte arrays of numbers.
 */
export function decodeDataUrl(url: string): { bytes: Uint8Array; type: string } {
  const comma = url.indexOf(',');
  if (!/^data:/i.test(url) || comma < 0) throw new ImageError(t('image_dataUrlUnreadable'));
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  const type = (base64 ? meta.slice(0, -7) : meta).split(';')[0]!.trim().toLowerCase() || 'text/plain';
  if (!base64) return { bytes: percentDecodeToBytes(payload), type };
  // Base64 is ASCII: a `%XX` in it can only be an escaped ASCII character (or garbage, refused by the decoder).
  const text = (payload.includes('%') ? payload.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))) : payload).replace(
    /\s+/g,
    '',
  );
  try {
    return { bytes: base64ToBytes(text), type };
  } catch {
    throw new ImageError(t('image_dataUrlDamaged'));
  }
}

type Base64Decoder = (text: string, options?: { lastChunkHandling?: 'loose' }) => Uint8Array;

/** The browser's own decoder where it has one (Chrome 140+, Firefox 133+), else `atob`; both are native, neither spreads. */
export function base64ToBytes(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: Base64Decoder }).fromBase64;
  if (native) return native(text, { lastChunkHandling: 'loose' });
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `%XX` → that byte; other characters → their UTF-8 bytes; a `%` not followed by two hex digits stays. */
function percentDecodeToBytes(text: string): Uint8Array {
  // `%XX` is ASCII, so it survives UTF-8 encoding as is: encode once, then unescape in place, in one pass.
  const bytes = new TextEncoder().encode(text);
  let to = 0;
  for (let from = 0; from < bytes.length; from++) {
    const hi = hexValue(bytes[from + 1]);
    const lo = hexValue(bytes[from + 2]);
    if (bytes[from] === 0x25 && hi >= 0 && lo >= 0) {
      bytes[to++] = hi * 16 + lo;
      from += 2;
    } else bytes[to++] = bytes[from]!;
  }
  return bytes.subarray(0, to);
}

/** The value of an ASCII hex digit, or -1. */
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** A failure with a sentence for the notification. */
export class ImageError extends Error {
  constructor(message: string, readonly code = 'ImageUnavailable') {
    super(message);
    this.name = 'ImageError';
  }
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/svg+xml': 'svg',
  'image/bmp': 'bmp',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/tiff': 'tiff',
  'text/html': 'html',
  'application/xml': 'xml',
};

/**
 * The raster image type the magic bytes announce, or undefined. Raster formats
 * cannot run script however they are served, so only these keep an image type.
 */
export function sniffRasterType(bytes: Uint8Array): string | undefined {
  const at = (offset: number, ...sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  // An ISO-BMFF `ftyp` box whose major brand is AVIF (still image or sequence).
  if (at(4, 0x66, 0x74, 0x79, 0x70) && (at(8, 0x61, 0x76, 0x69, 0x66) || at(8, 0x61, 0x76, 0x69, 0x73))) return 'image/avif';
  // "BM" alone is two letters any text may start with: the header's four reserved bytes are zero too.
  if (at(0, 0x42, 0x4d) && bytes.length >= 14 && at(6, 0, 0, 0, 0)) return 'image/bmp';
  // ICONDIR: reserved 0, type 1 (icon), then a non-zero image count.
  if (at(0, 0, 0, 1, 0) && bytes.length >= 6 && (bytes[4]! | bytes[5]!) !== 0) return 'image/x-icon';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  return undefined;
}

/** Markup a browser renders as a document (and so may run script in): SVG, HTML, any other XML. */
export function sniffMarkupType(bytes: Uint8Array): 'image/svg+xml' | 'text/html' | 'application/xml' | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) return undefined;
  // Editors put prologs, comments and a DOCTYPE before <svg>: look past them.
  const body = head.replace(/^(?:<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|\s+)*/i, '');
  if (/^<svg[\s>/]/i.test(body)) return 'image/svg+xml';
  if (/^<!doctype\s+html/i.test(head) || /^<(html|head|body|script|iframe|div|p|a|img|style|title|meta|h1)[\s>/]/i.test(body)) return 'text/html';
  if (/^<\?xml/i.test(head) || /^<[a-z_][\w.-]*(:[\w.-]+)?[\s>/]/i.test(body)) return 'application/xml';
  return undefined;
}

/** The type from magic bytes: a raster type, or SVG; undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return sniffRasterType(bytes) ?? (sniffMarkupType(bytes) === 'image/svg+xml' ? 'image/svg+xml' : undefined);
}

/** How content saved from a page is stored; see `pageContentStorage`. */
export interface PageContentStorage {
  /** What S3 stores it as, and so what every link serves it as. */
  contentType: string;
  /**
   * Store it with `Content-Disposition: attachment` where the destination can
   * sign that header into the PUT (own keys), so that even a public or
   * own-domain link, which cannot ask S3 for a disposition, downloads it.
   */
  download: boolean;
  /** The type the file name's extension follows ("logo.svg", "page.html"); octet-stream keeps the name's own. */
  nameType: string;
}

/**
 * Decides, from the bytes alone, how something saved from a page is stored.
 * What the server said is not trusted: a page's server can call an SVG
 * `image/png`, or a PNG `text/html`.
 *
 * - Raster images (PNG, JPEG, GIF, WebP, AVIF, BMP, ICO, TIFF) keep their
 *   type: a browser only ever paints them.
 * - Anything else — SVG, HTML, XML, bytes not recognised — could run script
 *   on the bucket's (or the user's CDN's) origin if a link served it with a
 *   type a browser renders. It is stored as `application/octet-stream`, which
 *   browsers download, and marked for download. Unrecognised bytes count as
 *   unsafe, since browsers render more formats than are listed here.
 */
export function pageContentStorage(bytes: Uint8Array): PageContentStorage {
  const raster = sniffRasterType(bytes);
  if (raster) return { contentType: raster, download: false, nameType: raster };
  return { contentType: 'application/octet-stream', download: true, nameType: sniffMarkupType(bytes) ?? 'application/octet-stream' };
}

const SAME_TYPE_EXTENSIONS: Record<string, string[]> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/tiff': ['tif', 'tiff'],
  'image/svg+xml': ['svg', 'svgz'],
  'text/html': ['html', 'htm', 'xhtml'],
  'image/x-icon': ['ico', 'cur'],
};

function matchesType(name: string, type: string): boolean {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  if (!ext) return false;
  return (SAME_TYPE_EXTENSIONS[type] ?? [EXTENSIONS[type]]).includes(ext);
}

/** The file name from `Content-Disposition` (RFC 6266, `filename*` first). */
export function nameFromContentDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  // RFC 8187: charset'language'value — any case, an optional language tag.
  const star = /filename\*\s*=\s*utf-8'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      /* fall through to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/.exec(header);
  if (!plain) return undefined;
  return (plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]!).trim() || undefined;
}

/**
 * The name the uploaded image gets: from Content-Disposition, else the URL's
 * last path segment, else `image-{timestamp}`; the extension follows the type.
 */
export function imageFileName(input: { srcUrl: string; contentDisposition?: string | null; contentType: string; now: Date }): string {
  const ext = EXTENSIONS[input.contentType];
  let name = nameFromContentDisposition(input.contentDisposition);
  if (!name) {
    const url = new URL(input.srcUrl);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      const last = url.pathname.split('/').pop() ?? '';
      try {
        name = decodeURIComponent(last);
      } catch {
        name = last;
      }
    }
  }
  name = name?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name) {
    const stamp = input.now.toISOString().replace(/[-:]/g, '').replace(/\..+/, '').replace('T', '-');
    return `image-${stamp}.${ext ?? 'bin'}`;
  }
  // Keep a name's own extension only if it fits the type ("photo.jpeg" for image/jpeg), else add the
  // type's ("image.php" served as PNG becomes "image.php.png"): the download must open as what it is.
  if (ext && !matchesType(name, input.contentType)) name = `${name}.${ext}`;
  return name;
}
