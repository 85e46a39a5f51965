import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkRequest, ShareLink } from '../../src/destination/destination';
import type { Result } from '../../src/result';
import { createS3Client } from '../../src/s3/client';
import { describeFailure, failureFromResponse } from '../../src/s3/errors';
import { presignUpload, type SignedRequest } from '../../src/s3/presign';
import type { KeysDraft } from '../../src/settings/profile';
import type { UploadSource, UploadTicket } from '../../src/upload/ticket';
import { fakeSettings } from '../support/fake-settings';
import { realBackground, saveServerProfile, type RealBackground } from '../support/real-background';
import { strictLaneAvailable } from '../support/lanes';
import { connectionTo, startSwift, type S3Server } from '../support/s3-servers';
import { ok } from '../support/results';

const BUCKET = 'links';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Share-link choices (expiry per upload, download name and disposition, key
 * templates that never overwrite) through the real background (upload
 * handlers and destinations), against Swift's s3api, which verifies every
 * signature and enforces every expiry. The bytes go up with plain fetch PUTs,
 * as the upload runner sends them.
 */
/** Resolves in the first 100 ms of a wall-clock second (checked, not slept: it polls the clock). */
async function startOfASecond(): Promise<void> {
  while (Date.now() % 1000 >= 100) await new Promise((r) => setTimeout(r, 5));
}

describe.skipIf(!strictLaneAvailable())('share links and key collisions on the strict lane (Swift s3api)', () => {
  let s3: S3Server;
  let service: RealBackground['service'];
  let uploads: RealBackground['uploads'];
  let open: RealBackground['open'];

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    ({ service, uploads, open } = realBackground(fakeSettings()));
  });
  afterAll(() => s3?.stop());

  /** Saves a profile on the Swift bucket through the service, as the options page does. */
  async function profile(name: string, over: Partial<KeysDraft>): Promise<string> {
    return saveServerProfile(service, s3, BUCKET, { name, ...over });
  }

  /** startUpload → PUT (the signed URL and headers, as the runner sends them). */
  async function put(profileId: string, file: { name: string; type: string; body: string }, pageUrl?: string) {
    const size = new TextEncoder().encode(file.body).length;
    // A page's address comes with a capture; the popup's files have none.
    const source: UploadSource = pageUrl ? 'screenshot' : 'popup';
    const start = ok(await uploads.startUpload({ name: file.name, type: file.type, size, source, profileId, ...(pageUrl ? { pageUrl } : {}) }));
    if (start.transfer.kind !== 'single') throw new Error(`expected one PUT for ${size} bytes, got ${start.transfer.kind}`);
    const plan: UploadTicket = start.ticket;
    const signed: SignedRequest = start.transfer.put;
    const res = await fetch(signed.url, { method: 'PUT', body: file.body, headers: signed.headers });
    expect(res.status, await res.clone().text()).toBe(200);
    return { plan, signed, source };
  }

  /** put → finishUpload (the share link), as the pipeline finishes every file. */
  async function upload(profileId: string, file: { name: string; type: string; body: string }, extra: { expiresIn?: number; pageUrl?: string } = {}) {
    const { plan, signed, source } = await put(profileId, file, extra.pageUrl);
    const finished = ok(
      await uploads.finishUpload({ ticket: plan, name: file.name, source, ...(extra.expiresIn !== undefined ? { expiresIn: extra.expiresIn } : {}) }),
    );
    const link: SignedRequest = finished.link;
    return { plan, signed, link };
  }

  /** A share link for an object, as the profile's destination signs it (upload finish and history alike). */
  async function shareLink(profileId: string, request: LinkRequest): Promise<Result<ShareLink>> {
    const destination = await open(profileId);
    return destination.ok ? destination.value.shareLink(request) : destination;
  }

  it('a link asked for 1 s works at once and is refused (403, "link has expired") after 2 s', async () => {
    const id = await profile('expiry', { keyTemplate: 'expiry/{uuid}-{name}', linkExpirySeconds: 86400 });
    const { plan } = await upload(id, { name: 'short.txt', type: 'text/plain', body: 'short-lived' });
    // X-Amz-Date has whole seconds and Swift refuses once date + 1 s has passed: a link signed late in a
    // second would live only what is left of it. Sign at the start of one, so "at once" means at once.
    await startOfASecond();
    const link: SignedRequest = ok(await shareLink(id, { key: plan.key, fileName: 'short.txt', contentType: plan.contentType, expiresIn: 1 }));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('1');
    const now = await fetch(link.url);
    expect(now.status).toBe(200);
    expect(await now.text()).toBe('short-lived');
    await sleep(2100);
    const late = await fetch(link.url);
    const body = await late.text();
    expect(late.status).toBe(403);
    const failure = failureFromResponse(late.status, body);
    expect(failure).toMatchObject({ code: 'AccessDenied', message: 'Request has expired' });
    expect(describeFailure(failure, { operation: 'share', bucket: BUCKET, region: s3.region, endpoint: s3.endpoint }).code).toBe('LinkExpired');
  });

  it('without a choice the profile’s expiry holds; a custom one (90 min) is signed as asked; more than 7 days is refused', async () => {
    const id = await profile('expiry-default', { keyTemplate: 'expiry/{uuid}-{name}', linkExpirySeconds: 5400 });
    const { link } = await upload(id, { name: 'default.txt', type: 'text/plain', body: 'default' });
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('5400');
    expect(link.expiresAt! - Date.now()).toBeGreaterThan(5390_000);
    expect(await (await fetch(link.url)).text()).toBe('default');
    // Asked for with the file (the popup's custom expiry), the link is refused with the reason; the object stays.
    const { plan } = await put(id, { name: 'week.txt', type: 'text/plain', body: 'a week and a second' });
    const refused = await uploads.finishUpload({ ticket: plan, name: 'week.txt', source: 'popup', expiresIn: 604801 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'InvalidExpiry', message: 'Share links can live at most 7 days (an S3 signature limit).' } });
    const later = ok(await shareLink(id, { key: plan.key, fileName: 'week.txt', contentType: plan.contentType }));
    expect(await (await fetch(later.url)).text()).toBe('a week and a second');
  });

  it('a collision-prone template ({name}) used twice gives two objects, a.txt and a-1.txt, each with its own bytes', async () => {
    const id = await profile('collide', { keyTemplate: 'collide/{name}' });
    const first = await upload(id, { name: 'a.txt', type: 'text/plain', body: 'first file' });
    const second = await upload(id, { name: 'a.txt', type: 'text/plain', body: 'second, other file' });
    const third = await upload(id, { name: 'a.txt', type: 'text/plain', body: 'third' });
    expect([first.plan.key, second.plan.key, third.plan.key]).toEqual(['collide/a.txt', 'collide/a-1.txt', 'collide/a-2.txt']);
    // A custom endpoint gets no If-None-Match (Swift answers 501 to it): the HEAD check alone keeps the names apart.
    expect(first.plan).not.toHaveProperty('ifNoneMatch');
    expect(second.signed.headers).toEqual({ 'content-type': 'text/plain' });
    expect(await (await fetch(first.link.url)).text()).toBe('first file');
    expect(await (await fetch(second.link.url)).text()).toBe('second, other file');
    expect(await (await fetch(third.link.url)).text()).toBe('third');
    // Each downloads under the name the user gave it.
    expect((await fetch(second.link.url)).headers.get('content-disposition')).toBe(`inline; filename="a.txt"; filename*=UTF-8''a.txt`);
    const listed = await createS3Client(connectionTo(s3, BUCKET)).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'collide/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['collide/a-1.txt', 18],
      ['collide/a-2.txt', 5],
      ['collide/a.txt', 10],
    ]);
  });

  it('the suffix goes before the extension, keeps unicode names, and a name without extension gets it at the end', async () => {
    const id = await profile('collide-names', { keyTemplate: 'names/{name}' });
    const name = 'Résumé 日本 #1.pdf';
    const keys = [];
    for (const body of ['one', 'two']) keys.push((await upload(id, { name, type: 'application/pdf', body })).plan.key);
    for (const body of ['one', 'two']) keys.push((await upload(id, { name: 'README', type: 'text/plain', body })).plan.key);
    expect(keys).toEqual(['names/Résumé 日本 #1.pdf', 'names/Résumé 日本 #1-1.pdf', 'names/README', 'names/README-1']);
  });

  it('{host} and {shortid} render through the service, and the object lands under them', async () => {
    const id = await profile('tokens', { keyTemplate: 'shots/{host}/{shortid}-{name}' });
    const fromPage = await upload(id, { name: 'shot.png', type: 'image/png', body: 'png-ish' }, { pageUrl: 'https://news.example.org:8443/story?id=1' });
    expect(fromPage.plan.key).toMatch(/^shots\/news\.example\.org\/[0-9A-Za-z]{8}-shot\.png$/);
    const fromPopup = await upload(id, { name: 'shot.png', type: 'image/png', body: 'png-ish 2' });
    expect(fromPopup.plan.key).toMatch(/^shots\/local\/[0-9A-Za-z]{8}-shot\.png$/);
    expect(await (await fetch(fromPage.link.url)).text()).toBe('png-ish');
  });

  describe('Content-Disposition: the unicode name in filename*, inline or attachment as the profile says', () => {
    const name = 'Grüße aus Köln 日本 (2).txt';
    const cases = [
      ['auto', 'text/plain', 'inline'],
      ['auto', 'application/zip', 'attachment'],
      ['inline', 'application/zip', 'inline'],
      ['inline', 'image/svg+xml', 'attachment'],
      ['attachment', 'text/plain', 'attachment'],
    ] as const;
    it.each(cases)('%s, %s → %s', async (choice, type, expected) => {
      const id = await profile(`disposition ${choice} ${type}`, { keyTemplate: 'disposition/{uuid}/{name}', linkDisposition: choice });
      const { link } = await upload(id, { name, type, body: `as ${expected}` });
      const res = await fetch(link.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`as ${expected}`);
      const value = res.headers.get('content-disposition') ?? '';
      expect(value).toMatch(new RegExp(`^${expected}; filename="[\\x20-\\x7e]+"; filename\\*=UTF-8''`));
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(value)![1]!)).toBe(name);
    });
  });

  it('If-None-Match: Swift s3api answers 501 NotImplemented to any conditional PUT and stores nothing, so S3 Drop never signs it for a custom endpoint', async () => {
    const id = await profile('inm', { keyTemplate: 'inm/{name}' });
    // The service leaves it out for this profile even when asked.
    const signed = ok(await uploads.signPut({ id: 'entry-1', profileId: id, key: 'inm/new.txt', contentType: 'text/plain', size: 3, ifNoneMatch: true }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect((await fetch(signed.url, { method: 'PUT', body: 'new', headers: signed.headers })).status).toBe(200);

    // What Swift does with the header, signed correctly: for a taken key and for a free one.
    const client = createS3Client(connectionTo(s3, BUCKET));
    for (const [key, body] of [
      ['inm/new.txt', 'overwrite?'],
      ['inm/free.txt', 'free'],
    ] as const) {
      const conditional = await presignUpload(client, { bucket: BUCKET, key, contentType: 'text/plain', contentLength: body.length, ifNoneMatch: true });
      expect(conditional.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
      const res = await fetch(conditional.url, { method: 'PUT', body, headers: conditional.headers });
      const text = await res.text();
      expect(res.status).toBe(501);
      expect(failureFromResponse(res.status, text)).toMatchObject({ code: 'NotImplemented', message: 'Conditional object PUTs are not supported.' });
    }
    // Unsigned, or another condition: the same refusal.
    const plain = await presignUpload(client, { bucket: BUCKET, key: 'inm/new.txt', contentType: 'text/plain', contentLength: 3 });
    const conditions: Record<string, string>[] = [{ 'if-none-match': '*' }, { 'if-none-match': '"d41d8cd98f00b204e9800998ecf8427e"' }, { 'if-match': '*' }];
    for (const condition of conditions) {
      const res = await fetch(plain.url, { method: 'PUT', body: 'xyz', headers: { ...plain.headers, ...condition } });
      expect([res.status, failureFromResponse(res.status, await res.text()).code]).toEqual([501, 'NotImplemented']);
    }
    // The SDK's header-signed PutObject too.
    const sdk = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inm/sdk.txt', Body: 'sdk', IfNoneMatch: '*' })).catch((err: unknown) => err);
    expect(sdk).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    const kept = ok(await shareLink(id, { key: 'inm/new.txt', fileName: 'new.txt', contentType: 'text/plain' }));
    expect(await (await fetch(kept.url)).text()).toBe('new');
    const missing = ok(await shareLink(id, { key: 'inm/free.txt', fileName: 'free.txt', contentType: 'text/plain' }));
    expect((await fetch(missing.url)).status).toBe(404);
  });

  it('a public link is the object’s own path at the endpoint (s3api serves no anonymous reads, so Swift refuses it unsigned)', async () => {
    const signedId = await profile('signed-twin', { keyTemplate: 'public/{name}' });
    const { link: presigned, plan } = await upload(signedId, { name: 'a b+c#d.txt', type: 'text/plain', body: 'public?' });
    const publicId = await profile('public', { keyTemplate: 'public/{name}', linkMode: 'public' });
    const link = ok(await shareLink(publicId, { key: plan.key, fileName: 'a b+c#d.txt', contentType: 'text/plain' }));
    expect(link).not.toHaveProperty('expiresAt');
    expect(link).not.toHaveProperty('lifetimeSeconds');
    expect(new URL(link.url).search).toBe('');
    expect(new URL(link.url).origin + new URL(link.url).pathname).toBe(new URL(presigned.url).origin + new URL(presigned.url).pathname);
    expect(link.url).toBe(`${s3.endpoint}/${BUCKET}/public/a%20b%2Bc%23d.txt`);
    // s3api has no anonymous reads: an unsigned request falls through to Swift's own API, which answers 400 (HTML) for this path.
    const anonymous = await fetch(link.url);
    expect(anonymous.status).toBe(400);
    expect(await anonymous.text()).toMatch(/Bad Request/);
  });
});
