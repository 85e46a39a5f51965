import type { UploadHandlers } from '../messaging/protocol';
import type { UploadBackend } from './pipeline';
import { canvasCodec } from '../images/canvas';
import { fileStages } from './file-stages';
import { startUploadRunner } from './runner';
import { xhrTransport } from './xhr-transport';
import { wasmMd5 } from './md5-wasm';
import { idbJournal } from './journal-store';

/** How often a file waiting for the passphrase asks again whether it may start. */
export const UNLOCK_POLL_MS = 1000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Starts the upload runner in this document with XHR (byte progress) and a
 * textarea copy (works unfocused). Each file asks the background to start it,
 * so an edit in Options applies to the next file; while the secrets are
 * locked, a file waits and asks again once a second (Chrome's offscreen
 * document cannot watch storage: one small message).
 */
export function hostUploadRunner(
  backend: UploadBackend & Pick<UploadHandlers, 'fileTreatment'>,
  copy: (text: string) => Promise<boolean> | boolean,
  options: { unlockPollMs?: number; onIdle?(): void } = {},
) {
  const pollMs = options.unlockPollMs ?? UNLOCK_POLL_MS;
  return startUploadRunner({
    backend,
    transport: xhrTransport(),
    // Parts are hashed here at the speed of a fast upload (see md5.ts).
    md5: wasmMd5,
    // The runner cannot read the settings (Chrome's offscreen document has no storage API), and the background
    // decides: a picture's file asks it the profile's choices, then is converted and cleaned here, where its bytes are.
    transforms: fileStages((context) => backend.fileTreatment(context), canvasCodec()),
    copy: async (text) => copy(text),
    whenLocked: (signal) => pause(pollMs, signal),
    // In this origin's IndexedDB, which outlives the browser: a large upload can be resumed after a restart.
    journal: idbJournal(),
  }, options.onIdle ? { onIdle: options.onIdle } : {});
}
