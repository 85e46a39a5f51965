import { createMD5 } from 'hash-wasm';
import type { NewMd5 } from './md5';

/**
 * hash-wasm's MD5 (WebAssembly, compiled once and shared by every instance):
 * see md5.ts for why the upload runner uses it. Needs `'wasm-unsafe-eval'`
 * in the extension pages' CSP, which allows compiling the extension's own
 * WebAssembly and nothing else (no `eval`, no remote code).
 */
export const wasmMd5: NewMd5 = async () => {
  const hash = await createMD5();
  hash.init();
  return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('binary') };
};
