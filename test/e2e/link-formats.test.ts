import { mkdirSync } from 'node:fs';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, OptionsPage, PopupPage, readClipboard, serverFields, type ExtensionBrowser } from '../support/extension';
import { startS3rver, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'link-formats-e2e';
const IMAGE = 'harbour [at] dusk.png';
const NOTES = 'trip notes.txt';

/**
 * Links in the form people paste, in Debian's Chromium with the built
 * extension on s3rver: the profile copies Markdown after an upload, Copy as…
 * gives HTML in the popup and the history, and the popup's QR code decodes to
 * the link (read from the canvas and decoded in the test by jsQR).
 */
describe('link formats and the QR code, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  let image: Buffer;
  let imageLink = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startS3rver({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    const painter = await ext.context.newPage();
    await painter.setContent('<div id="art" style="width:320px;height:200px;background:linear-gradient(160deg,#ffb347,#ff5e62 55%,#3a1c71)"></div>');
    image = await painter.locator('#art').screenshot();
    await painter.close();

    const options = await OptionsPage.open(ext);
    await options.fill({ name: 'Forum', ...serverFields(s3, BUCKET) });
    await options.page.getByLabel('Copy links as').selectOption({ label: 'Markdown' });
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.close();
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it('after an upload the clipboard holds the Markdown form; Copy as… HTML gives the HTML form', async () => {
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: IMAGE, mimeType: 'image/png', buffer: image }]);
    imageLink = await popup.linkFor(IMAGE);
    await popup.page.getByText('Link copied to the clipboard.').waitFor();
    // Brackets in the name are escaped: the name cannot end the link text early.
    expect(await popup.clipboard()).toBe(`![harbour \\[at\\] dusk.png](${imageLink})`);
    const downloaded = await fetch(imageLink);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(image)).toBe(true);

    await popup.page.getByLabel(`Copy the link to ${IMAGE} as…`).click();
    await popup.page.getByRole('button', { name: `Copy the link to ${IMAGE} as HTML` }).click();
    await popup.page.getByText(`The link to ${IMAGE} is on the clipboard as HTML.`).waitFor();
    expect(await popup.clipboard()).toBe(`<img src="${imageLink.replace(/&/g, '&amp;')}" alt="${IMAGE}">`);
    await popup.page.close();
  });

  it('the QR code in the popup decodes to the link', async () => {
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: NOTES, mimeType: 'text/plain', buffer: Buffer.from('Day 1: the harbour.\n'.repeat(200)) }]);
    const link = await popup.linkFor(NOTES);
    await popup.page.getByRole('button', { name: `QR code of the link to ${NOTES}` }).click();
    const code = popup.page.getByRole('img', { name: new RegExp(`^QR code of the link to ${NOTES.replace('.', '\\.')}`) });
    await code.waitFor();
    // Drawn once lean-qr has loaded: wait for a canvas with modules on it.
    await expect.poll(() => code.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(20);
    const pixels = await code.evaluate((c: HTMLCanvasElement) => {
      // The canvas draws dark modules on transparent: flatten onto white, as the page shows it.
      const flat = Object.assign(document.createElement('canvas'), { width: c.width * 4, height: c.height * 4 });
      const ctx = flat.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, flat.width, flat.height);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(c, 0, 0, flat.width, flat.height);
      return { width: flat.width, height: flat.height, data: Array.from(ctx.getImageData(0, 0, flat.width, flat.height).data) };
    });
    const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
    expect(decoded?.data).toBe(link);
    await popup.page.screenshot({ path: `${SHOTS}/popup-qr.png` });
    await popup.page.emulateMedia({ colorScheme: 'dark' });
    await popup.page.screenshot({ path: `${SHOTS}/popup-qr-dark.png` });
    await popup.page.close();
  });

  it('Copy as… HTML in the history gives a fresh link in the HTML form', async () => {
    const popup = await PopupPage.open(ext);
    const opened = ext.context.waitForEvent('page');
    await popup.page.getByRole('button', { name: 'History', exact: true }).click();
    const history: Page = await opened;
    await history.waitForURL(/\/uploads\.html/);
    await popup.page.close();
    const entry = history.getByRole('list', { name: 'Upload history' }).getByRole('listitem').filter({ hasText: NOTES });
    await entry.getByLabel(`Copy the link to ${NOTES} as…`).click();
    await entry.getByRole('button', { name: `Copy the link to ${NOTES} as HTML` }).click();
    await history.getByText(`The link to ${NOTES} is on the clipboard as HTML.`).waitFor();
    const copied = await readClipboard(history);
    const match = /^<a href="([^"]+)">trip notes\.txt<\/a>$/.exec(copied);
    expect(match, copied).not.toBeNull();
    const fresh = match![1]!.replace(/&amp;/g, '&');
    const res = await fetch(fresh);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Day 1: the harbour.');
    await history.setViewportSize({ width: 900, height: 700 });
    await entry.screenshot({ path: `${SHOTS}/history-copy-as.png` });
    await history.close();
  });
});
