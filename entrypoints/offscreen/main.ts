import { browser } from 'wxt/browser';
import { offscreenMessaging } from '../../src/messaging/protocol';
import { isOwnExtensionPage } from '../../src/messaging/sender';
import { copyWithTextarea } from '../../src/clipboard/copy-in-document';

offscreenMessaging.onMessage('offscreenCopy', ({ data, sender }) => {
  // The service worker's sender URL is its script, inside our own origin.
  if (!isOwnExtensionPage(sender, browser.runtime.id, browser.runtime.getURL('/')))
    throw new Error('Refused: only S3 Drop may write the clipboard.');
  return copyWithTextarea(data);
});
