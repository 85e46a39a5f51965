import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const REPORTER = join(ROOT, 'test/support/summary-reporter.ts');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/**
 * The closing line is what a CI reader trusts: run Vitest with it on a small
 * folder of test files, made in a temporary directory (outside this project's
 * test globs and type check), with one of each kind of failure.
 */
describe('the closing "N passed, N failed" line', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function run(files: Record<string, string>): { status: number | null; line: string } {
    const dir = mkdtempSync(join(tmpdir(), 's3drop-reporter-'));
    dirs.push(dir);
    const config = { test: { include: ['*.test.js'], globals: true, reporters: [REPORTER] } };
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default ${JSON.stringify(config)};\n`);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const out = spawnSync(process.execPath, [VITEST, 'run', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
    });
    const line = /^Tests: .*$/m.exec(out.stdout)?.[0] ?? `no closing line in:\n${out.stdout}\n${out.stderr}`;
    return { status: out.status, line };
  }

  // Spawns a whole Vitest run: seconds, not the milliseconds of a unit test.
  it('counts a file that does not load and a failing beforeAll as failures', { timeout: 120_000 }, () => {
    const { status, line } = run({
      'passes.test.js': `it('passes', () => {});\n`,
      'fails.test.js': `it('fails', () => { expect(1).toBe(2); });\n`,
      'broken-import.test.js': `import './no-such-module.js';\nit('never runs', () => {});\n`,
      'broken-syntax.test.js': `it('never runs', () => { (;\n`,
      'setup-fails.test.js': `describe('needs a server', () => {\n  beforeAll(() => { throw new Error('the server did not start'); });\n  it('uses it', () => {});\n});\n`,
    });
    expect(status).toBe(1);
    // 1 test failed, 3 errors outside tests (two files that did not load, one beforeAll); the test behind the beforeAll never ran.
    expect(line).toBe('Tests: 1 passed, 4 failed (3 outside any test: a file that did not load, a failing hook or an unhandled error), 1 skipped');
  });

  it('an all-green run says 0 failed', { timeout: 120_000 }, () => {
    const { status, line } = run({ 'passes.test.js': `it('passes', () => {});\nit.skip('later', () => {});\n` });
    expect(status).toBe(0);
    expect(line).toBe('Tests: 1 passed, 0 failed, 1 skipped');
  });
});
