// First: Chrome gives offscreen documents no i18n API, so sentences made here come from the English catalog.
import '../../src/i18n/english';
import { browser } from 'wxt/browser';
import { offscreenMessaging, sendMessage } from '../../src/messaging/protocol';
import { isOwnExtensionPage } from '../../src/messaging/sender';
import { copyWithTextarea } from '../../src/clipboard/copy-in-document';
import { hostUploadRunner } from '../../src/upload/runner-host';

// Chrome's offscreen document: the upload runner (it outlives the popup) and the clipboard.
offscreenMessaging.onMessage('offscreenCopy', ({ data, sender }) => {
  // The service worker's sender URL is its script, inside our own origin.
  if (!isOwnExtensionPage(sender, browser.runtime.id, browser.runtime.getURL('/')))
    throw new Error('Refused: only S3 Drop may write the clipboard.');
  return copyWithTextarea(data);
});

hostUploadRunner(
  {
    getSettings: (profileId) => sendMessage('getSettings', profileId),
    planUpload: (file) => sendMessage('planUpload', file),
    signUpload: (request) => sendMessage('signUpload', request),
    shareLink: (request) => sendMessage('shareLink', request),
    recordUpload: (upload) => sendMessage('recordUpload', upload),
    multipartCreate: (request) => sendMessage('multipartCreate', request),
    multipartSignParts: (request) => sendMessage('multipartSignParts', request),
    multipartComplete: (request) => sendMessage('multipartComplete', request),
    multipartAbort: (request) => sendMessage('multipartAbort', request),
  },
  (text) => copyWithTextarea(text),
);
