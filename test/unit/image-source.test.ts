import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDataUrl,
  ImageError,
  imageFileName,
  imageOriginPattern,
  imageRoute,
  nameFromContentDisposition,
  pageContentStorage,
  sniffImageType,
  sniffMarkupType,
  sniffRasterType,
} from '../../src/capture/image-source';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);
const toBase64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46);
const GIF = text('GIF89a\x01\x00\x01\x00');
const WEBP = bytes(0x52, 0x49, 0x46, 0x46, 0x24, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20);
// BITMAPFILEHEADER: "BM", file size, four reserved zero bytes, pixel data offset.
const BMP = bytes(0x42, 0x4d, 0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0);
const ICO = bytes(0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0);
const TIFF_LE = bytes(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0);
const TIFF_BE = bytes(0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8);
const AVIF = bytes(0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66, 0, 0, 0, 0);
const UNKNOWN = bytes(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b);

describe('imageRoute', () => {
  it('decodes data: URLs locally', () => {
    expect(imageRoute('data:image/png;base64,iVBORw0KGgo=', 'https://example.com/page')).toBe('data');
    expect(imageRoute('data:image/svg+xml,%3Csvg%3E%3C/svg%3E', undefined)).toBe('data');
  });

  it('reads blob: URLs in the page, whatever the page URL', () => {
    expect(imageRoute('blob:https://example.com/0f3c2a1e-1111-2222-3333-444455556666', 'https://example.com/a')).toBe('page');
    expect(imageRoute('blob:https://example.com/0f3c2a1e-1111-2222-3333-444455556666', undefined)).toBe('page');
  });

  // Fetched by the background when it holds permission, else read in the page (see save-from-page.ts).
  it('tells the page’s own images apart, whatever their path and query', () => {
    expect(imageRoute('https://example.com/img/cat.png', 'https://example.com/')).toBe('same-origin');
    expect(imageRoute('https://example.com/other/path/cat.png?size=large#x', 'https://example.com/articles/1?utm=a')).toBe('same-origin');
    expect(imageRoute('http://example.com:8080/cat.png', 'http://example.com:8080/index.html')).toBe('same-origin');
    // The default port is the same origin whether written or not.
    expect(imageRoute('https://example.com:443/cat.png', 'https://example.com/')).toBe('same-origin');
  });

  it('fetches other origins from the network: another host, port or scheme', () => {
    expect(imageRoute('https://cdn.example.com/cat.png', 'https://example.com/')).toBe('network');
    expect(imageRoute('https://example.com:8443/cat.png', 'https://example.com/')).toBe('network');
    expect(imageRoute('http://example.com/cat.png', 'https://example.com/')).toBe('network');
    expect(imageRoute('https://example.org/cat.png', 'https://example.com/')).toBe('network');
  });

  it('fetches from the network when the page URL is missing or unparsable', () => {
    expect(imageRoute('https://example.com/cat.png', undefined)).toBe('network');
    expect(imageRoute('https://example.com/cat.png', '')).toBe('network');
    expect(imageRoute('https://example.com/cat.png', 'not a url')).toBe('network');
  });
});

describe('imageOriginPattern', () => {
  it('is the image origin with a path wildcard, without port or path', () => {
    expect(imageOriginPattern('https://cdn.example.com/a/b/cat.png?x=1')).toBe('https://cdn.example.com/*');
    // No port: Firefox's match patterns cannot carry one, and Chrome's match every port without one.
    expect(imageOriginPattern('http://127.0.0.1:9000/img.png')).toBe('http://127.0.0.1/*');
    expect(imageOriginPattern('https://example.com:443/img.png')).toBe('https://example.com/*');
    expect(imageOriginPattern('https://user:pw@Example.COM/img.png')).toBe('https://example.com/*');
  });
});

describe('decodeDataUrl', () => {
  it('decodes base64', () => {
    const { bytes: out, type } = decodeDataUrl(`data:image/png;base64,${toBase64(PNG)}`);
    expect(type).toBe('image/png');
    expect([...out]).toEqual([...PNG]);
  });

  it('ignores whitespace and percent-encoding inside base64', () => {
    const b64 = toBase64(bytes(0xfb, 0xff, 0xbe, 0x00, 0x41)); // "+/++AEE=" has + / =
    expect(b64).toMatch(/[+/=]/);
    const spaced = `${b64.slice(0, 3)} \n\t${b64.slice(3)}`;
    expect([...decodeDataUrl(`data:application/octet-stream;base64,${spaced}`).bytes]).toEqual([0xfb, 0xff, 0xbe, 0x00, 0x41]);
    const escaped = b64.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');
    expect(escaped).not.toBe(b64);
    expect([...decodeDataUrl(`data:application/octet-stream;base64,${escaped}`).bytes]).toEqual([0xfb, 0xff, 0xbe, 0x00, 0x41]);
    expect([...decodeDataUrl(`data:application/octet-stream;base64,${encodeURIComponent(' ')}${b64}%20`).bytes]).toEqual([
      0xfb, 0xff, 0xbe, 0x00, 0x41,
    ]);
  });

  it('round-trips any bytes through base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect([...decodeDataUrl(`data:image/webp;base64,${toBase64(b)}`).bytes]).toEqual([...b]);
      }),
      { numRuns: 100 },
    );
  });

  // 24 MiB of bytes that do not compress: 32 MiB of base64, as a full-page screenshot can be, hundreds of
  // times V8's argument limit. Browsers decode natively (Uint8Array.fromBase64); Node 20 has only atob, so
  // this is seconds of single-threaded work on a busy machine: the limit is for that work, not a wait.
  it('decodes a data: URL of tens of MB (a screenshot of a busy page) without spreading it into a call', { timeout: 60_000 }, () => {
    const big = new Uint8Array(24 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    const url = `data:image/png;base64,${Buffer.from(big).toString('base64')}`;
    const { bytes: out, type } = decodeDataUrl(url);
    expect(type).toBe('image/png');
    expect(out.byteLength).toBe(big.byteLength);
    expect(Buffer.from(out).equals(Buffer.from(big))).toBe(true);
  });

  it('decodes a large percent-encoded payload byte for byte', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>é'.repeat(200_000)}</svg>`;
    const { bytes: out } = decodeDataUrl(`data:image/svg+xml,${encodeURIComponent(svg)}`);
    expect(new TextDecoder().decode(out)).toBe(svg);
  });

  it('says the base64 is damaged rather than throwing something else', () => {
    expect(() => decodeDataUrl('data:image/png;base64,@@@@')).toThrow(/base64 is damaged/);
    expect(() => decodeDataUrl('data:image/png;base64')).toThrow(/cannot be read/);
  });

  it('decodes plain percent-encoded text as UTF-8', () => {
    const { bytes: out, type } = decodeDataUrl('data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%22x%22%3E%C3%A9%3C%2Fsvg%3E');
    expect(type).toBe('image/svg+xml');
    expect(new TextDecoder().decode(out)).toBe('<svg xmlns="x">é</svg>');
    expect(out.byteLength).toBe(text('<svg xmlns="x">é</svg>').byteLength);
  });

  it('keeps "+" as a plus and commas after the first one in the payload', () => {
    expect(new TextDecoder().decode(decodeDataUrl('data:text/plain,a+b,c').bytes)).toBe('a+b,c');
  });

  it('defaults an empty media type to text/plain and lower-cases the type', () => {
    expect(decodeDataUrl('data:,hello').type).toBe('text/plain');
    expect(decodeDataUrl(`data:;base64,${toBase64(text('hi'))}`).type).toBe('text/plain');
    expect(new TextDecoder().decode(decodeDataUrl(`data:;base64,${toBase64(text('hi'))}`).bytes)).toBe('hi');
    expect(decodeDataUrl('data:;charset=utf-8,x').type).toBe('text/plain');
    expect(decodeDataUrl('data:IMAGE/SVG+XML,x').type).toBe('image/svg+xml');
  });

  it('accepts ;BASE64 in upper case', () => {
    const { bytes: out, type } = decodeDataUrl(`data:Image/GIF;BASE64,${toBase64(GIF)}`);
    expect(type).toBe('image/gif');
    expect([...out]).toEqual([...GIF]);
  });

  it('throws an ImageError with a sentence for a URL without a comma', () => {
    expect(() => decodeDataUrl('data:image/png;base64')).toThrow(ImageError);
    expect(() => decodeDataUrl('data:image/png;base64')).toThrow('The image is a data: URL that cannot be read.');
    expect(() => decodeDataUrl('https://example.com/a.png')).toThrow(ImageError);
  });

  // A damaged data: URL must fail with a sentence, not a DOMException/URIError.
  it('throws an ImageError for invalid base64 or a broken percent escape', () => {
    expect(() => decodeDataUrl('data:image/png;base64,!!!!')).toThrow(ImageError);
    expect(() => decodeDataUrl('data:image/png;base64,%ZZ')).toThrow(ImageError);
  });

  // In a non-base64 data: URL, %XX stands for a raw byte, not for UTF-8 text.
  it('percent-decodes non-base64 payloads to raw bytes, not UTF-8 text', () => {
    expect([...decodeDataUrl('data:application/octet-stream,%89PNG%0D%0A%1A%0A').bytes]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
  });
});

describe('sniffImageType', () => {
  it.each([
    ['PNG', PNG, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['GIF87a', text('GIF87a\x01\x00'), 'image/gif'],
    ['GIF89a', GIF, 'image/gif'],
    ['WEBP', WEBP, 'image/webp'],
    ['BMP', BMP, 'image/bmp'],
    ['AVIF', AVIF, 'image/avif'],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg>'), 'image/svg+xml'],
    ['SVG with leading whitespace', text('\n  <svg>\n</svg>'), 'image/svg+xml'],
    ['SVG with XML prolog', text('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'],
    ['SVG in upper case after a BOM', text('\uFEFF<SVG>'), 'image/svg+xml'],
  ])('recognises %s', (_name, input, type) => {
    expect(sniffImageType(input)).toBe(type);
  });

  it.each([
    ['unknown bytes', UNKNOWN],
    ['empty', new Uint8Array(0)],
    ['a RIFF that is not WEBP (WAVE)', bytes(0x52, 0x49, 0x46, 0x46, 0x24, 0, 0, 0, 0x57, 0x41, 0x56, 0x45)],
    ['a truncated PNG signature', bytes(0x89, 0x50, 0x4e)],
    ['HTML', text('<!doctype html><html><body><svg></svg></body></html>')],
    ['an element whose name only starts with svg', text('<svgfoo>')],
    ['an ftyp box that is not AVIF (MP4)', bytes(0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32)],
  ])('returns undefined for %s', (_name, input) => {
    expect(sniffImageType(input)).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const t = sniffImageType(b);
        expect(t === undefined || t.startsWith('image/')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  // Editors write comments and a DOCTYPE before <svg>.
  it('recognises an SVG with a comment or DOCTYPE before <svg>', () => {
    expect(
      sniffImageType(text('<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator 27.0 -->\n<svg version="1.1"></svg>')),
    ).toBe('image/svg+xml');
  });
});

describe('sniffRasterType and sniffMarkupType', () => {
  it.each([
    ['ICO', ICO, 'image/x-icon'],
    ['TIFF, little-endian', TIFF_LE, 'image/tiff'],
    ['TIFF, big-endian', TIFF_BE, 'image/tiff'],
    ['AVIF sequence', bytes(0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x73), 'image/avif'],
  ])('recognises %s as a raster image', (_name, input, type) => {
    expect(sniffRasterType(input)).toBe(type);
  });

  it.each([
    ['text that starts with BM', text('BM is a tag, not a bitmap')],
    ['a cursor-like header with no images', bytes(0, 0, 1, 0, 0, 0)],
    ['GIF-like text', text('GIF8 is not a version')],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg"/>')],
  ])('does not take %s for a raster image', (_name, input) => {
    expect(sniffRasterType(input)).toBeUndefined();
  });

  it.each([
    ['SVG', '<svg onload="alert(1)"/>', 'image/svg+xml'],
    ['SVG after a prolog, comment and DOCTYPE', '<?xml version="1.0"?><!-- x --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg>', 'image/svg+xml'],
    ['HTML with a doctype', '<!DOCTYPE html><title>x</title>', 'text/html'],
    ['HTML without one', '\n <html><script>alert(1)</script>', 'text/html'],
    ['a bare script tag', '<script>alert(1)</script>', 'text/html'],
    ['XHTML', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', 'text/html'],
    ['other XML', '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', 'application/xml'],
    ['XML without a prolog', '<x:doc xmlns:x="urn:x"/>', 'application/xml'],
    ['plain text', 'hello', undefined],
  ])('recognises %s', (_name, input, type) => {
    expect(sniffMarkupType(text(input))).toBe(type);
  });
});

/**
 * The decision table for anything saved from a page: the bytes decide, never
 * what the server said. Raster images keep their type; everything else is
 * stored as octet-stream, to download, and named for what it is.
 */
describe('pageContentStorage', () => {
  const raster = (type: string) => ({ contentType: type, download: false, nameType: type });
  const unsafe = (nameType: string) => ({ contentType: 'application/octet-stream', download: true, nameType });
  it.each([
    ['PNG', PNG, raster('image/png')],
    ['JPEG', JPEG, raster('image/jpeg')],
    ['GIF', GIF, raster('image/gif')],
    ['WebP', WEBP, raster('image/webp')],
    ['AVIF', AVIF, raster('image/avif')],
    ['BMP', BMP, raster('image/bmp')],
    ['ICO', ICO, raster('image/x-icon')],
    ['TIFF', TIFF_LE, raster('image/tiff')],
    ['SVG with a script', text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'), unsafe('image/svg+xml')],
    ['HTML', text('<!doctype html><script>alert(1)</script>'), unsafe('text/html')],
    ['XML', text('<?xml version="1.0"?><x/>'), unsafe('application/xml')],
    ['unknown bytes', UNKNOWN, unsafe('application/octet-stream')],
    ['nothing', new Uint8Array(0), unsafe('application/octet-stream')],
  ])('%s', (_name, input, expected) => {
    expect(pageContentStorage(input)).toEqual(expected);
  });

  it('never keeps a type other than a raster image, and never keeps one for markup', () => {
    const RASTER = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'image/tiff'];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('<svg>', '<html>', '<?xml ?>', ''), (tail, lead) => {
        const stored = pageContentStorage(new Uint8Array([...text(lead), ...tail]));
        expect(stored.download).toBe(stored.contentType === 'application/octet-stream');
        if (!stored.download) expect(RASTER).toContain(stored.contentType);
        if (lead) expect(stored.download).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('nameFromContentDisposition', () => {
  it('decodes filename* (UTF-8, percent-encoded) including unicode', () => {
    expect(nameFromContentDisposition("attachment; filename*=UTF-8''caf%C3%A9%20menu.png")).toBe('café menu.png');
    expect(nameFromContentDisposition("inline; filename*=utf-8''%E6%97%A5%E6%9C%AC.jpg")).toBe('日本.jpg');
    expect(nameFromContentDisposition("inline;filename*=UTF-8''%F0%9F%90%88.gif")).toBe('🐈.gif');
  });

  it('reads a quoted filename, unescaping quotes and backslashes', () => {
    expect(nameFromContentDisposition('attachment; filename="my cat.png"')).toBe('my cat.png');
    expect(nameFromContentDisposition('attachment; filename="say \\"hi\\".png"')).toBe('say "hi".png');
    expect(nameFromContentDisposition('attachment; filename="a;b.png"; size=3')).toBe('a;b.png');
    expect(nameFromContentDisposition('attachment; filename="back\\\\slash.png"')).toBe('back\\slash.png');
  });

  it('reads an unquoted filename up to the next parameter, trimmed', () => {
    expect(nameFromContentDisposition('attachment; filename=cat.png')).toBe('cat.png');
    expect(nameFromContentDisposition('attachment; filename = cat.png ; size=10')).toBe('cat.png');
  });

  it('prefers filename* over filename, in either order', () => {
    expect(nameFromContentDisposition("attachment; filename=\"fallback.png\"; filename*=UTF-8''r%C3%A9sum%C3%A9.png")).toBe('résumé.png');
    expect(nameFromContentDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.png; filename=\"fallback.png\"")).toBe('résumé.png');
  });

  it('falls back to filename when filename* does not decode', () => {
    expect(nameFromContentDisposition("attachment; filename*=UTF-8''%E9%ZZ; filename=\"plain.png\"")).toBe('plain.png');
  });

  it('returns undefined for nothing usable', () => {
    expect(nameFromContentDisposition(null)).toBeUndefined();
    expect(nameFromContentDisposition(undefined)).toBeUndefined();
    expect(nameFromContentDisposition('')).toBeUndefined();
    expect(nameFromContentDisposition('inline')).toBeUndefined();
    expect(nameFromContentDisposition('attachment; size=12; creation-date="x"')).toBeUndefined();
    expect(nameFromContentDisposition('attachment; filename=""')).toBeUndefined();
    expect(nameFromContentDisposition('attachment; filename="   "')).toBeUndefined();
  });

  // RFC 8187: charset'language'value, with an optional language tag.
  it('accepts filename* with a language tag', () => {
    expect(nameFromContentDisposition("attachment; filename*=UTF-8'en'caf%C3%A9.png")).toBe('café.png');
  });

  // The charset name is case-insensitive.
  it('accepts filename* with a mixed-case charset name', () => {
    expect(nameFromContentDisposition("attachment; filename*=Utf-8''caf%C3%A9.png")).toBe('café.png');
  });
});

describe('imageFileName', () => {
  const now = new Date('2024-03-05T07:08:09.123Z');

  it('uses the Content-Disposition name first', () => {
    expect(
      imageFileName({ srcUrl: 'https://example.com/a/b.png', contentDisposition: 'inline; filename="given.png"', contentType: 'image/png', now }),
    ).toBe('given.png');
    expect(
      imageFileName({ srcUrl: 'https://example.com/a/b.png', contentDisposition: 'inline; filename="given"', contentType: 'image/jpeg', now }),
    ).toBe('given.jpg');
  });

  it('uses the last URL path segment, percent-decoded, ignoring the query', () => {
    expect(imageFileName({ srcUrl: 'https://example.com/pics/cat.png?w=200#top', contentType: 'image/png', now })).toBe('cat.png');
    expect(imageFileName({ srcUrl: 'https://example.com/caf%C3%A9.png', contentType: 'image/png', now })).toBe('café.png');
    expect(imageFileName({ srcUrl: 'https://example.com/my%20cat.JPG', contentType: 'image/jpeg', now })).toBe('my cat.JPG');
    expect(imageFileName({ srcUrl: 'https://example.com/100%zz.png', contentType: 'image/png', now })).toBe('100%zz.png');
  });

  it('appends the extension of the type when the name has none', () => {
    expect(imageFileName({ srcUrl: 'https://example.com/images/photo', contentType: 'image/jpeg', now })).toBe('photo.jpg');
    expect(imageFileName({ srcUrl: 'https://example.com/avatar', contentType: 'image/webp', now })).toBe('avatar.webp');
    expect(imageFileName({ srcUrl: 'https://example.com/logo', contentType: 'image/svg+xml', now })).toBe('logo.svg');
    expect(imageFileName({ srcUrl: 'https://example.com/favicon', contentType: 'image/vnd.microsoft.icon', now })).toBe('favicon.ico');
    // No known extension for the type: the name stays as it is.
    expect(imageFileName({ srcUrl: 'https://example.com/blob', contentType: 'application/octet-stream', now })).toBe('blob');
  });

  it('names images without a usable URL name image-YYYYMMDD-HHMMSS in UTC', () => {
    expect(imageFileName({ srcUrl: 'https://example.com/gallery/', contentType: 'image/png', now })).toBe('image-20240305-070809.png');
    expect(imageFileName({ srcUrl: 'https://example.com', contentType: 'image/gif', now })).toBe('image-20240305-070809.gif');
    expect(imageFileName({ srcUrl: 'data:image/png;base64,iVBORw0KGgo=', contentType: 'image/png', now })).toBe('image-20240305-070809.png');
    expect(
      imageFileName({ srcUrl: 'blob:https://example.com/0f3c2a1e-1111-2222-3333-444455556666', contentType: 'image/webp', now }),
    ).toBe('image-20240305-070809.webp');
    expect(imageFileName({ srcUrl: 'data:,x', contentType: 'text/plain', now: new Date('1999-12-31T23:59:59Z') })).toBe(
      'image-19991231-235959.bin',
    );
  });

  it('strips control characters, and falls back to the timestamp if nothing is left', () => {
    expect(imageFileName({ srcUrl: 'https://example.com/a%0Ab%09c%7F.png', contentType: 'image/png', now })).toBe('abc.png');
    expect(
      imageFileName({ srcUrl: 'https://example.com/x.png', contentDisposition: 'inline; filename="bad\u0007\u001bname.png"', contentType: 'image/png', now }),
    ).toBe('badname.png');
    expect(imageFileName({ srcUrl: 'https://example.com/%0A%0D', contentType: 'image/png', now })).toBe('image-20240305-070809.png');
  });

  it('always gives a non-empty name without control characters', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('image/png', 'image/jpeg', 'application/octet-stream'), (segment, contentType) => {
        const name = imageFileName({ srcUrl: `https://example.com/p/${encodeURIComponent(segment)}`, contentType, now });
        expect(name.length).toBeGreaterThan(0);
        expect(name).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('imageFileName keeps the extension only when it fits the type', () => {
  const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  it.each([
    ['https://x.test/image.php?id=3', 'image/png', 'image.php.png'],
    ['https://x.test/photo.jpeg', 'image/jpeg', 'photo.jpeg'],
    ['https://x.test/photo.JPG', 'image/jpeg', 'photo.JPG'],
    ['https://x.test/Shot%20at%2010.30', 'image/png', 'Shot at 10.30.png'],
    ['https://x.test/logo.svg', 'image/svg+xml', 'logo.svg'],
    // What pageContentStorage names an SVG that claimed to be a PNG, a page, or bytes it does not know.
    ['https://x.test/evil.png', 'image/svg+xml', 'evil.png.svg'],
    ['https://x.test/page', 'text/html', 'page.html'],
    ['https://x.test/report.htm', 'text/html', 'report.htm'],
    ['https://x.test/thing.heic', 'application/octet-stream', 'thing.heic'],
  ])('%s served as %s → %s', (srcUrl, contentType, expected) => {
    expect(imageFileName({ srcUrl, contentType, now })).toBe(expected);
  });
});
