import { buildSync } from 'esbuild';
import { join } from 'node:path';

/**
 * Bundles one of `bench/inject/*.ts` (product modules from `src/` plus a few
 * lines that put them on the global scope) into a browser script, to be
 * evaluated over DevTools in the service worker or an extension page of the
 * copied build. So the bench runs the product's own code in the real browser
 * without adding a test hook to any build users could install.
 */
export function browserScript(entry: 'worker-signer' | 'page-multipart'): string {
  const out = buildSync({
    entryPoints: [join(import.meta.dirname, '..', 'inject', `${entry}.ts`)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // Quiet: a failed build throws with its messages.
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}
