import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** gzip -9 of one file, in bytes. */
export function gzippedSize(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

/** Relative module specifiers a built JS file loads statically (`import … from "./x.js"`, `import "./x.js"`). */
function staticImports(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\bimport\s*(?:[\w$*{}\s,]+\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimportScripts\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The files a page or script loads, following static imports; paths relative to the build dir. */
export function closure(buildDir: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = posix.normalize(queue.pop()!.replace(/^\//, ''));
    if (seen.has(file)) continue;
    const path = join(buildDir, file);
    if (!existsSync(path)) throw new Error(`${file} is referenced but missing from ${buildDir}`);
    seen.add(file);
    if (file.endsWith('.js')) {
      for (const spec of staticImports(readFileSync(path, 'utf8'))) queue.push(posix.join(posix.dirname(file), spec));
    }
  }
  return [...seen].sort();
}

/** Scripts, module preloads and stylesheets an HTML page loads. */
export function pageAssets(buildDir: string, html: string): string[] {
  const text = readFileSync(join(buildDir, html), 'utf8');
  const refs: string[] = [];
  for (const m of text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.push(m[1]!);
  for (const m of text.matchAll(/<link\b[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*\bhref="([^"]+)"/g)) refs.push(m[1]!);
  for (const m of text.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:stylesheet|modulepreload)"/g)) refs.push(m[1]!);
  return refs.filter((r) => !/^[a-z]+:/i.test(r)).map((r) => (r.startsWith('/') ? r : posix.join(dirname(html), r)));
}

export interface BundleSize {
  files: { file: string; gzip: number }[];
  total: number;
}

export function measure(buildDir: string, entries: string[]): BundleSize {
  const files = closure(buildDir, entries).map((file) => ({ file, gzip: gzippedSize(join(buildDir, file)) }));
  return { files, total: files.reduce((s, f) => s + f.gzip, 0) };
}

/** The background: its script (from the manifest) and every chunk it imports. */
export function backgroundSize(buildDir: string): BundleSize {
  const manifest = JSON.parse(readFileSync(join(buildDir, 'manifest.json'), 'utf8')) as {
    background?: { service_worker?: string; scripts?: string[] };
  };
  const entries = manifest.background?.service_worker ? [manifest.background.service_worker] : (manifest.background?.scripts ?? []);
  if (!entries.length) throw new Error('the manifest names no background script');
  return measure(buildDir, entries);
}

/** The popup: popup.html's scripts, preloads and CSS, with the shared chunks they import. */
export function popupSize(buildDir: string): BundleSize {
  return measure(buildDir, pageAssets(buildDir, 'popup.html'));
}
