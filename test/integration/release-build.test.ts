import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const OUTPUT = resolve(import.meta.dirname, '../../.output');
/** The name the test build gives the listeners on the worker's global scope (src/background/test-hooks.ts). */
const HOOK = '__s3dropListeners';

function filesWith(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesWith(path, needle));
    else if (readFileSync(path).includes(needle)) found.push(path.slice(OUTPUT.length + 1));
  }
  return found;
}

/**
 * Hooks for tests exist only in the test build (`npm run build:e2e`); what
 * `npm run build` makes, and users install, has no trace of them. `npm test`
 * makes all four builds before this runs.
 */
describe('no test code in releases', () => {
  it.each(['chrome-mv3', 'firefox-mv2'])('the release build %s has no test hook', (dir) => {
    expect(filesWith(join(OUTPUT, dir), HOOK)).toEqual([]);
    expect(filesWith(join(OUTPUT, dir), 'exposeListenersForTests')).toEqual([]);
  });

  it.each(['chrome-mv3-e2e', 'firefox-mv2-e2e'])('the test build %s has it, in the background only (so the search above can find it)', (dir) => {
    expect(filesWith(join(OUTPUT, dir), HOOK)).toEqual([`${dir}/background.js`]);
  });
});
