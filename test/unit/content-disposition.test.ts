import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDisposition, defaultDisposition } from '../../src/s3/content-disposition';

/** Any code point except lone surrogates, often ASCII (controls included). Cheaper to build than unit 'binary'. */
const anyCodePoint = fc
  .oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff))
  .map((c) => String.fromCodePoint(c));

function parse(value: string): { type: string; fallback: string; exact: string } {
  const m = /^(inline|attachment); filename="([^"]*)"; filename\*=UTF-8''(.*)$/.exec(value);
  if (!m) throw new Error(`unexpected Content-Disposition: ${value}`);
  return { type: m[1]!, fallback: m[2]!, exact: m[3]! };
}

/** RFC 5987 attr-char, or a %XX escape. */
const EXT_VALUE = /^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*$/;

describe('contentDisposition', () => {
  const names = [
    'report.pdf',
    'résumé 日本.txt',
    'Cafe\u0301.txt',
    '😀 party.png',
    'quote"and\\back.txt',
    "it's (final)*.doc",
    '100% + #tag?.txt',
    'semi;colon,comma.txt',
    'new\nline\ttab.txt',
    'ﬁle.txt',
    '',
  ];

  it.each(names.map((n) => [JSON.stringify(n), n] as const))('carries %s exactly and safely', (_label, name) => {
    const value = contentDisposition(name);
    const { type, fallback, exact } = parse(value);
    expect(type).toBe('attachment');
    expect(fallback).toMatch(/^[\x20-\x7e]*$/);
    expect(fallback).not.toMatch(/["\\]/);
    expect(exact).toMatch(EXT_VALUE);
    expect(decodeURIComponent(exact)).toBe(name);
    expect(value).not.toMatch(/[\r\n]/);
  });

  it('makes a readable ASCII fallback', () => {
    expect(parse(contentDisposition('résumé.txt')).fallback).toBe('resume.txt');
    expect(parse(contentDisposition('Cafe\u0301.txt')).fallback).toBe('Cafe.txt');
    expect(parse(contentDisposition('日本.txt')).fallback).toBe('__.txt');
    expect(parse(contentDisposition('a"b\\c.txt')).fallback).toBe('a_b_c.txt');
    expect(parse(contentDisposition('plain name.txt')).fallback).toBe('plain name.txt');
  });

  it('percent-encodes the characters RFC 5987 does not allow', () => {
    const { exact } = parse(contentDisposition("it's (1)*.txt"));
    expect(exact).toBe('it%27s%20%281%29%2A.txt');
  });

  it('uses the requested disposition type', () => {
    expect(contentDisposition('a.png', 'inline').startsWith('inline; ')).toBe(true);
    expect(contentDisposition('a.png').startsWith('attachment; ')).toBe(true);
  });

  it('round-trips any name and keeps the header value printable (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: anyCodePoint, maxLength: 30 })), (name) => {
        const { fallback, exact } = parse(contentDisposition(name));
        expect(fallback).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
        expect(exact).toMatch(EXT_VALUE);
        expect(decodeURIComponent(exact)).toBe(name);
      }),
      { numRuns: 150 },
    );
  });
});

describe('defaultDisposition', () => {
  it.each([
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'text/plain',
    'text/plain; charset=utf-8',
    'TEXT/PLAIN',
    'video/mp4',
    'audio/mpeg',
  ])('shows %s inline', (type) => {
    expect(defaultDisposition(type)).toBe('inline');
  });

  it.each([
    'image/svg+xml',
    'text/html',
    'text/html; charset=utf-8',
    'application/xhtml+xml',
    'text/xml',
    'application/javascript',
    'application/zip',
    'application/octet-stream',
    '',
    'image/pngx',
  ])('downloads %j as an attachment', (type) => {
    expect(defaultDisposition(type)).toBe('attachment');
  });
});
