import { browser } from 'wxt/browser';
import { offscreenMessaging } from '../messaging/protocol';
import { copyWithTextarea } from './copy-in-document';

/** The slice of Chrome's `offscreen` API we use (not in the polyfill's types). */
interface OffscreenApi {
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?(): Promise<boolean>;
}

function offscreenApi(): OffscreenApi | undefined {
  return (globalThis as { chrome?: { offscreen?: OffscreenApi } }).chrome?.offscreen;
}

let creating: Promise<void> | undefined;

async function ensureOffscreenDocument(api: OffscreenApi): Promise<void> {
  if (await api.hasDocument?.()) return;
  // Two copies at once must not both create it: Chrome allows one offscreen document.
  creating ??= api
    .createDocument({
      url: browser.runtime.getURL('/offscreen.html'),
      reasons: ['CLIPBOARD'],
      justification: 'Put the share link on the clipboard after an upload started from the context menu.',
    })
    .catch((err: unknown) => {
      if (!/single offscreen document/i.test(String(err))) throw err;
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}

/**
 * Puts text on the clipboard from the background, with no page open.
 * Chrome: the service worker has no clipboard, so an offscreen document does
 * it. Firefox: the background page has a DOM and `clipboardWrite`.
 */
export async function copyFromBackground(text: string): Promise<boolean> {
  const api = offscreenApi();
  if (api) {
    await ensureOffscreenDocument(api);
    return offscreenMessaging.sendMessage('offscreenCopy', text);
  }
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return typeof document !== 'undefined' && copyWithTextarea(text);
  }
}
