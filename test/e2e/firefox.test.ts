import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension } from '../support/firefox';

/**
 * The Firefox build loads in Debian's Firefox ESR and its pages reach the
 * background (an event page there, not a service worker). The full Firefox
 * upload flow belongs to the settings/Firefox issue.
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
