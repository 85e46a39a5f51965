import type { Browser } from 'wxt/browser';
import { describe, expect, it, vi } from 'vitest';
import { createMenuClickListener, MENU_SAVE_IMAGE, MENU_SAVE_SCREENSHOT, menuItems, type MenuActions } from '../../src/background/menus';

const tab = (over: Partial<Browser.tabs.Tab> = {}): Browser.tabs.Tab =>
  ({ id: 5, index: 0, windowId: 1, url: 'https://example.com/tab-page', active: true, pinned: false, highlighted: true, incognito: false, ...over }) as Browser.tabs.Tab;

const info = (over: Partial<Browser.contextMenus.OnClickData>): Browser.contextMenus.OnClickData => ({
  menuItemId: MENU_SAVE_IMAGE,
  editable: false,
  ...over,
});

function setup() {
  const saveImage = vi.fn<MenuActions['saveImage']>(async () => 'image-saved');
  const saveScreenshot = vi.fn<MenuActions['saveScreenshot']>(async () => 'screenshot-saved');
  return { saveImage, saveScreenshot, listener: createMenuClickListener({ saveImage, saveScreenshot }) };
}

describe('menuItems', () => {
  it('has the image item and the screenshot item on the page and the MV3 action', () => {
    expect(menuItems(3)).toEqual([
      { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
      { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'action'] },
    ]);
  });

  it('uses browser_action for the toolbar context under MV2', () => {
    expect(menuItems(2)).toEqual([
      { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
      { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'browser_action'] },
    ]);
  });

  it('uses the ids the click listener dispatches on, each once', () => {
    const ids = menuItems(3).map((item) => item.id);
    expect(ids).toEqual([MENU_SAVE_IMAGE, MENU_SAVE_SCREENSHOT]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('createMenuClickListener', () => {
  it('saves the clicked image with its page URL, tab and frame, and returns the action promise', async () => {
    const { listener, saveImage, saveScreenshot } = setup();
    const result = listener(info({ srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/article', frameId: 4 }), tab({ id: 9 }));
    await expect(result).resolves.toBe('image-saved');
    expect(saveImage.mock.calls).toEqual([[{ srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/article', tabId: 9, frameId: 4 }]]);
    expect(saveScreenshot).not.toHaveBeenCalled();
  });

  it('falls back to the tab URL for the page and to frame 0', () => {
    const { listener, saveImage } = setup();
    listener(info({ srcUrl: 'https://cdn.example.com/cat.png' }), tab({ id: 3, url: 'https://example.com/tab-page' }));
    expect(saveImage.mock.calls).toEqual([[{ srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/tab-page', tabId: 3, frameId: 0 }]]);
  });

  it('omits pageUrl when neither the click nor the tab has one', () => {
    const { listener, saveImage } = setup();
    const withoutUrl = tab({ id: 3 });
    delete withoutUrl.url;
    listener(info({ srcUrl: 'data:image/png;base64,AAAA' }), withoutUrl);
    expect(saveImage).toHaveBeenCalledTimes(1);
    expect(saveImage.mock.calls[0]![0]).toEqual({ srcUrl: 'data:image/png;base64,AAAA', tabId: 3, frameId: 0 });
    expect(saveImage.mock.calls[0]![0]).not.toHaveProperty('pageUrl');
  });

  it('keeps tab id 0 and frame id 0 as real ids', () => {
    const { listener, saveImage } = setup();
    listener(info({ srcUrl: 'https://example.com/a.png', frameId: 0 }), tab({ id: 0 }));
    expect(saveImage.mock.calls[0]![0]).toMatchObject({ tabId: 0, frameId: 0 });
  });

  it('saves a screenshot of the tab', async () => {
    const { listener, saveImage, saveScreenshot } = setup();
    const t = tab({ id: 11 });
    await expect(listener(info({ menuItemId: MENU_SAVE_SCREENSHOT }), t)).resolves.toBe('screenshot-saved');
    expect(saveScreenshot).toHaveBeenCalledTimes(1);
    expect(saveScreenshot.mock.calls[0]![0]).toBe(t);
    expect(saveImage).not.toHaveBeenCalled();
  });

  it('ignores unknown items, clicks without a tab, and image clicks without a tab id or image URL', () => {
    const { listener, saveImage, saveScreenshot } = setup();
    expect(listener(info({ menuItemId: 'something-else', srcUrl: 'https://example.com/a.png' }), tab())).toBeUndefined();
    expect(listener(info({ menuItemId: 42, srcUrl: 'https://example.com/a.png' }), tab())).toBeUndefined();
    expect(listener(info({ srcUrl: 'https://example.com/a.png' }), undefined)).toBeUndefined();
    const noId = tab();
    delete noId.id;
    expect(listener(info({ srcUrl: 'https://example.com/a.png' }), noId)).toBeUndefined();
    expect(listener(info({}), tab())).toBeUndefined();
    expect(listener(info({ srcUrl: '' }), tab())).toBeUndefined();
    expect(listener(info({ menuItemId: MENU_SAVE_SCREENSHOT }), undefined)).toBeUndefined();
    expect(saveImage).not.toHaveBeenCalled();
    expect(saveScreenshot).not.toHaveBeenCalled();
  });
});
