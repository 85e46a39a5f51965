import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKS_PAGE, startBlocksSite, type BlocksSite } from '../support/blocks-site';
import { firefoxAvailable, launchFirefoxExtension, type FirefoxExtension, saveFirefoxKeysProfile } from '../support/firefox';
import { strictLaneAvailable } from '../support/lanes';
import { decodePng, pixelAt, type PngPixels } from '../support/png-pixels';
import { startSwift, type S3Server, listKeys } from '../support/s3-servers';

/** The extension page's `browser` global, inside `page.evaluate` callbacks (they run in Firefox, not here). */
interface PageBrowser {
  tabs: { query(q: object): Promise<{ id?: number; url?: string; status?: string }[]> };
}

type Block = { left: number; top: number; width: number; height: number };

/** Every colour in a block of the PNG (CSS pixels × `dpr`), with how often. */
function coloursIn(png: PngPixels, b: Block, dpr: number): Map<string, number> {
  const seen = new Map<string, number>();
  for (let y = Math.round(b.top * dpr); y < Math.round((b.top + b.height) * dpr); y++)
    for (let x = Math.round(b.left * dpr); x < Math.round((b.left + b.width) * dpr); x++) {
      const c = pixelAt(png, x, y);
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
  return seen;
}

/**
 * "Edit a screenshot…" in Firefox ESR: the capture goes to the editor through
 * the background page's IndexedDB, the editor's tab is driven with the real
 * mouse and keyboard, and Enter uploads through the same runner as the popup,
 * against the Swift lane (signatures checked). Esc leaves nothing behind.
 */
describe.skipIf(!firefoxAvailable() || !strictLaneAvailable())('capture editor, Firefox ESR end to end', () => {
  const BUCKET = 'firefox-editor';
  const VIEWPORT = { width: 1000, height: 700 };
  let ff: FirefoxExtension;
  let s3: S3Server;
  let site: BlocksSite;
  /** An extension page of the test's own, to ask the tabs API and read the extension's IndexedDB. */
  let probe: Page;

  const objects = () => listKeys(s3, BUCKET);

  /** How many captures the extension still holds for the editor, read from its own IndexedDB (same origin as the background). */
  const heldCount = () =>
    probe.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('s3drop-editor');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('captures')) return resolve(0);
            const count = db.transaction('captures').objectStore('captures').count();
            count.onsuccess = () => {
              db.close();
              resolve(count.result);
            };
          };
        }),
    );

  /** The URLs of the editor tabs the browser has, loaded or not. */
  const editorTabs = () =>
    probe.evaluate(async (prefix) => {
      const tabs = await (globalThis as unknown as { browser: PageBrowser }).browser.tabs.query({});
      return tabs.filter((t) => t.url?.startsWith(prefix)).map((t) => ({ url: t.url!, status: t.status }));
    }, ff.url('editor.html'));

  /** "Edit a screenshot…" clicked on `page`, as Firefox calls the listener; resolves with the editor's tab, ready to save. */
  const openEditor = async (page: Page): Promise<Page> => {
    await page.bringToFront();
    const before = await ff.browser.pages();
    expect(await ff.menuClick({ menuItemId: 'edit-screenshot', pageUrl: site.pageUrl })).toBeNull();
    // The editor's address carries the capture's id, unknown here: the tabs API says which it is once it has loaded.
    await probe.waitForFunction(
      async (prefix) =>
        (await (globalThis as unknown as { browser: PageBrowser }).browser.tabs.query({ status: 'complete' })).some((t) =>
          t.url?.startsWith(prefix),
        ),
      { timeout: 15_000, polling: 100 },
      ff.url('editor.html#'),
    );
    const [tab] = await editorTabs();
    const editor = await ff.adoptTab(tab!.url.slice(ff.url('').length), before);
    await editor.setViewport({ width: 1280, height: 800 });
    await editor.waitForSelector('canvas[role=img][aria-label^="Screenshot screenshot-127.0.0.1-"]');
    // Save works once the upload runner has answered.
    await editor.waitForFunction(
      () => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Save to S3 (Enter)' && !b.disabled),
      { polling: 100 },
    );
    return editor;
  };

  /** Drags with the real mouse over a block of the captured page, `outset` CSS pixels beyond it, on the editor's picture. */
  const dragOver = async (editor: Page, b: Block, outset: number, dpr: number) => {
    const picture = (await editor.$('canvas[role=img]'))!;
    const shown = (await picture.boundingBox())!;
    const realWidth = await picture.evaluate((c) => (c as HTMLCanvasElement).width);
    // The picture is shown scaled to fit: a CSS pixel of the page is `k` pixels of the editor.
    const k = (shown.width / realWidth) * dpr;
    const at = (x: number, y: number) => [shown.x + x * k, shown.y + y * k] as const;
    await editor.mouse.move(...at(b.left - outset, b.top - outset));
    await editor.mouse.down();
    await editor.mouse.move(...at(b.left + b.width / 2, b.top + b.height / 2), { steps: 4 });
    await editor.mouse.move(...at(b.left + b.width + outset, b.top + b.height + outset), { steps: 4 });
    await editor.mouse.up();
  };

  beforeAll(async () => {
    [s3, site] = await Promise.all([startSwift({ buckets: [BUCKET] }), startBlocksSite()]);
    // As if the user had accepted the bucket's prompt, and the activeTab grant a real click gives.
    ff = await launchFirefoxExtension({ hostOrigins: [`${s3.endpoint}/*`, '<all_urls>'] });
    const options = await saveFirefoxKeysProfile(ff, s3, BUCKET);
    await options.close();
    // Opened before the page to capture, so it is never the tab a screenshot takes.
    probe = await ff.open('uploads.html');
  }, 120_000);
  afterAll(async () => {
    await ff?.close();
    await Promise.all([s3?.stop(), site?.stop()]);
  });

  it('Esc discards: the tab closes, nothing is uploaded, and the capture is not kept', async () => {
    const page = await ff.openWeb(site.pageUrl, VIEWPORT);
    const editor = await openEditor(page);
    expect(await heldCount()).toBe(1);
    // Esc closes the tab, sometimes before the key press is acknowledged: only that error is let go (the closed tab is
    // what is checked next).
    await editor.keyboard.press('Escape').catch((err: Error) => {
      if (!editor.isClosed()) throw err;
    });
    await probe.waitForFunction(
      async (prefix) =>
        !(await (globalThis as unknown as { browser: PageBrowser }).browser.tabs.query({})).some((t) => t.url?.startsWith(prefix)),
      { timeout: 15_000, polling: 100 },
      ff.url('editor.html'),
    );
    await expect.poll(heldCount, { timeout: 15_000 }).toBe(0);
    expect(await objects()).toEqual([]);
    await page.close();
  }, 120_000);

  it('closing the editor’s tab throws the capture away (the background page hears the tab go)', async () => {
    const page = await ff.openWeb(site.pageUrl, VIEWPORT);
    const editor = await openEditor(page);
    expect(await heldCount()).toBe(1);
    // The editor itself deletes nothing on the way out: only the background's tabs.onRemoved listener can.
    await editor.close();
    await expect.poll(heldCount, { timeout: 15_000 }).toBe(0);
    expect(await editorTabs()).toEqual([]);
    expect(await objects()).toEqual([]);
    await page.close();
  }, 120_000);

  it('Enter uploads a PNG whose redacted block is one opaque fill and whose other blocks are as captured', async () => {
    const page = await ff.openWeb(site.pageUrl, VIEWPORT);
    const dpr = await page.evaluate(() => devicePixelRatio);
    const editor = await openEditor(page);
    const { red, green, blue, orange } = BLOCKS_PAGE.blocks;
    // Redact is the tool the editor opens with; chosen by its letter all the same, as a user would.
    await editor.keyboard.press('r');
    await dragOver(editor, red, 6, dpr);
    // Nothing has gone up while editing.
    expect(await objects()).toEqual([]);
    await editor.keyboard.press('Enter');
    // The link the editor shows once the upload is done, or the sentence it shows instead when it failed.
    await editor.waitForFunction(() => document.querySelector('input[aria-label^="Share link for "], [role=alert]'), {
      timeout: 60_000,
      polling: 100,
    });
    expect(await editor.$eval('[role=status]', (el) => el.textContent)).toBe('Saved. The link is on your clipboard.');
    const link = await editor.$eval('input[aria-label^="Share link for screenshot-127.0.0.1-"]', (el) => (el as HTMLInputElement).value);
    // What the sentence says: the same link, on Firefox's clipboard.
    expect(await ff.clipboard()).toBe(link);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = decodePng(Buffer.from(await res.arrayBuffer()));
    console.log(`[firefox] edited screenshot: ${png.width}×${png.height} at DPR ${dpr}`);
    expect([png.width, png.height]).toEqual([Math.round(VIEWPORT.width * dpr), Math.round(VIEWPORT.height * dpr)]);
    expect(await objects()).toHaveLength(1);

    const px = (b: Block) => Math.round(b.width * dpr) * Math.round(b.height * dpr);
    // The red block: every pixel the single black fill, nothing of the red left.
    expect([...coloursIn(png, red, dpr)]).toEqual([['#000000', px(red)]]);
    // Just beyond the redaction's margin the page's white, and the other blocks whole.
    expect(pixelAt(png, Math.round((red.left + red.width + 12) * dpr), Math.round((red.top + 50) * dpr))).toBe(BLOCKS_PAGE.background);
    expect(pixelAt(png, Math.round((red.left + 50) * dpr), Math.round((red.top + red.height + 12) * dpr))).toBe(BLOCKS_PAGE.background);
    for (const b of [green, blue, orange]) expect([...coloursIn(png, b, dpr)]).toEqual([[b.colour, px(b)]]);
    // The capture left the editor's storage when it went up.
    expect(await heldCount()).toBe(0);
    await editor.close();
    await page.close();
  }, 120_000);
});
