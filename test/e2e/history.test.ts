import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { formatBytes } from '../../src/upload/speed';
import { launchExtension, PopupPage, readClipboard, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'history-e2e';
const IMAGE = 'sunset café.png';
const NOTES = 'trip notes.txt';

/**
 * The upload history in Debian's Chromium with the built extension, against
 * Swift's s3api (which checks every signature): two uploads from the popup,
 * the history page by its labels, a fresh link read from the real clipboard
 * and downloaded, a delete with its confirmation (the object answers 404
 * after), and the popup's Recent list agreeing with the history.
 */
describe.skipIf(!strictLaneAvailable())('upload history, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  let history: Page;
  let imageBytes: Buffer;
  const notesBytes = Buffer.from('Day 1: the harbour.\nDay 2: the hills.\n'.repeat(40));
  /** The links the popup gave at upload time. */
  const uploadLinks: Record<string, string> = {};

  const entries = () => history.getByRole('list', { name: 'Upload history' }).getByRole('listitem');
  const entry = (name: string): Locator => entries().filter({ hasText: name });
  const status = () => history.getByRole('status');

  const historyClipboard = () => readClipboard(history);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    await saveKeysProfile(ext, s3, BUCKET);
    // A real PNG for the thumbnail: a screenshot of a small gradient.
    const painter = await ext.context.newPage();
    await painter.setContent(
      '<div id="art" style="width:96px;height:96px;background:linear-gradient(160deg,#ffb347,#ff5e62 55%,#3a1c71)"></div>',
    );
    imageBytes = await painter.locator('#art').screenshot();
    await painter.close();
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it('lists two uploads from the popup, newest first, with size, type, key, time and a thumbnail for the image', async () => {
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: IMAGE, mimeType: 'image/png', buffer: imageBytes }]);
    uploadLinks[IMAGE] = await popup.linkFor(IMAGE);
    await popup.choose([{ name: NOTES, mimeType: 'text/plain', buffer: notesBytes }]);
    uploadLinks[NOTES] = await popup.linkFor(NOTES);
    // Each went with its Content-MD5 signed into the URL: the row says Verified (from its lazily loaded part).
    await popup.page.locator('li.upload', { hasText: NOTES }).getByText('✓ Verified').waitFor();

    // The popup's header opens the history in a tab.
    const opened = ext.context.waitForEvent('page');
    await popup.page.getByRole('button', { name: 'History', exact: true }).click();
    history = await opened;
    await history.waitForURL(/\/uploads\.html/);
    await history.setViewportSize({ width: 900, height: 760 });
    await popup.page.close();

    await history.getByRole('heading', { name: 'Upload history' }).waitFor();
    await expect.poll(() => entries().count()).toBe(2);
    const names = await entries().locator('.entry-name').allTextContents();
    expect(names).toEqual([NOTES, IMAGE]);
    const notes = await entry(NOTES).textContent();
    expect(notes).toContain(formatBytes(notesBytes.length));
    expect(notes).toMatch(/text\/plain/);
    expect(notes).toMatch(/Link expires /);
    expect(await entry(NOTES).locator('.verified').getAttribute('title')).toMatch(/recomputed the checksum/);
    expect(await entry(IMAGE).locator('.verified').textContent()).toBe('✓ Verified');
    const key = decodeURIComponent(new URL(uploadLinks[NOTES]!).pathname.replace(`/${BUCKET}/`, ''));
    expect(await entry(NOTES).locator('code').textContent()).toBe(key);

    // The image's thumbnail is a short-lived signed GET that really loads; the text file has a badge instead.
    const thumb = entry(IMAGE).locator('img.thumb');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
    const thumbUrl = new URL((await thumb.getAttribute('src'))!);
    expect(thumbUrl.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(await entry(NOTES).locator('img').count()).toBe(0);
  });

  it('searches by name or key, in any case', async () => {
    const search = history.getByRole('searchbox', { name: 'Search' });
    await search.fill('NOTES');
    await expect.poll(() => entries().locator('.entry-name').allTextContents()).toEqual([NOTES]);
    await search.fill('no such upload');
    await expect.poll(() => entries().count()).toBe(0);
    await history.getByText(/^0 of 2 uploads match/).waitFor();
    await search.fill('');
    await expect.poll(() => entries().count()).toBe(2);
  });

  it('copies a fresh link: the clipboard holds it, and it downloads the same bytes', async () => {
    await history.getByRole('button', { name: `Copy fresh link for ${IMAGE}` }).click();
    await status().getByText(`A fresh link for "${IMAGE}" is on the clipboard`).waitFor();
    const link = await historyClipboard();
    expect(link).toBe(await history.getByRole('textbox', { name: `Fresh link for ${IMAGE}` }).inputValue());
    expect(new URL(link).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(imageBytes)).toBe(true);

    // A chosen expiry is what the link gets.
    await history.getByLabel('Fresh links last').selectOption({ label: '1 hour' });
    await history.getByRole('button', { name: `Copy fresh link for ${NOTES}` }).click();
    await status().getByText(`A fresh link for "${NOTES}" is on the clipboard`).waitFor();
    const hourLink = await historyClipboard();
    expect(new URL(hourLink).searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(Buffer.from(await (await fetch(hourLink)).arrayBuffer()).equals(notesBytes)).toBe(true);
  });

  it('deletes one after a confirmation (keyboard too): marked deleted, and the object answers 404', async () => {
    const del = history.getByRole('button', { name: `Delete ${NOTES}…` });
    await del.click();
    const dialog = history.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain(`Delete "${NOTES}" from bucket ${BUCKET}? This cannot be undone.`);
    // Focus starts on the safe choice; Escape keeps the object and returns to the button.
    expect(await dialog.getByRole('button', { name: 'Keep' }).evaluate((b) => b === document.activeElement)).toBe(true);
    await history.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => del.evaluate((b) => b === document.activeElement)).toBe(true);
    await history.keyboard.press('Enter');
    await history.screenshot({ path: `${SHOTS}/history-confirm-delete.png`, fullPage: true });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();

    await status().getByText(`Deleted "${NOTES}" from bucket ${BUCKET}.`).waitFor();
    await entry(NOTES).getByText(/^Deleted from the bucket on /).waitFor();
    // What is left for a deleted entry: its key. No link, no second delete.
    expect(await entry(NOTES).getByRole('button').allTextContents()).toEqual(['Copy key']);
    await expect.poll(() => entries().count()).toBe(2);

    const key = decodeURIComponent(new URL(uploadLinks[NOTES]!).pathname.replace(`/${BUCKET}/`, ''));
    const gone = await createS3Client(connectionTo(s3, BUCKET))
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      .then(
        () => 200,
        (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode,
      );
    expect(gone).toBe(404);
    expect((await fetch(uploadLinks[NOTES]!)).status).toBe(404);
    // The other one is untouched.
    expect((await fetch(uploadLinks[IMAGE]!)).status).toBe(200);
  });

  it('the popup agrees: the deleted upload is marked deleted in Recent, the other one still has its link', async () => {
    const popup = await PopupPage.open(ext);
    const recent = popup.page.getByRole('list', { name: 'Recent uploads' });
    const deletedRow = recent.getByRole('listitem').filter({ hasText: NOTES });
    await deletedRow.getByText(/deleted from the bucket/).waitFor();
    expect(await deletedRow.getByRole('button').count()).toBe(0);
    // The popup that uploaded them was closed with nothing left to upload, so the runner's document closed with its
    // live list: Recent, read from the history, is what offers the image's link now, signed afresh.
    const imageRow = recent.getByRole('listitem').filter({ hasText: IMAGE });
    await imageRow.getByRole('button', { name: `Copy fresh link for ${IMAGE}` }).waitFor();
    expect(await popup.page.getByLabel(`Share link for ${IMAGE}`).count()).toBe(0);
    expect(await popup.page.getByLabel(`Share link for ${NOTES}`).count()).toBe(0);

    // Every upload the popup shows has the same state in the history.
    const popupState = await popup.page.evaluate(() =>
      [...document.querySelectorAll('li.upload')].map((li) => ({
        name: li.querySelector('.name')!.textContent!,
        deleted: li.classList.contains('deleted'),
      })),
    );
    const historyState = await history.evaluate(() =>
      [...document.querySelectorAll('li.history-entry')].map((li) => ({
        name: li.querySelector('.entry-name')!.textContent!,
        deleted: li.classList.contains('deleted'),
      })),
    );
    const byName = (list: { name: string; deleted: boolean }[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(popupState)).toEqual(byName(historyState));
    await popup.page.screenshot({ path: `${SHOTS}/popup-history-recent.png`, fullPage: true });
    await popup.page.close();
  });

  it('looks right in light and dark themes', async () => {
    await history.bringToFront();
    await history.emulateMedia({ colorScheme: 'light' });
    await history.screenshot({ path: `${SHOTS}/history-light.png`, fullPage: true });
    await history.emulateMedia({ colorScheme: 'dark' });
    expect(await history.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 24, 29)');
    await history.screenshot({ path: `${SHOTS}/history-dark.png`, fullPage: true });
    await history.emulateMedia({ colorScheme: 'light' });
  });

  it('keeps at most the number set per profile; clearing forgets the entries but not the objects', async () => {
    const limit = history.getByLabel(/^Keep at most/);
    await limit.fill('1');
    await history.getByRole('button', { name: 'Save', exact: true }).click();
    await status().getByText('Saved: each profile keeps its last 1 uploads.').waitFor();
    await expect.poll(() => entries().locator('.entry-name').allTextContents()).toEqual([NOTES]);

    await history.getByRole('button', { name: 'Clear history…' }).click();
    const dialog = history.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain('The objects stay in the bucket.');
    await dialog.getByRole('button', { name: 'Clear history' }).click();
    await status().getByText(/^History cleared: 1 entry forgotten/).waitFor();
    await expect.poll(() => entries().count()).toBe(0);
    // The image left the history (limit), not the bucket.
    expect((await fetch(uploadLinks[IMAGE]!)).status).toBe(200);
  });

  it('a popup left open sees its own upload deleted from the history: the live row moves to Recent, marked deleted', async () => {
    const DRAFT = 'draft plan.txt';
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: DRAFT, mimeType: 'text/plain', buffer: Buffer.from('A draft that goes.\n'.repeat(30)) }]);
    const live = popup.page.getByLabel(`Share link for ${DRAFT}`);
    await live.waitFor();
    const recentDraft = popup.page.getByRole('list', { name: 'Recent uploads' }).getByRole('listitem').filter({ hasText: DRAFT });

    // The history page, open all along, lists the new upload on its own.
    await history.bringToFront();
    await entry(DRAFT).waitFor();
    await history.getByRole('button', { name: `Delete ${DRAFT}…` }).click();
    await history.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await status().getByText(`Deleted "${DRAFT}" from bucket ${BUCKET}.`).waitFor();

    await recentDraft.getByText(/deleted from the bucket/).waitFor();
    expect(await live.count()).toBe(0);
    expect(await popup.page.locator('li.upload').filter({ hasText: DRAFT }).count()).toBe(1);
    await popup.page.close();
  });
});
