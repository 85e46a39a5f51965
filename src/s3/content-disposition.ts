/**
 * Builds a Content-Disposition value that carries the original file name in
 * every browser: an ASCII fallback in `filename=` and the exact name, UTF-8
 * and percent-encoded, in `filename*=` (RFC 6266 / RFC 5987).
 */
export function contentDisposition(fileName: string, disposition: 'inline' | 'attachment' = 'attachment'): string {
  const fallback = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

// SVG and HTML are left out on purpose: shown inline they run script on the bucket's origin.
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|avif|bmp)|video\/.+|audio\/.+|text\/(plain|csv|markdown)|application\/pdf)$/;

/** Pictures, media, plain text and PDFs open in the browser; anything else downloads. */
export function defaultDisposition(contentType: string): 'inline' | 'attachment' {
  return INLINE_TYPES.test(contentType.split(';')[0]!.trim().toLowerCase()) ? 'inline' : 'attachment';
}
