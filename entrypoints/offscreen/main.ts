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

const runner = hostUploadRunner(
  {
    fileTreatment: (request) => sendMessage('fileTreatment', request),
    startUpload: (request) => sendMessage('startUpload', request),
    signPut: (ticket) => sendMessage('signPut', ticket),
    signParts: (request) => sendMessage('signParts', request),
    finishUpload: (request) => sendMessage('finishUpload', request),
    abortUpload: (ticket) => sendMessage('abortUpload', ticket),
    resumeUpload: (request) => sendMessage('resumeUpload', request),
    listParts: (ticket) => sendMessage('listParts', ticket),
  },
  (text) => copyWithTextarea(text),
  // Nothing left to do here: the background may close this document.
  { onIdle: () => void sendMessage('runnerIdle').catch(() => {}) },
);

offscreenMessaging.onMessage('runnerBusy', ({ sender }) => {
  if (!isOwnExtensionPage(sender, browser.runtime.id, browser.runtime.getURL('/'))) throw new Error('Refused: only S3 Drop may ask.');
  return runner.busy();
});
