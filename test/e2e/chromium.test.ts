import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, OptionsPage, PopupPage, type ExtensionBrowser } from '../support/extension';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/s3/client';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';
import { strictLaneAvailable } from '../support/lanes';
import { startThrottleProxy, type ThrottleProxy } from '../support/throttle-proxy';

// Evaluated inside the extension's service worker, where `chrome` exists.
declare const chrome: {
  runtime: { ContextType: { OFFSCREEN_DOCUMENT: string }; getContexts(filter: { contextTypes: string[] }): Promise<unknown[]> };
};

const SHOTS = 'test-results/screenshots';

/**
 * The whole loop a user goes through, in Debian's Chromium with the built
 * extension, against Swift's s3api — a server that checks every signature.
 * The extension reaches Swift through a loopback proxy that passes everything
 * unchanged (the Host header too, so signatures are checked as made) and can
 * hold an upload mid-way, so progress can be watched on a fast machine.
 */
describe.skipIf(!strictLaneAvailable())('Chromium end to end, strict S3', () => {
  let s3: S3Server;
  let proxy: ThrottleProxy;
  let ext: ExtensionBrowser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: ['drop-e2e'] });
    proxy = await startThrottleProxy(s3.endpoint, Infinity);
    ext = await launchExtension({ hostOrigins: [`${proxy.origin}/*`] });
  });
  afterEach(() => proxy?.release());
  afterAll(async () => {
    await ext?.close();
    await proxy?.close();
    await s3?.stop();
  });

  it('sets up a bucket: wrong secret, wrong region and right values each get a clear answer', async () => {
    const options = await OptionsPage.open(ext);
    await options.fill({
      bucket: 'drop-e2e',
      region: s3.region,
      endpoint: proxy.origin,
      pathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: 'not-the-secret',
    });
    // The reason comes from S3's XML error body, parsed inside the service worker.
    expect(await options.checkBucket()).toMatch(/secret access key does not match the access key ID/);
    await options.page.screenshot({ path: `${SHOTS}/options-wrong-secret.png`, fullPage: true });

    await options.fill({ secretAccessKey: s3.secretAccessKey, region: 'eu-west-1' });
    expect(await options.checkBucket()).toMatch(new RegExp(`is in region ${s3.region}, not eu-west-1`));
    await options.page.screenshot({ path: `${SHOTS}/options-wrong-region.png`, fullPage: true });
    await options.page.getByRole('button', { name: `Use ${s3.region}` }).click();
    await expect.poll(() => options.page.getByLabel('Region', { exact: true }).inputValue()).toBe(s3.region);

    expect(await options.checkBucket()).toMatch(/^Connected/);
    // Not saved yet: the rest of the check waits for Save, and says so.
    expect(await options.page.locator('.editor .report p').nth(1).textContent()).toBe(
      'Save the profile to check the rest: uploads in parts, replacing files, checksums and the bucket’s rules.',
    );
    expect(await options.page.getByRole('list', { name: 'What the check found' }).count()).toBe(0);
    expect(await options.save()).toMatch(/^Saved\./);
    await options.page.screenshot({ path: `${SHOTS}/options-saved.png`, fullPage: true });
    // The page never gets the secret back: the field is empty and says a secret is saved.
    await options.page.reload();
    await expect.poll(() => options.page.getByLabel('Secret access key').getAttribute('placeholder')).toMatch(/saved/);
    expect(await options.page.getByLabel('Secret access key').inputValue()).toBe('');
    await options.page.close();
  });

  it('Save and Check my bucket refuse a mistyped bucket name in the form, before asking the browser for any access', async () => {
    const options = await OptionsPage.open(ext, { countAccessRequests: true });
    await options.addProfile();
    await options.fill({
      name: 'Typo',
      bucket: 'My_Bucket',
      region: s3.region,
      endpoint: proxy.origin,
      pathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    expect(await options.save()).toBe('Not saved: fix the fields marked in red above.');
    const bucket = options.page.getByLabel('Bucket', { exact: true });
    await expect.poll(() => bucket.getAttribute('aria-invalid')).toBe('true');
    // The sentence is the field's description, announced as an alert, and the cursor is put in the field.
    await expect.poll(() => options.page.locator('#bucket-error[role="alert"]').textContent()).toBe(
      'A bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.',
    );
    expect(await bucket.getAttribute('aria-describedby')).toContain('bucket-error');
    await expect.poll(() => bucket.evaluate((el) => el === document.activeElement)).toBe(true);
    await options.page.screenshot({ path: `${SHOTS}/options-bucket-refused.png`, fullPage: true });
    expect(await options.accessRequests()).toEqual([]);
    // Check my bucket too: the same sentence, and still no host asked for.
    await options.page.getByRole('button', { name: 'Check my bucket' }).click();
    await expect.poll(() => options.lastReport()).toBe('A bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.');
    expect(await options.accessRequests()).toEqual([]);

    // The count sees this page's requests: with the name fixed, Check my bucket asks for the bucket's host.
    await options.fill({ bucket: 'drop-e2e' });
    await options.checkBucket();
    // Until the answer replaces Save's report.
    await expect.poll(() => options.lastReport()).toMatch(/^Connected/);
    expect(await options.accessRequests()).toEqual([['http://127.0.0.1/*']]);
    await options.page.close();
  });

  it('Check my bucket lists what the bucket does, line by line, and leaves no test file behind', async () => {
    const options = await OptionsPage.open(ext);
    const check = options.page.getByRole('region', { name: 'Check my bucket' });
    // One button, in the form where Test connection was: it connects first, then checks the saved profile's bucket.
    expect(await options.page.getByRole('button', { name: 'Check my bucket' }).count()).toBe(1);
    expect(await options.page.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
    expect(await options.checkBucket()).toMatch(/^Connected/);
    const lines = check.getByRole('list', { name: 'What the check found' }).getByRole('listitem');
    await expect.poll(() => lines.count(), { timeout: 30_000 }).toBeGreaterThan(5);
    // A line's text as a screen reader reads it: its word (the mark beside it is hidden from them), then its sentence.
    const text = await lines.locator('.fact-body > p').allTextContents();
    // What Swift does, line by line.
    expect(text[0]).toBe('Works: Connected: bucket "drop-e2e" accepts these keys.');
    expect(text.find((l) => l.startsWith('Works: S3 Drop stored a small test file'))).toBeDefined();
    expect(text.find((l) => l.startsWith('Works: Large files can go up in parts'))).toBeDefined();
    expect(text.find((l) => l.startsWith('Good to know: The bucket does not accept uploads that ask not to replace a file'))).toBeDefined();
    expect(text.find((l) => l.startsWith('Good to know: This server has no lifecycle rules'))).toBeDefined();
    expect(await check.getByText(/^Checked /).count()).toBe(1);
    const leftovers = await createS3Client(connectionTo(s3, 'drop-e2e')).send(new ListObjectsV2Command({ Bucket: 'drop-e2e', Prefix: '.s3-drop-check/' }));
    expect(leftovers.KeyCount ?? 0).toBe(0);

    // Tall enough for no scrollbar: with one, an element's screenshot is cut at the right.
    await options.page.setViewportSize({ width: 900, height: 2400 });
    const shoot = (path: string) => check.screenshot({ path });
    await shoot(`${SHOTS}/options-check-light.png`);
    await options.page.emulateMedia({ colorScheme: 'dark' });
    await shoot(`${SHOTS}/options-check-dark.png`);

    // The last check is there again when the page opens.
    await options.page.reload();
    await expect.poll(() => check.getByRole('list', { name: 'What the check found' }).getByRole('listitem').count()).toBe(text.length);
    await options.page.close();
  });

  it('uploads a file with a unicode name from the popup; the clipboard link downloads it under that name', async () => {
    const name = 'résumé 日本 +%#?.txt';
    const bytes = Buffer.from(`S3 Drop e2e ${Date.now()}\n`.repeat(2000));
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name, mimeType: 'text/plain', buffer: bytes }]);
    const link = await popup.linkFor(name);
    await popup.page.getByText('Link copied to the clipboard.').waitFor();
    expect(await popup.clipboard()).toBe(link);
    await popup.page.screenshot({ path: `${SHOTS}/popup-after-upload.png` });
    await popup.page.emulateMedia({ colorScheme: 'dark' });
    await popup.page.screenshot({ path: `${SHOTS}/popup-after-upload-dark.png` });

    const res = await fetch(link);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '')).toBe(name);

    // The link is signed: change one character of the signature and the server refuses it.
    const tampered = new URL(link);
    const sig = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect((await fetch(tampered)).status).toBe(403);
    await popup.page.close();
  });

  it("the upload runner's offscreen document closes once nothing needs it, and opens again for the next upload", async () => {
    const offscreenDocuments = () =>
      ext.worker.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT] })).length);
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name: 'first.txt', mimeType: 'text/plain', buffer: Buffer.from('first\n'.repeat(1000)) }]);
    await popup.linkFor('first.txt');
    // Done, but the popup is open: it may add a file any moment.
    expect(await offscreenDocuments()).toBe(1);
    await popup.page.close();
    await expect.poll(offscreenDocuments, { timeout: 15_000 }).toBe(0);

    const again = await PopupPage.open(ext);
    const bytes = Buffer.from('second\n'.repeat(1000));
    await again.choose([{ name: 'second.txt', mimeType: 'text/plain', buffer: bytes }]);
    const res = await fetch(await again.linkFor('second.txt'));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // A second view of the same uploads: the live one is listed once, not again under Recent, which offers the
    // earlier upload (its document closed with its live list) a fresh link.
    const view = await PopupPage.open(ext);
    await view.page.getByLabel('Share link for second.txt').waitFor();
    const recent = view.page.getByRole('list', { name: 'Recent uploads' });
    await recent.getByRole('button', { name: 'Copy fresh link for first.txt' }).waitFor();
    expect(await recent.getByText('second.txt').count()).toBe(0);
    await view.page.close();
    await again.page.close();
  });

  it('uploads several files in a queue, including an empty one, each with its own link', async () => {
    const popup = await PopupPage.open(ext);
    const files = [
      { name: 'empty.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) },
      { name: 'photo 1.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) },
    ];
    await popup.choose(files);
    for (const file of files) {
      const res = await fetch(await popup.linkFor(file.name));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(file.buffer)).toBe(true);
      expect(res.headers.get('content-type')).toBe(file.mimeType);
    }
    await popup.page.close();
  });

  it('uploads files dropped on the popup and an image pasted into it', async () => {
    const popup = await PopupPage.open(ext);
    await popup.drop([{ name: 'dropped notes.md', mimeType: 'text/markdown', text: '# dropped\n' }]);
    const dropped = await fetch(await popup.linkFor('dropped notes.md'));
    expect(await dropped.text()).toBe('# dropped\n');

    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7];
    await popup.paste({ name: 'image.png', mimeType: 'image/png', bytes: png });
    // A pasted screenshot arrives as "image.png"; it is renamed so two pastes do not look alike.
    const row = popup.page.getByRole('listitem').filter({ hasText: /^pasted-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.png/ });
    await row.getByRole('textbox').waitFor();
    const pasted = await fetch(await row.getByRole('textbox').inputValue());
    expect(pasted.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await pasted.arrayBuffer())]).toEqual(png);
    await popup.page.close();
  });

  it('reports progress byte by byte while a larger file uploads', async () => {
    const popup = await PopupPage.open(ext);
    // Record every value the progress bar takes, from the page itself.
    await popup.page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('progress')) seen.push(Number(bar.value));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    });
    // Held from the first byte: on an idle loopback the whole body could go in one step and the bar never stop between 0 and done.
    proxy.hold();
    // Made inside the page: pushing 64 MiB through the DevTools protocol would take longer than the upload.
    const size = 64 * 1024 * 1024;
    await popup.page.getByLabel('Choose files').evaluate((input: HTMLInputElement, n) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(n).fill(1)], 'large.bin', { type: 'application/octet-stream' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, size);
    const seen = () => popup.page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    // The bytes already in the socket show as progress while the rest waits.
    await expect.poll(async () => (await seen()).filter((v) => v > 0 && v < size).length, { timeout: 60_000 }).toBeGreaterThan(0);
    proxy.release();
    await popup.linkFor('large.bin');
    const values = await seen();
    expect(values.filter((v) => v > 0 && v < size).length).toBeGreaterThan(0);
    // Progress only goes forward.
    expect(values).toEqual([...values].sort((a, b) => a - b));
    await popup.page.close();
  });
});
