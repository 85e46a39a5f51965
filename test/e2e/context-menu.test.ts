import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, PopupPage, readClipboard, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { IMAGES, startImageSite, type ImageSite } from '../support/image-site';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

/** What the background exposes to tests on its global scope (see src/background/start.ts). */
interface Listeners {
  menu(info: object, tab: unknown): Promise<RecentUpload | null>;
  command(command: string, tab: unknown): Promise<RecentUpload | null>;
  isRegistered(): boolean;
}

const SHOTS = 'test-results/screenshots';
const BUCKET = 'menu-e2e';

/**
 * "Save image to S3" on every kind of page image, in Debian's Chromium with
 * the built extension, against the signature-checking Swift lane. No test API
 * can click a native context menu, so each case calls the listener the
 * extension registered for `contextMenus.onClicked` — checked to be the one
 * the browser holds — with the `info` and `tab` a real click on that element gives.
 */
describe.skipIf(!strictLaneAvailable())('context menu and screenshots, Chromium end to end', () => {
  let s3: S3Server;
  let site: ImageSite;
  let ext: ExtensionBrowser;
  let page: Page;

  const listKeys = async () =>
    (
      await createS3Client(connectionTo(s3, BUCKET)).send(new ListObjectsV2Command({ Bucket: BUCKET }))
    ).Contents?.map((o) => o.Key!) ?? [];

  /** What Chrome passes to onClicked for a right-click on this element, then the listener's result. */
  async function rightClickSave(selector: string): Promise<RecentUpload | null> {
    const srcUrl = await page.locator(selector).evaluate((img: HTMLImageElement) => img.currentSrc || img.src);
    return ext.worker.evaluate(
      async ({ srcUrl, pageUrl }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
        if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        const info = { menuItemId: 'save-image', mediaType: 'image', srcUrl, pageUrl, frameId: 0, editable: false };
        return listeners.menu(info, tab);
      },
      { srcUrl, pageUrl: site.pageUrl },
    );
  }

  /** The clipboard as the focused page reads it (focus is waited for, not assumed). */
  const clipboard = (): Promise<string> => readClipboard(page);

  async function notificationIds(): Promise<string[]> {
    return ext.worker.evaluate(async () => Object.keys(await chrome.notifications.getAll()));
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    site = await startImageSite();
    // As if the user had accepted the prompts: the bucket, the image origins, and what a real click's
    // activeTab grant gives captureVisibleTab (a test cannot make that gesture).
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`, `${site.origin}/*`, `${site.otherOrigin}/*`, '<all_urls>'] });
    await saveKeysProfile(ext, s3, BUCKET);
    page = await ext.context.newPage();
    await page.goto(site.pageUrl);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  });
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await s3?.stop();
  });

  it('registers its menu items', async () => {
    // contextMenus has no getter; update() rejects for an id that was never created.
    const exists = await ext.worker.evaluate(async () =>
      Promise.all(['save-image', 'save-screenshot', 'no-such-item'].map((id) => chrome.contextMenus.update(id, {}).then(() => true, () => false))),
    );
    expect(exists).toEqual([true, true, false]);
  });

  it.each([
    ['same-origin image', '#same', IMAGES.same, 'same.png'],
    ['cross-origin image (host permission asked for its origin)', '#cross', IMAGES.cross, 'cross.png'],
    ['image served only with the page’s cookie', '#cookie', IMAGES.cookie, 'cookie.png'],
    ['data: URL', '#data', IMAGES.data, /^image-\d{8}-\d{6}\.png$/],
    ['blob: URL', '#blob', IMAGES.blob, /^image-\d{8}-\d{6}\.png$/],
    ['image named by Content-Disposition, type sniffed', '#named', IMAGES.named, 'café menu.png'],
  ] as const)('saves a %s: link on the clipboard, same bytes, right type', async (_label, selector, bytes, name) => {
    const upload = await rightClickSave(selector);
    expect(upload?.status, upload?.error?.message).toBe('done');
    expect(upload!.name).toMatch(name);
    expect(await clipboard()).toBe(upload!.link);
    const res = await fetch(upload!.link!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('an image that cannot be fetched gives a notification and uploads nothing', async () => {
    const keysBefore = await listKeys();
    const notesBefore = await notificationIds();
    expect(await rightClickSave('#missing')).toBeNull();
    const added = (await notificationIds()).filter((id) => !notesBefore.includes(id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^s3drop-error-/);
    expect(await listKeys()).toEqual(keysBefore);
  });

  it.each(['menu', 'command'] as const)('saves a screenshot of the visible tab (%s) as a PNG of the tab’s size', async (via) => {
    await page.bringToFront();
    const upload = await ext.worker.evaluate(
      async ({ pageUrl, via }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return via === 'menu'
          ? listeners.menu({ menuItemId: 'save-screenshot', pageUrl, frameId: 0, editable: false }, tab)
          : listeners.command('save-screenshot', tab);
      },
      { pageUrl: site.pageUrl, via },
    );
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^screenshot-127\.0\.0\.1-\d{8}-\d{6}\.png$/);
    const png = Buffer.from(await (await fetch(upload!.link!)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const size = await page.evaluate(() => ({ w: innerWidth * devicePixelRatio, h: innerHeight * devicePixelRatio }));
    expect({ w: png.readUInt32BE(16), h: png.readUInt32BE(20) }).toEqual(size);
    expect(await clipboard()).toBe(upload!.link);
  });

  it('the popup lists these uploads too (the last five), each with a fresh link a click away', async () => {
    const popup = await PopupPage.open(ext);
    const recent = popup.page.getByRole('list', { name: 'Recent uploads' });
    await recent.getByText('café menu.png').waitFor();
    expect(await recent.getByRole('listitem').count()).toBe(5);
    await popup.page.screenshot({ path: `${SHOTS}/popup-recent.png`, fullPage: true });
    await recent.getByRole('button', { name: 'Copy fresh link for café menu.png' }).click();
    await recent.getByRole('button', { name: 'Copy fresh link for café menu.png' }).getByText('Copied').waitFor();
    const res = await fetch(await popup.clipboard());
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(IMAGES.named)).toBe(true);
    await popup.page.close();
  });
});
