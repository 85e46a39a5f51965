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

/** What a profile asks of share links: open in the browser, download, or decide by type. */
export type LinkDisposition = 'auto' | 'inline' | 'attachment';

// Shown inline these run script (or markup that can) with the bucket's origin, so they always download.
const NEVER_INLINE = /^(image\/svg\+xml|text\/html|application\/xhtml\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/x-javascript|text\/xsl|application\/xslt\+xml)$/;

/**
 * The disposition a link gets for a profile's choice: `auto` decides by type
 * (`defaultDisposition`), `attachment` always downloads, `inline` opens in the
 * browser — except SVG, HTML, XML and scripts, which download even then.
 */
export function chooseDisposition(choice: LinkDisposition | undefined, contentType: string): 'inline' | 'attachment' {
  if (choice === 'attachment') return 'attachment';
  if (choice === 'inline') return NEVER_INLINE.test(contentType.split(';')[0]!.trim().toLowerCase()) ? 'attachment' : 'inline';
  return defaultDisposition(contentType);
}
