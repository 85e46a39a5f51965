/**
 * The one message format: English source text with named placeholders,
 * `{bucket}`. In the browser a message is looked up by key with
 * `i18n.getMessage`, whose placeholders are positional ($1…$9): the names in
 * alphabetical order decide the positions, so a caller needs only its
 * parameters, not the English text, to look a message up. Pure, so it is tested in Node.
 */

const PLACEHOLDER = /\{(\w+)\}/g;

export type MessageParams = Record<string, string | number>;

/** Placeholder names in position order ($1, $2…): alphabetical. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** Parameters as `getMessage` substitutions: values in the alphabetical order of their names. */
export function substitutions(params: MessageParams = {}): string[] {
  return Object.keys(params)
    .sort()
    .map((name) => String(params[name]));
}

/** Fills `{name}` placeholders; a missing parameter stays visible as `{name}` so it is noticed. */
export function formatMessage(text: string, params: MessageParams = {}): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

interface ChromeMessage {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

/**
 * A catalog as `_locales/<lang>/messages.json`: `{bucket}` becomes `$BUCKET$`
 * with `content: "$1"`, and a literal `$` is doubled, as Chrome and Firefox
 * expect.
 */
export function toMessagesJson(catalog: Readonly<Record<string, string>>): string {
  const out: Record<string, ChromeMessage> = {};
  for (const [key, text] of Object.entries(catalog)) {
    const names = placeholderNames(text);
    const message = text.replace(/\$/g, '$$$$').replace(PLACEHOLDER, (_, name: string) => `$${name.toUpperCase()}$`);
    out[key] = {
      message,
      ...(names.length ? { placeholders: Object.fromEntries(names.map((n, i) => [n.toLowerCase(), { content: `$${i + 1}` }])) } : {}),
    };
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}
