import { t } from '../i18n/t';
import { encodeKeyName, splitExtension } from './safe-name';

export const DEFAULT_KEY_TEMPLATE = '{yyyy}/{mm}/{dd}/{uuid}-{name}';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export interface KeyInput {
  /** The file's name as the user sees it. */
  name: string;
  now: Date;
  uuid: string;
  /** `{shortid}`: 8 random base-62 characters (`shortId()`); made here when absent. */
  shortid?: string;
  /** The page an image or screenshot came from; `{host}` is its host name (`hostToken`). */
  pageUrl?: string;
  /**
   * `{path}`: the folder the file sat in, relative to the dropped or chosen
   * folder (`trip/day1/`); absent or empty for a single file.
   */
  path?: string;
  /**
   * Appended to the name's stem, before its extension (`-1` makes `a.txt`
   * `a-1.txt`), and kept when a long name is shortened to fit.
   */
  suffix?: string;
}

/** Leaves a file name at least 124 bytes of a key. */
const MAX_TEMPLATE_BYTES = 900;
/** Longer "extensions" are not worth keeping over the name itself. */
const MAX_KEPT_EXTENSION = 16;

const TOKEN = /\{(\w+)\}/g;
/** Every token, in the order the options page lists them. */
export const KEY_TOKENS = ['yyyy', 'mm', 'dd', 'hh', 'uuid', 'shortid', 'path', 'name', 'ext', 'host'] as const;
const KNOWN_TOKENS = new Set<string>(KEY_TOKENS);
/**
 * The most bytes each fixed-size token renders to (`{name}` and `{ext}` shrink
 * to fit, so they count 0; `{path}` has no bound a template could promise, so
 * it is counted where it is rendered, against each file's own folders).
 */
const TOKEN_MAX_BYTES: Record<string, number> = { yyyy: 4, mm: 2, dd: 2, hh: 2, uuid: 36, shortid: 8, path: 0, name: 0, ext: 0, host: 253 };
const utf8 = new TextEncoder();

/**
 * Tokens as sentences show them: the catalog reads `{name}` as a placeholder,
 * so a sentence that names a token gets it as a parameter (`t(key, TOKEN_TEXT)`).
 */
export const TOKEN_TEXT = Object.fromEntries(KEY_TOKENS.map((token) => [token, `{${token}}`])) as Record<(typeof KEY_TOKENS)[number], string>;

/** `{host}` for uploads that come from no page (the popup: picked, dropped, pasted). */
export const NO_PAGE_HOST = 'local';

/** The `{host}` a page gives: its host name (no port; IDNs in their `xn--` form), or `local` when there is none. */
export function hostToken(pageUrl: string | undefined): string {
  if (!pageUrl) return NO_PAGE_HOST;
  try {
    const host = new URL(pageUrl).hostname.toLowerCase();
    return host ? encodeKeyName(host) : NO_PAGE_HOST;
  } catch {
    return NO_PAGE_HOST;
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHORT_ID_LENGTH = 8;

/**
 * 8 base-62 characters from `crypto.getRandomValues` (about 47.6 bits:
 * 62^8 ≈ 2.2 × 10^14 names), unbiased: bytes of 248 and above are drawn again.
 */
export function shortId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  let out = '';
  while (out.length < SHORT_ID_LENGTH) {
    for (const byte of random(new Uint8Array(16))) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === SHORT_ID_LENGTH) break;
    }
  }
  return out;
}

/**
 * Whether two uploads can get the same key: only `{uuid}` and `{shortid}`
 * make every key new. Such templates are checked for a free name before each
 * upload (`-1`, `-2`… appended), so nothing is overwritten.
 */
export function templateCanCollide(template: string): boolean {
  return !template.includes('{uuid}') && !template.includes('{shortid}');
}

/** The template's bytes once every fixed-size token is rendered at its longest (the name is what shrinks to fit). */
function fixedBytes(template: string): number {
  return utf8.encode(template.replace(TOKEN, (whole, token: string) => (token in TOKEN_MAX_BYTES ? 'x'.repeat(TOKEN_MAX_BYTES[token]!) : whole))).length;
}

/**
 * `{path}` as it goes into a key: each folder escaped as a file name is
 * (a `/` or `\\` inside one cannot invent another), joined by `/`, ending in
 * `/` so `{path}{name}` reads as a path. Empty folders (`a//b`, a leading
 * `/`) are dropped; no folder at all renders empty.
 */
export function pathToken(path: string | undefined): string {
  const folders = (path ?? '').split('/').filter((folder) => folder !== '');
  return folders.length ? `${folders.map(encodeKeyName).join('/')}/` : '';
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Returns a sentence for what is wrong with a template, or `null` if it is usable. */
export function validateKeyTemplate(template: string): string | null {
  if (!template.trim()) return t('template_empty');
  if (template.startsWith('/')) return t('template_leadingSlash');
  if (!template.includes('{name}') && !template.includes('{uuid}') && !template.includes('{shortid}'))
    return t('template_noUniquePart', TOKEN_TEXT);
  const segments = template.split('/');
  if (segments.some((segment) => segment === '')) return t('template_emptyFolder');
  // Browsers drop "." and ".." from a URL path before sending, so the request would not match its signature.
  if (segments.some((segment) => segment === '.' || segment === '..')) return t('template_dotFolder');
  for (const [, token] of template.matchAll(TOKEN))
    if (!KNOWN_TOKENS.has(token!)) return t('template_unknownToken', { token: `{${token}}` });
  // Counted as rendered: {host} can be 253 bytes, {uuid} 36.
  if (fixedBytes(template) > MAX_TEMPLATE_BYTES)
    return t('template_tooLong', { max: MAX_TEMPLATE_BYTES, host: TOKEN_TEXT.host, keyMax: MAX_KEY_BYTES });
  return null;
}

/** A file whose folders leave its name no room in a key: the file's to fix, not the template's. */
export class PathTooLongError extends RangeError {
  override name = 'PathTooLongError';
}

/** `a.txt` + `-1` → `a-1.txt`; `README` + `-1` → `README-1`. */
export function withSuffix(name: string, suffix: string): string {
  if (!suffix) return name;
  const { stem, ext } = splitExtension(name);
  return `${stem}${suffix}${ext}`;
}

/**
 * Renders an object key. Dates are UTC so a key does not depend on where the
 * uploader happens to be. A name too long for S3's 1024-byte key limit loses
 * characters from the end of its stem; its extension (and `suffix`) are kept.
 * A folder that renders empty (`{ext}/…` for a name without one) is left
 * out, so a key never has `//` or a leading `/`.
 */
export function renderKey(template: string, input: KeyInput): string {
  const { now } = input;
  const fixed: Record<string, string> = {
    yyyy: String(now.getUTCFullYear()),
    mm: pad(now.getUTCMonth() + 1),
    dd: pad(now.getUTCDate()),
    hh: pad(now.getUTCHours()),
    uuid: input.uuid,
    shortid: input.shortid ?? (template.includes('{shortid}') ? shortId() : ''),
    host: hostToken(input.pageUrl),
    path: pathToken(input.path),
  };
  const values = (name: string): Record<string, string> => ({
    ...fixed,
    name: encodeKeyName(name),
    ext: encodeKeyName(splitExtension(name).ext.slice(1)),
  });
  const render = (name: string) =>
    template
      .replace(TOKEN, (whole, token: string) => values(name)[token] ?? whole)
      .split('/')
      .filter((segment) => segment !== '')
      .join('/');

  const suffix = input.suffix ?? '';
  const full = withSuffix(input.name, suffix);
  const fits = (name: string) => utf8.encode(render(name)).length <= MAX_KEY_BYTES;
  if (fits(full)) return render(full);

  // Too long: keep as much of the stem as fits, then the suffix and the extension (if it is a real, short one).
  const { stem, ext } = splitExtension(input.name);
  const kept = (ext.length <= MAX_KEPT_EXTENSION ? suffix + ext : suffix);
  const chars = Array.from(ext.length <= MAX_KEPT_EXTENSION && ext ? stem : input.name);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(chars.slice(0, mid).join('') + kept)) lo = mid;
    else hi = mid - 1;
  }
  const name = chars.slice(0, lo).join('') + kept;
  if (!fits(name)) {
    // The folders alone fill the key: say so, the template is not what is wrong.
    if (fixed.path && template.includes('{path}')) throw new PathTooLongError(t('template_pathTooLong', { name: input.name, max: MAX_KEY_BYTES }));
    throw new RangeError(t('template_noRoom', { max: MAX_KEY_BYTES }));
  }
  return render(name);
}
