import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { createS3Client } from '../../src/s3/client';
import { BLOCKS_PAGE, startBlocksSite, type BlockName, type BlocksSite } from '../support/blocks-site';
import { launchExtension, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { decodePng, pixelAt, type PngPixels } from '../support/png-pixels';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

interface Listeners {
  menu(info: object, tab: unknown): Promise<RecentUpload | null>;
  command(command: string, tab: unknown): Promise<RecentUpload | null>;
  isRegistered(): boolean;
}

const BUCKET = 'region-e2e';
const SHOTS = 'test-results/screenshots';
/** A HiDPI screen: each CSS pixel is 2×2 device pixels, so a region must come out at twice its CSS size. */
const DPR = 2;
const OVERLAY = 's3drop-region';

/**
 * "Save region to S3" in Debian's Chromium against the signature-checking
 * Swift lane, on a page whose blocks sit at known places
 * (test/support/blocks-site.ts). The overlay is driven as a user drives it:
 * real mouse moves and presses, real keys; the PNG read back through the
 * link is decoded here, independently, and its pixels compared with where
 * the page put each colour.
 */
describe.skipIf(!strictLaneAvailable())('region, Chromium end to end', () => {
  let s3: S3Server;
  let site: BlocksSite;
  let ext: ExtensionBrowser;
  let page: Page;

  const listKeys = async () =>
    (await createS3Client(connectionTo(s3, BUCKET)).send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => o.Key!) ?? [];

  beforeAll(async () => {
    [s3, site] = await Promise.all([startSwift({ buckets: [BUCKET] }), startBlocksSite()]);
    // As if the user had accepted the prompt for the bucket, and what a real click's activeTab grant gives
    // captureVisibleTab and executeScript in the clicked tab (a test cannot make that gesture).
    ext = await launchExtension({
      hostOrigins: [`${s3.endpoint}/*`, '<all_urls>'],
      extraArgs: [`--force-device-scale-factor=${DPR}`],
      deviceScaleFactor: DPR,
    });
    await saveKeysProfile(ext, s3, BUCKET);
    mkdirSync(SHOTS, { recursive: true });
    page = await ext.context.newPage();
    await page.setViewportSize({ width: 1000, height: 700 });
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await s3?.stop();
  });

  /**
   * Opens the overlay as the menu item (or the shortcut) does, and returns the listener's result, still
   * pending (wrapped: an async function returning a bare promise would wait for it).
   */
  async function openOverlay(via: 'menu' | 'command', url = site.pageUrl): Promise<{ result: Promise<RecentUpload | null> }> {
    if (page.url() !== url) await page.goto(url);
    await page.bringToFront();
    const pending = ext.worker.evaluate(
      async ({ pageUrl, via }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
        if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return via === 'menu'
          ? listeners.menu({ menuItemId: 'save-region', pageUrl, frameId: 0, editable: false }, tab)
          : listeners.command('save-region', tab);
      },
      { pageUrl: page.url(), via },
    );
    // The overlay is built whole, listeners and focus included, in the task that adds it to the page.
    // Should the listener end first (an error, a notification), that ends the wait, with what it said.
    const shown = page.waitForFunction((name) => document.querySelector(name) !== null, OVERLAY, { timeout: 0 });
    const ended = pending.then(
      (result) => Promise.reject(new Error(`the listener ended before the overlay showed: ${JSON.stringify(result)}`)),
      (err: Error) => Promise.reject(err),
    );
    await Promise.race([shown, ended]);
    return { result: pending };
  }

  /** A drag with the real mouse, in steps, from one viewport point to another (CSS pixels). */
  async function drag(from: [number, number], to: [number, number]) {
    await page.mouse.move(...from);
    await page.mouse.down();
    await page.mouse.move(...to, { steps: 8 });
    await page.mouse.up();
  }

  /** The PNG the upload left in the bucket, read back through its link. */
  async function readBack(upload: RecentUpload | null): Promise<PngPixels> {
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^region-127\.0\.0\.1-\d{8}-\d{6}\.png$/);
    const res = await fetch(upload!.link!);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(upload!.size);
    return decodePng(bytes);
  }

  /** Where each colour is in the picture: its bounding box in device pixels, and how many pixels. */
  function colourBoxes(png: PngPixels) {
    const boxes = new Map<string, { left: number; top: number; right: number; bottom: number; count: number }>();
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < png.width; x++) {
        const colour = pixelAt(png, x, y);
        const box = boxes.get(colour);
        if (!box) boxes.set(colour, { left: x, top: y, right: x + 1, bottom: y + 1, count: 1 });
        else {
          box.left = Math.min(box.left, x);
          box.top = Math.min(box.top, y);
          box.right = Math.max(box.right, x + 1);
          box.bottom = Math.max(box.bottom, y + 1);
          box.count++;
        }
      }
    return boxes;
  }

  /** The block, whole, where it must be in a picture of the region whose top left is `origin` (CSS pixels). */
  function expectBlock(png: PngPixels, name: BlockName, origin: [number, number]) {
    const b = BLOCKS_PAGE.blocks[name];
    const box = colourBoxes(png).get(b.colour);
    expect(box, `${name} is in the picture`).toBeDefined();
    const want = {
      left: (b.left - origin[0]) * DPR,
      top: (b.top - origin[1]) * DPR,
      right: (b.left + b.width - origin[0]) * DPR,
      bottom: (b.top + b.height - origin[1]) * DPR,
    };
    for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(Math.abs(box![side] - want[side]), `${name} ${side}`).toBeLessThanOrEqual(1);
    // Solid: every pixel of its box is its colour (give or take the one-pixel edge a scaled edge may blend).
    expect(box!.count).toBeGreaterThanOrEqual((want.right - want.left - 2) * (want.bottom - want.top - 2));
    // And at known points inside it.
    const at = (cssX: number, cssY: number) => pixelAt(png, (cssX - origin[0]) * DPR, (cssY - origin[1]) * DPR);
    expect(at(b.left + b.width / 2, b.top + b.height / 2)).toBe(b.colour);
    expect(at(b.left + 5, b.top + 5)).toBe(b.colour);
    expect(at(b.left + b.width - 5, b.top + b.height - 5)).toBe(b.colour);
  }

  function expectAbsent(png: PngPixels, ...names: BlockName[]) {
    const boxes = colourBoxes(png);
    for (const name of names) expect(boxes.get(BLOCKS_PAGE.blocks[name].colour), `${name} is not in the picture`).toBeUndefined();
  }

  it('a dragged rectangle, confirmed with Enter, is saved at twice its CSS size with exactly the blocks inside it', async () => {
    expect(await page.evaluate(() => devicePixelRatio)).toBe(DPR);
    const { result: pending } = await openOverlay('menu');
    // From above-left of the red block to below-right of the green one; the blue block starts below it.
    await drag([80, 80], [480, 230]);
    await page.keyboard.press('Enter');
    const png = await readBack(await pending);
    expect(Math.abs(png.width - 400 * DPR)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.height - 150 * DPR)).toBeLessThanOrEqual(1);
    expectBlock(png, 'red', [80, 80]);
    expectBlock(png, 'green', [80, 80]);
    expectAbsent(png, 'blue', 'orange');
    // Between the blocks, the page's white, not the overlay's shade: the overlay was gone before the capture.
    expect(pixelAt(png, (275 - 80) * DPR, (150 - 80) * DPR)).toBe(BLOCKS_PAGE.background);
    expect(pixelAt(png, 2, 2)).toBe(BLOCKS_PAGE.background);
    expect(await page.locator(OVERLAY).count()).toBe(0);
  }, 120_000);

  it('the shortcut opens it too, and the named Save region button confirms (the overlay lit and dark, pictured)', async () => {
    const { result: pending } = await openOverlay('command');
    // Dragged from bottom right to top left, around the orange block alone.
    await drag([800, 560], [580, 380]);
    await page.screenshot({ path: `${SHOTS}/region-overlay-light.png` });
    // The overlay's content is in a closed shadow root, out of reach of selectors: the accessibility tree
    // is what a user's screen reader sees, and it gives the button's name and place for a real click.
    const cdp = await ext.context.newCDPSession(page);
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const named = (role: string, name: string) => nodes.find((n) => n.role?.value === role && n.name?.value === name);
    expect(named('dialog', 'Save a region to S3'), 'the overlay is a named dialog').toBeDefined();
    expect(named('button', 'Cancel'), 'a named Cancel button').toBeDefined();
    const save = named('button', 'Save region');
    expect(save?.backendDOMNodeId, 'a named Save region button').toBeDefined();
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: save!.backendDOMNodeId! });
    const [x1, y1, , , x3, y3] = model.border;
    await cdp.detach();
    await page.mouse.click((x1! + x3!) / 2, (y1! + y3!) / 2);
    const png = await readBack(await pending);
    expect(Math.abs(png.width - 220 * DPR)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.height - 180 * DPR)).toBeLessThanOrEqual(1);
    expectBlock(png, 'orange', [580, 380]);
    expectAbsent(png, 'red', 'green', 'blue');

    // The same overlay on a dark page, for the picture; cancelled.
    const { result: dark } = await openOverlay('menu', site.darkUrl);
    await drag([80, 80], [480, 230]);
    await page.screenshot({ path: `${SHOTS}/region-overlay-dark.png` });
    await page.keyboard.press('Escape');
    expect(await dark).toBeNull();
    // Both pictures side by side, for the user guide (docs/images/region-overlay.png is a copy).
    const shot = (name: string) => `data:image/png;base64,${readFileSync(`${SHOTS}/region-overlay-${name}.png`).toString('base64')}`;
    const sheet = await ext.context.newPage();
    await sheet.setViewportSize({ width: 1000, height: 350 });
    await sheet.setContent(`<body style="margin:0;display:flex"><img style="width:500px" src="${shot('light')}"><img style="width:500px" src="${shot('dark')}"></body>`);
    await sheet.screenshot({ path: `${SHOTS}/region-overlay.png` });
    await sheet.close();
  }, 120_000);

  it('Esc cancels: nothing saved, nothing left in the page', async () => {
    await page.goto(site.pageUrl);
    const before = await listKeys();
    const children = await page.evaluate(() => document.documentElement.children.length);
    const { result: pending } = await openOverlay('menu');
    await drag([80, 80], [480, 230]);
    await page.keyboard.press('Escape');
    expect(await pending).toBeNull();
    expect(await listKeys()).toEqual(before);
    expect(await page.evaluate((name) => document.querySelectorAll(name).length, OVERLAY)).toBe(0);
    expect(await page.evaluate(() => document.documentElement.children.length)).toBe(children);
  }, 120_000);

  it('arrow keys move the rectangle: Shift+arrow by 10 pixels, an arrow by 1', async () => {
    const { result: pending } = await openOverlay('menu');
    // The red block's size, 10 pixels to the left of it: its left 10 columns would be white.
    await drag([90, 100], [240, 200]);
    await page.keyboard.press('Shift+ArrowRight');
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp']) await page.keyboard.press(key);
    await page.keyboard.press('Enter');
    const png = await readBack(await pending);
    expect([png.width, png.height]).toEqual([150 * DPR, 100 * DPR]);
    // Moved onto the red block exactly: every pixel is red.
    const colours = colourBoxes(png);
    expect([...colours.keys()]).toEqual([BLOCKS_PAGE.blocks.red.colour]);
  }, 120_000);
});
