import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { PopupPage, stopServiceWorker, type ExtensionBrowser } from '../support/extension';
import { sha256Of } from '../support/download';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, type S3Server } from '../support/s3-servers';
import type { ThrottleProxy } from '../support/throttle-proxy';
import { extensionThrough, startThrottledSwift, stopAll } from '../support/throttled-swift';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'large-e2e';
const MiB = 1024 * 1024;

/**
 * Large files from the popup, against Swift's s3api (real multipart) behind a
 * loopback proxy that slows uploads to a set rate, so there is time to close
 * the popup, stop the service worker, reopen, and cancel.
 */
describe.skipIf(!strictLaneAvailable())('large uploads survive the popup, Chromium end to end', () => {
  let s3: S3Server;
  let proxy: ThrottleProxy;
  let ext: ExtensionBrowser;

  const client = () => createS3Client(connectionTo(s3, BUCKET));

  async function progressOf(popup: PopupPage, name: string): Promise<number> {
    const bar = popup.page.getByRole('progressbar', { name: `Uploading ${name}` });
    await bar.waitFor({ timeout: 30_000 });
    return Number(await bar.getAttribute('value'));
  }

  async function waitForProgress(popup: PopupPage, name: string, atLeast: number): Promise<number> {
    await expect.poll(() => progressOf(popup, name), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(atLeast);
    return progressOf(popup, name);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ s3, proxy } = await startThrottledSwift(BUCKET, 40 * MiB));
    ext = await extensionThrough({ s3, proxy }, BUCKET);
  });
  // A test that fails while the upload is held must not leave the next one stuck.
  afterEach(() => proxy?.release());
  afterAll(async () => {
    await stopAll({ ext, server: { s3, proxy } });
  });

  it('a 300 MiB upload goes on while the popup is closed and the service worker is stopped', async () => {
    const name = 'video 300.bin';
    const size = 300 * MiB;
    let popup = await PopupPage.open(ext);
    const sha = await popup.chooseGeneratedFile(name, size);
    const before = await waitForProgress(popup, name, 30 * MiB);
    // Hold the upload while the popup closes and the worker stops, however long that takes on this machine.
    proxy.hold();
    await popup.page.close();

    // Stop the service worker mid-upload: the queue lives in the offscreen document, not in it.
    await stopServiceWorker(ext);

    // With no popup open, after the worker stopped, the upload goes on: the server keeps receiving its bytes.
    const mark = proxy.forwarded;
    proxy.release();
    // 64 MiB: more than socket buffers can have taken in before the hold, so the popup's figure must pass `before`.
    await expect.poll(() => proxy.forwarded, { timeout: 60_000 }).toBeGreaterThan(mark + 64 * MiB);
    // Held again, so it cannot finish before the popup is back to show it.
    proxy.hold();

    popup = await PopupPage.open(ext);
    await expect.poll(() => progressOf(popup, name), { timeout: 30_000 }).toBeGreaterThan(before);
    const after = await progressOf(popup, name);
    expect(after).toBeLessThan(size);
    await popup.page.screenshot({ path: `${SHOTS}/popup-large-upload-reopened.png` });

    proxy.release();
    const link = await popup.linkFor(name, 90_000);
    expect(await sha256Of(link)).toEqual({ hex: sha, bytes: size });

    const key = decodeURIComponent(new URL(link).pathname.split('/').slice(2).join('/'));
    const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(size);
    expect(head.ETag).toMatch(/-\d+"$/);
    await popup.page.close();
  });

  it('Cancel mid-way aborts the multipart upload: nothing is left on the server', async () => {
    const name = 'cancel me.bin';
    const popup = await PopupPage.open(ext);
    await popup.chooseGeneratedFile(name, 200 * MiB);
    await waitForProgress(popup, name, 20 * MiB);
    // Held, so the upload is still mid-way when Cancel lands, however slow the click is.
    proxy.hold();
    await popup.page.getByRole('button', { name: `Cancel upload of ${name}` }).click();
    await popup.page.getByText('Cancelled.').waitFor();
    proxy.release();
    await expect
      .poll(async () => (await client().send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [], { timeout: 15_000 })
      .toEqual([]);
    const objects = (await client().send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [];
    expect(objects.filter((o) => o.Key?.endsWith(name))).toEqual([]);
    await popup.page.close();
  });
});
