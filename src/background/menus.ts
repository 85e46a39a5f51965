import type { Browser } from 'wxt/browser';
import { t } from '../i18n/t';

export const MENU_SAVE_IMAGE = 'save-image';
export const MENU_SAVE_SCREENSHOT = 'save-screenshot';
export const MENU_SAVE_FULL_PAGE = 'save-full-page';
export const MENU_SAVE_REGION = 'save-region';
export const MENU_EDIT_SCREENSHOT = 'edit-screenshot';
/** Separates an action from the profile it is for in a child item's id: `save-image@<profile id>`. */
const PROFILE_SEPARATOR = '@';

export interface MenuProfile {
  id: string;
  name: string;
}

/**
 * The context menu. With one profile (or none) each action is a single item;
 * with several, each action is a parent with one child per profile, the
 * default first and marked.
 */
export function menuItems(
  manifestVersion: number,
  profiles: readonly MenuProfile[] = [],
  defaultId: string | null = null,
): Browser.contextMenus.CreateProperties[] {
  const toolbar = manifestVersion === 3 ? 'action' : 'browser_action';
  const actions: Browser.contextMenus.CreateProperties[] = [
    { id: MENU_SAVE_IMAGE, title: t('menu_saveImage'), contexts: ['image'] },
    { id: MENU_SAVE_SCREENSHOT, title: t('menu_saveScreenshot'), contexts: ['page', toolbar as Browser.contextMenus.ContextType] },
    { id: MENU_SAVE_FULL_PAGE, title: t('menu_saveFullPage'), contexts: ['page', toolbar as Browser.contextMenus.ContextType] },
    { id: MENU_SAVE_REGION, title: t('menu_saveRegion'), contexts: ['page', toolbar as Browser.contextMenus.ContextType] },
    { id: MENU_EDIT_SCREENSHOT, title: t('menu_editScreenshot'), contexts: ['page', toolbar as Browser.contextMenus.ContextType] },
  ];
  if (profiles.length < 2) return actions;
  const ordered = [...profiles.filter((p) => p.id === defaultId), ...profiles.filter((p) => p.id !== defaultId)];
  return actions.flatMap((parent) => [
    parent,
    ...ordered.map((p) => ({
      id: `${parent.id}${PROFILE_SEPARATOR}${p.id}`,
      parentId: parent.id!,
      title: p.id === defaultId ? t('menu_profileDefault', { name: p.name }) : p.name,
      contexts: parent.contexts!,
    })),
  ]);
}

/** `save-image@abc` → action `save-image`, profile `abc`; a parent or single item has no profile (the default). */
export function parseMenuItemId(id: string | number): { action: string; profileId?: string } {
  const text = String(id);
  const at = text.indexOf(PROFILE_SEPARATOR);
  return at < 0 ? { action: text } : { action: text.slice(0, at), profileId: text.slice(at + 1) };
}

export interface MenuActions {
  saveImage(click: { srcUrl: string; pageUrl?: string; tabId: number; frameId: number; profileId?: string }): Promise<unknown>;
  saveScreenshot(tab: Browser.tabs.Tab, profileId?: string): Promise<unknown>;
  saveFullPage(tab: Browser.tabs.Tab, profileId?: string): Promise<unknown>;
  saveRegion(tab: Browser.tabs.Tab, profileId?: string): Promise<unknown>;
  /** A screenshot that opens in the editor whatever the profile says. */
  editScreenshot(tab: Browser.tabs.Tab, profileId?: string): Promise<unknown>;
}

/** The `contextMenus.onClicked` listener. */
export function createMenuClickListener(actions: MenuActions) {
  return (info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab): Promise<unknown> | undefined => {
    const { action, profileId } = parseMenuItemId(info.menuItemId);
    if (action === MENU_SAVE_IMAGE && info.srcUrl && tab?.id !== undefined)
      return actions.saveImage({
        srcUrl: info.srcUrl,
        ...(info.pageUrl ?? tab.url ? { pageUrl: info.pageUrl ?? tab.url } : {}),
        tabId: tab.id,
        frameId: info.frameId ?? 0,
        ...(profileId ? { profileId } : {}),
      });
    if (action === MENU_SAVE_SCREENSHOT && tab) return profileId ? actions.saveScreenshot(tab, profileId) : actions.saveScreenshot(tab);
    if (action === MENU_SAVE_FULL_PAGE && tab) return profileId ? actions.saveFullPage(tab, profileId) : actions.saveFullPage(tab);
    if (action === MENU_SAVE_REGION && tab) return profileId ? actions.saveRegion(tab, profileId) : actions.saveRegion(tab);
    if (action === MENU_EDIT_SCREENSHOT && tab) return profileId ? actions.editScreenshot(tab, profileId) : actions.editScreenshot(tab);
    return undefined;
  };
}
