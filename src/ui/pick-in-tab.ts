import { browser } from 'wxt/browser';

/** True in Firefox's toolbar popup, where opening the file dialog would close the popup. */
export function pickInTab(): boolean {
  const firefox = typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';
  return firefox && !new URLSearchParams(location.search).has('tab');
}

/** Opens the popup's page in a tab (where file dialogs and permission prompts work) and closes this popup. */
export function reopenInTab(): void {
  void browser.tabs.create({ url: `${browser.runtime.getURL('/popup.html')}?tab=1` }).then(() => window.close());
}
