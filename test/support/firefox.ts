import { withoutPort, type TestServerKeys } from './extension';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecentUpload } from '../../src/history/recent';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_BUILD_DIR = resolve(import.meta.dirname, '../../.output/firefox-mv2-e2e');
export const GECKO_ID = 's3-drop@s3drop.dev';
/** Pinned so the test knows the moz-extension:// origin before the add-on starts. */
const FIXED_UUID = '3d0c9b4e-1c4f-4a57-9d0e-5f0e8f3f2a11';

export function firefoxAvailable(): boolean {
  if (existsSync(FIREFOX)) return true;
  if (process.env.CI) throw new Error(`CI: ${FIREFOX} is missing (apt-get install -y firefox-esr).`);
  console.warn(`Skipping Firefox tests: ${FIREFOX} is missing (apt-get install -y firefox-esr).`);
  return false;
}

/** What a real click passes to `contextMenus.onClicked`, less the tab (looked up by its URL). */
export interface MenuClick {
  menuItemId: string;
  pageUrl: string;
  mediaType?: 'image';
  srcUrl?: string;
}

export interface FirefoxExtension {
  browser: Browser;
  url(path: string): string;
  /** Opens an extension page in a new tab; resolves once it has loaded. */
  open(path: string): Promise<Page>;
  /** Opens a web page in a new tab at this viewport size; resolves once it has loaded. */
  openWeb(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  /**
   * The puppeteer page of a tab the extension opened itself, once the browser's
   * tabs API says it finished loading that URL. `before` are the pages that
   * existed before the action that opened it.
   */
  adoptTab(path: string, before: readonly Page[]): Promise<Page>;
  /**
   * The clipboard's text, read from an extension page with `clipboardRead`
   * (launch with `hostOrigins`): a web page's `readText` waits for the user
   * to confirm a paste prompt.
   */
  clipboard(): Promise<string>;
  /**
   * Calls the background's `contextMenus.onClicked` listener, after checking it
   * is the one Firefox holds, with this click and the tab showing `click.pageUrl`.
   */
  menuClick(click: MenuClick): Promise<RecentUpload | null>;
  /**
   * Kills Firefox as a crash or a power cut would: SIGKILL to its whole
   * process group, nothing shut down cleanly. The profile stays (launch with
   * `profileDir` to start again on it); the add-on's copy goes.
   */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A copy of the Firefox build whose manifest grants these origins at install,
 * as if the user had accepted the prompt (MV2: host patterns in `permissions`).
 * It may also read the clipboard, so the test can check what was copied (as
 * Playwright's `clipboard-read` grant does in Chromium): without it Firefox
 * lets a page read only right after a click, and a click may land on a button.
 */
function grantedCopy(hostOrigins: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-ff-'));
  cpSync(FIREFOX_BUILD_DIR, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { permissions?: string[] };
  manifest.permissions = [...(manifest.permissions ?? []), 'clipboardRead', ...hostOrigins.map(withoutPort)];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

/** puppeteer's handle on a tab's browsing context: not in its public types, so checked here. */
interface BrowsingContextHandle {
  navigate(url: string, wait: 'none' | 'interactive' | 'complete'): Promise<void>;
}

/**
 * Navigates a tab and resolves once its document has loaded, with WebDriver
 * BiDi's own `browsingContext.navigate` and `wait: 'complete'`. `page.goto`
 * waits for navigation events that Firefox never sends for moz-extension://
 * pages, and polling the page while it navigates evaluates in a document that
 * is going away; after this resolves there is one document, loaded.
 */
async function navigate(page: Page, url: string): Promise<void> {
  const context = (page.mainFrame() as unknown as { browsingContext?: Partial<BrowsingContextHandle> }).browsingContext;
  if (typeof context?.navigate !== 'function')
    throw new Error('puppeteer-core no longer exposes the frame’s BiDi browsing context: update navigate() in test/support/firefox.ts.');
  await context.navigate(url, 'complete');
}

/** The extension page's `browser` global, inside `page.evaluate` callbacks (they run in Firefox, not here). */
interface PageBrowser {
  tabs: { query(q: object): Promise<{ id?: number; url?: string; status?: string }[]> };
  runtime: { getBackgroundPage(): Promise<{ __s3dropListeners?: BackgroundListeners }> };
}
interface BackgroundListeners {
  menu(info: object, tab: unknown): Promise<RecentUpload | null>;
  isRegistered(): boolean;
}

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi, with the built add-on installed.
 *
 * `profileDir`: a profile of the caller's, kept when the browser ends, to start
 * Firefox again on it. The add-on is installed as a temporary one each time;
 * with its pinned UUID it keeps its moz-extension:// origin, and with it its
 * IndexedDB and storage, across a killed and relaunched browser (verified:
 * nothing more is needed).
 */
export async function launchFirefoxExtension(opts: { hostOrigins?: string[]; profileDir?: string } = {}): Promise<FirefoxExtension> {
  if (!existsSync(`${FIREFOX_BUILD_DIR}/manifest.json`)) throw new Error('No Firefox test build: run `npm run build:e2e` first.');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access', ...(opts.profileDir ? ['--profile', opts.profileDir] : [])],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIXED_UUID }) },
  });
  const extDir = opts.hostOrigins?.length ? grantedCopy(opts.hostOrigins) : FIREFOX_BUILD_DIR;
  await browser.installExtension(extDir);
  const url = (path: string) => `moz-extension://${FIXED_UUID}/${path.replace(/^\//, '')}`;

  /**
   * An extension page kept open to ask the browser's APIs (tabs, the background page). Opened first, so
   * it never becomes the active tab later and hides the page a screenshot is meant to capture.
   */
  let helper: Page;

  const ext: FirefoxExtension = {
    browser,
    url,
    async open(path) {
      const page = await browser.newPage();
      await navigate(page, url(path));
      return page;
    },
    async openWeb(target, viewport) {
      const page = await browser.newPage();
      // Sized before the page loads, so it lays out (and draws) once, at this size.
      if (viewport) await page.setViewport(viewport);
      await navigate(page, target);
      return page;
    },
    async adoptTab(path, before) {
      const target = url(path);
      // The tabs API tells when the tab has loaded; only then is it evaluated (never mid-navigation).
      await helper.waitForFunction(
        async (u) =>
          (await (globalThis as unknown as { browser: PageBrowser }).browser.tabs.query({ status: 'complete' })).some((t) => t.url === u),
        { timeout: 15_000, polling: 100 },
        target,
      );
      const fresh = (await browser.pages()).filter((p) => !before.includes(p) && p !== helper);
      for (const candidate of fresh) if ((await candidate.evaluate(() => location.href)) === target) return candidate;
      throw new Error(`No page shows ${target}`);
    },
    async clipboard() {
      return helper.evaluate(() => navigator.clipboard.readText());
    },
    async menuClick(click) {
      return helper.evaluate(async (click) => {
        const api = (globalThis as unknown as { browser: PageBrowser }).browser;
        const listeners = (await api.runtime.getBackgroundPage()).__s3dropListeners;
        if (!listeners?.isRegistered()) throw new Error('the listeners are not the ones registered with the browser');
        const tab = (await api.tabs.query({})).find((t) => t.url === click.pageUrl);
        if (!tab) throw new Error(`no tab shows ${click.pageUrl}`);
        // Firefox's OnClickData for a click in a tab's top frame.
        const info = { ...click, frameId: 0, editable: false, modifiers: [], button: 2, viewType: 'tab' };
        // Copied into this page's realm: BiDi serialises what the page owns.
        return JSON.parse(JSON.stringify(await listeners.menu(info, tab))) as RecentUpload | null;
      }, click);
    },
    async kill() {
      // Puppeteer starts Firefox detached: it leads a process group with its content processes.
      const pid = browser.process()?.pid;
      if (!pid) throw new Error('No Firefox process to kill.');
      const gone = new Promise<void>((resolve) => browser.once('disconnected', () => resolve()));
      process.kill(-pid, 'SIGKILL');
      await gone;
      if (extDir !== FIREFOX_BUILD_DIR) rmSync(extDir, { recursive: true, force: true });
    },
    close: async () => {
      await browser.close();
      if (extDir !== FIREFOX_BUILD_DIR) rmSync(extDir, { recursive: true, force: true });
    },
  };
  helper = await ext.open('uploads.html');
  return ext;
}

/**
 * Enters a profile with a test server's keys on the options page, typed as a
 * user would, and saves it; resolves with the page once it says Saved (the
 * caller closes it or goes on with it).
 */
export async function saveFirefoxKeysProfile(ff: FirefoxExtension, server: TestServerKeys, bucket: string): Promise<Page> {
  const options = await ff.open('options.html');
  await options.waitForSelector('#bucket');
  for (const [id, value] of [
    ['bucket', bucket],
    ['region', server.region],
    ['endpoint', server.endpoint],
    ['accessKeyId', server.accessKeyId],
    ['secretAccessKey', server.secretAccessKey],
  ] as const)
    await options.type(`#${id}`, value);
  await options.click('#forcePathStyle');
  await options.click('button[type=submit]');
  await options.waitForSelector('::-p-text(Saved.)');
  return options;
}
