/**
 * A check by hand, not run by `npm test`: Resume through a kept file handle
 * after a killed browser, with Chrome's real "Allow this site to view and
 * copy …?" prompt answered by a person. No test can answer that prompt:
 * headless Chromium never shows it, and it is browser UI, outside any page.
 *
 * Needs a display (Xvfb is enough) and `xwd` + ImageMagick for screenshots:
 *
 *   apt-get install -y xvfb openbox x11-apps imagemagick xdotool
 *   Xvfb :99 -screen 0 1280x900x24 & DISPLAY=:99 openbox &
 *   npm run build:e2e
 *   DISPLAY=:99 npx tsx test/manual/kept-handle-prompt.ts
 *
 * It starts a 136 MiB upload chosen through *Choose files* (the picker stood
 * in for as in resume-handle.test.ts), stops it with part 3 in, kills the
 * browser, starts it again headed, opens the real toolbar popup and clicks
 * *Resume* there, then *Resume* in the tab that opens. When it prints
 * "answer the prompt", look at the screenshot and click *Allow*, e.g.
 * `DISPLAY=:99 xdotool mousemove X Y click 1`. It then checks that only the
 * missing parts went, in the same upload, and that the link gives the same
 * SHA-256. Screenshots go to test-results/manual/.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { sha256Of } from '../support/download';
import { PopupPage } from '../support/extension';
import { partNumbers, pickerChooses, randomFile, readJournalInPage, uploadParts } from '../support/resume';
import { extensionThrough, holdAndSettle, startThrottledSwift, stopAll, until } from '../support/throttled-swift';

const MiB = 1024 * 1024;
const SHOTS = 'test-results/manual';
const BUCKET = 'kept-handle-prompt';
const PORT = 9333;
const name = 'kept film.mov';

if (!process.env.DISPLAY) throw new Error('No DISPLAY: start Xvfb (see the comment at the top of this file).');
mkdirSync(SHOTS, { recursive: true });
const say = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const shot = (file: string) => execSync(`xwd -root | convert xwd:- ${SHOTS}/${file}.png`);
const server = await startThrottledSwift(BUCKET, 4 * MiB);
const { proxy } = server;
const dir = mkdtempSync(join(tmpdir(), 's3drop-prompt-'));
let ext = await extensionThrough(server, BUCKET, { headed: true });
try {
  const path = join(dir, name);
  const sha = await randomFile(path, 136 * MiB);
  const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  utimesSync(path, mtime, mtime);

  const popup = await PopupPage.open(ext);
  await pickerChooses(popup.page, path);
  await popup.page.locator('label', { hasText: /^Choose files$/ }).click();
  await until('part 3 answered', () => uploadParts(proxy.requests).some((r) => r.partNumber === 3 && r.status === 200));
  const uploadId = uploadParts(proxy.requests)[0]!.uploadId;
  const before = await holdAndSettle(proxy, uploadId);
  await until('the journal holds them', async () => {
    const entry = (await popup.page.evaluate(readJournalInPage)).find((e) => e.name === name);
    return JSON.stringify(entry?.parts) === JSON.stringify(before);
  });
  say(`parts in before the kill: ${before.join(', ')}`);
  await ext.kill();
  proxy.release();

  // The real toolbar popup needs DevTools on a port (Playwright does not list it as a page).
  ext = await ext.restart({ extraArgs: [`--remote-debugging-port=${PORT}`] });
  const devtools = await puppeteer.connect({ browserURL: `http://127.0.0.1:${PORT}`, defaultViewport: null });
  await ext.context.pages()[0]?.bringToFront();
  const toolbarTarget = devtools.waitForTarget((t) => t.url().endsWith('/popup.html'), { timeout: 15_000 });
  say(`action.openPopup(): ${await ext.worker.evaluate(() =>
    (globalThis as unknown as { chrome: { action: { openPopup(): Promise<void> } } }).chrome.action.openPopup().then(() => 'opened', (e: Error) => e.message),
  )}`);
  const toolbar = (await (await toolbarTarget).asPage())!;
  const resume = await toolbar.waitForSelector(`::-p-aria(Resume upload of ${name})`, { timeout: 30_000 });
  shot('1-toolbar-popup');
  const tabOpened = ext.context.waitForEvent('page', { predicate: (p) => p.url().includes('tab=1'), timeout: 15_000 });
  await resume!.click();
  const tab = new PopupPage(await tabOpened);
  await tab.page.bringToFront();
  const mark = proxy.requests.length;
  await tab.page.getByRole('button', { name: `Resume upload of ${name}` }).click();
  // The prompt fades in: the screenshot is taken once two in a row are the same.
  let previous = '';
  await until('the screen settles', () => {
    shot('2-prompt');
    const now = execSync(`md5sum < ${SHOTS}/2-prompt.png`).toString();
    const settled = now === previous;
    previous = now;
    return settled;
  });
  say(`answer the prompt: click Allow (see ${SHOTS}/2-prompt.png); waiting up to 10 minutes for the link`);
  const link = await tab.linkFor(name, 600_000);
  shot('3-done');
  const after = uploadParts(proxy.requests.slice(mark));
  say(`after the restart: parts ${partNumbers(after).join(', ')}; same upload: ${after.every((p) => p.uploadId === uploadId)}`);
  const got = await sha256Of(link);
  say(`SHA-256 ${got.hex === sha ? 'matches' : 'DIFFERS'} (${got.bytes} bytes)`);
  await devtools.disconnect();
} finally {
  await stopAll({ ext, server });
  rmSync(dir, { recursive: true, force: true });
}
