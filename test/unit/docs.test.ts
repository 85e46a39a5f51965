import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documents' own rules: the README is for users and stays short, no
 * document sends a reader outside the repository (a link that leaves it rots,
 * or points at notes nobody else has), every link between documents lands on
 * a file and heading that exist, and an insider's word for the team service's
 * design appears nowhere a user or a document reader would meet it.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const README_MAX_BYTES = 14 * 1024;

/** Every file under `dir` (relative to the repository), recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const DOCS = ['README.md', 'CONTRIBUTING.md', 'bench/README.md', ...filesUnder('docs').filter((f) => f.endsWith('.md'))];

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The text a reader sees as prose: fenced code blocks dropped, inline code spans emptied. */
function prose(markdown: string): string {
  const withoutFences = markdown.replace(/^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, '');
  return withoutFences.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '``');
}

/** Markdown link and image targets, as written. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const headings = prose(read(file)).match(/^#{1,6} .*$/gm) ?? [];
  return new Set(headings.map((h) => slug(h.replace(/^#+ /, ''))));
}

describe('the documents', () => {
  it('finds the documents it checks', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'bench/README.md', join('docs', 'architecture.md'), join('docs', 'team-mode.md')]));
  });

  it('keeps the README within 14 KiB', () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it("keeps `npm test` as the README's test command, the one CI runs", () => {
    expect(read('README.md')).toMatch(/^```sh\nnpm test\n```$/m);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });

  it.each(DOCS)('%s has no address outside the repository outside code blocks', (file) => {
    const text = prose(read(file));
    expect(text.match(/[^\n]*(?:https?:|ftp:|mailto:|\]\(\/\/)[^\n]*/gi) ?? []).toEqual([]);
  });

  it.each(DOCS)('%s links only to files and headings that exist in the repository', (file) => {
    const broken: string[] = [];
    for (const target of linkTargets(read(file))) {
      const [path = '', anchor] = target.split('#', 2);
      const resolved = path ? resolve(ROOT, dirname(file), decodeURIComponent(path)) : join(ROOT, file);
      const inside = !relative(ROOT, resolved).startsWith('..') && (resolved === ROOT || resolved.startsWith(ROOT + sep));
      if (!inside || !existsSync(resolved)) {
        broken.push(`${target}: no such file in the repository`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchorsOf(relative(ROOT, resolved)).has(anchor)) broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it('finds links where they are, and none inside code', () => {
    const sample = 'See [a](docs/a.md#x) and ![b](images/b.png "B").\n```sh\n[c](http://example.invalid)\n```\n`[d](e.md)`';
    expect(linkTargets(sample)).toEqual(['docs/a.md#x', 'images/b.png']);
    expect(slug('5. Where this differs from the first design, and why')).toBe('5-where-this-differs-from-the-first-design-and-why');
    expect(slug('Part sizes (`bench/part-sizes.ts`)')).toBe('part-sizes-benchpart-sizests');
  });

  it('never says "seed" in src/, README.md, docs/ or bench/', () => {
    const files = ['README.md', ...filesUnder('src'), ...filesUnder('docs'), ...filesUnder('bench')];
    const hits = files.flatMap((file) => {
      const bytes = readFileSync(join(ROOT, file));
      if (bytes.includes(0)) return []; // images and other binary files
      return bytes
        .toString('utf8')
        .split('\n')
        .flatMap((line, i) => (/\bseed\b/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
    });
    expect(files.length).toBeGreaterThan(50);
    expect(hits).toEqual([]);
  });
});
