import { browser } from 'wxt/browser';

/** The slice of Chrome's `offscreen` API we use (not in the polyfill's types). */
interface OffscreenApi {
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?(): Promise<boolean>;
}

/** Chrome's offscreen API; undefined in Firefox, whose background page has a DOM of its own. */
export function offscreenApi(): OffscreenApi | undefined {
  return (globalThis as { chrome?: { offscreen?: OffscreenApi } }).chrome?.offscreen;
}

let creating: Promise<void> | undefined;

/**
 * Makes sure the one offscreen document exists. It hosts the upload runner
 * (Blobs that outlive the popup) and copies to the clipboard (no focus needed).
 */
export async function ensureOffscreenDocument(api: OffscreenApi): Promise<void> {
  if (await api.hasDocument?.()) return;
  // Two callers at once must not both create it: Chrome allows one offscreen document.
  creating ??= api
    .createDocument({
      url: browser.runtime.getURL('/offscreen.html'),
      reasons: ['BLOBS', 'CLIPBOARD'],
      justification: 'Keep uploads running after the popup closes, and put share links on the clipboard.',
    })
    .catch((err: unknown) => {
      if (!/single offscreen document/i.test(String(err))) throw err;
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}
