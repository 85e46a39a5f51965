import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BUILD_DIR = join(ROOT, '.output', 'chrome-mv3');

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

/** Why the build must be (re)made, or null when `.output/chrome-mv3` is newer than every source. */
export function staleBuildReason(): string | null {
  const manifest = join(BUILD_DIR, 'manifest.json');
  if (!existsSync(manifest)) return 'no build in .output/chrome-mv3';
  const built = statSync(manifest).mtimeMs;
  const newer = SOURCES.find((s) => newestMtime(join(ROOT, s)) > built);
  return newer ? `${newer} changed since the last build` : null;
}

/** Runs `npx wxt build` when the Chrome build is missing or older than its sources. */
export function ensureBuild(log: (line: string) => void): void {
  const reason = staleBuildReason();
  if (!reason) {
    log('build: .output/chrome-mv3 is up to date');
    return;
  }
  log(`build: ${reason} → npx wxt build`);
  // Vitest (bench-smoke) sets NODE_ENV=test, under which Vite makes a different build than `npm run build`.
  const { NODE_ENV: _testEnv, ...env } = process.env;
  const res = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npx wxt build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
}
