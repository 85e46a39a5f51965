import { browser } from 'wxt/browser';

/** True in Firefox's toolbar popup, where opening the file dialog would close the popup. */
function pickInTab(): boolean {
  const firefox = typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';
  return firefox && !new URLSearchParams(location.search).has('tab');
}

/**
 * A file-choosing control's click: in Firefox's toolbar popup, which closes
 * when the file dialog opens and loses the choice with it, the dialog does
 * not open and the popup's page opens in a tab to choose there (uploads run
 * in the background page, so the tab may close too). Elsewhere it does nothing.
 */
export function chooseInTab(e: Event): void {
  if (!pickInTab()) return;
  e.preventDefault();
  reopenInTab();
}

/** Opens the popup's page in a tab (where file dialogs and permission prompts work) and closes this popup. */
export function reopenInTab(): void {
  void browser.tabs.create({ url: `${browser.runtime.getURL('/popup.html')}?tab=1` }).then(() => window.close());
}
