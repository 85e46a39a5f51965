import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../support/extension';
import { randomFile } from '../support/resume';

const MiB = 1024 * 1024;
/** The part size S3 Drop picks for files from 128 MiB up. */
const PART = 64 * MiB;
/** Long enough for a 64 MiB part read and hashed many times over on a loaded machine; a stalled read never ends. */
const STALLED_AFTER_MS = 60_000;

/** `md5Base64` and the WebAssembly MD5 the runner passes it, bundled from src/ for a plain page (no test hook in any build). */
function hashingScript(): string {
  const out = buildSync({
    stdin: {
      contents: `import { md5Base64 } from './src/upload/part-hash';
import { wasmMd5 } from './src/upload/md5-wasm';
globalThis.__hash = (blob) => md5Base64(blob, wasmMd5);`,
      resolveDir: join(import.meta.dirname, '..', '..'),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/**
 * The runner hashes every part of a large upload while Chromium collects
 * garbage around it. Chromium may collect a Blob's stream while a read into
 * the hash's own buffer is pending, and the read then never settles: 1 GiB
 * uploads stopped for good partway through in the bench. Forcing the
 * collector every few milliseconds makes that happen at once, so this checks
 * in seconds what otherwise shows after several GiB.
 */
describe('hashing a part while the garbage collector runs, Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let md5: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    dir = mkdtempSync(join(tmpdir(), 's3drop-hash-gc-'));
    const path = join(dir, 'part.bin');
    await randomFile(path, PART);
    md5 = createHash('md5').update(readFileSync(path)).digest('base64');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--js-flags=--expose-gc'] });
    page = await browser.newPage();
    await page.setContent('<!doctype html><title>part</title><input type="file" aria-label="part">');
    await page.getByLabel('part').setInputFiles(path);
    await page.addScriptTag({ content: hashingScript() });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads into one reused buffer here (the path that stalled), so the test below tests it', async () => {
    const byob = await page.evaluate(() => {
      const file = document.querySelector('input')!.files![0]!;
      try {
        file.stream().getReader({ mode: 'byob' }).releaseLock();
        return true;
      } catch {
        return false;
      }
    });
    expect(byob).toBe(true);
  });

  it('a 64 MiB part hashed 4 times with the collector forced every 5 ms: every hash finishes and is right', { timeout: STALLED_AFTER_MS + 60_000 }, async () => {
    const results = await page.evaluate(
      async ({ times, stalledAfter }) => {
        const w = window as unknown as { gc(): void; __hash(blob: Blob): Promise<string> };
        const file = document.querySelector('input')!.files![0]!;
        const collector = setInterval(() => w.gc(), 5);
        try {
          const out: string[] = [];
          for (let i = 0; i < times; i++) {
            out.push(await Promise.race([w.__hash(file), new Promise<string>((resolve) => setTimeout(() => resolve('stalled'), stalledAfter))]));
            if (out[i] === 'stalled') break;
          }
          return out;
        } finally {
          clearInterval(collector);
        }
      },
      { times: 4, stalledAfter: STALLED_AFTER_MS },
    );
    expect(results).toEqual([md5, md5, md5, md5]);
  });
});
