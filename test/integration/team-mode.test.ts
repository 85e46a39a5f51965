import { originPattern } from '../../src/permissions/origin-pattern';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, failureFromResponse, type FailureContext } from '../../src/s3/errors';
import type { PresignServiceDraft } from '../../src/settings/profile';
import { fetchTransport } from '../../src/upload/fetch-transport';
import { UploadQueue, type UploadItem } from '../../src/upload/queue';
import type { PutTransport } from '../../src/upload/transport';
import { fakeSettings } from '../support/fake-settings';
import { realBackground, type RealBackground } from '../support/real-background';
import { strictLaneAvailable } from '../support/lanes';
import { presignServiceAvailable, serviceDraft, startPresignService, type PresignService } from '../support/presign-service';
import { startRedirectingService, type RedirectingService } from '../support/redirecting-service';
import { startSwift, type S3Server } from '../support/s3-servers';

const BUCKET = 'team-lane';
const TOKEN = 'team-token-3f9a27c1';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The background (settings service, upload handlers, destinations) on in-memory storage, as test/integration/fast-lane.test.ts wires it. */
function backgroundService() {
  const stored = fakeSettings();
  return { ...realBackground(stored), stored };
}

/** A PUT URL for this key, as the background signs one again for an upload under way (`signPut`). */
function signPut(background: RealBackground, profileId: string, target: { key: string; contentType: string; size: number }) {
  return background.uploads.signPut({ id: 'entry-1', profileId, ...target });
}

const draft = (baseUrl: string, over: Partial<PresignServiceDraft> = {}) => serviceDraft(baseUrl, TOKEN, over);

/**
 * Team mode on the strict lane: the reference presign service (FastAPI +
 * boto3, test/fixtures/presign-service) signs for Swift's s3api, which checks
 * every signature. The background and the upload queue are wired as the
 * popup wires them.
 */
describe.skipIf(!strictLaneAvailable() || !presignServiceAvailable())('team mode: presign service in front of Swift', () => {
  let s3: S3Server;
  let presign: PresignService;
  let admin: S3Client;
  const context = (): FailureContext => ({ operation: 'upload', bucket: '', region: s3.region, endpoint: s3.endpoint });
  const queueFor = (background: RealBackground, transport: PutTransport = fetchTransport()) => {
    const copied: string[] = [];
    const queue = new UploadQueue({
      backend: background.uploads,
      transport,
      copy: async (text) => {
        copied.push(text);
        return true;
      },
    });
    return { queue, copied };
  };
  /** Every key in the bucket under a prefix (an upload refused before its key was handed out has none to look up). */
  const keysUnder = async (prefix: string) =>
    ((await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  const exists = async (key: string) =>
    admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
      () => true,
      (err: { $metadata?: { httpStatusCode?: number } }) => {
        if (err.$metadata?.httpStatusCode === 404) return false;
        throw err;
      },
    );

  beforeAll(async () => {
    s3 = await startSwift({ buckets: [BUCKET] });
    presign = await startPresignService({ s3, bucket: BUCKET, token: TOKEN, prefix: 'drop/', tokenHeader: 'X-API-Key' });
    admin = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    admin?.destroy();
    await presign?.stop();
    await s3?.stop();
  });

  it('Test connection: the service answers, its URLs point at Swift, and S3 accepts their signature', async () => {
    const { service } = backgroundService();
    const report = await service.testConnection(draft(presign.baseUrl));
    expect(report, presign.log()).toMatchObject({ ok: true, s3Origin: s3.endpoint, region: 'us-east-1' });
    expect(report.message).toMatch(/^Connected\. The presign service at 127\.0\.0\.1:\d+ answers, and its URLs point at S3 on 127\.0\.0\.1:\d+ \(region us-east-1\)\. S3 accepts its signature\.$/);
    expect(report.message).toContain(new URL(s3.endpoint).host);
    // The token can also go in a header of the team's choosing.
    const byHeader = await service.testConnection(draft(presign.baseUrl, { serviceAuth: 'header', serviceAuthHeader: 'X-API-Key' }));
    expect(byHeader.ok).toBe(true);
  });

  it('saves the profile with the S3 host it learned, and keeps only the token as a secret', async () => {
    const { service, stored } = backgroundService();
    const report = await service.saveProfile(draft(` ${presign.baseUrl}/api/v1/files/presign `));
    expect(report).toMatchObject({ saved: true, needsAccess: [], s3Origin: s3.endpoint, trimmed: ['serviceUrl'] });
    expect(stored.profile(report.id)).toMatchObject({
      kind: 'presign-service',
      serviceUrl: presign.baseUrl,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      name: new URL(presign.baseUrl).host,
    });
    expect(await stored.secrets(report.id)).toEqual({ secretAccessKey: '', sessionToken: '', serviceToken: TOKEN });
    expect(JSON.stringify(stored.profiles)).not.toContain(TOKEN);
    const settings = await service.getSettings();
    expect(settings).toMatchObject({ hasSecret: true, capabilities: { multipart: false, delete: false } });
    // Port-less patterns (Firefox cannot match ports): the service and Swift share 127.0.0.1, so one pattern.
    expect(settings.accessOrigins).toEqual([...new Set([originPattern(presign.baseUrl), originPattern(s3.endpoint)])]);
    expect(settings.accessOrigins).toEqual(['http://127.0.0.1/*']);
  });

  it('uploads through the service: each file lands, and its link downloads the same bytes', async () => {
    const background = backgroundService();
    expect((await background.service.saveProfile(draft(presign.baseUrl))).saved).toBe(true);
    const { queue, copied } = queueFor(background);
    const files = [
      new File([`team mode ${Date.now()}\n`.repeat(500)], 'notes.txt', { type: 'text/plain' }),
      new File([new Uint8Array(300 * 1024).map((_, i) => (i * 7) % 251)], 'résumé 日本 +%#?.bin', { type: 'application/octet-stream' }),
      new File([], 'empty.txt', { type: 'text/plain' }),
    ];
    queue.add(files);
    await queue.idle();
    const items = queue.snapshot() as UploadItem[];
    expect(items.map((i) => [i.status, i.error?.message]), presign.log()).toEqual(files.map(() => ['done', undefined]));
    expect(copied).toEqual(items.map((i) => i.link));
    for (const [i, item] of items.entries()) {
      expect(item.key).toMatch(/^drop\/[0-9a-f-]{36}\//);
      const res = await fetch(item.link!);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(await files[i]!.arrayBuffer()))).toBe(true);
      expect(res.headers.get('content-type')).toBe(files[i]!.type);
      // The link's lifetime is what the URL says: the profile's hour.
      expect(item.linkExpiresAt! - Date.now()).toBeGreaterThan(3500_000);
    }
  });

  it("the service binds Content-Type and size into the PUT: S3 refuses another type with the service's URL", async () => {
    const background = backgroundService();
    const { id } = await background.service.saveProfile(draft(presign.baseUrl));
    const signed = await signPut(background, id, { key: `drop/${crypto.randomUUID()}/bound.txt`, contentType: 'text/plain', size: 5 });
    if (!signed.ok) throw new Error(signed.error.message);
    expect(new URL(signed.value.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(signed.value.headers).toMatchObject({ 'content-type': 'text/plain' });
    expect(signed.value.expiresAt! - Date.now()).toBeLessThanOrEqual(300_000);
    const retyped = await fetch(signed.value.url, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/html' } });
    expect(retyped.status).toBe(403);
    const right = await fetch(signed.value.url, { method: 'PUT', body: 'hello', headers: signed.value.headers });
    expect(right.status).toBe(200);
  });

  it('a wrong token gets the refusal sentence, and nothing is uploaded', async () => {
    const background = backgroundService();
    const { service } = background;
    await service.saveProfile(draft(presign.baseUrl, { serviceToken: 'not-the-team-token' }));
    const test = await service.testConnection(draft(presign.baseUrl, { serviceToken: 'not-the-team-token' }));
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/^The presign service at 127\.0\.0\.1:\d+ refused your token \(HTTP 401\)\. Check the token in Options/);
    expect(test.message).not.toContain('not-the-team-token');

    const { queue, copied } = queueFor(background);
    queue.add([new File(['must not land'], 'refused.txt', { type: 'text/plain' })]);
    await queue.idle();
    const [item] = queue.snapshot();
    expect(item).toMatchObject({ status: 'failed', error: { code: 'PresignServiceRefused', fix: { kind: 'open-options' } } });
    expect(item!.error!.message).toMatch(/refused your token/);
    expect(copied).toEqual([]);
    expect((await keysUnder('drop/')).filter((key) => key.endsWith('/refused.txt'))).toEqual([]);
  });

  it('an object name outside the service’s prefix is refused with a sentence that points at the key template', async () => {
    const background = backgroundService();
    await background.service.saveProfile(draft(presign.baseUrl, { keyTemplate: 'elsewhere/{uuid}-{name}' }));
    const { queue } = queueFor(background);
    queue.add([new File(['x'], 'outside.txt', { type: 'text/plain' })]);
    await queue.idle();
    const [item] = queue.snapshot();
    expect(item?.error?.code).toBe('PresignServiceRejected');
    expect(item?.error?.message).toMatch(/did not accept the request for "elsewhere\/.*outside\.txt" \(HTTP 400: "object_name must start with 'drop\/'"\)\. Change the object key template/);
    expect(await keysUnder('elsewhere/')).toEqual([]);
  });

  it('a share link past its expiry is refused by S3 and reported as expired', async () => {
    const background = backgroundService();
    await background.service.saveProfile(draft(presign.baseUrl, { linkExpirySeconds: 1 }));
    const { queue } = queueFor(background);
    queue.add([new File(['short-lived'], 'short.txt', { type: 'text/plain' })]);
    await queue.idle();
    const [item] = queue.snapshot();
    expect(item?.status).toBe('done');
    await sleep(2500);
    const res = await fetch(item!.link!);
    expect(res.status).toBe(403);
    const error = describeFailure(failureFromResponse(res.status, await res.text()), { ...context(), operation: 'download' });
    expect(error).toMatchObject({ code: 'LinkExpired', message: 'This link has expired. Copy a fresh link from S3 Drop.' });
  });

  describe('a service whose upload URLs live 1 second', () => {
    let quick: PresignService;
    beforeAll(async () => {
      quick = await startPresignService({ s3, bucket: BUCKET, token: TOKEN, prefix: 'drop/', maxUploadExpiry: 1 });
    });
    afterAll(() => quick?.stop());

    it('caps what it signs, S3 refuses the URL once it expired, and the upload says so', async () => {
      const background = backgroundService();
      const { id } = await background.service.saveProfile(draft(quick.baseUrl));
      // The service caps the 300 s S3 Drop asks for; expiresAt is read from the URL itself.
      const signed = await signPut(background, id, { key: 'drop/capped.txt', contentType: 'text/plain', size: 1 });
      if (!signed.ok) throw new Error(signed.error.message);
      expect(new URL(signed.value.url).searchParams.get('X-Amz-Expires')).toBe('1');
      expect(signed.value.expiresAt! - Date.now()).toBeLessThanOrEqual(1000);

      // A slow link: every PUT starts 2.5 s after its URL was signed.
      let puts = 0;
      const slow: PutTransport = {
        async put(request) {
          puts++;
          await sleep(2500);
          return fetchTransport().put(request);
        },
      };
      const { queue, copied } = queueFor(background, slow);
      queue.add([new File(['too slow'], 'slow.txt', { type: 'text/plain' })]);
      await queue.idle();
      const [item] = queue.snapshot();
      expect(item).toMatchObject({ status: 'failed', error: { code: 'UploadUrlExpired', transient: true } });
      expect(item!.error!.message).toBe('The upload URL expired before the upload finished. Try again; a fresh URL is signed for each try.');
      // Signed afresh and tried once more, as with local keys.
      expect(puts).toBe(2);
      expect(copied).toEqual([]);
      expect(await exists(item!.key!)).toBe(false);
    });
  });

  describe('a service that signs with the wrong secret', () => {
    let broken: PresignService;
    beforeAll(async () => {
      broken = await startPresignService({ s3: { ...s3, secretAccessKey: 'not-the-secret' }, bucket: BUCKET, token: TOKEN, prefix: 'drop/' });
    });
    afterAll(() => broken?.stop());

    it("Test connection says S3 refuses the service's signature, and that the service's owner must act", async () => {
      const { service } = backgroundService();
      const report = await service.testConnection(draft(broken.baseUrl));
      expect(report.ok).toBe(false);
      expect(report.message).toMatch(/^The presign service at 127\.0\.0\.1:\d+ answers, but 127\.0\.0\.1:\d+ refused the presign service's signature \(SignatureDoesNotMatch\).*Tell whoever runs the service\.$/);
    });
  });
});

/**
 * A service that answers with a redirect to another origin, which records
 * every request: the background's real client with Node's fetch (the same
 * fetch spec as browsers; it too keeps custom headers across origins when
 * following) must not follow it, for either way of sending the token.
 */
describe('team mode: a presign service that redirects elsewhere', () => {
  let redirecting: RedirectingService;
  beforeAll(async () => {
    redirecting = await startRedirectingService();
  });
  afterAll(() => redirecting?.stop());

  const queueFor = (background: RealBackground) => {
    const copied: string[] = [];
    const queue = new UploadQueue({
      backend: background.uploads,
      transport: fetchTransport(),
      copy: async (text) => {
        copied.push(text);
        return true;
      },
    });
    return { queue, copied };
  };
  const SENTENCE = (service: string) =>
    `The presign service at ${service} answered with a redirect, and S3 Drop does not follow a redirect with your token. Check the Service URL in Options: its https:// or http://, host and path must be the service's own address, not one that forwards elsewhere.`;

  it.each([
    ['a bearer token', { serviceAuth: 'bearer' as const }, 'authorization', `Bearer ${TOKEN}`],
    ['a header of its own', { serviceAuth: 'header' as const, serviceAuthHeader: 'X-API-Key' }, 'x-api-key', TOKEN],
  ])('%s never reaches the other origin, and the user is told why', async (_label, auth, header, value) => {
    redirecting.served.length = 0;
    redirecting.recorded.length = 0;
    redirecting.status = 307;
    const background = backgroundService();
    const { service } = background;
    const sentence = SENTENCE(new URL(redirecting.baseUrl).host);

    const test = await service.testConnection(draft(redirecting.baseUrl, auth));
    expect(test).toMatchObject({ ok: false, error: { code: 'PresignServiceRedirected', fix: { kind: 'open-options' } } });
    expect(test.message).toBe(sentence);

    const saved = await service.saveProfile(draft(redirecting.baseUrl, auth));
    expect(saved.saved).toBe(true);
    const { queue, copied } = queueFor(background);
    queue.add([new File(['must not go anywhere'], 'redirected.txt', { type: 'text/plain' })]);
    await queue.idle();
    const [item] = queue.snapshot();
    expect(item).toMatchObject({ status: 'failed', error: { code: 'PresignServiceRedirected', message: sentence, transient: false } });
    expect(copied).toEqual([]);
    const destination = await background.open(saved.id);
    if (!destination.ok) throw new Error(destination.error.message);
    expect(await destination.value.shareLink({ key: 'drop/x/a.txt', fileName: 'a.txt', contentType: 'text/plain' })).toMatchObject({
      ok: false,
      error: { code: 'PresignServiceRedirected', message: sentence },
    });

    // Every other redirect status too, for an upload URL (POST) and a link (GET).
    for (const status of [301, 302, 303, 308]) {
      redirecting.status = status;
      expect(await signPut(background, saved.id, { key: 'drop/x/b.txt', contentType: 'text/plain', size: 1 }), String(status)).toMatchObject({
        ok: false,
        error: { code: 'PresignServiceRedirected' },
      });
    }

    // The service itself was asked each time, with the token where the profile says: Test connection, Save's probe, the upload, the link, four statuses.
    expect(redirecting.served.map((r) => r.headers[header])).toEqual(Array(8).fill(value));
    // And nothing at all reached the other origin.
    expect(redirecting.recorded).toEqual([]);
  });
});
