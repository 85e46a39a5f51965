import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { sha256Of } from '../support/download';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension, saveFirefoxKeysProfile } from '../support/firefox';
import { strictLaneAvailable } from '../support/lanes';
import { partNumbers, fileAndImpostor, readJournalInPage, uploadParts } from '../support/resume';
import { connectionTo, type S3Server } from '../support/s3-servers';
import type { ThrottleProxy } from '../support/throttle-proxy';
import { holdAndSettle, multipartUploadsIn, startThrottledSwift, stopAll } from '../support/throttled-swift';

const BUCKET = 'resume-firefox';
const MiB = 1024 * 1024;
/** 400 MiB goes up in 64 MiB parts (the size S3 Drop picks for files over 128 MiB): six full parts and one of 16 MiB. */
const SIZE = 400 * MiB;
const TOTAL_PARTS = 7;
/** Parts in flight at once (the upload engine's default): the most a kill can catch mid-way. */
const CONCURRENCY = 4;
/** Per request: four 64 MiB parts at once take ~26 s, the whole file ~52 s, so the kill lands mid-upload. */
const RATE = 2.5 * MiB;

const journalIn = (page: Page) => page.evaluate(readJournalInPage);

/**
 * Firefox ESR killed mid-upload and started again on the same profile: the
 * runner is the background page there, the journal the add-on's IndexedDB.
 * Firefox keeps no file handles for the add-on, so Resume always asks for the
 * file again; another file of the same name is refused with a sentence.
 */
describe.skipIf(!firefoxAvailable() || !strictLaneAvailable())('unfinished uploads survive a killed browser, Firefox ESR end to end', () => {
  let s3: S3Server;
  let proxy: ThrottleProxy;
  let ff: FirefoxExtension;
  let dir: string;
  let profileDir: string;

  const client = () => createS3Client(connectionTo(s3, BUCKET));
  const multipartUploads = () => multipartUploadsIn(s3, BUCKET);
  const launch = () => launchFirefoxExtension({ hostOrigins: [`${proxy.origin}/*`], profileDir });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3drop-ff-resume-'));
    profileDir = mkdtempSync(join(tmpdir(), 's3drop-ff-profile-'));
    ({ s3, proxy } = await startThrottledSwift(BUCKET, RATE));
    ff = await launch();
    // Through the proxy, which counts the parts and holds them back when asked.
    const options = await saveFirefoxKeysProfile(ff, { ...s3, endpoint: proxy.origin }, BUCKET);
    await options.close();
  });
  afterEach(() => proxy?.release());
  afterAll(async () => {
    await ff?.close().catch(() => {});
    await stopAll({ server: { s3, proxy } });
    for (const d of [dir, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a 400 MiB upload killed half-way resumes after a restart with the file picked again; another file of the same name is refused', { timeout: 420_000 }, async () => {
    const name = 'field recording.wav';
    // Another file of the same name, size and date, with other bytes: only its content tells it apart.
    const { path, impostor, sha } = await fileAndImpostor(dir, name, SIZE);

    const started = Date.now();
    // The tab Choose files opens from the toolbar popup in Firefox.
    let popup = await ff.open('popup.html?tab=1');
    const input = await popup.waitForSelector('input[type=file]');
    await input!.uploadFile(path);
    await expect.poll(() => uploadParts(proxy.requests).filter((r) => r.status === 200).length, { timeout: 180_000, interval: 250 }).toBeGreaterThanOrEqual(3);
    const uploadId = uploadParts(proxy.requests)[0]!.uploadId;

    const before = await holdAndSettle(proxy, uploadId);
    await expect.poll(async () => (await journalIn(popup)).find((e) => e.name === name)?.parts, { timeout: 30_000 }).toEqual(before);
    const inFlight = partNumbers(uploadParts(proxy.requests).filter((r) => r.uploadId === uploadId && r.status === undefined));
    await ff.kill();
    const killedAt = Date.now();
    proxy.release();
    const missing = Array.from({ length: TOTAL_PARTS }, (_, i) => i + 1).filter((n) => !before.includes(n));
    expect(before.length).toBeLessThan(TOTAL_PARTS);
    expect((await multipartUploads()).map((u) => u.UploadId)).toEqual([uploadId]);

    const mark = proxy.requests.length;
    ff = await launch();
    popup = await ff.open('popup.html?tab=1');
    await popup.waitForSelector('::-p-text(Unfinished uploads)', { timeout: 30_000 });
    await popup.click(`button[aria-label="Resume upload of ${name}"]`);
    const pickAgain = await popup.waitForSelector('.unfinished input[type=file]');
    expect(await popup.$eval('.unfinished label', (l) => l.textContent)).toBe(`Choose "${name}" again to resume`);

    const beforeImpostor = proxy.requests.length;
    await pickAgain!.uploadFile(impostor);
    const alert = await popup.waitForSelector('.unfinished [role=alert]');
    expect(await alert!.evaluate((a) => a.textContent)).toBe(`"${name}" is not the file this upload started with: its bytes differ. Nothing was sent. Choose "${name}" again.`);
    expect(proxy.requests.slice(beforeImpostor)).toEqual([]);
    expect(await journalIn(popup)).toEqual([{ name, uploadId, parts: before }]);

    const resumedAt = Date.now();
    await pickAgain!.uploadFile(path);
    await popup.waitForSelector('.unfinished [role=alert]', { hidden: true });
    const linkInput = await popup.waitForSelector(`input[aria-label="Share link for ${name}"]`, { timeout: 180_000 });
    const link = await linkInput!.evaluate((el) => (el as HTMLInputElement).value);
    const finishedAt = Date.now();

    const after = uploadParts(proxy.requests.slice(mark));
    expect(new Set(after.map((p) => p.uploadId))).toEqual(new Set([uploadId]));
    expect(partNumbers(after)).toEqual(missing);
    expect(after.length).toBeLessThanOrEqual(TOTAL_PARTS - before.length + CONCURRENCY);
    expect(await sha256Of(link)).toEqual({ hex: sha, bytes: SIZE });
    const key = decodeURIComponent(new URL(link).pathname.split('/').slice(2).join('/'));
    expect((await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag).toMatch(new RegExp(`-${TOTAL_PARTS}"$`));
    expect(await multipartUploads()).toEqual([]);
    expect(await journalIn(popup)).toEqual([]);

    console.log(
      `resume e2e (Firefox): ${before.length} of ${TOTAL_PARTS} parts answered before the kill (${inFlight.length} in flight), ` +
        `${after.length} sent after the restart (parts ${partNumbers(after).join(', ')}); SHA-256 matches; ` +
        `upload to kill ${((killedAt - started) / 1000).toFixed(1)} s, resume to link ${((finishedAt - resumedAt) / 1000).toFixed(1)} s`,
    );
  });
});
