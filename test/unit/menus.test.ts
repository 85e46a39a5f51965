import type { Browser } from 'wxt/browser';
import { describe, expect, it, vi } from 'vitest';
import {
  createMenuClickListener,
  MENU_EDIT_SCREENSHOT,
  MENU_SAVE_FULL_PAGE,
  MENU_SAVE_IMAGE,
  MENU_SAVE_REGION,
  MENU_SAVE_SCREENSHOT,
  menuItems,
  parseMenuItemId,
  type MenuActions,
  type MenuProfile,
} from '../../src/background/menus';

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
  const saveFullPage = vi.fn<MenuActions['saveFullPage']>(async () => 'full-page-saved');
  const saveRegion = vi.fn<MenuActions['saveRegion']>(async () => 'region-saved');
  const editScreenshot = vi.fn<MenuActions['editScreenshot']>(async () => 'editor-opened');
  return {
    saveImage,
    saveScreenshot,
    saveFullPage,
    editScreenshot,
    saveRegion,
    listener: createMenuClickListener({ saveImage, saveScreenshot, saveFullPage, saveRegion, editScreenshot }),
  };
}

describe('menuItems', () => {
  it('has the image item, and the screenshot, full-page and region items on the page and the MV3 action', () => {
    expect(menuItems(3)).toEqual([
      { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
      { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'action'] },
      { id: 'save-full-page', title: 'Save full page to S3', contexts: ['page', 'action'] },
      { id: 'save-region', title: 'Save region to S3', contexts: ['page', 'action'] },
      { id: 'edit-screenshot', title: 'Edit a screenshot of this page, then save it to S3…', contexts: ['page', 'action'] },
    ]);
  });

  it('uses browser_action for the toolbar context under MV2', () => {
    expect(menuItems(2)).toEqual([
      { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
      { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'browser_action'] },
      { id: 'save-full-page', title: 'Save full page to S3', contexts: ['page', 'browser_action'] },
      { id: 'save-region', title: 'Save region to S3', contexts: ['page', 'browser_action'] },
      { id: 'edit-screenshot', title: 'Edit a screenshot of this page, then save it to S3…', contexts: ['page', 'browser_action'] },
    ]);
  });

  it('uses the ids the click listener dispatches on, each once', () => {
    const ids = menuItems(3).map((item) => item.id);
    expect(ids).toEqual([MENU_SAVE_IMAGE, MENU_SAVE_SCREENSHOT, MENU_SAVE_FULL_PAGE, MENU_SAVE_REGION, MENU_EDIT_SCREENSHOT]);
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

  it('saves the full page of the tab, for the profile of a child item', async () => {
    const { listener, saveImage, saveScreenshot, saveFullPage } = setup();
    const t = tab({ id: 12 });
    await expect(listener(info({ menuItemId: MENU_SAVE_FULL_PAGE }), t)).resolves.toBe('full-page-saved');
    await expect(listener(info({ menuItemId: `${MENU_SAVE_FULL_PAGE}@p2` }), t)).resolves.toBe('full-page-saved');
    expect(saveFullPage.mock.calls).toEqual([[t], [t, 'p2']]);
    expect(saveScreenshot).not.toHaveBeenCalled();
    expect(saveImage).not.toHaveBeenCalled();
  });

  it('opens a screenshot in the editor, for the profile of a child item, saving nothing itself', async () => {
    const { listener, saveScreenshot, saveFullPage, editScreenshot } = setup();
    const t = tab({ id: 13 });
    await expect(listener(info({ menuItemId: MENU_EDIT_SCREENSHOT }), t)).resolves.toBe('editor-opened');
    await expect(listener(info({ menuItemId: `${MENU_EDIT_SCREENSHOT}@p3` }), t)).resolves.toBe('editor-opened');
    expect(editScreenshot.mock.calls).toEqual([[t], [t, 'p3']]);
    expect(listener(info({ menuItemId: MENU_EDIT_SCREENSHOT }), undefined)).toBeUndefined();
    expect(saveScreenshot).not.toHaveBeenCalled();
    expect(saveFullPage).not.toHaveBeenCalled();
  });

  it('saves a region of the tab, for the profile of a child item', async () => {
    const { listener, saveImage, saveScreenshot, saveFullPage, saveRegion } = setup();
    const t = tab({ id: 13 });
    await expect(listener(info({ menuItemId: MENU_SAVE_REGION }), t)).resolves.toBe('region-saved');
    await expect(listener(info({ menuItemId: `${MENU_SAVE_REGION}@p3` }), t)).resolves.toBe('region-saved');
    expect(saveRegion.mock.calls).toEqual([[t], [t, 'p3']]);
    expect(saveRegion.mock.calls[0]).toHaveLength(1);
    expect(listener(info({ menuItemId: MENU_SAVE_REGION }), undefined)).toBeUndefined();
    expect(saveFullPage).not.toHaveBeenCalled();
    expect(saveScreenshot).not.toHaveBeenCalled();
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
    expect(listener(info({ menuItemId: MENU_SAVE_FULL_PAGE }), undefined)).toBeUndefined();
    expect(saveImage).not.toHaveBeenCalled();
    expect(saveScreenshot).not.toHaveBeenCalled();
  });
});

const SINGLE_MV3 = [
  { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
  { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'action'] },
  { id: 'save-full-page', title: 'Save full page to S3', contexts: ['page', 'action'] },
  { id: 'save-region', title: 'Save region to S3', contexts: ['page', 'action'] },
  { id: 'edit-screenshot', title: 'Edit a screenshot of this page, then save it to S3…', contexts: ['page', 'action'] },
];

const THREE: MenuProfile[] = [
  { id: 'p1', name: 'Work' },
  { id: 'p2', name: 'Media' },
  { id: 'p3', name: 'Archive' },
];

describe('menuItems with profiles', () => {
  it('with no profile or one, is the single-item list', () => {
    expect(menuItems(3)).toEqual(SINGLE_MV3);
    expect(menuItems(3, [])).toEqual(SINGLE_MV3);
    expect(menuItems(3, [], null)).toEqual(SINGLE_MV3);
    expect(menuItems(3, [{ id: 'p1', name: 'Work' }], 'p1')).toEqual(SINGLE_MV3);
  });

  it('with three, each action is a parent with one child per profile, the default first and marked', () => {
    expect(menuItems(3, THREE, 'p2')).toEqual([
      { id: 'save-image', title: 'Save image to S3', contexts: ['image'] },
      { id: 'save-image@p2', parentId: 'save-image', title: 'Media (default)', contexts: ['image'] },
      { id: 'save-image@p1', parentId: 'save-image', title: 'Work', contexts: ['image'] },
      { id: 'save-image@p3', parentId: 'save-image', title: 'Archive', contexts: ['image'] },
      { id: 'save-screenshot', title: 'Save screenshot of this page to S3', contexts: ['page', 'action'] },
      { id: 'save-screenshot@p2', parentId: 'save-screenshot', title: 'Media (default)', contexts: ['page', 'action'] },
      { id: 'save-screenshot@p1', parentId: 'save-screenshot', title: 'Work', contexts: ['page', 'action'] },
      { id: 'save-screenshot@p3', parentId: 'save-screenshot', title: 'Archive', contexts: ['page', 'action'] },
      { id: 'save-full-page', title: 'Save full page to S3', contexts: ['page', 'action'] },
      { id: 'save-full-page@p2', parentId: 'save-full-page', title: 'Media (default)', contexts: ['page', 'action'] },
      { id: 'save-full-page@p1', parentId: 'save-full-page', title: 'Work', contexts: ['page', 'action'] },
      { id: 'save-full-page@p3', parentId: 'save-full-page', title: 'Archive', contexts: ['page', 'action'] },
      { id: 'save-region', title: 'Save region to S3', contexts: ['page', 'action'] },
      { id: 'save-region@p2', parentId: 'save-region', title: 'Media (default)', contexts: ['page', 'action'] },
      { id: 'save-region@p1', parentId: 'save-region', title: 'Work', contexts: ['page', 'action'] },
      { id: 'save-region@p3', parentId: 'save-region', title: 'Archive', contexts: ['page', 'action'] },
      { id: 'edit-screenshot', title: 'Edit a screenshot of this page, then save it to S3…', contexts: ['page', 'action'] },
      { id: 'edit-screenshot@p2', parentId: 'edit-screenshot', title: 'Media (default)', contexts: ['page', 'action'] },
      { id: 'edit-screenshot@p1', parentId: 'edit-screenshot', title: 'Work', contexts: ['page', 'action'] },
      { id: 'edit-screenshot@p3', parentId: 'edit-screenshot', title: 'Archive', contexts: ['page', 'action'] },
    ]);
  });

  it('children share their parent\'s contexts, under MV2 too', () => {
    const items = menuItems(2, THREE, 'p1');
    for (const item of items.filter((i) => i.parentId)) {
      const parent = items.find((i) => i.id === item.parentId)!;
      expect(item.contexts).toEqual(parent.contexts);
    }
    expect(items.find((i) => i.id === 'save-screenshot@p3')?.contexts).toEqual(['page', 'browser_action']);
  });

  it('every id is unique, and every parentId names an item created before it', () => {
    const items = menuItems(3, THREE, 'p1');
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
    items.forEach((item, index) => {
      if (item.parentId) expect(ids.slice(0, index)).toContain(item.parentId);
    });
  });

  it('keeps the given order and marks nothing when the default is not among them', () => {
    const titles = menuItems(3, THREE, null)
      .filter((i) => i.parentId === MENU_SAVE_IMAGE)
      .map((i) => i.title);
    expect(titles).toEqual(['Work', 'Media', 'Archive']);
  });

  it('two profiles are already enough for the nested menu', () => {
    expect(menuItems(3, THREE.slice(0, 2), 'p1').map((i) => i.id)).toEqual([
      'save-image',
      'save-image@p1',
      'save-image@p2',
      'save-screenshot',
      'save-screenshot@p1',
      'save-screenshot@p2',
      'save-full-page',
      'save-full-page@p1',
      'save-full-page@p2',
      'save-region',
      'save-region@p1',
      'save-region@p2',
      'edit-screenshot',
      'edit-screenshot@p1',
      'edit-screenshot@p2',
    ]);
  });
});

describe('parseMenuItemId', () => {
  it('splits a child id into action and profile', () => {
    expect(parseMenuItemId('save-image@p2')).toEqual({ action: 'save-image', profileId: 'p2' });
    expect(parseMenuItemId('save-screenshot@123e4567-e89b-42d3-a456-426614174000')).toEqual({
      action: 'save-screenshot',
      profileId: '123e4567-e89b-42d3-a456-426614174000',
    });
  });

  it('a parent or single item has no profile (the key is absent)', () => {
    expect(parseMenuItemId('save-image')).toEqual({ action: 'save-image' });
    expect(parseMenuItemId('save-image')).not.toHaveProperty('profileId');
  });

  it('takes numeric ids as text, and splits at the first @ only', () => {
    expect(parseMenuItemId(42)).toEqual({ action: '42' });
    expect(parseMenuItemId('save-image@a@b')).toEqual({ action: 'save-image', profileId: 'a@b' });
  });

  it('round-trips every id menuItems makes', () => {
    for (const item of menuItems(3, THREE, 'p3')) {
      const parsed = parseMenuItemId(item.id!);
      expect(parsed.action).toBe(item.parentId ?? item.id);
      if (item.parentId) expect(parsed.profileId).toBe(String(item.id).split('@')[1]);
    }
  });
});

describe('clicks on profile items', () => {
  it('a child of "Save image" saves the image to that profile', async () => {
    const { listener, saveImage, saveScreenshot } = setup();
    const result = listener(
      info({ menuItemId: 'save-image@p2', srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/article', frameId: 3 }),
      tab({ id: 9 }),
    );
    await expect(result).resolves.toBe('image-saved');
    expect(saveImage.mock.calls).toEqual([
      [{ srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/article', tabId: 9, frameId: 3, profileId: 'p2' }],
    ]);
    expect(saveScreenshot).not.toHaveBeenCalled();
  });

  it('save-screenshot@p2 calls saveScreenshot(tab, "p2")', async () => {
    const { listener, saveImage, saveScreenshot } = setup();
    const t = tab({ id: 11 });
    await expect(listener(info({ menuItemId: 'save-screenshot@p2' }), t)).resolves.toBe('screenshot-saved');
    expect(saveScreenshot.mock.calls).toEqual([[t, 'p2']]);
    expect(saveScreenshot.mock.calls[0]![0]).toBe(t);
    expect(saveImage).not.toHaveBeenCalled();
  });

  it('a parent or single image item saves to the default: no profileId key at all', () => {
    const { listener, saveImage } = setup();
    listener(info({ menuItemId: 'save-image', srcUrl: 'https://cdn.example.com/cat.png' }), tab({ id: 3 }));
    expect(saveImage.mock.calls).toEqual([[{ srcUrl: 'https://cdn.example.com/cat.png', pageUrl: 'https://example.com/tab-page', tabId: 3, frameId: 0 }]]);
    expect(saveImage.mock.calls[0]![0]).not.toHaveProperty('profileId');
  });

  it('a parent screenshot item calls saveScreenshot with the tab only', () => {
    const { listener, saveScreenshot } = setup();
    const t = tab();
    listener(info({ menuItemId: MENU_SAVE_SCREENSHOT }), t);
    expect(saveScreenshot.mock.calls).toEqual([[t]]);
    expect(saveScreenshot.mock.calls[0]).toHaveLength(1);
  });

  it('a child click without an image or a tab does nothing', () => {
    const { listener, saveImage, saveScreenshot } = setup();
    expect(listener(info({ menuItemId: 'save-image@p2' }), tab())).toBeUndefined();
    expect(listener(info({ menuItemId: 'save-image@p2', srcUrl: 'https://cdn.example.com/cat.png' }))).toBeUndefined();
    expect(listener(info({ menuItemId: 'save-screenshot@p2' }))).toBeUndefined();
    expect(saveImage).not.toHaveBeenCalled();
    expect(saveScreenshot).not.toHaveBeenCalled();
  });

  it('an unknown action with a profile does nothing', () => {
    const { listener, saveImage, saveScreenshot } = setup();
    expect(listener(info({ menuItemId: 'delete-everything@p2', srcUrl: 'https://cdn.example.com/cat.png' }), tab())).toBeUndefined();
    expect(saveImage).not.toHaveBeenCalled();
    expect(saveScreenshot).not.toHaveBeenCalled();
  });

  it('every item menuItems makes is handled by the listener', () => {
    const { listener, saveImage, saveScreenshot, saveFullPage, saveRegion } = setup();
    const items = menuItems(3, THREE, 'p1');
    for (const item of items) listener(info({ menuItemId: item.id!, srcUrl: 'https://cdn.example.com/x.png' }), tab());
    expect(saveImage).toHaveBeenCalledTimes(4);
    expect(saveScreenshot).toHaveBeenCalledTimes(4);
    expect(saveFullPage).toHaveBeenCalledTimes(4);
    expect(saveRegion.mock.calls.map((args) => args[1])).toEqual([undefined, 'p1', 'p2', 'p3']);
    expect(saveImage.mock.calls.map(([c]) => c.profileId)).toEqual([undefined, 'p1', 'p2', 'p3']);
    expect(saveScreenshot.mock.calls.map((args) => args[1])).toEqual([undefined, 'p1', 'p2', 'p3']);
  });
});
