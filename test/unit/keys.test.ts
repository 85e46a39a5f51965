import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeKeyName, encodeKeyName, splitExtension } from '../../src/keys/safe-name';
import { DEFAULT_KEY_TEMPLATE, MAX_KEY_BYTES, PathTooLongError, pathToken, renderKey, validateKeyTemplate } from '../../src/keys/template';

/** Any code point except lone surrogates, often ASCII (controls included). Cheaper to build than unit 'binary'. */
const anyCodePoint = fc
  .oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff))
  .map((c) => String.fromCodePoint(c));

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s).length;

/** C0 controls, DEL, and the two characters that would invent folders. */
const FORBIDDEN_IN_SEGMENT = /[\u0000-\u001f\u007f/\\]/;

describe('encodeKeyName / decodeKeyName', () => {
  const samples = [
    'plain.txt',
    'my holiday photo.jpg',
    'résumé 日本.txt',
    'résumé 日本.txt'.normalize('NFD'),
    'e\u0301', // NFD é stays NFD
    '😀 party 👨‍👩‍👧‍👦.png',
    'a+b=c.txt',
    '100%.txt',
    '%',
    '%%',
    '%2F',
    '%2f',
    '%25',
    '%2525',
    '%5C',
    '%00',
    '%7F',
    '%41',
    'a%2Fb',
    '%%2F',
    '%2%2F',
    'tag#1?.txt',
    'a/b/c',
    '/',
    '//',
    'back\\slash',
    '\\',
    'tab\there',
    'new\nline\r\n',
    '\u0000nul',
    '\u001f\u007f',
    '%\u0001',
    '%/',
    '%\\',
    '',
    '.',
    '..',
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s] as const))('round-trips %s exactly', (_label, name) => {
    const encoded = encodeKeyName(name);
    expect(decodeKeyName(encoded)).toBe(name);
    expect(encoded).not.toMatch(FORBIDDEN_IN_SEGMENT);
  });

  it.each(['.', '..', '%2E', '.%2E'])('a name that is only dots never becomes a dot segment: %j', (name) => {
    const encoded = encodeKeyName(name);
    expect(encoded).not.toMatch(/^\.{1,2}$/);
    expect(decodeKeyName(encoded)).toBe(name);
  });

  it('keeps readable characters as they are', () => {
    expect(encodeKeyName('résumé 日本 + #?.txt')).toBe('résumé 日本 + #?.txt');
    expect(encodeKeyName('100%.txt')).toBe('100%.txt');
    expect(encodeKeyName('😀.png')).toBe('😀.png');
  });

  it('escapes only what changes the key meaning', () => {
    expect(encodeKeyName('a/b')).toBe('a%2Fb');
    expect(encodeKeyName('a\\b')).toBe('a%5Cb');
    expect(encodeKeyName('a\nb')).toBe('a%0Ab');
    expect(encodeKeyName('\u007f')).toBe('%7F');
    // A literal % that would read as an escape is itself escaped.
    expect(encodeKeyName('a%2Fb')).toBe('a%252Fb');
    expect(encodeKeyName('%41')).toBe('%2541');
  });

  it('does not change the normalization form of a name', () => {
    const nfd = 'Cafe\u0301.txt';
    expect(encodeKeyName(nfd)).toBe(nfd);
    expect(encodeKeyName(nfd)).not.toBe(nfd.normalize('NFC'));
  });

  it('round-trips arbitrary printable unicode (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const encoded = encodeKeyName(name);
        expect(decodeKeyName(encoded)).toBe(name);
        expect(encoded).not.toMatch(FORBIDDEN_IN_SEGMENT);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips arbitrary code points including controls (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodePoint, maxLength: 40 }), (name) => {
        const encoded = encodeKeyName(name);
        expect(decodeKeyName(encoded)).toBe(name);
        expect(encoded).not.toMatch(FORBIDDEN_IN_SEGMENT);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips strings made of the tricky characters (property)', () => {
    const tricky = fc.constantFrom('%', '2', '5', 'F', 'f', 'C', '0', '1', '7', 'A', '/', '\\', '\u0001', '\u001f', '\u007f', '#', '?', '+', ' ', 'é');
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 12 }), (parts) => {
        const name = parts.join('');
        const encoded = encodeKeyName(name);
        expect(decodeKeyName(encoded)).toBe(name);
        expect(encoded).not.toMatch(FORBIDDEN_IN_SEGMENT);
      }),
      { numRuns: 2000 },
    );
  });

  it('splitExtension', () => {
    expect(splitExtension('photo.final.JPG')).toEqual({ stem: 'photo.final', ext: '.JPG' });
    expect(splitExtension('.bashrc')).toEqual({ stem: '.bashrc', ext: '' });
    expect(splitExtension('README')).toEqual({ stem: 'README', ext: '' });
    expect(splitExtension('trailing.')).toEqual({ stem: 'trailing.', ext: '' });
  });
});

describe('renderKey', () => {
  // 23:30 UTC on 5 March 2024 is already 6 March in Kiribati (UTC+14).
  const now = new Date('2024-03-05T23:30:00Z');
  const uuid = '123e4567-e89b-42d3-a456-426614174000';
  let savedTz: string | undefined;

  beforeEach(() => {
    savedTz = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
  });
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('renders the default template with UTC date parts', () => {
    // Guard: the local clock really is on another day, so the test can tell UTC from local time.
    expect(now.getDate()).toBe(6);
    expect(renderKey(DEFAULT_KEY_TEMPLATE, { name: 'report.pdf', now, uuid })).toBe(`2024/03/05/${uuid}-report.pdf`);
  });

  it('renders {hh} and {ext} in UTC', () => {
    expect(renderKey('{yyyy}-{mm}-{dd}T{hh}/{uuid}.{ext}', { name: 'photo.final.JPG', now, uuid })).toBe(
      `2024-03-05T23/${uuid}.JPG`,
    );
    expect(renderKey('{uuid}.{ext}', { name: 'README', now, uuid })).toBe(`${uuid}.`);
  });

  it('pads single-digit months, days and hours', () => {
    const early = new Date('2025-01-02T03:04:05Z');
    expect(renderKey('{yyyy}/{mm}/{dd}/{hh}/{name}', { name: 'a', now: early, uuid })).toBe('2025/01/02/03/a');
  });

  it('puts the encoded name in the key and keeps unknown text literal', () => {
    const key = renderKey('in/{name}', { name: 'a/b résumé #1?.txt', now, uuid });
    expect(key).toBe('in/a%2Fb résumé #1?.txt');
    expect(decodeKeyName(key.slice('in/'.length))).toBe('a/b résumé #1?.txt');
  });

  it('leaves short keys alone', () => {
    const name = 'x'.repeat(900);
    expect(renderKey('{name}', { name, now, uuid })).toBe(name);
  });

  it('truncates an ASCII name to exactly 1024 bytes, keeping the extension', () => {
    const name = `${'a'.repeat(2000)}.txt`;
    const key = renderKey(DEFAULT_KEY_TEMPLATE, { name, now, uuid });
    expect(bytes(key)).toBe(MAX_KEY_BYTES);
    expect(key.startsWith(`2024/03/05/${uuid}-aaa`)).toBe(true);
    expect(key.endsWith('a.txt')).toBe(true);
  });

  it('truncates multi-byte names on character boundaries, keeping the extension', () => {
    const name = `${'日'.repeat(500)}😀😀.pdf`;
    const key = renderKey(DEFAULT_KEY_TEMPLATE, { name, now, uuid });
    expect(bytes(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(bytes(key)).toBeGreaterThan(MAX_KEY_BYTES - 3); // one more 3-byte character would not fit
    expect(key.endsWith('日.pdf')).toBe(true);
    expect(key).not.toContain('\uFFFD');
    // The kept stem is a prefix of the original one.
    const kept = key.slice(`2024/03/05/${uuid}-`.length, -'.pdf'.length);
    expect('日'.repeat(500).startsWith(kept)).toBe(true);
  });

  it('counts escaped characters by their escaped length', () => {
    const name = `${'\u0001'.repeat(400)}.bin`; // 400 bytes raw, 1200 bytes escaped
    const key = renderKey('{name}', { name, now, uuid });
    expect(bytes(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(bytes(key)).toBeGreaterThan(MAX_KEY_BYTES - 3);
    const decoded = decodeKeyName(key);
    expect(decoded.endsWith('.bin')).toBe(true);
    expect(decoded).toBe(`${'\u0001'.repeat(decoded.length - 4)}.bin`);
  });

  it('keeps every key within 1024 bytes for long names with a short extension (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: anyCodePoint, minLength: 450, maxLength: 600 }),
        fc.constantFrom('.txt', '.jpeg', '.tar', ''),
        (stem, ext) => {
          fc.pre(!stem.includes('.') || ext !== '');
          const name = stem + ext;
          fc.pre(bytes(`2024/03/05/${uuid}-${encodeKeyName(name)}`) > MAX_KEY_BYTES); // only names that need cutting
          const key = renderKey(DEFAULT_KEY_TEMPLATE, { name, now, uuid });
          expect(bytes(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
          expect(decodeKeyName(key.slice(`2024/03/05/${uuid}-`.length)).endsWith(splitExtension(name).ext)).toBe(true);
        },
      ),
      { numRuns: 12 },
    );
  });

  // The extension alone can be over the budget: then it is dropped rather than exceed S3's limit.
  it('never returns a key over 1024 bytes, even when the extension alone is too long', () => {
    const name = `a.${'b'.repeat(1100)}`;
    const key = renderKey(DEFAULT_KEY_TEMPLATE, { name, now, uuid });
    expect(bytes(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
  });
});

describe('{path}', () => {
  const now = new Date('2024-03-05T23:30:00Z');
  const uuid = '123e4567-e89b-42d3-a456-426614174000';

  it('puts a folder file under its folders, and a single file under none', () => {
    expect(renderKey('{path}{name}', { name: 'beach.jpg', path: 'trip/day1/', now, uuid })).toBe('trip/day1/beach.jpg');
    expect(renderKey('drop/{path}{uuid}-{name}', { name: 'beach.jpg', path: 'trip/day1/', now, uuid })).toBe(`drop/trip/day1/${uuid}-beach.jpg`);
    expect(renderKey('{path}{name}', { name: 'beach.jpg', now, uuid })).toBe('beach.jpg');
    expect(renderKey('drop/{path}{uuid}-{name}', { name: 'beach.jpg', path: '', now, uuid })).toBe(`drop/${uuid}-beach.jpg`);
    // Written with its own slash, the key still has no empty folder.
    expect(renderKey('drop/{path}/{name}', { name: 'a.txt', path: 'x/', now, uuid })).toBe('drop/x/a.txt');
    expect(renderKey('drop/{path}/{name}', { name: 'a.txt', now, uuid })).toBe('drop/a.txt');
  });

  it('escapes each folder as a file name is, and keeps the slashes between them', () => {
    expect(pathToken('trip/day 1/')).toBe('trip/day 1/');
    expect(pathToken('trip/day1')).toBe('trip/day1/');
    expect(pathToken('/a//b/')).toBe('a/b/');
    expect(pathToken('')).toBe('');
    expect(pathToken(undefined)).toBe('');
    // A backslash or control character inside a folder's name cannot make another folder or break the URL.
    expect(pathToken('a\\b/c\u0001d/')).toBe('a%5Cb/c%01d/');
    // "." and ".." as folders would be dropped from the URL by the browser.
    expect(pathToken('../x/./')).toBe('%2E%2E/x/%2E/');
    expect(pathToken('100%/résumé #1?/')).toBe('100%/résumé #1?/');
    const key = renderKey('{path}{name}', { name: 'n.txt', path: 'a\\b/50%41/', now, uuid });
    expect(key.split('/').slice(0, -1).map(decodeKeyName)).toEqual(['a\\b', '50%41']);
  });

  it('counts the folders in the 1024-byte limit: the name is shortened, its extension kept', () => {
    const path = `${'d'.repeat(200)}/${'é'.repeat(150)}/`; // 200 + 1 + 300 + 1 bytes
    const key = renderKey('{path}{uuid}-{name}', { name: `${'n'.repeat(800)}.jpeg`, path, now, uuid });
    expect(bytes(key)).toBe(MAX_KEY_BYTES);
    expect(key.startsWith(`${path}${uuid}-nnn`)).toBe(true);
    expect(key.endsWith('n.jpeg')).toBe(true);
  });

  it('says the folders are too long when they leave the name no room', () => {
    const path = `${'d'.repeat(250)}/`.repeat(5); // 1255 bytes
    expect(() => renderKey('{path}{name}', { name: 'a.txt', path, now, uuid })).toThrow(PathTooLongError);
    expect(() => renderKey('{path}{name}', { name: 'a.txt', path, now, uuid })).toThrow(/folders around a\.txt/);
    // A template without {path} ignores the folders.
    expect(renderKey('{name}', { name: 'a.txt', path, now, uuid })).toBe('a.txt');
  });

  it('is a known token that does not alone make keys unique', () => {
    expect(validateKeyTemplate('{path}{name}')).toBeNull();
    expect(validateKeyTemplate('drop/{path}{uuid}-{name}')).toBeNull();
    expect(validateKeyTemplate('{path}')).toMatch(/needs \{name\} or \{uuid\}/);
  });
});

describe('validateKeyTemplate', () => {
  it.each([DEFAULT_KEY_TEMPLATE, '{uuid}', '{name}', 'uploads/{yyyy}/{hh}/{name}', '{uuid}.{ext}', 'a/b/{uuid}-{name}'])(
    'accepts %s',
    (template) => {
      expect(validateKeyTemplate(template)).toBeNull();
    },
  );

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['/{name}', /must not start with "\/"/],
    ['{yyyy}//{name}', /empty folder/],
    ['{name}/', /empty folder/],
    ['{yyyy}/{foo}-{name}', /unknown token \{foo\}/],
    ['{Name}-{uuid}', /unknown token \{Name\}/],
    ['{yyyy}/{mm}/file.txt', /needs \{name\} or \{uuid\}/],
    ['{yyyy}/{ext}', /needs \{name\} or \{uuid\}/],
  ])('refuses %j', (template, sentence) => {
    expect(validateKeyTemplate(template)).toMatch(sentence);
  });

  // Browsers drop dot segments before sending, so the PUT would not match its signature.
  it.each(['uploads/../{name}', './{uuid}-{name}', '{yyyy}/./{name}'])('refuses the dot folder in %j', (template) => {
    expect(validateKeyTemplate(template)).not.toBeNull();
  });
});
