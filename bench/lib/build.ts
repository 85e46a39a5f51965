import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The release build: what users install, so bundle sizes are measured here. */
export const BUILD_DIR = join(ROOT, '.output', 'chrome-mv3');
/** The test build (`npm run build:e2e`), which the browser rows drive: only it exposes the menu listener. */
export const E2E_BUILD_DIR = join(ROOT, '.output', 'chrome-mv3-e2e');

/** Everything the Chrome build is made from. */
const SOURCES = ['entrypoints', 'src', 'public', 'wxt.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why a build must be (re)made, or null when it is newer than every source. */
export function staleBuildReason(dir = BUILD_DIR): string | null {
  const manifest = join(dir, 'manifest.json');
  const name = dir.slice(ROOT.length + 1);
  if (!existsSync(manifest)) return `no build in ${name}`;
  const built = statSync(manifest).mtimeMs;
  const newer = SOURCES.find((s) => newestMtime(join(ROOT, s)) > built);
  return newer ? `${newer} changed since ${name} was built` : null;
}

/** Runs `npx wxt build` (release, then the test build) for each Chrome build that is missing or older than its sources. */
export function ensureBuild(log: (line: string) => void): void {
  for (const [dir, args] of [
    [BUILD_DIR, ['wxt', 'build']],
    [E2E_BUILD_DIR, ['wxt', 'build', '--mode', 'e2e']],
  ] as const) {
    const reason = staleBuildReason(dir);
    if (!reason) {
      log(`build: ${dir.slice(ROOT.length + 1)} is up to date`);
      continue;
    }
    log(`build: ${reason} → npx ${args.join(' ')}`);
    // Vitest (bench-smoke) sets NODE_ENV=test, under which Vite makes a different build than `npm run build`.
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const res = spawnSync('npx', [...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`npx ${args.join(' ')} failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
}
