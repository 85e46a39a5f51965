import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
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
    // @ts-expect-error a missing parameter does not compile; should one slip through, it stays visible
    expect(t('menu_profileDefault')).toBe('{name} (default)');
  });
});

const ROOT = resolve(import.meta.dirname, '../..');

/** Every .ts/.tsx file under `dir`, relative to the project. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the English catalog', () => {
  it('has valid Chrome message names, at most 9 placeholders per message ($1–$9), and no spaces at either end', () => {
    for (const [key, text] of Object.entries(en)) {
      expect(key).toMatch(/^[A-Za-z0-9_]+$/);
      expect(placeholderNames(text).length, key).toBeLessThanOrEqual(9);
      // Two names that differ only in case would share one placeholder in messages.json.
      expect(new Set(placeholderNames(text).map((n) => n.toLowerCase())).size, key).toBe(placeholderNames(text).length);
      expect(text.trim(), key).toBe(text);
    }
  });

  const code = [...sources('src'), ...sources('entrypoints'), 'wxt.config.ts']
    .filter((file) => !file.startsWith(join('src', 'i18n')))
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .join('\n');

  it('has every key the code asks t() for', () => {
    const asked = [...code.matchAll(/\bt(?:Rich)?\(\s*'([^']+)'/g)].map((m) => m[1]!);
    expect(asked.length).toBeGreaterThan(100);
    expect(asked.filter((key) => !(key in en))).toEqual([]);
  });

  it('has no key that nothing uses (in code, or as __MSG_key__ in the manifest)', () => {
    const used = new Set([...code.matchAll(/'([A-Za-z0-9]+_[A-Za-z0-9_]+)'|__MSG_([A-Za-z0-9_]+)__/g)].map((m) => m[1] ?? m[2]!));
    expect(Object.keys(en).filter((key) => !used.has(key))).toEqual([]);
  });
});

/** Attributes whose value a user reads or hears. */
const TEXT_ATTRIBUTES = new Set(['label', 'placeholder', 'aria-label', 'aria-description', 'title', 'alt', 'yes', 'question']);
/** Object fields in the pages that end up on screen (status reports, choices, hints). */
const TEXT_FIELDS = new Set(['text', 'label', 'hint', 'message', 'question', 'yes']);
/** Strings with letters that are not language: names, units, and example values. */
const NOT_LANGUAGE = new Set([
  'S3',
  'MiB',
  'https://s3.example.com',
  'https://files.example.com',
  'https://cdn.example.com/',
  'eu-west-1',
  'X-API-Key',
  '2026-11-25T22:15:00Z',
]);

/**
 * Literal text a page would show, found by parsing (not by pattern: an arrow
 * `=>` or a generic `<T>` is not markup): JSX text, literal strings in text
 * attributes, in `{…}` children (through `?:`, `&&`, `||`, `??`) and in
 * `text:`/`label:`/`hint:` fields. A call (`t(…)`) ends the search: its
 * arguments are keys and parameters.
 */
function untranslated(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    if (/[A-Za-z]/.test(text) && !NOT_LANGUAGE.has(text.trim()))
      found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${JSON.stringify(text.trim())}`);
  };
  const literals = (node: ts.Expression): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) report(node, node.text);
    else if (ts.isTemplateExpression(node)) report(node, [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' '));
    else if (ts.isParenthesizedExpression(node)) literals(node.expression);
    else if (ts.isConditionalExpression(node)) {
      literals(node.whenTrue);
      literals(node.whenFalse);
    } else if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) literals(node.left);
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) literals(node.right);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText()) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) report(node, node.initializer.text);
      else if (ts.isJsxExpression(node.initializer) && node.initializer.expression) literals(node.initializer.expression);
      return;
    } else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      literals(node.expression);
    } else if (ts.isPropertyAssignment(node) && TEXT_FIELDS.has(node.name.getText())) literals(node.initializer);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('every user-visible string in the pages goes through the catalog', () => {
  it('finds the kinds of text it guards against', () => {
    const page = `
      const CHOICES = [{ value: 'a', label: 'Always' }, { value: 'b', label: t('x') }];
      export const A = () => (
        <p aria-label="Close" title={\`Open \${name}\`} class="muted" placeholder="X-API-Key">
          Hello {name}
          {busy ? 'Wait…' : t('ready')} {n > 1 && <b>many</b>}
          {list.map((i) => (i > 0 ? i : null))}
        </p>
      );
      set({ tone: 'bad', text: \`\${n} failed\` });`;
    expect(untranslated('page.tsx', page).map((line) => line.replace(/^page\.tsx:\d+: /, ''))).toEqual([
      '"Always"',
      '"Close"',
      '"Open"',
      '"Hello"',
      '"Wait…"',
      '"many"',
      '"failed"',
    ]);
  });

  const pages = [...sources('src/ui'), ...sources('entrypoints')].filter((file) => file.endsWith('.tsx'));

  it.each(pages)('%s has no literal text for the user', (file) => {
    expect(pages.length).toBeGreaterThan(5);
    expect(untranslated(relative(ROOT, join(ROOT, file)), readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });
});
