import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The Firefox package as addons.mozilla.org sees it: `web-ext lint` clean
 * (no errors, no warnings, without --self-hosted), the strict extension CSP in
 * both manifests, and `wxt zip -b firefox` making the add-on zip plus a sources
 * zip that rebuilds the very same add-on. `npm test` builds both browsers first.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const OUTPUT = join(ROOT, '.output');
const FIREFOX_BUILD = join(OUTPUT, 'firefox-mv2');
const CHROME_BUILD = join(OUTPUT, 'chrome-mv3');
const BIN = join(ROOT, 'node_modules/.bin');
const GECKO_ID = 's3-drop@s3drop.dev';

/** Directive → sources; the policy WXT must write into both manifests. */
const CSP: Record<string, string[]> = {
  // The extension's own scripts, and compiling the WebAssembly MD5 it ships (the upload runner's part hashes).
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Child processes get the machine's environment without Vitest's NODE_ENV=test
 * (a Vite build under it is a different build) and without web-ext's update check.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_UPDATE_NOTIFIER: '1' };
  delete env.NODE_ENV;
  return env;
}

/** Runs a binary from node_modules/.bin and collects its output (killed after `timeout` ms). */
function run(cmd: string, args: string[], cwd = ROOT, timeout = 150_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(join(BIN, cmd), args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

function readManifest(buildDir: string): Record<string, any> {
  const path = join(buildDir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${relative(ROOT, path)} is missing: run \`npx wxt build && npx wxt build -b firefox\` first.`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
}

function parseCsp(policy: unknown): Record<string, string[]> {
  expect(typeof policy, 'content_security_policy').toBe('string');
  return Object.fromEntries(
    (policy as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** Every file under dir, relative, with forward slashes. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split('\\').join('/')],
  );
}

/** The files of a zip (stored or deflated, as WXT writes them), read from its central directory. */
function readZip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${path}: no end of central directory`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + size);
    if (method !== 0 && method !== 8) throw new Error(`${path}: ${name} uses compression method ${method}`);
    files.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
  }
  return files;
}

interface LintMessage {
  code: string;
  message: string;
  description?: string | string[];
  file?: string;
  line?: number;
  column?: number;
}

describe('Firefox package for addons.mozilla.org', () => {
  it('both manifests carry the strict extension CSP', () => {
    const chrome = readManifest(CHROME_BUILD);
    const firefox = readManifest(FIREFOX_BUILD);
    // MV3 takes an object; WXT writes MV2's string form for Firefox.
    const policies = { chrome: parseCsp(chrome.content_security_policy?.extension_pages), firefox: parseCsp(firefox.content_security_policy) };
    for (const [browser, csp] of Object.entries(policies)) {
      // Exactly these directives: images, fetches and styles stay open (presigned S3 thumbnails, any S3 endpoint).
      expect(csp, browser).toEqual(CSP);
    }
  });

  it('the Firefox manifest has a Gecko id and no Chrome-only offscreen permission', () => {
    const firefox = readManifest(FIREFOX_BUILD);
    expect(firefox.manifest_version).toBe(2);
    expect(firefox.browser_specific_settings?.gecko?.id).toBe(GECKO_ID);
    expect(firefox.permissions).not.toContain('offscreen');
    expect(readManifest(CHROME_BUILD).permissions).toContain('offscreen');
  });

  it('takes over no browser page: the upload history is a page of its own, not the browser’s history', () => {
    for (const build of [CHROME_BUILD, FIREFOX_BUILD]) {
      const manifest = readManifest(build) as Record<string, unknown>;
      expect(manifest.chrome_url_overrides, build).toBeUndefined();
      expect(existsSync(join(build, 'uploads.html')), build).toBe(true);
    }
  });

  it('web-ext lint (as for AMO, not self-hosted) finds no errors and no warnings', { timeout: 120_000 }, async () => {
    readManifest(FIREFOX_BUILD);
    // Works offline: addons-linter carries its schemas and rules.
    const { status, stdout, stderr } = await run('web-ext', [
      'lint',
      '--source-dir',
      FIREFOX_BUILD,
      '--output',
      'json',
      '--no-config-discovery',
      '--no-input',
    ]);
    let report: {
      summary: { errors: number; warnings: number; notices: number };
      errors: LintMessage[];
      warnings: LintMessage[];
      notices: LintMessage[];
      metadata: { id?: string; totalScannedFileSize?: number };
    };
    try {
      report = JSON.parse(stdout);
    } catch {
      throw new Error(`web-ext lint printed no JSON report (exit ${status}):\n${stdout}\n${stderr}`);
    }
    const show = (list: LintMessage[]) =>
      list.map((m) => `${m.code} ${m.file ?? ''}${m.line ? `:${m.line}:${m.column ?? ''}` : ''} ${m.message}`);
    if (report.notices.length) console.info(`web-ext lint notices:\n${show(report.notices).join('\n')}`);
    // It really read this add-on.
    expect(report.metadata.id).toBe(GECKO_ID);
    expect(report.metadata.totalScannedFileSize).toBeGreaterThan(0);
    expect({ errors: show(report.errors), warnings: show(report.warnings) }).toEqual({ errors: [], warnings: [] });
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(status).toBe(0);
  });

  describe('wxt zip -b firefox', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const addonZip = join(OUTPUT, `s3-drop-${version}-firefox.zip`);
    const sourcesZip = join(OUTPUT, `s3-drop-${version}-sources.zip`);
    const work = mkdtempSync(join(tmpdir(), 's3drop-amo-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it(
      'makes the add-on zip and a sources zip without tests, build output or node_modules, which rebuild the same add-on',
      { timeout: 240_000 },
      async () => {
        rmSync(addonZip, { force: true });
        rmSync(sourcesZip, { force: true });
        // The same command as `npm run zip:firefox` (it rebuilds .output/firefox-mv2 identically).
        const zip = await run('wxt', ['zip', '-b', 'firefox']);
        expect(zip.status, `${zip.stdout}\n${zip.stderr}`).toBe(0);

        const addon = readZip(addonZip);
        expect([...addon.keys()].sort()).toEqual(listFiles(FIREFOX_BUILD).sort());
        for (const [name, bytes] of addon) expect(bytes.equals(readFileSync(join(FIREFOX_BUILD, name))), name).toBe(true);

        const sources = readZip(sourcesZip);
        const names = [...sources.keys()];
        for (const needed of ['package.json', 'package-lock.json', 'wxt.config.ts', 'tsconfig.json', 'README.md', 'entrypoints/background.ts']) {
          expect(names, needed).toContain(needed);
        }
        expect(names.some((n) => n.startsWith('src/')), 'src/').toBe(true);
        expect(names.some((n) => n.startsWith('public/')), 'public/').toBe(true);
        // Only the build's inputs: no node_modules, .output, test-results, tests, bench, docs, dotfiles or stray files.
        const topLevel = new Set(['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'wxt.config.ts']);
        const unwanted = names.filter(
          (n) => !(topLevel.has(n) || /^(entrypoints|src|public)\//.test(n)) || n.split('/').some((part) => part.startsWith('.') || part === 'node_modules'),
        );
        expect(unwanted).toEqual([]);

        // What a reviewer does: unpack, install (here: this checkout's node_modules), build, compare.
        const tree = join(work, 'sources');
        for (const [name, bytes] of sources) {
          mkdirSync(dirname(join(tree, name)), { recursive: true });
          writeFileSync(join(tree, name), bytes);
        }
        symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
        const build = await run('wxt', ['build', '-b', 'firefox'], tree);
        expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
        const rebuilt = join(tree, '.output/firefox-mv2');
        expect(listFiles(rebuilt).sort()).toEqual([...addon.keys()].sort());
        const differing = [...addon].filter(([name, bytes]) => !bytes.equals(readFileSync(join(rebuilt, name)))).map(([name]) => name);
        expect(differing).toEqual([]);
      },
    );
  });
});
