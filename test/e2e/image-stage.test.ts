import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { launchExtension, OptionsPage, PopupPage, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { startImageSite, type ImageSite } from '../support/image-site';
import { strictLaneAvailable } from '../support/lanes';
import { exifTags, locationTags, photoReadersAvailable } from '../support/photo-readers';
import { startSwift, type S3Server } from '../support/s3-servers';

const SHOTS = 'test-results/screenshots';
const BUCKET = 'images-e2e';
const PYTHON = '/usr/bin/python3';

/**
 * A camera's photo as it leaves the phone: 2400 × 1600 pixels stored on their
 * side with EXIF Orientation 6 (shown 1600 × 2400, upright), a red block in
 * the stored top-left corner (shown top-right), and a location. Made by
 * Pillow and ExifTool, not by S3 Drop.
 */
function cameraPhoto(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-image-'));
  try {
    const path = join(dir, 'IMG_2400.jpg');
    const script = `
import sys, random
from PIL import Image
random.seed(2400)
img = Image.linear_gradient('L').resize((2400, 1600)).convert('RGB')
noise = Image.effect_noise((2400, 1600), 40).convert('RGB')
img = Image.blend(img, noise, 0.3)
img.paste((230, 20, 20), (0, 0, 300, 300))
exif = Image.Exif()
exif[0x0112] = 6
img.save(sys.argv[1], quality=92, exif=exif.tobytes())
`;
    execFileSync(PYTHON, ['-c', script, path]);
    execFileSync('exiftool', ['-q', '-overwrite_original', '-n', '-GPSLatitude=48.858222', '-GPSLatitudeRef=N', '-GPSLongitude=2.2945', '-GPSLongitudeRef=E', path]);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pillow's reading of a picture: format, size, and the colour of two corners 40 px in (top-left, top-right). */
function pillowReads(bytes: Uint8Array): { format: string; width: number; height: number; topLeft: number[]; topRight: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-image-'));
  try {
    const path = join(dir, 'picture');
    writeFileSync(path, bytes);
    const out = execFileSync(
      PYTHON,
      [
        '-c',
        'import sys, json\nfrom PIL import Image\nim = Image.open(sys.argv[1]); fmt = im.format; im = im.convert("RGB")\nw, h = im.size\nprint(json.dumps({"format": fmt, "width": w, "height": h, "topLeft": list(im.getpixel((40, 40))), "topRight": list(im.getpixel((w - 40, 40)))}))',
        path,
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 80 && b! < 80;

/**
 * The image stage as a user meets it: the profile set to WebP at most 1024 px
 * in the options page of the built extension in Debian's Chromium, pictures
 * chosen in the popup, uploaded to Swift's s3api (which checks every
 * signature: the signed type and size must be the new file's). The objects are
 * read back through their share links and judged by Pillow and ExifTool.
 */
describe.skipIf(!strictLaneAvailable() || !photoReadersAvailable())('image stage, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  let site: ImageSite;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    site = await startImageSite();
    // As if the user had accepted the prompts: the bucket, and what a real click's activeTab grant gives captureVisibleTab.
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`, `${site.origin}/*`, '<all_urls>'] });
    await saveKeysProfile(ext, s3, BUCKET);
    const options = await OptionsPage.open(ext);
    await options.page.getByLabel('Convert pictures to', { exact: true }).selectOption('webp');
    await options.page.getByLabel('Make pictures no larger than (pixels)', { exact: true }).fill('1024');
    await options.page.getByText('JPEG, PNG, WebP, BMP, GIF and AVIF pictures are redrawn').scrollIntoViewIfNeeded();
    await options.page.screenshot({ path: `${SHOTS}/options-image-fields.png`, fullPage: false });
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.close();
  });
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await s3?.stop();
  });

  it('a 2400 × 1600 camera JPEG goes up as an upright 683 × 1024 WebP named .webp, typed image/webp, without its location', async () => {
    const original = cameraPhoto();
    expect(exifTags(original, 'IMG_2400.jpg')['EXIF:GPSLatitude']).toBeCloseTo(48.858222, 5);
    const before = pillowReads(original);
    // Pillow reads the stored pixels: on their side, the red block top-left.
    expect(before).toMatchObject({ format: 'JPEG', width: 2400, height: 1600 });
    expect(isRed(before.topLeft)).toBe(true);

    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: 'IMG_2400.jpg', mimeType: 'image/jpeg', buffer: original }]);
    const link = await popup.linkFor('IMG_2400.jpg');
    const row = popup.page.getByRole('listitem').filter({ hasText: 'IMG_2400.jpg' });
    await expect.poll(() => row.textContent()).toContain('Converted to WebP, 683 × 1024; no location or other photo details kept');
    await row.screenshot({ path: `${SHOTS}/popup-image-converted.png` });
    await popup.page.close();

    expect(new URL(link).pathname).toMatch(/IMG_2400\.webp$/);
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const stored = new Uint8Array(await response.arrayBuffer());
    expect(stored.length).toBeLessThan(original.length);
    const after = pillowReads(stored);
    expect(after).toMatchObject({ format: 'WEBP', width: 683, height: 1024 });
    // Upright: Orientation 6 turns the stored top-left to the top-right, and nothing is left to turn it again.
    expect(isRed(after.topRight)).toBe(true);
    expect(isRed(after.topLeft)).toBe(false);
    const tags = exifTags(stored, 'IMG_2400.webp');
    expect(locationTags(tags)).toEqual([]);
    expect(tags['EXIF:Orientation']).toBeUndefined();
  });

  it('an animated GIF goes up byte for byte, and the row says why', async () => {
    const original = readFileSync(resolve(import.meta.dirname, '../fixtures/pictures/animated.gif'));
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: 'party.gif', mimeType: 'image/gif', buffer: original }]);
    const link = await popup.linkFor('party.gif');
    const row = popup.page.getByRole('listitem').filter({ hasText: 'party.gif' });
    await expect.poll(() => row.textContent()).toContain('Kept as is: animated pictures are not converted');
    await row.screenshot({ path: `${SHOTS}/popup-image-animated.png` });
    await popup.page.close();

    expect(new URL(link).pathname).toMatch(/party\.gif$/);
    const response = await fetch(link);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await response.arrayBuffer()).equals(original)).toBe(true);
  });

  it('a screenshot, made and converted in the service worker, goes up as a WebP of 1024 px', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(site.pageUrl);
    await page.bringToFront();
    // Chrome has no getter for a notification's text: `notifications.create` is wrapped in this test's worker.
    await ext.worker.evaluate(() => {
      const g = globalThis as unknown as { __messages?: string[] };
      g.__messages = [];
      const create = chrome.notifications.create.bind(chrome.notifications);
      chrome.notifications.create = (id: string, options: { message: string }) => {
        g.__messages!.push(options.message);
        return create(id, options);
      };
    });
    const upload: RecentUpload | null = await ext.worker.evaluate(async (pageUrl) => {
      const listeners = (globalThis as unknown as { __s3dropListeners: { command(c: string, tab: unknown): Promise<unknown> } }).__s3dropListeners;
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return listeners.command('save-screenshot', tab) as Promise<RecentUpload | null>;
    }, site.pageUrl);
    await page.close();
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    // The object's key follows the new format (the name the right-click reports back is the one it started with).
    expect(new URL(upload!.link!).pathname).toMatch(/screenshot-127\.0\.0\.1-\d{8}-\d{6}\.webp$/);
    const response = await fetch(upload!.link!);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(pillowReads(new Uint8Array(await response.arrayBuffer()))).toMatchObject({ format: 'WEBP', width: 1024, height: 640 });
    // The notification says what was done, as the popup's row would (there is no row for a screenshot).
    const messages = await ext.worker.evaluate(() => (globalThis as unknown as { __messages: string[] }).__messages);
    expect(messages).toHaveLength(1);
    // Named as stored: the .webp it became.
    expect(messages[0]).toMatch(/^screenshot-127\.0\.0\.1-\d{8}-\d{6}\.webp · .+; link valid for 1 day\. Converted to WebP, 1024 × 640; no location or other photo details kept\.$/);
  });
});
