import type { Browser } from 'wxt/browser';

/** What an end-to-end test may call: the listeners the browser holds for menu clicks and shortcuts. */
export interface ListenersForTests {
  menu(info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab): Promise<unknown> | undefined;
  command(command: string, tab?: Browser.tabs.Tab): Promise<unknown>;
  /** Whether these are the very listeners registered with the browser (tests check before calling). */
  isRegistered(): boolean;
}

/**
 * No test API can click a context menu or press an extension shortcut, so the
 * end-to-end tests call the registered listeners as the browser would. They
 * reach them on the worker's global scope, which pages and content scripts
 * cannot. Only the build made by `npm run build:e2e` (WXT mode `e2e`) calls
 * this: in `npm run build` the call is compiled out, and a test checks that
 * the release bundle has no trace of it.
 */
export function exposeListenersForTests(listeners: ListenersForTests): void {
  (globalThis as { __s3dropListeners?: ListenersForTests }).__s3dropListeners = listeners;
}
