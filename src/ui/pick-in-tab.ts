import { browser } from 'wxt/browser';

/** True in Firefox's toolbar popup, where opening the file dialog would close the popup. */
export function pickInTab(): boolean {
  const firefox = typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';
  return firefox && !new URLSearchParams(location.search).has('tab');
}
