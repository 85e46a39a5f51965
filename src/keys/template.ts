import { encodeKeyName, splitExtension } from './safe-name';

export const DEFAULT_KEY_TEMPLATE = '{yyyy}/{mm}/{dd}/{uuid}-{name}';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export interface KeyInput {
  /** The file's name as the user sees it. */
  name: string;
  now: Date;
  uuid: string;
}

/** Leaves a file name at least 124 bytes of a key. */
const MAX_TEMPLATE_BYTES = 900;
/** Longer "extensions" are not worth keeping over the name itself. */
const MAX_KEPT_EXTENSION = 16;

const TOKEN = /\{(\w+)\}/g;
const KNOWN_TOKENS = new Set(['yyyy', 'mm', 'dd', 'hh', 'uuid', 'name', 'ext']);
const utf8 = new TextEncoder();

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Returns a sentence for what is wrong with a template, or `null` if it is usable. */
export function validateKeyTemplate(template: string): string | null {
  if (!template.trim()) return 'The key template is empty.';
  if (template.startsWith('/')) return 'The key template must not start with "/".';
  if (!template.includes('{name}') && !template.includes('{uuid}'))
    return 'The key template needs {name} or {uuid}, or every upload would get the same key.';
  const segments = template.split('/');
  if (segments.some((segment) => segment === ''))
    return 'The key template has an empty folder ("//" or a trailing "/").';
  // Browsers drop "." and ".." from a URL path before sending, so the request would not match its signature.
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return 'The key template cannot have "." or ".." as a folder.';
  if (utf8.encode(template).length > MAX_TEMPLATE_BYTES)
    return `The key template is longer than ${MAX_TEMPLATE_BYTES} bytes; S3 keys end at ${MAX_KEY_BYTES}, and the file name needs room.`;
  for (const [, token] of template.matchAll(TOKEN))
    if (!KNOWN_TOKENS.has(token!)) return `The key template uses an unknown token {${token}}.`;
  return null;
}

/**
 * Renders an object key. Dates are UTC so a key does not depend on where the
 * uploader happens to be. A name too long for S3's 1024-byte key limit loses
 * characters from the end of its stem; its extension is kept.
 */
export function renderKey(template: string, input: KeyInput): string {
  const { now } = input;
  const values = (name: string): Record<string, string> => ({
    yyyy: String(now.getUTCFullYear()),
    mm: pad(now.getUTCMonth() + 1),
    dd: pad(now.getUTCDate()),
    hh: pad(now.getUTCHours()),
    uuid: input.uuid,
    name: encodeKeyName(name),
    ext: encodeKeyName(splitExtension(name).ext.slice(1)),
  });
  const render = (name: string) => template.replace(TOKEN, (whole, token: string) => values(name)[token] ?? whole);

  const fits = (name: string) => utf8.encode(render(name)).length <= MAX_KEY_BYTES;
  if (fits(input.name)) return render(input.name);

  // Too long: keep as much of the stem as fits, then the extension (if it is a real, short one).
  const { stem, ext } = splitExtension(input.name);
  const suffix = ext.length <= MAX_KEPT_EXTENSION ? ext : '';
  const chars = Array.from(suffix ? stem : input.name);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(chars.slice(0, mid).join('') + suffix)) lo = mid;
    else hi = mid - 1;
  }
  const name = chars.slice(0, lo).join('') + suffix;
  if (!fits(name)) throw new RangeError('The key template leaves no room for a name within S3\'s 1024-byte key limit.');
  return render(name);
}
