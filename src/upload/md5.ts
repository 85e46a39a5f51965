/**
 * A streaming MD5, as the part hasher needs it (see part-hash.ts). Two
 * implementations, picked by who runs the upload:
 * - `wasmMd5` (hash-wasm, WebAssembly): about 4× the SDK's JavaScript MD5 in
 *   Chromium (~450 against ~110 MiB/s on the test machine), which is what
 *   keeps a checksummed 1 GiB upload near the speed of an unchecked one. The
 *   upload runner uses it (Chrome's offscreen document, Firefox's background
 *   page).
 * - `sdkMd5` (the AWS SDK's own, already in the background for the join
 *   check): for right-clicked images and screenshots, saved from the
 *   background in one PUT of a few MB, where 5 KB more of WebAssembly in the
 *   service worker would buy nothing.
 */
export interface Md5Hash {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array | Promise<Uint8Array>;
}

/** Makes a fresh hash, one per part or file. */
export type NewMd5 = () => Md5Hash | Promise<Md5Hash>;
