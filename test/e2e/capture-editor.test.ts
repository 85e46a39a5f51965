import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, OptionsPage, serverFields, type ExtensionBrowser } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { serveOnePage, type OnePageSite } from '../support/one-page-site';
import { decodePng, pixelAt, type PngPixels } from '../support/png-pixels';
import { startSwift, type S3Server, listKeys } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

const BUCKET = 'capture-editor-e2e';

/** Where the test page puts what, in CSS pixels of a 1280×800 window. */
const PAGE = {
  secret: { left: 40, top: 120, width: 420, height: 70, colour: '#fde68a', text: 'Card 4242 4242 4242 4242' },
  checker: { left: 540, top: 120, width: 240, height: 160, a: '#ff0000', b: '#0000ff', cell: 2 },
  green: { left: 40, top: 340, width: 300, height: 120, colour: '#1d8a4e' },
  purple: { left: 400, top: 340, width: 200, height: 120, colour: '#7c3aed' },
} as const;

const box = (b: { left: number; top: number; width: number; height: number }) =>
  `position:absolute;left:${b.left}px;top:${b.top}px;width:${b.width}px;height:${b.height}px`;

/** Known text on a known colour, a fine red and blue checkerboard (drawn pixel by pixel), two plain blocks, white elsewhere. */
const HTML = `<!doctype html><html><head><style>html,body{margin:0;background:#fff;overflow:hidden}</style></head><body>
<div id="secret" style="${box(PAGE.secret)};background:${PAGE.secret.colour};color:#111;font:bold 28px/70px monospace;padding-left:8px;box-sizing:border-box">${PAGE.secret.text}</div>
<canvas id="checker" width="${PAGE.checker.width}" height="${PAGE.checker.height}" style="${box(PAGE.checker)}"></canvas>
<div style="${box(PAGE.green)};background:${PAGE.green.colour}"></div>
<div style="${box(PAGE.purple)};background:${PAGE.purple.colour}"></div>
<script>
const c = document.getElementById('checker'), ctx = c.getContext('2d'), n = ${PAGE.checker.cell};
for (let y = 0; y < c.height; y += n) for (let x = 0; x < c.width; x += n) {
  ctx.fillStyle = ((x + y) / n) % 2 ? '${PAGE.checker.a}' : '${PAGE.checker.b}'; ctx.fillRect(x, y, n, n);
}
document.body.dataset.drawn = 'yes';
</script></body></html>`;

/** A page people capture and redact: an account dashboard with an API key and customers' addresses. */
const DASHBOARD = `<!doctype html><html><head><style>
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1f2937;background:#f3f4f6;display:flex;min-height:100vh}
nav{width:210px;background:#111827;color:#e5e7eb;padding:20px}nav b{display:block;font-size:18px;margin-bottom:24px}
nav a{display:block;color:#9ca3af;padding:6px 0;text-decoration:none}nav a.on{color:#fff}
main{flex:1;padding:28px 36px}h1{margin:0 0 18px;font-size:24px}
.cards{display:flex;gap:16px;margin-bottom:22px}.card{flex:1;background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 3px #0002}
.card small{color:#6b7280}.card div{font-size:26px;font-weight:700}.up{color:#15803d;font-size:13px}
.key{background:#fff;border-radius:10px;padding:14px 18px;margin-bottom:22px;box-shadow:0 1px 3px #0002}
code{font:15px ui-monospace,monospace;background:#eef2ff;padding:4px 8px;border-radius:6px}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px #0002}
th,td{text-align:left;padding:10px 14px;border-bottom:1px solid #e5e7eb}th{background:#f9fafb;color:#6b7280;font-size:13px}
.bad{color:#b91c1c;font-weight:600}
</style></head><body><nav><b>Acme Cloud</b><a>Overview</a><a class="on">Billing</a><a>Usage</a><a>API keys</a><a>Team</a><a>Settings</a></nav>
<main><h1>Billing overview</h1>
<div class="cards"><div class="card"><small>Monthly revenue</small><div>$48,210</div><span class="up">▲ 12.4% from last month</span></div>
<div class="card"><small>Active customers</small><div>1,284</div><span class="up">▲ 38 this week</span></div>
<div class="card"><small>Failed payments</small><div class="bad">7</div><span>needs attention</span></div></div>
<div class="key">Live API key: <code id="apikey">sk_live_51Hq8ZpK2eXvT9mWq4LrN7yB3cDfG0aJ</code></div>
<table><tr><th>Customer</th><th>Email</th><th>Plan</th><th>Status</th></tr>
<tr><td>Jane Cooper</td><td>jane.cooper@example.com</td><td>Business</td><td>Paid</td></tr>
<tr><td>Wade Warren</td><td>wade@warren.example</td><td>Starter</td><td class="bad">Card declined</td></tr>
<tr><td>Esther Howard</td><td>esther.h@example.org</td><td>Business</td><td>Paid</td></tr>
<tr><td>Cameron Williamson</td><td>cameron@example.net</td><td>Enterprise</td><td>Paid</td></tr>
<tr><td>Brooklyn Simmons</td><td>brooklyn.s@example.com</td><td>Starter</td><td>Trial</td></tr></table>
</main><script>document.body.dataset.drawn = 'yes'</script></body></html>`;

type Block = { left: number; top: number; width: number; height: number };

/** Every colour in a block of the PNG (CSS pixels × `dpr`, less `inset` real pixels each side), with how often. */
function coloursIn(png: PngPixels, b: Block, dpr: number, inset = 0): Map<string, number> {
  const seen = new Map<string, number>();
  for (let y = Math.round(b.top * dpr) + inset; y < Math.round((b.top + b.height) * dpr) - inset; y++)
    for (let x = Math.round(b.left * dpr) + inset; x < Math.round((b.left + b.width) * dpr) - inset; x++) {
      const c = pixelAt(png, x, y);
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
  return seen;
}

describe.skipIf(!strictLaneAvailable())('capture editor, Chromium end to end', () => {
  let s3: S3Server;
  let site: OnePageSite;
  let dashboard: OnePageSite;
  let ext: ExtensionBrowser;
  let page: Page;
  let dpr = 1;

  const objects = () => listKeys(s3, BUCKET);

  /** How many captures the extension still holds for the editor (read from its own IndexedDB, in the worker). */
  const heldCount = () =>
    ext.worker.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('s3drop-editor');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('captures')) return resolve(0);
            const count = db.transaction('captures').objectStore('captures').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );

  /** A menu item clicked on the test page, as the browser would call the listener; resolves with the editor's tab. */
  const openEditor = async (menuItemId: string, on = page): Promise<Page> => {
    await on.bringToFront();
    const opened = ext.context.waitForEvent('page', (p) => p.url().includes('/editor.html'));
    await ext.worker.evaluate(
      async ({ pageUrl, menuItemId }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: { menu(i: object, t: unknown): Promise<unknown>; isRegistered(): boolean } })
          .__s3dropListeners;
        if (!listeners.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return listeners.menu({ menuItemId, pageUrl, frameId: 0, editable: false }, tab);
      },
      { pageUrl: on.url(), menuItemId },
    );
    const editor = await opened;
    await editor.setViewportSize({ width: 1280, height: 800 });
    await editor.getByRole('img', { name: /^Screenshot screenshot-127\.0\.0\.1-/ }).waitFor();
    // Save works once the upload runner has answered.
    await expect.poll(() => editor.getByRole('button', { name: 'Save to S3 (Enter)' }).isEnabled()).toBe(true);
    return editor;
  };

  /** Drags with the real mouse over a block of the captured page, `outset` CSS pixels beyond it, on the editor's picture. */
  const dragOver = async (editor: Page, b: Block, outset: number) => {
    const picture = editor.getByRole('img', { name: /^Screenshot / });
    const shown = (await picture.boundingBox())!;
    const realWidth = await picture.evaluate((c) => (c as HTMLCanvasElement).width);
    // A drag in the editor scales with the capture's own pixels per CSS pixel of the page.
    const k = (shown.width / realWidth) * dpr;
    const at = (x: number, y: number) => [shown.x + x * k, shown.y + y * k] as const;
    await editor.mouse.move(...at(b.left - outset, b.top - outset));
    await editor.mouse.down();
    await editor.mouse.move(...at(b.left + b.width / 2, b.top + b.height / 2), { steps: 4 });
    await editor.mouse.move(...at(b.left + b.width + outset, b.top + b.height + outset), { steps: 4 });
    await editor.mouse.up();
  };

  /** Enter, then the link the editor shows once the upload is done; the PNG read back through it. */
  const saveAndRead = async (editor: Page) => {
    await editor.keyboard.press('Enter');
    await editor.getByText(/^Saved\./).waitFor({ timeout: 60_000 });
    const link = await editor.getByRole('textbox', { name: /share link/i }).inputValue();
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    return decodePng(Buffer.from(await res.arrayBuffer()));
  };

  beforeAll(async () => {
    [s3, site, dashboard] = await Promise.all([startSwift({ buckets: [BUCKET] }), serveOnePage(HTML), serveOnePage(DASHBOARD)]);
    // As if the user had accepted the prompt for the bucket, and what a real click's activeTab grant gives.
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`, '<all_urls>'] });
    // The profile edits every capture first: its checkbox, found by its label, as a user would tick it.
    const options = await OptionsPage.open(ext);
    await options.fill(serverFields(s3, BUCKET));
    await options.page.getByLabel('Edit captures before saving').check();
    expect(await options.save()).toMatch(/^Saved/);
    await options.page.close();
    page = await ext.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(site.pageUrl);
    await page.waitForFunction(() => document.body.dataset.drawn === 'yes');
    dpr = await page.evaluate(() => devicePixelRatio);
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    await dashboard?.stop();
    await s3?.stop();
  });

  it('Esc discards: the tab closes, nothing is uploaded, and the capture is not kept', async () => {
    // The plain screenshot item: the profile sends it through the editor.
    const editor = await openEditor('save-screenshot');
    expect(await heldCount()).toBe(1);
    const closed = editor.waitForEvent('close');
    // Esc closes the tab, sometimes before Playwright hears the key press acknowledged: then the press reports the
    // page closed. That is the outcome under test (awaited next), so only that error is let go.
    await editor.keyboard.press('Escape').catch((err: Error) => {
      if (!editor.isClosed()) throw err;
    });
    await closed;
    await expect.poll(heldCount).toBe(0);
    expect(await objects()).toEqual([]);
  }, 90_000);

  it('uploads on Enter a PNG whose redacted block is one colour, whose pixelated block keeps none of its pixels, and the rest as captured', async () => {
    const editor = await openEditor('edit-screenshot');
    await editor.getByRole('button', { name: 'Redact (R)' }).click();
    await dragOver(editor, PAGE.secret, 6);
    await editor.keyboard.press('p');
    expect(await editor.getByRole('button', { name: 'Pixelate (P)' }).getAttribute('aria-pressed')).toBe('true');
    await dragOver(editor, PAGE.checker, 4);
    // Nothing has gone up while editing.
    expect(await objects()).toEqual([]);
    const png = await saveAndRead(editor);
    expect([png.width, png.height]).toEqual([Math.round(1280 * dpr), Math.round(800 * dpr)]);
    expect(await objects()).toHaveLength(1);

    // The text's block: every pixel the same (the fill), and that fill opaque black.
    expect([...coloursIn(png, PAGE.secret, dpr)]).toEqual([['#000000', PAGE.secret.width * PAGE.secret.height * dpr * dpr]]);
    // The checkerboard: neither of its two colours left anywhere in it, and blocks of their mixture instead.
    const checker = coloursIn(png, PAGE.checker, dpr);
    expect(checker.has(PAGE.checker.a)).toBe(false);
    expect(checker.has(PAGE.checker.b)).toBe(false);
    expect(checker.size).toBeGreaterThan(1);
    const centre = pixelAt(png, Math.round((PAGE.checker.left + PAGE.checker.width / 2) * dpr), Math.round((PAGE.checker.top + PAGE.checker.height / 2) * dpr));
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(centre.slice(i, i + 2), 16));
    expect(g).toBe(0);
    expect(Math.abs(r! - b!)).toBeLessThan(80);
    // Untouched: the two plain blocks, whole, and the white page below them.
    expect([...coloursIn(png, PAGE.green, dpr)]).toEqual([[PAGE.green.colour, PAGE.green.width * PAGE.green.height * dpr * dpr]]);
    expect([...coloursIn(png, PAGE.purple, dpr)]).toEqual([[PAGE.purple.colour, PAGE.purple.width * PAGE.purple.height * dpr * dpr]]);
    expect([...coloursIn(png, { left: 0, top: 500, width: 1280, height: 300 }, dpr).keys()]).toEqual(['#ffffff']);
    // Just outside the redaction's few pixels of margin, the text's own block is as it was.
    expect(pixelAt(png, Math.round((PAGE.secret.left + PAGE.secret.width + 10) * dpr), Math.round(150 * dpr))).toBe('#ffffff');
    // The capture left the editor's storage when it went up.
    expect(await heldCount()).toBe(0);
    await editor.close();
  }, 120_000);

  it('Ctrl+Z takes back the last operation: only the first redaction is in the upload', async () => {
    const before = await objects();
    const editor = await openEditor('edit-screenshot');
    await editor.keyboard.press('r');
    await dragOver(editor, PAGE.green, 2);
    await dragOver(editor, PAGE.purple, 2);
    await editor.keyboard.press('Control+z');
    const png = await saveAndRead(editor);
    expect(await objects()).toHaveLength(before.length + 1);
    expect([...coloursIn(png, PAGE.green, dpr).keys()]).toEqual(['#000000']);
    expect([...coloursIn(png, PAGE.purple, dpr)]).toEqual([[PAGE.purple.colour, PAGE.purple.width * PAGE.purple.height * dpr * dpr]]);
    await editor.close();
  }, 120_000);

  it('looks right in light and dark, with a redaction, a highlight, an arrow and a label on a real page', async () => {
    const shots = 'test-results/screenshots';
    mkdirSync(shots, { recursive: true });
    const board = await ext.context.newPage();
    await board.setViewportSize({ width: 1280, height: 800 });
    await board.goto(dashboard.pageUrl);
    await board.waitForFunction(() => document.body.dataset.drawn === 'yes');
    const block = (selector: string) =>
      board.locator(selector).evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, top: r.top, width: r.width, height: r.height };
      });
    const [key, declined] = [await block('#apikey'), await block('td.bad')];
    const editor = await openEditor('edit-screenshot', board);
    await editor.keyboard.press('r');
    await dragOver(editor, key, 3);
    await editor.keyboard.press('h');
    await dragOver(editor, { ...declined, left: declined.left - 6, width: declined.width + 12 }, 4);
    await editor.keyboard.press('a');
    await dragOver(editor, { left: declined.left - 130, top: declined.top + 212, width: 118, height: -192 }, 0);
    await editor.keyboard.press('t');
    const picture = editor.getByRole('img', { name: /^Screenshot / });
    const shown = (await picture.boundingBox())!;
    const k = shown.width / (await picture.evaluate((c) => (c as HTMLCanvasElement).width));
    await editor.mouse.click(shown.x + (declined.left - 400) * dpr * k, shown.y + (declined.top + 196) * dpr * k);
    await editor.getByRole('textbox', { name: 'Label text' }).fill('Ask Wade to update his card');
    await editor.keyboard.press('Enter');
    await expect.poll(() => editor.getByRole('textbox', { name: 'Label text' }).count()).toBe(0);
    await editor.getByRole('button', { name: 'Highlight (H)' }).focus();
    await editor.emulateMedia({ colorScheme: 'light' });
    await editor.screenshot({ path: `${shots}/editor-light.png` });
    await editor.emulateMedia({ colorScheme: 'dark' });
    expect(await editor.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 24, 29)');
    await editor.screenshot({ path: `${shots}/editor-dark.png` });
    // Leaving without saving: nothing goes up, nothing is kept.
    const before = await objects();
    // The tab may close before the press is acknowledged (see the Esc test).
    await editor.keyboard.press('Escape').catch((err: Error) => {
      if (!editor.isClosed()) throw err;
    });
    await expect.poll(heldCount).toBe(0);
    expect(await objects()).toEqual(before);
    await board.close();
  }, 120_000);
});
