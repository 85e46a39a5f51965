import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionBrowser, launchExtension, OptionsPage, PopupPage, serverFields } from '../support/extension';
import { strictLaneAvailable } from '../support/lanes';
import { presignServiceAvailable, startPresignService, type PresignService } from '../support/presign-service';
import { startRedirectingService, type RedirectingService } from '../support/redirecting-service';
import { startSwift, type S3Server } from '../support/s3-servers';

/** The worker's `chrome` global, inside `worker.evaluate` callbacks (they run in the extension, not here). */
declare const chrome: { storage: { local: { get(keys: null): Promise<Record<string, unknown>> } } };

const SHOTS = 'test-results/screenshots';
const BUCKET = 'team-e2e';
const TOKEN = 'e2e-team-token-7b1d';

/** Every string anywhere in a JSON-like value, with the path it sits at. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

/**
 * Team mode in Debian's Chromium: the options page set to "My team's presign
 * service" by its labels, the popup uploading through the reference service
 * (FastAPI + boto3) to Swift's s3api, and what the browser stored afterwards.
 */
describe.skipIf(!strictLaneAvailable() || !presignServiceAvailable())('Chromium end to end, team presign service', () => {
  let s3: S3Server;
  let presign: PresignService;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s3 = await startSwift({ buckets: [BUCKET] });
    presign = await startPresignService({ s3, bucket: BUCKET, token: TOKEN, prefix: 'drop/' });
    // As if the user had allowed both hosts when asked: the service's, and the S3 host its URLs point at.
    ext = await launchExtension({ hostOrigins: [`${presign.baseUrl}/*`, `${s3.endpoint}/*`] });
  });
  afterAll(async () => {
    await ext?.close();
    await presign?.stop();
    await s3?.stop();
  });

  it('switches from own keys to the presign service: wrong token, right token, Save', async () => {
    const options = await OptionsPage.open(ext);
    // Someone who used their own keys before: those must be gone once the team's service is saved.
    await options.fill(serverFields(s3, BUCKET));
    expect(await options.save()).toMatch(/^Saved\./);

    await options.chooseKind('presign-service');
    await options.fillService({ serviceUrl: presign.baseUrl, auth: 'bearer', token: 'not-the-team-token', keyTemplate: 'drop/{uuid}/{name}' });
    expect(await options.checkBucket()).toMatch(/^The presign service at 127\.0\.0\.1:\d+ refused your token \(HTTP 401\)\./);
    await options.page.screenshot({ path: `${SHOTS}/options-team-wrong-token.png`, fullPage: true });

    await options.fillService({ token: TOKEN });
    const s3Host = new URL(s3.endpoint).host;
    expect(await options.checkBucket()).toBe(
      `Connected. The presign service at ${new URL(presign.baseUrl).host} answers, and its URLs point at S3 on ${s3Host} (region ${s3.region}). S3 accepts its signature.`,
    );
    expect(await options.save()).toBe(`Saved. Uploads go to S3 on ${s3Host}.`);
    await options.page.screenshot({ path: `${SHOTS}/options-team-saved.png`, fullPage: true });

    // Reopened, the page shows the team profile and never the token.
    await options.page.reload();
    await expect.poll(() => options.page.getByRole('radio', { name: "My team's presign service" }).isChecked()).toBe(true);
    await expect.poll(() => options.page.getByLabel('Token', { exact: true }).getAttribute('placeholder')).toMatch(/saved/);
    expect(await options.page.getByLabel('Token', { exact: true }).inputValue()).toBe('');
    expect(await options.page.getByLabel('Service URL', { exact: true }).inputValue()).toBe(presign.baseUrl);
    await options.page.close();
  });

  it('uploads from the popup through the service; the link on the clipboard downloads the same bytes', async () => {
    const name = 'team notes é.txt';
    const bytes = Buffer.from(`S3 Drop team mode ${Date.now()}\n`.repeat(3000));
    const popup = await PopupPage.open(ext);
    await popup.choose([{ name, mimeType: 'text/plain', buffer: bytes }]);
    const link = await popup.linkFor(name);
    await popup.page.getByText('Link copied to the clipboard.').waitFor();
    expect(await popup.clipboard()).toBe(link);
    await popup.page.screenshot({ path: `${SHOTS}/popup-team-after-upload.png` });

    // Signed by the service (boto3), for Swift, under the service's prefix.
    const url = new URL(link);
    expect(url.origin).toBe(s3.endpoint);
    expect(decodeURIComponent(url.pathname)).toMatch(new RegExp(`^/${BUCKET}/drop/[0-9a-f-]{36}/team notes é\\.txt$`));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^test:tester\//);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(res.headers.get('content-type')).toBe('text/plain');
    await popup.page.close();
  });

  it('the browser holds no S3 key or secret in this mode, and the token only in the secrets item', async () => {
    const local = await ext.worker.evaluate(() => chrome.storage.local.get(null));
    const { profile, secrets, ...others } = local as {
      profile?: { profiles: Record<string, unknown>[]; defaultId: string };
      secrets?: Record<string, unknown>;
    } & Record<string, unknown>;
    // Switching "Connect with" edited the one profile: it is a presign service now, and still the default.
    expect(profile?.profiles).toHaveLength(1);
    const saved = profile!.profiles[0]!;
    expect(saved).toMatchObject({ kind: 'presign-service', serviceUrl: presign.baseUrl, serviceAuth: 'bearer', endpoint: s3.endpoint, accessKeyId: '' });
    expect(profile!.defaultId).toBe(saved.id);
    expect(secrets).toEqual({ encryption: 'none', byProfile: { [saved.id as string]: { secretAccessKey: '', sessionToken: '', serviceToken: TOKEN } } });

    const everything = strings(local);
    // Neither the access key ID nor the secret saved earlier with "My own keys" survives anywhere.
    expect(everything.filter(([, v]) => v.includes(s3.accessKeyId) || v === s3.secretAccessKey)).toEqual([]);
    // The token sits in exactly one place.
    expect(everything.filter(([, v]) => v.includes(TOKEN)).map(([path]) => path)).toEqual([`secrets.byProfile.${saved.id}.serviceToken`]);
    expect(strings({ profile, ...others }).filter(([, v]) => v.includes(TOKEN))).toEqual([]);
    // Storage versions as WXT records them: profiles at v3 (several, named), secrets at v2 (by profile).
    expect(local['profile$']).toEqual({ v: 3 });
    expect(local['secrets$']).toEqual({ v: 2 });
  });
});

/**
 * The extension's own fetch (Chromium's service worker) against a service
 * that redirects to another origin, which records every request: the token
 * never arrives there, sent as a bearer or in a header of its own; and a
 * saved token does not follow the Service URL when it is edited to that origin.
 */
describe('Chromium end to end, a presign service that redirects elsewhere', () => {
  let redirecting: RedirectingService;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    redirecting = await startRedirectingService();
    // Both origins allowed, as if the user had granted them: only S3 Drop's own rule keeps the token from the second.
    ext = await launchExtension({ hostOrigins: [`${redirecting.baseUrl}/*`, `${redirecting.elsewhere}/*`] });
  });
  afterAll(async () => {
    await ext?.close();
    await redirecting?.stop();
  });

  const carriesToken = (headers: Record<string, unknown>) => JSON.stringify(headers).includes(TOKEN);

  it('Test connection says the redirect was not followed; nothing reaches the other origin', async () => {
    const options = await OptionsPage.open(ext);
    await options.chooseKind('presign-service');
    const service = new URL(redirecting.baseUrl).host;
    const sentence = `The presign service at ${service} answered with a redirect, and S3 Drop does not follow a redirect with your token. Check the Service URL in Options: its https:// or http://, host and path must be the service's own address, not one that forwards elsewhere.`;

    await options.fillService({ serviceUrl: redirecting.baseUrl, auth: 'bearer', token: TOKEN, keyTemplate: 'drop/{uuid}/{name}' });
    await options.checkBucket();
    await expect.poll(() => redirecting.served.length).toBe(1);
    await expect.poll(() => options.lastReport()).toBe(sentence);
    expect(redirecting.served[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);

    await options.fillService({ auth: 'header', headerName: 'X-API-Key', token: TOKEN });
    await options.checkBucket();
    await expect.poll(() => redirecting.served.length).toBe(2);
    await expect.poll(() => options.lastReport()).toBe(sentence);
    expect(redirecting.served[1]!.headers['x-api-key']).toBe(TOKEN);
    await options.page.screenshot({ path: `${SHOTS}/options-team-redirect.png`, fullPage: true });

    expect(redirecting.recorded).toEqual([]);
    await options.page.close();
  });

  it('a saved token does not follow the Service URL to another origin: the page says to type it again', async () => {
    const options = await OptionsPage.open(ext);
    await options.chooseKind('presign-service');
    await options.fillService({ serviceUrl: redirecting.baseUrl, auth: 'header', headerName: 'X-API-Key', token: TOKEN, keyTemplate: 'drop/{uuid}/{name}' });
    expect(await options.save()).toMatch(/^Saved\./);
    const tokenField = options.page.getByLabel('Header value', { exact: true });
    await expect.poll(() => tokenField.getAttribute('placeholder')).toMatch(/saved/);

    // Edited to the origin the redirect pointed at: before Save, the field stops saying "saved" and says why.
    const again = "The service's address or the way the token is sent changed, and S3 Drop never sends a saved token anywhere new: enter the token again.";
    await options.fillService({ serviceUrl: redirecting.elsewhere });
    await expect.poll(() => tokenField.getAttribute('placeholder')).toBe('');
    await options.page.getByText(again).waitFor();
    await options.checkBucket();
    await expect.poll(() => options.lastReport()).toBe(again);

    await options.save();
    // The other origin answered Save's probe (as a service would), hence the S3 host note.
    await expect.poll(() => options.lastReport()).toBe(
      `Saved. Uploads go to S3 on ${new URL(redirecting.elsewhere).host}. The saved token was removed, because the service's address or the way the token is sent changed: S3 Drop never sends a saved token anywhere new. Enter the token again and save.`,
    );
    await expect.poll(() => tokenField.getAttribute('aria-invalid')).toBe('true');
    expect(await tokenField.getAttribute('placeholder')).toBe('');
    await options.page.screenshot({ path: `${SHOTS}/options-team-token-dropped.png`, fullPage: true });

    // Save's probe asked the new origin, without the token; the token is in no request it saw, and no longer stored.
    await expect.poll(() => redirecting.recorded.length).toBeGreaterThan(0);
    expect(redirecting.recorded.filter((r) => carriesToken(r.headers as Record<string, unknown>))).toEqual([]);
    const local = await ext.worker.evaluate(() => chrome.storage.local.get(null));
    expect(JSON.stringify(local)).not.toContain(TOKEN);
    await options.page.close();
  });
});
