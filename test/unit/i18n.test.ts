import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { en, type MessageKey } from '../../src/i18n/en';
import { formatMessage, placeholderNames, toMessagesJson } from '../../src/i18n/format';
import { t } from '../../src/i18n/t';

/** What Chrome and Firefox do with a messages.json entry and positional substitutions. */
function getMessageLikeBrowsers(json: Record<string, { message: string; placeholders?: Record<string, { content: string }> }>, key: string, subs: string[]): string {
  const entry = json[key];
  if (!entry) return '';
  return entry.message
    .replace(/\$(\w+)\$/g, (whole, name: string) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content;
      if (content === undefined) return whole;
      return content.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
    })
    .replace(/\$\$/g, '$');
}

describe('messages.json made from the English catalog', () => {
  const json = JSON.parse(toMessagesJson(en)) as Parameters<typeof getMessageLikeBrowsers>[0];

  it('has every key, each a valid Chrome message name', () => {
    expect(Object.keys(json)).toEqual(Object.keys(en));
    for (const key of Object.keys(json)) expect(key).toMatch(/^[A-Za-z0-9_@]+$/);
  });

  it('gives, through the browsers’ substitution rules, exactly the text the Node fallback gives', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      const names = placeholderNames(en[key]);
      const params = Object.fromEntries(names.map((n, i) => [n, `<${n} $${i} 100%>`]));
      expect(getMessageLikeBrowsers(json, key, names.map((n) => params[n]!)), key).toBe(formatMessage(en[key], params));
    }
  });

  it('keeps a literal dollar sign and repeats a placeholder used twice', () => {
    const out = JSON.parse(toMessagesJson({ k: 'Costs $5 for {a}, {a} and {b}' })) as Parameters<typeof getMessageLikeBrowsers>[0];
    expect(out.k!.message).toBe('Costs $$5 for $A$, $A$ and $B$');
    expect(out.k!.placeholders).toEqual({ a: { content: '$1' }, b: { content: '$2' } });
    expect(getMessageLikeBrowsers(out, 'k', ['x', 'y'])).toBe('Costs $5 for x, x and y');
  });

  const built = resolve(import.meta.dirname, '../../.output/chrome-mv3');
  // `npm test` builds first; a bare unit run without a build reports this as skipped.
  it.skipIf(!existsSync(`${built}/manifest.json`))('the build ships it as _locales/en/messages.json, and the manifest names its strings from it', () => {
    expect(readFileSync(`${built}/_locales/en/messages.json`, 'utf8')).toBe(toMessagesJson(en));
    const manifest = JSON.parse(readFileSync(`${built}/manifest.json`, 'utf8')) as { name: string; default_locale: string };
    expect(manifest).toMatchObject({ name: '__MSG_ext_name__', default_locale: 'en' });
  });
});

describe('t', () => {
  it('formats the English text outside a browser, and leaves a missing parameter visible', () => {
    expect(t('menu_profileDefault', { name: 'Work' })).toBe('Work (default)');
    expect(t('menu_profileDefault')).toBe('{name} (default)');
  });
});
