import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/s3/client';
import { launchExtension, OptionsPage, PopupPage, saveKeysProfile, workerConsoleHistory, type ExtensionBrowser } from '../support/extension';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';
import { strictLaneAvailable } from '../support/lanes';

/** The extension's `chrome` global, inside `evaluate` callbacks and init scripts (they run in the extension, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const chrome: any;

const SHOTS = 'test-results/screenshots';
const PASSPHRASE = 'correct horse battery';
/** The signed-header list of an upload (PUT) URL; share links (GET) sign `host` only. */
const PUT_SIGNATURE_MARK = 'content-length%3Bcontent-type%3Bhost';

interface StorageDump {
  local: Record<string, unknown>;
  sync: Record<string, unknown>;
  session: Record<string, unknown>;
}

/**
 * Profiles and the secrets' safety, as a user meets them in Debian's Chromium
 * against Swift (which checks every signature): two profiles on two buckets,
 * the right-click menu per profile, the passphrase across a browser restart,
 * and a scan of every message, log line and storage area for the secret.
 */
describe.skipIf(!strictLaneAvailable())('profiles and secrets, Chromium end to end', () => {
  let s3: S3Server;
  let ext: ExtensionBrowser;
  /** Every console line of every extension page and of the service worker, and every traced message. */
  const trace: string[] = [];

  /**
   * Records what crosses between contexts: each page's messages to the
   * background and the replies (an init script wraps `chrome.runtime.sendMessage`
   * before any page code runs), the upload runner's BroadcastChannel, and in
   * the service worker every message it receives (the offscreen runner's too).
   */
  async function traceEverything(browser: ExtensionBrowser): Promise<void> {
    const record = (where: string) => (msg: ConsoleMessage) => trace.push(`${where} ${msg.type()} ${msg.text()}`);
    browser.context.on('console', record('page'));
    browser.worker.on('console', record('worker'));
    await browser.context.addInitScript(() => {
      const runtime = (globalThis as { chrome?: typeof chrome }).chrome?.runtime;
      if (!location.href.startsWith('chrome-extension://') || !runtime?.sendMessage) return;
      const send = runtime.sendMessage.bind(runtime) as (...args: unknown[]) => unknown;
      (runtime as { sendMessage: unknown }).sendMessage = (...args: unknown[]) => {
        const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
        console.debug('[trace] send', JSON.stringify(args));
        const replied = (reply: unknown) => console.debug('[trace] reply', JSON.stringify(reply));
        if (callback)
          return send(...args, (reply: unknown) => {
            replied(reply);
            callback(reply);
          });
        const result = send(...args) as Promise<unknown> | undefined;
        void result?.then(replied, () => {});
        return result;
      };
      new BroadcastChannel('s3drop-uploads').onmessage = (e) => console.debug('[trace] runner', JSON.stringify(e.data));
    });
    await browser.worker.evaluate(() => {
      chrome.runtime.onMessage.addListener((message: unknown, sender: { url?: string }) => {
        console.debug('[trace] background got', JSON.stringify(message), 'from', sender.url);
      });
    });
    // The worker ran before these listeners existed. Nothing else of the extension has yet (no page, no
    // offscreen document): so no message went unseen, and what the worker logged meanwhile is replayed here.
    const contexts = await browser.worker.evaluate(async () =>
      ((await chrome.runtime.getContexts({})) as { contextType: string }[]).map((c) => c.contextType),
    );
    expect(contexts).toEqual(['BACKGROUND']);
    for (const line of await workerConsoleHistory(browser)) trace.push(`worker-before-trace ${line}`);
  }

  async function dumpStorage(browser: ExtensionBrowser): Promise<StorageDump> {
    return browser.worker.evaluate(async () => ({
      local: await chrome.storage.local.get(null),
      sync: await chrome.storage.sync.get(null),
      session: await chrome.storage.session.get(null),
    }));
  }

  /** Storage keys (area:key) whose value contains `needle` anywhere. */
  function keysHolding(dump: StorageDump, needle: string): string[] {
    return Object.entries(dump).flatMap(([area, items]) =>
      Object.entries(items).filter(([, value]) => JSON.stringify(value).includes(needle)).map(([key]) => `${area}:${key}`),
    );
  }

  async function objectsIn(bucket: string): Promise<string[]> {
    const out = await createS3Client(connectionTo(s3, bucket)).send(new ListObjectsV2Command({ Bucket: bucket }));
    return (out.Contents ?? []).map((o) => o.Key!);
  }

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: ['work-e2e', 'personal-e2e'] });
    ext = await launchExtension({ hostOrigins: [`${s3.endpoint}/*`] });
    await traceEverything(ext);
  });
  afterAll(async () => {
    await ext?.close();
    await s3?.stop();
  });

  it('two profiles on two buckets: each upload from the popup lands in the bucket chosen under "Upload to"', async () => {
    await saveKeysProfile(ext, s3, 'work-e2e', s3.endpoint, 'Work');
    await saveKeysProfile(ext, s3, 'personal-e2e', s3.endpoint, 'Personal');

    const popup = await PopupPage.open(ext);
    const uploadTo = popup.page.getByLabel('Upload to');
    await expect.poll(() => uploadTo.locator('option').allTextContents()).toEqual(['Work (default)', 'Personal']);
    const files = {
      personal: { name: 'holiday plan.txt', mimeType: 'text/plain', buffer: Buffer.from(`personal ${Date.now()}\n`.repeat(300)) },
      work: { name: 'quarterly report.txt', mimeType: 'text/plain', buffer: Buffer.from(`work ${Date.now()}\n`.repeat(300)) },
    };
    await uploadTo.selectOption({ label: 'Personal' });
    await popup.choose([files.personal]);
    const personalLink = await popup.linkFor(files.personal.name);
    await uploadTo.selectOption({ label: 'Work (default)' });
    await popup.choose([files.work]);
    const workLink = await popup.linkFor(files.work.name);
    await popup.page.screenshot({ path: `${SHOTS}/popup-two-profiles.png` });

    expect(new URL(personalLink).pathname).toMatch(/^\/personal-e2e\//);
    expect(new URL(workLink).pathname).toMatch(/^\/work-e2e\//);
    const personalKeys = await objectsIn('personal-e2e');
    const workKeys = await objectsIn('work-e2e');
    expect(personalKeys.filter((k) => k.endsWith('holiday%20plan.txt') || k.endsWith('holiday plan.txt'))).toHaveLength(1);
    expect(workKeys.filter((k) => k.includes('quarterly'))).toHaveLength(1);
    expect(personalKeys.some((k) => k.includes('quarterly'))).toBe(false);
    expect(workKeys.some((k) => k.includes('holiday'))).toBe(false);
    expect(sha(Buffer.from(await (await fetch(personalLink)).arrayBuffer()))).toBe(sha(files.personal.buffer));
    expect(sha(Buffer.from(await (await fetch(workLink)).arrayBuffer()))).toBe(sha(files.work.buffer));
    await popup.page.close();
  });

  it('the right-click item for a profile saves to that profile’s bucket', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAghvG2QAAAABJRU5ErkJggg==', 'base64');
    const page = await ext.context.newPage();
    await page.goto(ext.url('popup.html'));
    const personalId = await ext.worker.evaluate(async () => {
      const { profile } = (await chrome.storage.local.get('profile')) as { profile: { profiles: { id: string; name: string }[] } };
      return profile.profiles.find((p) => p.name === 'Personal')!.id;
    });
    const upload = await ext.worker.evaluate(
      async ({ srcUrl, itemId }) => {
        const listeners = (globalThis as unknown as { __s3dropListeners: { menu(info: unknown, tab: unknown): Promise<{ status: string; link?: string; profileId?: string }> } }).__s3dropListeners;
        const [tab] = await chrome.tabs.query({ active: true });
        return listeners.menu({ menuItemId: itemId, mediaType: 'image', srcUrl, frameId: 0, editable: false }, tab);
      },
      { srcUrl: `data:image/png;base64,${png.toString('base64')}`, itemId: `save-image@${personalId}` },
    );
    // With two profiles each item is a parent with one child per profile: updating an item that does not exist fails.
    const exists = await ext.worker.evaluate(
      (ids: string[]) => Promise.all(ids.map((id) => chrome.contextMenus.update(id, {}).then(() => true, () => false))),
      ['save-image', `save-image@${personalId}`, `save-screenshot@${personalId}`, 'save-image@no-such-profile'],
    );
    expect(exists).toEqual([true, true, true, false]);
    expect(upload.status).toBe('done');
    expect(upload.profileId).toBe(personalId);
    expect(new URL(upload.link!).pathname).toMatch(/^\/personal-e2e\//);
    expect(sha(Buffer.from(await (await fetch(upload.link!)).arrayBuffer()))).toBe(sha(png));
    await page.close();
  });

  it('a profile the browser gives no access to gets a "Grant access" prompt in the popup, not a silent failure', async () => {
    // An imported profile for a host never granted: the state a user is in after removing the site access.
    const options = await OptionsPage.open(ext);
    const exported = JSON.stringify({
      format: 's3-drop-profiles',
      version: 1,
      exportedAt: new Date().toISOString(),
      profiles: [{ kind: 'keys', name: 'Elsewhere', bucket: 'elsewhere', region: 'us-east-1', endpoint: 'http://localhost:9', forcePathStyle: true, accessKeyId: 'AKIDELSEWHERE', keyTemplate: '{uuid}-{name}', linkExpirySeconds: 3600 }],
    });
    await options.page.getByLabel('Import profiles…').setInputFiles({ name: 'profiles.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await options.page.getByText('Imported 1 profile: Elsewhere.').waitFor();
    await options.page.close();

    const popup = await PopupPage.open(ext);
    await popup.page.getByLabel('Upload to').selectOption({ label: 'Elsewhere' });
    const alert = popup.page.getByRole('alert').filter({ hasText: 'not allowed to reach localhost' });
    await alert.waitFor();
    await expect.poll(() => popup.page.getByRole('button', { name: 'Grant access to localhost' }).isVisible()).toBe(true);
    await popup.page.screenshot({ path: `${SHOTS}/popup-grant-access.png` });
    await popup.page.close();
  });

  it('no message, log line or storage area outside the secrets item carries the secret or an upload URL', async () => {
    // A wrong secret in Test connection, too: error paths are where secrets leak.
    const options = await OptionsPage.open(ext);
    await options.selectProfile('Work');
    await options.fill({ secretAccessKey: `${s3.secretAccessKey}x` });
    expect(await options.checkBucket()).toMatch(/secret access key does not match/);
    await options.page.close();

    const joined = trace.join('\n');
    // The scan saw the traffic it is about: pages' requests and replies, the runner's channel, the background's inbox.
    expect(joined).toContain('"getSettings"');
    expect(joined).toContain('[trace] reply');
    expect(joined).toContain('[trace] runner');
    expect(joined).toMatch(/background got .*"startUpload".*offscreen\.html/);
    expect(joined).toContain(s3.accessKeyId);
    // The secret was typed into the options page, and the page sent it once per Save and Test: those are the only sends that may carry it.
    const carrying = trace.filter((line) => line.includes(s3.secretAccessKey));
    expect(carrying.length).toBeGreaterThan(0);
    for (const line of carrying) expect(line).toMatch(/\[trace\] (send|background got) .*"(saveProfile|testConnection)"/);
    expect(trace.filter((l) => l.includes('[trace] reply') && l.includes(s3.secretAccessKey))).toEqual([]);
    expect(trace.filter((l) => l.includes(PUT_SIGNATURE_MARK) && !l.includes('background got'))).toEqual([]);

    const dump = await dumpStorage(ext);
    expect(keysHolding(dump, s3.secretAccessKey)).toEqual(['local:secrets']);
    expect(keysHolding(dump, PUT_SIGNATURE_MARK)).toEqual([]);
    expect(Object.keys(dump.sync)).toEqual([]);
  });

  it('with a passphrase the secret is nowhere in storage; after a browser restart uploads wait for the unlock, then go through', async () => {
    const options = await OptionsPage.open(ext);
    await options.page.getByLabel('New passphrase').fill(PASSPHRASE);
    await options.page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await options.page.getByRole('button', { name: 'Encrypt secrets' }).click();
    await options.page.getByText('Secrets are encrypted now').waitFor();
    await options.page.close();
    const sealed = await dumpStorage(ext);
    expect(keysHolding(sealed, s3.secretAccessKey)).toEqual([]);
    expect(JSON.stringify(sealed.local.secrets)).toMatch(/"encryption":"passphrase"/);
    expect(JSON.stringify(sealed.local.secrets)).toMatch(/"iterations":600000/);

    const since = trace.length;
    ext = await ext.restart();
    await traceEverything(ext);
    // The restart emptied the session (the vault's key with it); the worker's start then writes the popup's
    // settings summary there, which says the vault is locked.
    await expect.poll(async () => Object.keys((await dumpStorage(ext)).session)).toEqual(['settingsSummary']);
    const afterRestart = await dumpStorage(ext);
    expect(afterRestart.session.settingsSummary).toMatchObject({ security: { encrypted: true, locked: true, locksAt: null } });
    expect(keysHolding(afterRestart, s3.secretAccessKey)).toEqual([]);

    const popup = await PopupPage.open(ext);
    await popup.page.getByText('S3 Drop is locked.').waitFor();
    const file = { name: 'after restart.txt', mimeType: 'text/plain', buffer: Buffer.from(`after restart ${Date.now()}\n`) };
    await popup.choose([file]);
    await popup.page.getByText('Waiting for unlock…').waitFor();
    await popup.page.getByText('1 upload will start when you unlock.').waitFor();
    await popup.page.screenshot({ path: `${SHOTS}/popup-locked-waiting.png` });
    expect((await objectsIn('work-e2e')).some((k) => k.includes('after'))).toBe(false);

    await popup.page.getByLabel('Passphrase').fill('not the passphrase');
    await popup.page.getByRole('button', { name: 'Unlock' }).click();
    await popup.page.getByText('That passphrase is not the one the secrets were locked with.').waitFor();
    expect((await objectsIn('work-e2e')).some((k) => k.includes('after'))).toBe(false);

    await popup.page.getByLabel('Passphrase').fill(PASSPHRASE);
    await popup.page.getByRole('button', { name: 'Unlock' }).click();
    const link = await popup.linkFor(file.name);
    expect(sha(Buffer.from(await (await fetch(link)).arrayBuffer()))).toBe(sha(file.buffer));
    expect((await objectsIn('work-e2e')).filter((k) => k.includes('after'))).toHaveLength(1);

    const unlocked = await dumpStorage(ext);
    // The session holds the vault key, never the secret it opens.
    expect(Object.keys(unlocked.session)).toContain('vaultKey');
    expect(keysHolding(unlocked, s3.secretAccessKey)).toEqual([]);
    expect(trace.slice(since).filter((l) => l.includes(s3.secretAccessKey))).toEqual([]);
    expect(trace.slice(since).join('\n')).toContain('"unlock"');
    await popup.page.close();
  });
});
