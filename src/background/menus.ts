import type { Browser } from 'wxt/browser';

export const MENU_SAVE_IMAGE = 'save-image';
export const MENU_SAVE_SCREENSHOT = 'save-screenshot';

/**
 * The context menu. With several profiles (a later issue) each item becomes a
 * parent with one child per profile; the click handler already receives the
 * item id, so only this list and the id parsing change.
 */
export function menuItems(manifestVersion: number): Browser.contextMenus.CreateProperties[] {
  const toolbar = manifestVersion === 3 ? 'action' : 'browser_action';
  return [
    { id: MENU_SAVE_IMAGE, title: 'Save image to S3', contexts: ['image'] },
    { id: MENU_SAVE_SCREENSHOT, title: 'Save screenshot of this page to S3', contexts: ['page', toolbar as Browser.contextMenus.ContextType] },
  ];
}

export interface MenuActions {
  saveImage(click: { srcUrl: string; pageUrl?: string; tabId: number; frameId: number }): Promise<unknown>;
  saveScreenshot(tab: Browser.tabs.Tab): Promise<unknown>;
}

/** The `contextMenus.onClicked` listener. */
export function createMenuClickListener(actions: MenuActions) {
  return (info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab): Promise<unknown> | undefined => {
    if (info.menuItemId === MENU_SAVE_IMAGE && info.srcUrl && tab?.id !== undefined)
      return actions.saveImage({
        srcUrl: info.srcUrl,
        ...(info.pageUrl ?? tab.url ? { pageUrl: info.pageUrl ?? tab.url } : {}),
        tabId: tab.id,
        frameId: info.frameId ?? 0,
      });
    if (info.menuItemId === MENU_SAVE_SCREENSHOT && tab) return actions.saveScreenshot(tab);
    return undefined;
  };
}
