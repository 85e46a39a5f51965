import { withoutPort } from './extension';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_BUILD_DIR = resolve(import.meta.dirname, '../../.output/firefox-mv2');
export const GECKO_ID = 's3-drop@s3drop.dev';
/** Pinned so the test knows the moz-extension:// origin before the add-on starts. */
const FIXED_UUID = '3d0c9b4e-1c4f-4a57-9d0e-5f0e8f3f2a11';

export function firefoxAvailable(): boolean {
  if (existsSync(FIREFOX)) return true;
  if (process.env.CI) throw new Error(`CI: ${FIREFOX} is missing (apt-get install -y firefox-esr).`);
  console.warn(`Skipping Firefox tests: ${FIREFOX} is missing (apt-get install -y firefox-esr).`);
  return false;
}

export interface FirefoxExtension {
  browser: Browser;
  url(path: string): string;
  /**
   * Opens an extension page. Over WebDriver BiDi `page.goto` never resolves for
   * moz-extension:// pages, so start it and wait for the location instead.
   */
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A copy of the Firefox build whose manifest grants these origins at install,
 * as if the user had accepted the prompt (MV2: host patterns in `permissions`).
 */
function grantedCopy(hostOrigins: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-ff-'));
  cpSync(FIREFOX_BUILD_DIR, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { permissions?: string[] };
  manifest.permissions = [...(manifest.permissions ?? []), ...hostOrigins.map(withoutPort)];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

/** Debian's Firefox ESR, headless, driven over WebDriver BiDi, with the built add-on installed. */
export async function launchFirefoxExtension(opts: { hostOrigins?: string[] } = {}): Promise<FirefoxExtension> {
  if (!existsSync(`${FIREFOX_BUILD_DIR}/manifest.json`)) throw new Error('No Firefox build: run `npm run build:firefox` first.');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIXED_UUID }) },
  });
  const extDir = opts.hostOrigins?.length ? grantedCopy(opts.hostOrigins) : FIREFOX_BUILD_DIR;
  await browser.installExtension(extDir);
  const url = (path: string) => `moz-extension://${FIXED_UUID}/${path.replace(/^\//, '')}`;
  return {
    browser,
    url,
    async open(path) {
      const page = await browser.newPage();
      const target = url(path);
      page.goto(target).catch(() => {});
      await page.waitForFunction((u) => location.href === u && document.readyState === 'complete', { timeout: 15_000 }, target);
      return page;
    },
    close: async () => {
      await browser.close();
      if (extDir !== FIREFOX_BUILD_DIR) rmSync(extDir, { recursive: true, force: true });
    },
  };
}
