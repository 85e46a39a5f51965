import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKS_PAGE, startBlocksSite, type BlocksSite } from '../support/blocks-site';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension, saveFirefoxKeysProfile } from '../support/firefox';
import { strictLaneAvailable } from '../support/lanes';
import { decodePng, pixelAt } from '../support/png-pixels';
import { startSwift, type S3Server } from '../support/s3-servers';

/**
 * "Save region to S3" in Firefox ESR, where the rectangle is taken with
 * `tabs.captureTab` and its `rect` (src/capture/region-firefox.ts): the same
 * overlay, driven with the real mouse and keyboard, against the Swift lane.
 */
describe.skipIf(!firefoxAvailable() || !strictLaneAvailable())('region, Firefox ESR end to end', () => {
  const BUCKET = 'firefox-region';
  let ff: FirefoxExtension;
  let s3: S3Server;
  let site: BlocksSite;
  beforeAll(async () => {
    [s3, site] = await Promise.all([startSwift({ buckets: [BUCKET] }), startBlocksSite()]);
    // As if the user had accepted the bucket's prompt, and the activeTab grant a real click gives.
    ff = await launchFirefoxExtension({ hostOrigins: [`${s3.endpoint}/*`, '<all_urls>'] });
    const options = await saveFirefoxKeysProfile(ff, s3, BUCKET);
    await options.close();
  }, 120_000);
  afterAll(async () => {
    await ff?.close();
    await Promise.all([s3?.stop(), site?.stop()]);
  });

  it('a dragged rectangle, confirmed with Enter, holds exactly the blocks inside it, at the page’s DPR', async () => {
    const page = await ff.openWeb(site.pageUrl, { width: 1000, height: 700 });
    const dpr = await page.evaluate(() => devicePixelRatio);
    await page.bringToFront();
    const pending = ff.menuClick({ menuItemId: 'save-region', pageUrl: site.pageUrl });
    await Promise.race([
      page.waitForFunction(() => document.querySelector('s3drop-region') !== null, { timeout: 0 }),
      pending.then((r) => Promise.reject(new Error(`the listener ended before the overlay showed: ${JSON.stringify(r)}`))),
    ]);
    await page.mouse.move(80, 80);
    await page.mouse.down();
    await page.mouse.move(480, 230, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.press('Enter');
    const upload = await pending;
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    expect(upload!.name).toMatch(/^region-127\.0\.0\.1-\d{8}-\d{6}\.png$/);
    const png = decodePng(Buffer.from(await (await fetch(upload!.link!)).arrayBuffer()));
    console.log(`[firefox] region: ${png.width}×${png.height} at DPR ${dpr}`);
    expect(Math.abs(png.width - 400 * dpr)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.height - 150 * dpr)).toBeLessThanOrEqual(1);
    const at = (cssX: number, cssY: number) => pixelAt(png, Math.round((cssX - 80) * dpr), Math.round((cssY - 80) * dpr));
    const { red, green, blue, orange } = BLOCKS_PAGE.blocks;
    for (const b of [red, green]) {
      expect(at(b.left + b.width / 2, b.top + b.height / 2)).toBe(b.colour);
      expect(at(b.left + 2, b.top + 2)).toBe(b.colour);
      expect(at(b.left + b.width - 2, b.top + b.height - 2)).toBe(b.colour);
      expect(at(b.left - 2, b.top - 2)).toBe(BLOCKS_PAGE.background);
    }
    // Between and around the blocks, the page's white: no shade, no overlay; the other blocks nowhere.
    expect(at(275, 150)).toBe(BLOCKS_PAGE.background);
    const colours = new Set<string>();
    for (let y = 0; y < png.height; y += 2) for (let x = 0; x < png.width; x += 2) colours.add(pixelAt(png, x, y));
    expect(colours.has(blue.colour) || colours.has(orange.colour)).toBe(false);
    expect(await page.evaluate(() => document.querySelectorAll('s3drop-region').length)).toBe(0);
    await page.close();
  }, 120_000);
});
