import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../support/download';
import { PopupPage, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import type { S3Server } from '../support/s3-servers';
import { partNumbers as numbers, pickerChooses, randomFile, readJournalInPage, uploadParts } from '../support/resume';
import type { ThrottleProxy } from '../support/throttle-proxy';
import { extensionThrough, holdAndSettle, multipartUploadsIn, startThrottledSwift, stopAll } from '../support/throttled-swift';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'resume-handle-e2e';
const MiB = 1024 * 1024;
/**
 * 136 MiB goes up in 64 MiB parts (the size S3 Drop picks above 128 MiB): two full parts and one of 8 MiB, all
 * at once. The small last part is answered within seconds, the large ones take ~16 s each: the upload is stopped
 * with part 3 in and parts 1 and 2 missing.
 */
const SIZE = 136 * MiB;
const TOTAL_PARTS = 3;
/** Per request (4 MiB/s): a 64 MiB part takes ~16 s, enough to stop the upload between the small part and the large ones. */
const RATE = 4 * MiB;

const journalIn = (page: Page) => page.evaluate(readJournalInPage);

/** What the journal entry for `name` holds as its handle, read in an extension page: its kind and name, or null. */
const journalHandleOf = (page: Page, name: string) =>
  page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('s3drop-journal');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const all = db.transaction('uploads').objectStore('uploads').getAll();
      const entries = await new Promise<{ name: string; handle?: FileSystemFileHandle }[]>((resolve, reject) => {
        all.onsuccess = () => resolve(all.result);
        all.onerror = () => reject(all.error);
      });
      const handle = entries.find((e) => e.name === name)?.handle;
      return handle instanceof FileSystemFileHandle ? { kind: handle.kind, name: handle.name } : null;
    } finally {
      db.close();
    }
  }, name);

/**
 * Resume through the handle Chrome's file picker gives: the upload journal
 * keeps it, and Resume reads the file again through it instead of asking
 * for it. Swift's s3api behind a slowing, logging proxy, as in resume.test.ts.
 */
describe.skipIf(!strictLaneAvailable())('Resume reads the chosen file again through its kept handle, Chromium end to end', () => {
  let s3: S3Server;
  let proxy: ThrottleProxy;
  let ext: ExtensionBrowser;
  let dir: string;

  const multipartUploads = () => multipartUploadsIn(s3, BUCKET);

  /** Chooses `path` with Choose files and lets the upload run until the small last part is in; returns the upload ID. */
  async function startAndStopAfterLastPart(popup: PopupPage, path: string, name: string): Promise<{ uploadId: string; before: number[] }> {
    const mark = proxy.requests.length;
    await pickerChooses(popup.page, path);
    await popup.page.locator('label', { hasText: /^Choose files$/ }).click();
    await expect.poll(() => uploadParts(proxy.requests.slice(mark)).some((r) => r.partNumber === TOTAL_PARTS && r.status === 200), { timeout: 60_000 }).toBe(true);
    const uploadId = uploadParts(proxy.requests.slice(mark))[0]!.uploadId;
    const before = await holdAndSettle(proxy, uploadId);
    // Every answered part is journaled, with the handle the picker gave.
    await expect.poll(async () => (await journalIn(popup.page)).find((e) => e.name === name)?.parts, { timeout: 30_000 }).toEqual(before);
    expect(await journalHandleOf(popup.page, name)).toEqual({ kind: 'file', name });
    return { uploadId, before };
  }

  /** Waits for the link, then checks that exactly `missing` went up after `mark`, in the same upload, and the same bytes arrived. */
  async function finishedWith(popup: PopupPage, name: string, mark: number, uploadId: string, missing: number[], sha: string): Promise<void> {
    const link = await popup.linkFor(name, 180_000);
    const after = uploadParts(proxy.requests.slice(mark));
    expect(new Set(after.map((p) => p.uploadId))).toEqual(new Set([uploadId]));
    expect(numbers(after)).toEqual(missing);
    expect(await sha256Of(link)).toEqual({ hex: sha, bytes: SIZE });
    expect(await multipartUploads()).toEqual([]);
    expect(await journalIn(popup.page)).toEqual([]);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 's3drop-handle-'));
    ({ s3, proxy } = await startThrottledSwift(BUCKET, RATE));
    ext = await extensionThrough({ s3, proxy }, BUCKET);
  });
  afterEach(() => proxy?.release());
  afterAll(async () => {
    await stopAll({ ext, server: { s3, proxy } });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'the runner gone mid-upload: Resume is one click (read access still granted), a file changed since gets its sentence, only the missing parts go up',
    { timeout: 300_000 },
    async () => {
      const name = 'chosen film.mov';
      const path = join(dir, name);
      const sha = await randomFile(path, SIZE);
      // A whole second: the date can then be put back exactly (a file system's sub-millisecond part would not survive
      // a round trip through a Date, and the browser may round it the other way).
      const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
      utimesSync(path, mtime, mtime);
      const chosen = await PopupPage.open(ext);
      const { uploadId, before } = await startAndStopAfterLastPart(chosen, path, name);
      expect(before).toEqual([TOTAL_PARTS]);

      // The runner's document goes (as it does with the browser): its uploads stop, the journal stays. The first popup
      // stays open, so the browser keeps the read access the picker gave (a restart asks again: the next test).
      await ext.worker.evaluate(() => (globalThis as unknown as { chrome: { offscreen: { closeDocument(): Promise<void> } } }).chrome.offscreen.closeDocument());
      proxy.release();
      const popup = await PopupPage.open(ext);
      const resume = popup.page.getByRole('button', { name: `Resume upload of ${name}` });
      await resume.waitFor({ timeout: 30_000 });

      // Changed on disk since it was chosen: the same sentence as a wrong pick, and nothing is sent.
      utimesSync(path, new Date(), new Date(mtime.getTime() + 60_000));
      const mark = proxy.requests.length;
      await resume.click();
      const alert = popup.page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(
        `"${name}" is not the file this upload started with: it was changed since, or it is another copy. Nothing was sent. Choose "${name}" again.`,
      );
      expect(proxy.requests.slice(mark)).toEqual([]);
      expect(await journalIn(popup.page)).toEqual([{ name, uploadId, parts: before }]);

      // Back as it was: one click on Resume finishes it (no file to find, no prompt: the access is still granted).
      utimesSync(path, new Date(), mtime);
      await popup.page.reload();
      await resume.click();
      await finishedWith(popup, name, mark, uploadId, [1, 2], sha);
      await popup.page.close();
      await chosen.page.close();
    },
  );

  it(
    'after a killed browser, reading the file again refused: Resume says why and asks for the file, which then finishes the upload',
    { timeout: 300_000 },
    async () => {
      const name = 'refused film.mov';
      const path = join(dir, name);
      const sha = await randomFile(path, SIZE);
      let popup = await PopupPage.open(ext);
      const { uploadId, before } = await startAndStopAfterLastPart(popup, path, name);
      await ext.kill();
      proxy.release();

      // Headless Chromium cannot show the "Allow S3 Drop to view the file again?" prompt for a test to click: this
      // launch refuses every prompt, so the refusal path runs with the real handle the journal kept through the kill.
      ext = await ext.restart({ extraArgs: ['--deny-permission-prompts'] });
      popup = await PopupPage.open(ext);
      await popup.page.getByRole('button', { name: `Resume upload of ${name}` }).waitFor({ timeout: 30_000 });
      expect(await journalHandleOf(popup.page, name)).toEqual({ kind: 'file', name });
      // The background reads the same entries at start-up (to throw away week-old uploads): a handle in one must not stop it.
      expect(await ext.worker.evaluate(readJournalInPage)).toEqual([{ name, uploadId, parts: before }]);
      const mark = proxy.requests.length;
      await popup.page.getByRole('button', { name: `Resume upload of ${name}` }).click();
      const alert = popup.page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(`S3 Drop was not allowed to read "${name}" again. Choose it again to resume.`);
      await popup.page.screenshot({ path: `${SHOTS}/popup-resume-handle-refused.png`, fullPage: true });
      expect(proxy.requests.slice(mark)).toEqual([]);
      expect(await journalIn(popup.page)).toEqual([{ name, uploadId, parts: before }]);

      await popup.page.getByLabel(`Choose "${name}" again to resume`).setInputFiles(path);
      await finishedWith(popup, name, mark, uploadId, [1, 2], sha);
      await popup.page.close();
    },
  );
});
