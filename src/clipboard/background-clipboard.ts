import { offscreenMessaging } from '../messaging/protocol';
import { copyWithTextarea } from './copy-in-document';
import type { OffscreenDocument } from '../background/offscreen';

/**
 * Puts text on the clipboard from the background, with no page open.
 * Chrome: the service worker has no clipboard, so the offscreen document does
 * it (opened for the copy, closed after if nothing else needs it). Firefox:
 * the background page has a DOM and `clipboardWrite`.
 */
export function backgroundCopier(offscreen: OffscreenDocument | undefined): (text: string) => Promise<boolean> {
  if (offscreen) return (text) => offscreen.use(() => offscreenMessaging.sendMessage('offscreenCopy', text));
  return async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return typeof document !== 'undefined' && copyWithTextarea(text);
    }
  };
}
