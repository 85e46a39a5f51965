import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { launchExtension, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { LONG_PAGE, startLongPageSite, type LongPageSite } from '../support/long-page-site';
import { decodePng, pixelAt, rowBands } from '../support/png-pixels';
import { startSwift, type S3Server } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

interface Listeners {
  menu(info: object, tab: unknown): Promise<RecentUpload | null>;
  command(command: string, tab: unknown): Promise<RecentUpload | null>;
  isRegistered(): boolean;
}

const BUCKET = 'full-page-e2e';
const MiB = 1024 * 1024;

/**
 * "Save full page to S3" in Debian's Chromium against the signature-checking
 * Swift lane, on a page whose content is known (test/support/long-page-site.ts):
 * the PNG read back through the link is decoded here, independently, and its
 * rows compared with where the page put each colour.
 */
describe.skipIf(!strictLaneAvailable())('full page, Chromium end to end', () => {
  let s3: S3Server;
  let site: LongPageSite;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    [s3, site] = await Promise.all([startSwift({ buckets: [BUCKET] }), startLongPageSite()]);
    // As if the user had accepted the prompt for the bucket, and what a real click's activeTab grant gives
    // captureVisibleTab and executeScript in the clicked tab (a test cannot make that gesture).
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`, '<all_urls>'] });
    await saveKeysProfile(ext, s3, BUCKET);
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await s3?.stop();
  });

  it('is one PNG of the page’s whole height, the sticky header once, every block in place, the bottom marker there, the scroll put back', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(site.pageUrl);
    await page.waitForFunction(() => document.body.dataset.drawn === 'yes');
    // The reader was half-way down; that is where the page must be left.
    await page.evaluate(() => window.scrollTo({ top: 1234, behavior: 'instant' }));
    await page.waitForFunction(() => scrollY === 1234);
    const metrics = await page.evaluate(() => ({
      scrollHeight: document.documentElement.scrollHeight,
      clientWidth: document.documentElement.clientWidth,
      dpr: devicePixelRatio,
    }));
    expect(metrics.scrollHeight).toBe(LONG_PAGE.height);
    await page.bringToFront();

    const upload = await ext.worker.evaluate(async (pageUrl) => {
      const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
      if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return listeners.menu({ menuItemId: 'save-full-page', pageUrl, frameId: 0, editable: false }, tab);
    }, page.url());
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^full-page-127\.0\.0\.1-\d{8}-\d{6}\.png$/);

    const res = await fetch(upload!.link!);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(upload!.size);
    console.log(`[chromium] full page: ${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)}, ${(bytes.length / 1e6).toFixed(1)} MB`);
    // Half the page is noise at about 3 bytes a pixel: a real busy page's size, not a blank canvas.
    expect(bytes.length).toBeGreaterThan(4 * MiB);

    const png = decodePng(bytes);
    const dpr = metrics.dpr;
    expect(Math.abs(png.height - LONG_PAGE.height * dpr)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.width - metrics.clientWidth * dpr)).toBeLessThanOrEqual(1);

    const px = (css: number) => Math.round(css * dpr);
    const bands = rowBands(png, px(LONG_PAGE.plain.from), px(LONG_PAGE.plain.to));
    const of = (colour: string) => bands.filter((b) => b.colour === colour).map(({ start, end }) => [start, end]);
    // The sticky header: once, at the top, not again at the top of each later frame.
    expect(of(LONG_PAGE.header.colour)).toEqual([[0, px(LONG_PAGE.header.height)]]);
    // Each block whole, where the page put it, even across the seams between frames (800, 1600, 2400, 3200).
    for (const block of LONG_PAGE.blocks) expect(of(block.colour), block.colour).toEqual([[px(block.top), px(block.top + block.height)]]);
    // The marker at the very bottom: the last rows.
    expect(of(LONG_PAGE.marker.colour)).toEqual([[png.height - px(LONG_PAGE.marker.height), png.height]]);
    // Nothing else but white in those columns.
    const known = new Set<string>([LONG_PAGE.header.colour, LONG_PAGE.marker.colour, ...LONG_PAGE.blocks.map((b) => b.colour), '#ffffff']);
    expect(bands.filter((b) => !known.has(b.colour ?? 'mixed'))).toEqual([]);

    // The fixed badge: in the first frame only, at its place in the viewport as it was then (the top of the page).
    const badgeX = px(LONG_PAGE.badge.left + LONG_PAGE.badge.size / 2);
    const badgeRows: number[] = [];
    for (let y = 0; y < png.height; y++) if (pixelAt(png, badgeX, y) === LONG_PAGE.badge.colour) badgeRows.push(y);
    expect([badgeRows[0], badgeRows.at(-1)! + 1, badgeRows.length]).toEqual([px(LONG_PAGE.badge.top), px(LONG_PAGE.badge.top + LONG_PAGE.badge.size), px(LONG_PAGE.badge.size)]);

    // The page as the reader left it: the same place, header and badge shown again.
    expect(
      await page.evaluate(() => ({
        scrollY,
        header: getComputedStyle(document.querySelector('header')!).visibility,
        badge: getComputedStyle(document.getElementById('badge')!).visibility,
        inline: document.querySelector('header')!.getAttribute('style'),
      })),
    ).toEqual({ scrollY: 1234, header: 'visible', badge: 'visible', inline: null });
    await page.close();
  }, 120_000);
});
