import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension, saveFirefoxKeysProfile } from '../support/firefox';
import { IMAGES, startImageSite, type ImageSite } from '../support/image-site';
import { strictLaneAvailable } from '../support/lanes';
import { startNoiseSite, type NoiseSite } from '../support/noise-site';
import { LONG_PAGE, startLongPageSite, type LongPageSite } from '../support/long-page-site';
import { decodePng, rowBands } from '../support/png-pixels';
import { startSwift, type S3Server } from '../support/s3-servers';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The link downloads exactly these bytes, and the same link with one character of its signature changed is refused. */
async function expectSignedLinkServes(link: string, bytes: Uint8Array): Promise<Response> {
  const res = await fetch(link);
  expect(res.status).toBe(200);
  const body = new Uint8Array(await res.arrayBuffer());
  expect(body.byteLength).toBe(bytes.byteLength);
  expect(sha256(body)).toBe(sha256(bytes));
  const tampered = new URL(link);
  const sig = tampered.searchParams.get('X-Amz-Signature')!;
  tampered.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
  expect((await fetch(tampered)).status).toBe(403);
  return res;
}

/**
 * The Firefox build loads in Debian's Firefox ESR and its pages reach the
 * background (an event page there, not a service worker).
 */
describe.skipIf(!firefoxAvailable())('Firefox ESR smoke test', () => {
  let ff: FirefoxExtension;
  beforeAll(async () => {
    ff = await launchFirefoxExtension();
  });
  afterAll(() => ff?.close());

  it('loads the add-on; the options page validates through the background', async () => {
    const page = await ff.open('options.html');
    await page.waitForSelector('h1');
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('S3 Drop options');
    // Save with an invalid bucket: the answer can only come from the background's validation.
    await page.type('#bucket', 'Not A Bucket');
    await page.click('button[type=submit]');
    await page.waitForSelector('#bucket-error');
    expect(await page.$eval('#bucket-error', (e) => e.textContent)).toMatch(/lowercase letters/);
    const popup = await ff.open('popup.html');
    await popup.waitForSelector('::-p-text(Set up your bucket)');
  });
});

/**
 * Everything a Firefox user uploads, against Swift's s3api — a server that
 * checks every signature, so a link that downloads proves the background
 * signed it right. The runner lives in the background page (no offscreen
 * documents in Firefox); Choose files moves to a tab because Firefox closes
 * the popup when a file dialog opens; the link lands on the clipboard.
 *
 * No test API clicks a native context menu, so the right-click cases call the
 * background's `contextMenus.onClicked` listener — checked to be the one
 * Firefox holds — from an extension page, with the `info` and tab a real
 * click gives.
 */
describe.skipIf(!firefoxAvailable() || !strictLaneAvailable())('Firefox ESR end to end, strict S3', () => {
  const BUCKET = 'firefox-drop';
  let ff: FirefoxExtension;
  let s3: S3Server;
  let site: ImageSite;
  let noise: NoiseSite;
  let long: LongPageSite;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3drop-ff-files-'));
    [s3, site, noise, long] = await Promise.all([startSwift({ buckets: [BUCKET] }), startImageSite(), startNoiseSite(), startLongPageSite()]);
    // As if the user had accepted the prompts: the bucket, the image origins, and what a real click's
    // activeTab grant gives captureVisibleTab (a test cannot make that gesture).
    ff = await launchFirefoxExtension({ hostOrigins: [`${s3.endpoint}/*`, `${site.origin}/*`, `${site.otherOrigin}/*`, '<all_urls>'] });
  });
  afterAll(async () => {
    await ff?.close();
    await Promise.all([s3?.stop(), site?.stop(), noise?.stop(), long?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('configures a profile, uploads from the popup page, and the clipboard link downloads the same bytes', async () => {
    await saveFirefoxKeysProfile(ff, s3, BUCKET);

    const popup = await ff.open('popup.html');
    // In the toolbar popup, Choose files opens this page in a tab instead of a dialog the popup would not survive.
    await popup.waitForSelector('::-p-text(Choose files)');
    const before = await ff.browser.pages();
    await popup.click('::-p-text(Choose files)');
    // The tab the extension opened, once Firefox says it has loaded.
    const tab = await ff.adoptTab('popup.html?tab=1', before);

    const input = await tab.waitForSelector('input[type=file]');
    const name = 'notes from Firefox é.txt';
    const bytes = Buffer.from(`uploaded from Firefox ${Date.now()}\n`.repeat(500));
    const file = join(dir, name);
    writeFileSync(file, bytes);
    await input!.uploadFile(file);
    const linkInput = await tab.waitForSelector(`input[aria-label="Share link for ${name}"]`, { timeout: 30_000 });
    const link = await linkInput!.evaluate((el) => (el as HTMLInputElement).value);
    const res = await expectSignedLinkServes(link, bytes);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    await tab.waitForSelector('::-p-text(Link copied to the clipboard.)');
    expect(await ff.clipboard()).toBe(link);
  });

  it.each([
    ['same-origin', '#same', IMAGES.same, 'same.png'],
    ['cross-origin', '#cross', IMAGES.cross, 'cross.png'],
  ] as const)('saves a right-clicked %s image: link on the clipboard, same bytes, right type', async (_label, selector, bytes, name) => {
    const page = await ff.openWeb(site.pageUrl);
    // Loaded (navigation waited for "complete"), so every <img> has its final URL.
    const srcUrl = await page.$eval(selector, (img) => (img as HTMLImageElement).currentSrc);
    const upload = await ff.menuClick({ menuItemId: 'save-image', mediaType: 'image', srcUrl, pageUrl: site.pageUrl });
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toBe(name);
    const res = await expectSignedLinkServes(upload!.link!, bytes);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(await ff.clipboard()).toBe(upload!.link);
    await page.close();
  });

  it('saves a screenshot of a busy 1280×800 page: a PNG of several MB, the tab’s size', async () => {
    const page = await ff.openWeb(noise.pageUrl, { width: 1280, height: 800 });
    const size = await page.evaluate(() => ({ w: Math.round(innerWidth * devicePixelRatio), h: Math.round(innerHeight * devicePixelRatio) }));
    expect(size.w).toBeGreaterThanOrEqual(1280);
    expect(size.h).toBeGreaterThanOrEqual(800);
    // captureVisibleTab takes the window's active tab: this one.
    await page.bringToFront();
    const upload = await ff.menuClick({ menuItemId: 'save-screenshot', pageUrl: noise.pageUrl });
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^screenshot-127\.0\.0\.1-\d{8}-\d{6}\.png$/);
    const res = await fetch(upload!.link!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.byteLength).toBe(upload!.size);
    console.log(`[firefox] busy-page screenshot: ${size.w}×${size.h}, ${(png.byteLength / 1e6).toFixed(1)} MB`);
    expect(png.byteLength).toBeGreaterThan(2 * 1024 * 1024);
    expect({ w: png.readUInt32BE(16), h: png.readUInt32BE(20) }).toEqual(size);
    expect(await ff.clipboard()).toBe(upload!.link);
    await page.close();
  });

  it('saves the full page in one captureTab: a PNG of the page’s whole height, the sticky header once', async () => {
    const page = await ff.openWeb(long.pageUrl, { width: 1280, height: 800 });
    await page.waitForFunction(() => document.body.dataset.drawn === 'yes');
    await page.evaluate(() => window.scrollTo({ top: 1234, behavior: 'instant' }));
    await page.waitForFunction(() => scrollY === 1234);
    const metrics = await page.evaluate(() => ({
      scrollHeight: document.documentElement.scrollHeight,
      clientWidth: document.documentElement.clientWidth,
      dpr: devicePixelRatio,
    }));
    expect(metrics.scrollHeight).toBe(LONG_PAGE.height);
    await page.bringToFront();
    const upload = await ff.menuClick({ menuItemId: 'save-full-page', pageUrl: long.pageUrl });
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^full-page-127\.0\.0\.1-\d{8}-\d{6}\.png$/);
    const res = await fetch(upload!.link!);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(upload!.size);
    console.log(`[firefox] full page: ${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)}, ${(bytes.byteLength / 1e6).toFixed(1)} MB`);
    expect(bytes.byteLength).toBeGreaterThan(4 * 1024 * 1024);
    const png = decodePng(bytes);
    expect(Math.abs(png.height - LONG_PAGE.height * metrics.dpr)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.width - metrics.clientWidth * metrics.dpr)).toBeLessThanOrEqual(1);
    const px = (css: number) => Math.round(css * metrics.dpr);
    const bands = rowBands(png, px(LONG_PAGE.plain.from), px(LONG_PAGE.plain.to));
    const of = (colour: string) => bands.filter((b) => b.colour === colour).map(({ start, end }) => [start, end]);
    // Drawn where it sits now: the sticky header stuck to the top of the view, 1234 pixels down the page.
    expect(of(LONG_PAGE.header.colour)).toHaveLength(1);
    for (const block of LONG_PAGE.blocks)
      if (block.top >= 1234 + LONG_PAGE.header.height || block.top + block.height <= 1234)
        expect(of(block.colour), block.colour).toEqual([[px(block.top), px(block.top + block.height)]]);
    expect(of(LONG_PAGE.marker.colour)).toEqual([[png.height - px(LONG_PAGE.marker.height), png.height]]);
    // Nothing was scrolled.
    expect(await page.evaluate(() => scrollY)).toBe(1234);
    expect(await ff.clipboard()).toBe(upload!.link);
    await page.close();
  });
});
