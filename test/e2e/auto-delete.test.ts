import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, OptionsPage, PopupPage, serverFields, type ExtensionBrowser } from '../support/extension';
import { startS3rver, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'auto-delete-e2e';
const NAME = 'holiday plans.txt';

/** "30 Dec 2026, 01:00"-style dates as the pages write them; the test reads them back to compare days. */
const DATE_IN = /Auto-delete: the bucket deletes it on (.+)$/;

/**
 * Auto-delete in Debian's Chromium with the built extension, on s3rver:
 * the field found by its label, the check's line for it, and the date the
 * popup and history show for an upload. s3rver keeps no tags, so the check's
 * line is a problem here; the tag on the wire is shown by
 * test/integration/auto-delete.test.ts.
 */
describe('Auto-delete, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  let options: OptionsPage;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startS3rver({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it('is set by its label, refuses a delay it cannot keep, and the check says what this server does with tags', async () => {
    options = await OptionsPage.open(ext);
    await options.fill({ name: 'Shares', ...serverFields(s3, BUCKET) });
    const days = options.page.getByLabel('Delete files after (days)');
    // Empty keeps files: the field says so.
    expect(await days.getAttribute('placeholder')).toBe('Keep files');
    await days.fill('0');
    expect(await options.save()).toMatch(/^Not saved/);
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    await days.fill('30');
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.setViewportSize({ width: 900, height: 2400 });
    await days.scrollIntoViewIfNeeded();
    await options.page.locator('fieldset', { has: days }).screenshot({ path: `${SHOTS}/options-auto-delete.png` });

    const check = options.page.getByRole('region', { name: 'Check my bucket' });
    expect(await options.checkBucket()).toMatch(/^Connected/);
    const lines = check.getByRole('list', { name: 'What the check found' }).getByRole('listitem');
    await expect.poll(() => lines.count(), { timeout: 30_000 }).toBeGreaterThan(5);
    const text = await lines.locator('.fact-body > p').allTextContents();
    expect(text).toContain(
      'Problem: This server stores uploads but drops their tags, so no rule can find them to delete. Turn Auto-delete off for this profile, and delete files from History instead.',
    );
    // No rule to add where the tag is not kept.
    expect(await check.getByRole('button', { name: 'Add the Auto-delete rule' }).count()).toBe(0);
    await check.screenshot({ path: `${SHOTS}/options-check-auto-delete.png` });
  });

  it('the popup and the history say when the bucket deletes each upload', async () => {
    const popup = await PopupPage.open(ext);
    const before = Date.now();
    await popup.choose([{ name: NAME, mimeType: 'text/plain', buffer: Buffer.from('Day 1: the harbour.\n'.repeat(500)) }]);
    await popup.linkFor(NAME);
    const note = popup.page.getByText(DATE_IN);
    await note.waitFor();
    const shown = DATE_IN.exec((await note.textContent()) ?? '')![1]!;
    // Thirty days on, at the next midnight UTC, in this computer's time: 30 or 31 days away.
    const days = (parseShown(shown) - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(31.1);
    await popup.page.screenshot({ path: `${SHOTS}/popup-auto-delete.png` });

    const opened = ext.context.waitForEvent('page');
    await popup.page.getByRole('button', { name: 'History', exact: true }).click();
    const history: Page = await opened;
    await history.waitForURL(/\/uploads\.html/);
    const entry = history.getByRole('list', { name: 'Upload history' }).getByRole('listitem').filter({ hasText: NAME });
    await entry.getByText(DATE_IN).waitFor();
    expect(await entry.getByText(DATE_IN).textContent()).toBe(`Auto-delete: the bucket deletes it on ${shown}`);
    await history.setViewportSize({ width: 900, height: 600 });
    await entry.screenshot({ path: `${SHOTS}/history-auto-delete.png` });
    await history.emulateMedia({ colorScheme: 'dark' });
    await entry.screenshot({ path: `${SHOTS}/history-auto-delete-dark.png` });
    await history.close();
    await popup.page.close();
  });
});

/** Reads back a date the page wrote with the default locale ("Dec 30, 2026, 1:00 AM" or "30 Dec 2026, 01:00"). */
function parseShown(text: string): number {
  const parsed = Date.parse(text.replace(/(\d{4}),/, '$1'));
  if (Number.isNaN(parsed)) throw new Error(`not a date the test can read: ${text}`);
  return parsed;
}
