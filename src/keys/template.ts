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
  if (template.split('/').some((segment) => segment === ''))
    return 'The key template has an empty folder ("//" or a trailing "/").';
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

  let key = render(input.name);
  if (utf8.encode(key).length <= MAX_KEY_BYTES) return key;
  const { stem, ext } = splitExtension(input.name);
  const chars = Array.from(stem);
  while (chars.length > 1 && utf8.encode(key).length > MAX_KEY_BYTES) {
    chars.pop();
    key = render(chars.join('') + ext);
  }
  return key;
}
