import { offscreenMessaging } from '../messaging/protocol';
import { copyWithTextarea } from './copy-in-document';
import { ensureOffscreenDocument, offscreenApi } from '../background/offscreen';

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
