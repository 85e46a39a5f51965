/**
 * File names become part of an object key. A key may hold almost any UTF-8,
 * so a name is kept as the user wrote it — spaces, unicode, `+`, `#`, `?`
 * included — and only what would change the key's meaning is escaped:
 * `/` and `\` (they would invent folders) and control characters.
 *
 * A name that is just `.` or `..` has its dots escaped: browsers would
 * drop it from the URL path.
 *
 * The escape is `%XX`. A literal `%` is escaped as `%25` only where it would
 * otherwise read as an escape (followed by two hex digits), so `100%.txt`
 * stays readable and `a%2Fb` still round-trips exactly.
 */

const ESCAPED = /[\u0000-\u001f\u007f/\\]/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
const ESCAPE_SEQUENCE = /%(2E|2F|5C|25|[01][0-9A-F]|7F)/gi;

function hex(ch: string): string {
  return `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Turns a file name into a key segment that `decodeKeyName` turns back exactly. */
export function encodeKeyName(name: string): string {
  // A whole segment of "." or ".." would be dropped from the URL by the browser.
  if (name === '.' || name === '..') return name.replace(/\./g, '%2E');
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ESCAPED.test(ch)) out += hex(ch);
    else if (ch === '%' && HEX2.test(name.slice(i + 1, i + 3))) out += '%25';
    else out += ch;
  }
  return out;
}

/** Inverse of `encodeKeyName`. */
export function decodeKeyName(segment: string): string {
  return segment.replace(ESCAPE_SEQUENCE, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
}

/** Splits `photo.final.JPG` into `photo.final` and `.JPG`; dotfiles have no extension. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}
