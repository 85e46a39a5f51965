import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The test build (`npm run build:e2e`): the release plus the listeners tests call (src/background/test-hooks.ts). */
export const BUILD_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3-e2e');
/** What `npm run build` makes and users install: the demo loads this one. */
export const RELEASE_BUILD_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3');

/** `http://127.0.0.1:9000/*` → `http://127.0.0.1/*`; `<all_urls>` unchanged. */
export function withoutPort(pattern: string): string {
  return pattern.replace(/^([a-z*]+:\/\/[^/:]+|[a-z*]+:\/\/\[[^\]]+\]):\d+\//, '$1/');
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  /** `chrome-extension://<id>/<path>` */
  url(path: string): string;
  close(): Promise<void>;
  /** Quits the browser but keeps its profile and the extension's copy, for `restart`. */
  quit(): Promise<void>;
  /**
   * Kills the browser as a crash or a power cut would: SIGKILL to its whole
   * process group, so nothing shuts down cleanly or writes anything more.
   * Keeps its profile and the extension's copy, for `restart`.
   */
  kill(): Promise<void>;
  /**
   * Starts the browser again on the same profile: the same extension id and storage, a new browser session;
   * `extraArgs` replace the first launch's (e.g. `--deny-permission-prompts`, to answer a prompt no test can click).
   */
  restart(more?: Pick<LaunchOptions, 'extraArgs'>): Promise<ExtensionBrowser>;
}

/**
 * Copies the built extension and adds the test server's origin to
 * `host_permissions`, as if the user had accepted the permission prompt:
 * Playwright cannot answer that prompt, and headless Chromium never settles
 * `permissions.request` otherwise. With the origin granted, the request the
 * options page makes resolves `true` at once — the same code path a user takes.
 */
export function grantedCopyOfBuild(hostOrigins: string[], buildDir = BUILD_DIR): string {
  if (!existsSync(join(buildDir, 'manifest.json')))
    throw new Error(`No build at ${buildDir}: run \`${buildDir === BUILD_DIR ? 'npm run build:e2e' : 'npm run build'}\` first.`);
  const dir = mkdtempSync(join(tmpdir(), 's3drop-ext-'));
  cpSync(buildDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { host_permissions?: string[] };
  // The extension asks for port-less patterns (Firefox cannot match ports), so grant those.
  manifest.host_permissions = [...(manifest.host_permissions ?? []), ...hostOrigins.map(withoutPort)];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

export interface LaunchOptions {
  /** Origin match patterns to pre-grant, e.g. `http://127.0.0.1:1234/*`. */
  hostOrigins: string[];
  /** Show a window (needs a display). */
  headed?: boolean;
  /** Reuse an earlier launch's extension copy and browser profile (see `restart`). */
  reuse?: { extDir: string; profileDir: string };
  /** Which build to load; the test build by default. */
  buildDir?: string;
  /** More Chromium flags, e.g. `--force-device-scale-factor=2` for a HiDPI screen. */
  extraArgs?: string[];
  /** The pages' device pixel ratio, as a HiDPI screen gives (Playwright's emulation, which captures follow). */
  deviceScaleFactor?: number;
}

/**
 * Chromium's flags for a quiet, reproducible run with one unpacked extension
 * (shared with the bench): no sync, updates or first-run UI, a GPU-less
 * headless mode that can load extensions.
 */
export function chromiumExtensionArgs(extDir: string, opts: { headed?: boolean } = {}): string[] {
  return [
    ...(opts.headed ? [] : ['--headless=new']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--disable-extensions-except=${extDir}`,
    `--load-extension=${extDir}`,
  ];
}

/**
 * The browser process of the Chromium running on `profileDir`: the one whose
 * command line names that profile and that leads its process group (Playwright
 * starts the browser detached, so its helpers share the browser's group).
 */
function browserProcessOf(profileDir: string): number {
  const flag = `--user-data-dir=${profileDir}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(flag)) continue;
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === Number(name)) return pgrp;
    } catch {
      // The process ended while being read.
    }
  }
  throw new Error(`No Chromium process runs on ${profileDir}.`);
}

/** Debian's Chromium with the extension loaded, headless unless asked otherwise. */
export async function launchExtension(opts: LaunchOptions): Promise<ExtensionBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const extDir = opts.reuse?.extDir ?? grantedCopyOfBuild(opts.hostOrigins, opts.buildDir);
  const profileDir = opts.reuse?.profileDir ?? mkdtempSync(join(tmpdir(), 's3drop-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    // Playwright's own headless flag picks the old mode, which cannot load extensions.
    headless: false,
    viewport: { width: 900, height: 700 },
    ...(opts.deviceScaleFactor ? { deviceScaleFactor: opts.deviceScaleFactor } : {}),
    args: [...chromiumExtensionArgs(extDir, { headed: opts.headed ?? false }), ...(opts.extraArgs ?? [])],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    worker,
    url: (path) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`,
    async close() {
      await context.close().catch(() => {});
      rmSync(extDir, { recursive: true, force: true });
      rmSync(profileDir, { recursive: true, force: true });
    },
    async quit() {
      await context.close().catch(() => {});
    },
    async kill() {
      const group = browserProcessOf(profileDir);
      const gone = new Promise<void>((resolve) => context.once('close', () => resolve()));
      process.kill(-group, 'SIGKILL');
      await gone;
    },
    async restart(more = {}) {
      await context.close().catch(() => {});
      return launchExtension({ ...opts, ...more, reuse: { extDir, profileDir } });
    },
  };
}

/**
 * Stops the extension's service worker, as Chrome does to an idle one, and
 * returns once Chrome reports it stopped. The next event or message starts it
 * again. (Playwright's `Worker` is no witness: when the worker starts again
 * at once, Chrome keeps the same DevTools target and no `close` is seen.)
 */
export async function stopServiceWorker(ext: ExtensionBrowser): Promise<void> {
  const page = await ext.context.newPage();
  try {
    const cdp = await ext.context.newCDPSession(page);
    const states = new Map<string, string>();
    let changed = () => {};
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) if (v.scriptURL.startsWith(ext.url(''))) states.set(v.versionId, v.runningStatus);
      changed();
    });
    const until = (ok: () => boolean) =>
      new Promise<void>((resolve) => {
        changed = () => ok() && resolve();
        changed();
      });
    // Enabling reports every version at once.
    await cdp.send('ServiceWorker.enable');
    await until(() => [...states.values()].includes('running'));
    const versionId = [...states].find(([, status]) => status === 'running')![0];
    const stopped = until(() => states.get(versionId) === 'stopped');
    await cdp.send('ServiceWorker.stopWorker', { versionId });
    await stopped;
  } finally {
    await page.close();
  }
}

/** A console argument as DevTools reports it: a value, or a preview of an object. */
interface RemoteArg {
  value?: unknown;
  description?: string;
  preview?: { properties: { name: string; value?: string }[] };
}

/**
 * Every console line the extension's service worker has logged since it
 * started, as `type text`. A test attaches its listeners only after the
 * browser is up, when the worker has already run; V8 keeps the worker's
 * console messages and replays them to a new DevTools session, so nothing it
 * said before the test listened is lost.
 */
export async function workerConsoleHistory(ext: ExtensionBrowser): Promise<string[]> {
  const page = await ext.context.newPage();
  try {
    const cdp = await ext.context.newCDPSession(page);
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(ext.url('')));
    if (!target) throw new Error('The extension has no service worker running.');
    const lines: string[] = [];
    const text = (arg: RemoteArg) =>
      arg.value !== undefined ? (typeof arg.value === 'string' ? arg.value : JSON.stringify(arg.value))
      : arg.preview ? JSON.stringify(Object.fromEntries(arg.preview.properties.map((p) => [p.name, p.value])))
      : (arg.description ?? '');
    let replayed!: () => void;
    const done = new Promise<void>((resolve) => (replayed = resolve));
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; method?: string; params?: { type: string; args: RemoteArg[] } };
      if (message.method === 'Runtime.consoleAPICalled') lines.push(`${message.params!.type} ${message.params!.args.map(text).join(' ')}`);
      // The stored messages come before the reply to Runtime.enable.
      if (message.id === 1) replayed();
    });
    // A session of our own beside Playwright's (the non-flat kind, which this CDP session can drive).
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.enable' }) });
    await done;
    await cdp.send('Target.detachFromTarget', { sessionId });
    return lines;
  } finally {
    await page.close();
  }
}

export interface ProfileInput {
  /** The profile's name; empty leaves the bucket's. */
  name: string;
  bucket: string;
  region: string;
  endpoint: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the form needs of a test server. */
export type TestServerKeys = { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };

/** The form's fields for a bucket on a test server, with the server's own keys (path style, as test servers need). */
export function serverFields(server: TestServerKeys, bucket: string, endpoint = server.endpoint): Omit<ProfileInput, 'name'> {
  return {
    bucket,
    region: server.region,
    endpoint,
    pathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  };
}

/** A "Presign service" profile, as the options page asks for it. */
export interface ServiceProfileInput {
  serviceUrl: string;
  auth: 'bearer' | 'header' | 'none';
  /** For `auth: 'header'`. */
  headerName: string;
  /** The bearer token or the header's value. */
  token: string;
  bucket: string;
  keyTemplate: string;
}

const AUTH_OPTION: Record<ServiceProfileInput['auth'], RegExp> = {
  bearer: /^A bearer token/,
  header: /^A header of its own/,
  none: /^No token/,
};

/** The options page, driven by its visible labels. */
export class OptionsPage {
  constructor(readonly page: Page) {}

  /**
   * `countAccessRequests`: before any page code runs, wraps
   * `chrome.permissions.request` to note what each call asks for (and still
   * asks), for `accessRequests`.
   */
  static async open(ext: ExtensionBrowser, options: { countAccessRequests?: boolean } = {}): Promise<OptionsPage> {
    const page = await ext.context.newPage();
    if (options.countAccessRequests)
      await page.addInitScript(() => {
        const g = globalThis as unknown as {
          chrome?: { permissions?: { request(p: { origins?: string[] }): Promise<boolean> } };
          __accessRequests?: string[][];
        };
        const permissions = g.chrome?.permissions;
        if (!permissions) return;
        const request = permissions.request.bind(permissions);
        g.__accessRequests = [];
        permissions.request = (p) => {
          g.__accessRequests!.push(p.origins ?? []);
          return request(p);
        };
      });
    await page.goto(ext.url('options.html'));
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
    return new OptionsPage(page);
  }

  /** The origins each `permissions.request` of this page asked for, in order (open it with `countAccessRequests`). */
  async accessRequests(): Promise<string[][]> {
    const requests = await this.page.evaluate(() => (globalThis as unknown as { __accessRequests?: string[][] }).__accessRequests);
    if (!requests) throw new Error('Open the options page with countAccessRequests to count its access requests.');
    return requests;
  }

  /** Starts a new profile: "Add profile" empties the form. */
  async addProfile(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add profile' }).click();
    await this.page.getByRole('heading', { name: 'New profile' }).waitFor();
  }

  /** Opens a saved profile in the editor by its name in the Profiles list. */
  async selectProfile(name: string): Promise<void> {
    await this.page.getByRole('list', { name: 'Profiles' }).getByRole('button', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }).click();
    await this.page.getByRole('heading', { name: `Profile: ${name}` }).waitFor();
  }

  async fill(p: Partial<ProfileInput>): Promise<void> {
    const { page } = this;
    if (p.name !== undefined) await page.getByLabel('Profile name', { exact: true }).fill(p.name);
    if (p.bucket !== undefined) await page.getByLabel('Bucket', { exact: true }).fill(p.bucket);
    if (p.region !== undefined) await page.getByLabel('Region', { exact: true }).fill(p.region);
    if (p.endpoint !== undefined) await page.getByLabel('Endpoint URL (optional)').fill(p.endpoint);
    if (p.pathStyle !== undefined) await page.getByLabel(/Path-style addressing/).setChecked(p.pathStyle);
    if (p.accessKeyId !== undefined) await page.getByLabel('Access key ID').fill(p.accessKeyId);
    if (p.secretAccessKey !== undefined) await page.getByLabel('Secret access key').fill(p.secretAccessKey);
  }

  /** Picks "Connect with: My own keys" or "My team's presign service". */
  async chooseKind(kind: 'keys' | 'presign-service'): Promise<void> {
    await this.page.getByRole('radio', { name: kind === 'keys' ? 'My own keys' : "My team's presign service" }).check();
  }

  /** Fills the "Presign service" fields (choose that kind first). */
  async fillService(p: Partial<ServiceProfileInput>): Promise<void> {
    const { page } = this;
    if (p.serviceUrl !== undefined) await page.getByLabel('Service URL', { exact: true }).fill(p.serviceUrl);
    if (p.auth !== undefined) {
      const select = page.getByLabel('Send the token as', { exact: true });
      const value = await select.locator('option').filter({ hasText: AUTH_OPTION[p.auth] }).getAttribute('value');
      await select.selectOption(value!);
    }
    if (p.headerName !== undefined) await page.getByLabel('Header name', { exact: true }).fill(p.headerName);
    if (p.token !== undefined) await page.getByLabel(/^(Token|Header value)$/).fill(p.token);
    if (p.bucket !== undefined) await page.getByLabel('Bucket name (if the service asks for one)').fill(p.bucket);
    if (p.keyTemplate !== undefined) await page.getByLabel('Object key template').fill(p.keyTemplate);
  }

  /** Presses the "Allow access to …" button the last report offers, and returns the sentence after it. */
  async allowAccess(): Promise<string> {
    await this.page.getByRole('button', { name: /^Allow access to / }).click();
    return this.report();
  }

  /** The sentence the page shows now (after Check my bucket, Save or Allow access). */
  async lastReport(): Promise<string> {
    return this.report();
  }

  /**
   * Presses the form's Check my bucket and returns the sentence under the
   * buttons: its first step, the connection test of the form as it is. (A
   * saved profile without changes then gets the whole checklist below.)
   */
  async checkBucket(): Promise<string> {
    await this.page.getByRole('button', { name: 'Check my bucket' }).click();
    return this.report();
  }

  async save(): Promise<string> {
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
    return this.report();
  }

  /** The profile editor's own report (the page has others: profile list notices, passphrase). */
  private async report(): Promise<string> {
    const report = this.page.locator('.editor .report:not(.info)');
    await report.waitFor({ timeout: 30_000 });
    // Its first sentence; a second, when there is one, says what comes next.
    const text = (await report.locator('p').first().textContent()) ?? '';
    return text;
  }
}

/** The popup, opened as a tab (the same document the toolbar shows). */
export class PopupPage {
  constructor(readonly page: Page) {}

  /**
   * Makes a file of random bytes inside the popup and chooses it, as the picker would; returns its
   * SHA-256. Hundreds of MiB cannot go through the DevTools protocol in reasonable time.
   */
  async chooseGeneratedFile(name: string, size: number): Promise<string> {
    return this.page.getByLabel('Choose files').evaluate(
      async (input: HTMLInputElement, { name, size }) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
        const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return hash;
      },
      { name, size },
    );
  }

  static async open(ext: ExtensionBrowser): Promise<PopupPage> {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 560 });
    await page.goto(ext.url('popup.html'));
    await page.getByLabel('Choose files').waitFor({ state: 'attached' });
    return new PopupPage(page);
  }

  async choose(files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    await this.page.getByLabel('Choose files').setInputFiles(files);
  }

  /** Drops files on the popup as a drag from the desktop would: a `drop` event carrying a DataTransfer. */
  async drop(files: { name: string; mimeType: string; text: string }[]): Promise<void> {
    await this.page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([f.text], f.name, { type: f.mimeType }));
      const target = document.querySelector('main')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, files);
  }

  /**
   * Drags files or folders from the disk onto the popup, as from a file manager: Chromium's DevTools
   * `Input.dispatchDragEvent` with the paths. Unlike a DataTransfer built in the page, this gives the
   * drop real entries, so a folder reaches `webkitGetAsEntry()` as a directory to walk.
   */
  async dropPaths(paths: string[]): Promise<void> {
    const cdp = await this.page.context().newCDPSession(this.page);
    try {
      const box = (await this.page.locator('main').boundingBox())!;
      const at = { x: box.x + box.width / 2, y: box.y + Math.min(box.height / 2, 100) };
      const data = { items: [], files: paths, dragOperationsMask: 1 };
      for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
    } finally {
      await cdp.detach();
    }
  }

  /** Pastes a file as Ctrl+V with an image on the clipboard would: a `paste` event carrying it. */
  async paste(file: { name: string; mimeType: string; bytes: number[] }): Promise<void> {
    await this.page.evaluate((f) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, file);
  }

  /** Waits until the named file's share link is shown, and returns it. */
  async linkFor(name: string, timeout = 60_000): Promise<string> {
    const link = this.page.getByLabel(`Share link for ${name}`);
    const failure = this.page.getByRole('alert');
    await link.or(failure).first().waitFor({ timeout });
    if (await failure.isVisible()) throw new Error(`Upload failed: ${await failure.first().textContent()}`);
    return link.inputValue();
  }

  async clipboard(): Promise<string> {
    return readClipboard(this.page);
  }
}

/**
 * The clipboard's text, read from `page`. Chromium reads the clipboard only
 * for the focused document, and `bringToFront` can return before the focus
 * has landed on a loaded machine: bring the page forward, then read once the
 * document says it has the focus, again until a read succeeds.
 */
export async function readClipboard(page: Page, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.bringToFront();
    const read = await page.evaluate(async (): Promise<{ text: string } | { error: string }> => {
      if (!document.hasFocus()) return { error: 'the page does not have the focus' };
      try {
        return { text: await navigator.clipboard.readText() };
      } catch (err) {
        return { error: String(err) };
      }
    });
    if ('text' in read) return read.text;
    if (Date.now() > deadline) throw new Error(`Could not read the clipboard: ${read.error}`);
    await page.waitForFunction(() => document.hasFocus(), undefined, { timeout: Math.max(1, deadline - Date.now()) }).catch(() => {});
  }
}

/**
 * Enters a keys profile for a test server's bucket through the options page,
 * as a user would, and saves it. `endpoint` defaults to the server's own
 * (a proxy in front of it may stand in).
 */
export async function saveKeysProfile(
  ext: ExtensionBrowser,
  server: TestServerKeys,
  bucket: string,
  endpoint = server.endpoint,
  name?: string,
): Promise<void> {
  const options = await OptionsPage.open(ext);
  // A second profile starts from an empty form; the first run shows one already.
  if (name !== undefined && (await options.page.getByRole('list', { name: 'Profiles' }).count())) await options.addProfile();
  await options.fill({ ...(name !== undefined ? { name } : {}), ...serverFields(server, bucket, endpoint) });
  const saved = await options.save();
  await options.page.close();
  if (!saved.startsWith('Saved')) throw new Error(`The profile was not saved: ${saved}`);
}
