import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { sha256Of } from '../support/download';
import { PopupPage, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, type S3Server } from '../support/s3-servers';
import { partNumbers as numbers, fileAndImpostor, randomFile, readJournalInPage, uploadParts } from '../support/resume';
import type { ThrottleProxy } from '../support/throttle-proxy';
import { extensionThrough, holdAndSettle, multipartUploadsIn, startThrottledSwift, stopAll } from '../support/throttled-swift';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'resume-e2e';
const MiB = 1024 * 1024;
/** 400 MiB goes up in 64 MiB parts (the size S3 Drop picks for files over 128 MiB): six full parts and one of 16 MiB. */
const SIZE = 400 * MiB;
const TOTAL_PARTS = 7;
/** Parts in flight at once (the upload engine's default): the most a kill can catch mid-way. */
const CONCURRENCY = 4;
/**
 * Per request: four 64 MiB parts at once take ~26 s, the whole file ~52 s,
 * so the kill lands mid-upload and the test stays within a couple of minutes
 * (10 MiB/s in all, which two loaded cores keep up with).
 */
const RATE = 2.5 * MiB;

/** What the journal holds, read in an extension page. */
const journalIn = (page: Page) => page.evaluate(readJournalInPage);

/**
 * A browser killed mid-upload (SIGKILL: no clean shutdown) and started again
 * on the same profile: the popup offers the unfinished upload, Resume takes
 * the file picked again, and only the parts the bucket lacks go up. Swift's
 * s3api behind a loopback proxy that slows the bytes down and logs every
 * request, so the test sees which parts were sent before and after.
 */
describe.skipIf(!strictLaneAvailable())('unfinished uploads survive a killed browser, Chromium end to end', () => {
  let s3: S3Server;
  let proxy: ThrottleProxy;
  let ext: ExtensionBrowser;
  let dir: string;

  const client = () => createS3Client(connectionTo(s3, BUCKET));
  const multipartUploads = () => multipartUploadsIn(s3, BUCKET);

  /**
   * Stops the upload where it is, waits until everything the server can still
   * answer is answered and the journal has every answered part, then kills
   * the browser. Returns the parts the server had answered.
   */
  async function killMidUpload(popup: PopupPage, name: string, uploadId: string): Promise<number[]> {
    const answered = await holdAndSettle(proxy, uploadId);
    // The journal is written as each answer arrives: a restart finds every part the server answered.
    await expect.poll(async () => (await journalIn(popup.page)).find((e) => e.name === name)?.parts, { timeout: 30_000 }).toEqual(answered);
    await ext.kill();
    // The dead browser's held requests went with its sockets; what comes next passes again.
    proxy.release();
    return answered;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 's3drop-resume-'));
    ({ s3, proxy } = await startThrottledSwift(BUCKET, RATE));
    ext = await extensionThrough({ s3, proxy }, BUCKET);
  });
  // A test that fails while the upload is held must not leave the next one stuck.
  afterEach(() => proxy?.release());
  afterAll(async () => {
    await stopAll({ ext, server: { s3, proxy } });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a 400 MiB upload killed half-way resumes after a restart: only the missing parts go up, and the same bytes arrive', { timeout: 420_000 }, async () => {
    const name = 'holiday film.mov';
    // Another file of the same name, size and date, with other bytes: only its content tells it apart.
    const { path, impostor, sha } = await fileAndImpostor(dir, name, SIZE);

    const started = Date.now();
    let popup = await PopupPage.open(ext);
    await popup.page.getByLabel('Choose files').setInputFiles(path);
    // About half the parts in (the first four go up together, so three or four).
    await expect.poll(() => uploadParts(proxy.requests).filter((r) => r.status === 200).length, { timeout: 180_000, interval: 250 }).toBeGreaterThanOrEqual(3);
    const uploadId = uploadParts(proxy.requests)[0]!.uploadId;
    const before = await killMidUpload(popup, name, uploadId);
    const killedAt = Date.now();
    const inFlight = numbers(uploadParts(proxy.requests).filter((r) => r.uploadId === uploadId && r.status === undefined));
    const missing = Array.from({ length: TOTAL_PARTS }, (_, i) => i + 1).filter((n) => !before.includes(n));
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(TOTAL_PARTS);
    // The server still holds the upload and the parts it answered.
    expect((await multipartUploads()).map((u) => u.UploadId)).toEqual([uploadId]);

    const mark = proxy.requests.length;
    ext = await ext.restart();
    popup = await PopupPage.open(ext);
    await popup.page.getByRole('heading', { name: 'Unfinished uploads' }).waitFor({ timeout: 30_000 });
    await popup.page.getByRole('button', { name: `Resume upload of ${name}` }).click();
    const pickAgain = popup.page.getByLabel(`Choose "${name}" again to resume`);
    await popup.page.screenshot({ path: `${SHOTS}/popup-resume-after-kill.png` });

    // The wrong file first: a sentence, and nothing is sent.
    const beforeImpostor = proxy.requests.length;
    await pickAgain.setInputFiles(impostor);
    const alert = popup.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`"${name}" is not the file this upload started with: its bytes differ. Nothing was sent. Choose "${name}" again.`);
    expect(proxy.requests.slice(beforeImpostor)).toEqual([]);
    expect(await journalIn(popup.page)).toEqual([{ name, uploadId, parts: before }]);

    // The right one: the sentence goes, the upload finishes.
    const resumedAt = Date.now();
    await pickAgain.setInputFiles(path);
    await alert.waitFor({ state: 'detached' });
    const link = await popup.linkFor(name, 180_000);
    const finishedAt = Date.now();

    const after = uploadParts(proxy.requests.slice(mark));
    // The same upload, taken up again, not a new one.
    expect(new Set(after.map((p) => p.uploadId))).toEqual(new Set([uploadId]));
    // Exactly the parts the bucket lacked (the journal had every answered part); within the bound of the parts a kill can catch in flight.
    expect(numbers(after)).toEqual(missing);
    expect(after.length).toBeLessThanOrEqual(TOTAL_PARTS - before.length + CONCURRENCY);
    expect(await sha256Of(link)).toEqual({ hex: sha, bytes: SIZE });

    const key = decodeURIComponent(new URL(link).pathname.split('/').slice(2).join('/'));
    const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ETag).toMatch(new RegExp(`-${TOTAL_PARTS}"$`));
    expect(await multipartUploads()).toEqual([]);
    expect(await journalIn(popup.page)).toEqual([]);
    // Opened again (with the journal empty, as just read), the popup has nothing left to resume.
    await popup.page.reload();
    await popup.page.getByLabel('Choose files').waitFor({ state: 'attached' });
    expect(await popup.page.getByRole('heading', { name: 'Unfinished uploads' }).count()).toBe(0);
    await popup.page.close();

    console.log(
      `resume e2e: ${before.length} of ${TOTAL_PARTS} parts answered before the kill (${inFlight.length} in flight), ` +
        `${after.length} sent after the restart (parts ${numbers(after).join(', ')}); SHA-256 matches; ` +
        `upload to kill ${((killedAt - started) / 1000).toFixed(1)} s, resume to link ${((finishedAt - resumedAt) / 1000).toFixed(1)} s`,
    );
  });

  it('Discard after a killed browser throws the parts away on the server and forgets the upload', { timeout: 240_000 }, async () => {
    const name = 'discard me.bin';
    const path = join(dir, name);
    await randomFile(path, 96 * MiB);
    let popup = await PopupPage.open(ext);
    const mark = proxy.requests.length;
    await popup.page.getByLabel('Choose files').setInputFiles(path);
    // Journaled (its upload ID is known) and moving.
    await expect.poll(async () => (await journalIn(popup.page)).find((e) => e.name === name)?.uploadId, { timeout: 60_000 }).toBeTruthy();
    const { uploadId } = (await journalIn(popup.page)).find((e) => e.name === name)!;
    await expect.poll(() => uploadParts(proxy.requests.slice(mark)).length, { timeout: 60_000 }).toBeGreaterThan(0);
    await killMidUpload(popup, name, uploadId);
    expect((await multipartUploads()).map((u) => u.UploadId)).toEqual([uploadId]);

    ext = await ext.restart();
    popup = await PopupPage.open(ext);
    const discard = popup.page.getByRole('button', { name: `Discard upload of ${name}` });
    await discard.click();
    await popup.page.getByRole('heading', { name: 'Unfinished uploads' }).waitFor({ state: 'detached' });
    expect(await multipartUploads()).toEqual([]);
    expect(await journalIn(popup.page)).toEqual([]);
    await popup.page.close();
  });
});
