import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension } from '../support/firefox';
import { startS3rver, type S3Server } from '../support/s3-servers';

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

/**
 * The upload path in Firefox: the runner lives in the background page (no
 * offscreen documents there), Choose files moves to a tab because Firefox
 * closes the popup when a file dialog opens, and the link lands on the clipboard.
 */
describe.skipIf(!firefoxAvailable())('Firefox ESR upload', () => {
  let ff: FirefoxExtension;
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ['firefox-drop'] });
    ff = await launchFirefoxExtension({ hostOrigins: [`${s3.endpoint}/*`] });
  });
  afterAll(async () => {
    await ff?.close();
    await s3?.stop();
  });

  it('configures a profile, uploads from the popup page, and the clipboard link downloads the same bytes', async () => {
    const options = await ff.open('options.html');
    await options.waitForSelector('#bucket');
    for (const [id, value] of [
      ['bucket', 'firefox-drop'],
      ['region', s3.region],
      ['endpoint', s3.endpoint],
      ['accessKeyId', s3.accessKeyId],
      ['secretAccessKey', s3.secretAccessKey],
    ] as const)
      await options.type(`#${id}`, value);
    await options.click('#forcePathStyle');
    await options.click('button[type=submit]');
    await options.waitForSelector('::-p-text(Saved.)');

    const popup = await ff.open('popup.html');
    // In the toolbar popup, Choose files opens this page in a tab instead of a dialog the popup would not survive.
    await popup.waitForSelector('::-p-text(Choose files)');
    await popup.click('::-p-text(Choose files)');
    const tabUrl = ff.url('popup.html?tab=1');
    // WebDriver BiDi reports extension pages as about:blank: ask the browser's own tabs API.
    const tabUrls = () => options.evaluate(async () => (await (globalThis as unknown as { browser: { tabs: { query(q: object): Promise<{ url?: string }[]> } } }).browser.tabs.query({})).map((t) => t.url));
    await expect.poll(tabUrls, { timeout: 10_000 }).toContain(tabUrl);

    const tab = await ff.open('popup.html?tab=1');
    const input = await tab.waitForSelector('input[type=file]');
    const file = join(tmpdir(), `ff-upload-${process.pid}.txt`);
    writeFileSync(file, 'uploaded from Firefox\n');
    await input!.uploadFile(file);
    const linkInput = await tab.waitForSelector('input[aria-label^="Share link for"]', { timeout: 30_000 });
    const link = await linkInput!.evaluate((el) => (el as HTMLInputElement).value);
    expect(await (await fetch(link)).text()).toBe('uploaded from Firefox\n');
    await tab.waitForSelector('::-p-text(Link copied to the clipboard.)');
    expect(await tab.evaluate(() => navigator.clipboard.readText())).toBe(link);
  });
});
