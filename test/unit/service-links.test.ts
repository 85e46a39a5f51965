import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCKED } from '../../src/destination/connection';
import { conditionalWrites, createService, type ServiceDeps } from '../../src/background/service';
import { MAX_NAME_TRIES } from '../../src/keys/free-key';
import type { Result } from '../../src/messaging/protocol';
import type { FetchLike } from '../../src/s3/region';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceProfile } from '../../src/settings/profile';
import { fakeSettings, seedProfile } from '../support/fake-settings';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';

const aws: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'aws',
  name: 'aws',
  accessKeyId: 'AKIAWORK',
  bucket: 'work-bucket',
  region: 'eu-west-1',
  keyTemplate: 'work/{uuid}-{name}',
};

function setup(over: Partial<ServiceDeps> = {}) {
  const f = fakeSettings();
  const fetch = vi.fn<FetchLike>(async (input) => {
    throw new Error(`unexpected fetch of ${String(input)}`);
  });
  let n = 0;
  const deps: ServiceDeps = {
    ...f.deps,
    hasHostPermission: async () => true,
    fetch,
    record: async () => {},
    now: () => NOW,
    uuid: () => `uuid-${++n}`,
    shortId: () => 'Sh0rtID9',
    ...over,
  };
  return { f, fetch, service: createService(deps) };
}

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: Result<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const share = (over: Record<string, unknown> = {}) => ({ key: 'work/k-cat.png', fileName: 'cat.png', contentType: 'image/png', ...over });

describe('shareLink: per-upload expiry', () => {
  it('a chosen expiry replaces the profile’s', async () => {
    const { f, service } = setup();
    await seedProfile(f, aws, { secretAccessKey: SECRET });
    const link = ok(await service.shareLink(share({ expiresIn: 900 })));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(link.expiresAt).toBe(NOW.getTime() + 900_000);
    const custom = ok(await service.shareLink(share({ expiresIn: 5400 })));
    expect(new URL(custom.url).searchParams.get('X-Amz-Expires')).toBe('5400');
    const fallback = ok(await service.shareLink(share()));
    expect(new URL(fallback.url).searchParams.get('X-Amz-Expires')).toBe('86400');
  });

  it.each([0, -5, 1.5, 604801])('refuses an expiry of %s with a sentence, signing nothing', async (expiresIn) => {
    const { f, service } = setup();
    await seedProfile(f, aws, { secretAccessKey: SECRET });
    expect(failure(await service.shareLink(share({ expiresIn })))).toMatchObject({ code: 'InvalidExpiry', message: expect.stringMatching(/7 days|whole number/) });
  });

  it('a session token ending sooner still cuts the chosen expiry', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, sessionTokenExpiration: '2024-03-05T07:18:09Z' }, { secretAccessKey: SECRET, sessionToken: TOKEN });
    const link = ok(await service.shareLink(share({ expiresIn: 604800 })));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('600');
    expect(link.expiresAt).toBe(NOW.getTime() + 600_000);
    // A shorter choice than the token's life is kept.
    expect(new URL(ok(await service.shareLink(share({ expiresIn: 300 }))).url).searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('team mode asks the service for the chosen expiry as `expiration`', async () => {
    const { f, fetch, service } = setup();
    const team: PresignServiceProfile = { ...EMPTY_SERVICE_PROFILE, id: 'team', name: 'team', serviceUrl: 'https://files.example.com', serviceAuth: 'none', keyTemplate: 'drop/{uuid}' };
    await seedProfile(f, team);
    fetch.mockImplementation(async (input) => {
      const url = new URL(input);
      const expires = url.searchParams.get('expiration');
      return Response.json({ url: `https://s3.eu-west-1.amazonaws.com/b/k?X-Amz-Date=20240305T070809Z&X-Amz-Expires=${expires}&X-Amz-Signature=f00d` });
    });
    const link = ok(await service.shareLink(share({ expiresIn: 900 })));
    expect(new URL(String(fetch.mock.calls[0]![0])).searchParams.get('expiration')).toBe('900');
    expect(link.expiresAt).toBe(NOW.getTime() + 900_000);
    ok(await service.shareLink(share()));
    expect(new URL(String(fetch.mock.calls[1]![0])).searchParams.get('expiration')).toBe('86400');
  });
});

describe('shareLink: disposition per profile', () => {
  const disposition = async (choice: KeysProfile['linkDisposition'], contentType: string, fileName = 'Grüße 日本.txt') => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, ...(choice ? { linkDisposition: choice } : {}) }, { secretAccessKey: SECRET });
    return new URL(ok(await service.shareLink(share({ fileName, contentType }))).url).searchParams.get('response-content-disposition')!;
  };

  it('auto (absent): by type', async () => {
    expect(await disposition(undefined, 'text/plain')).toMatch(/^inline; /);
    expect(await disposition('auto', 'application/zip')).toMatch(/^attachment; /);
  });

  it('always open in the browser, except SVG and HTML', async () => {
    expect(await disposition('inline', 'application/zip')).toMatch(/^inline; /);
    expect(await disposition('inline', 'image/svg+xml')).toMatch(/^attachment; /);
    expect(await disposition('inline', 'text/html')).toMatch(/^attachment; /);
  });

  it('always download, under the exact unicode name (filename*)', async () => {
    const value = await disposition('attachment', 'image/png');
    expect(value).toBe(`attachment; filename="Gruse _.txt"; filename*=UTF-8''${encodeURIComponent('Grüße 日本.txt')}`.replace('Gruse _', 'Gru_e __'));
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(value)![1]!)).toBe('Grüße 日本.txt');
  });
});

describe('shareLink: public and custom-domain links', () => {
  it('public: the object’s plain URL, no signature, no expiry', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, linkMode: 'public' }, { secretAccessKey: SECRET });
    const link = ok(await service.shareLink(share({ key: 'work/My photo+1 #2.png', expiresIn: 900 })));
    expect(link).toEqual({ url: 'https://work-bucket.s3.eu-west-1.amazonaws.com/work/My%20photo%2B1%20%232.png', headers: {} });
    expect(link).not.toHaveProperty('expiresAt');
  });

  it('public on a path-style custom endpoint', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, linkMode: 'public' }, { secretAccessKey: SECRET });
    expect(ok(await service.shareLink(share({ key: 'a/résumé.pdf' }))).url).toBe('http://127.0.0.1:9000/work-bucket/a/r%C3%A9sum%C3%A9.pdf');
  });

  it('custom: the key under the profile’s domain', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com/files/{key}' }, { secretAccessKey: SECRET });
    const link = ok(await service.shareLink(share({ key: 'work/a b?.png' })));
    expect(link).toEqual({ url: 'https://cdn.example.com/files/work/a%20b%3F.png', headers: {} });
  });

  it('unsigned links need no unlock', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, linkMode: 'public' }, { secretAccessKey: SECRET });
    ok(await service.setPassphrase({ next: 'correct horse battery staple' }));
    await service.lock();
    expect(ok(await service.shareLink(share())).url).toBe('https://work-bucket.s3.eu-west-1.amazonaws.com/work/k-cat.png');
  });
});

describe('planUpload: new tokens', () => {
  it('{host} is the page’s host name, "local" for the popup; {shortid} comes from the service', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, keyTemplate: 'shots/{host}/{shortid}-{name}' }, { secretAccessKey: SECRET });
    const file = { name: 'shot.png', type: 'image/png', size: 10 };
    expect(ok(await service.planUpload({ ...file, pageUrl: 'https://news.example.org:8443/story?id=1' })).key).toBe('shots/news.example.org/Sh0rtID9-shot.png');
    expect(ok(await service.planUpload(file)).key).toBe('shots/local/Sh0rtID9-shot.png');
  });

  it('a template with {uuid} or {shortid} needs no HEAD and no If-None-Match', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, keyTemplate: '{shortid}/{name}' }, { secretAccessKey: SECRET });
    // An AWS profile: a HEAD would go to the internet and fail here.
    expect(ok(await service.planUpload({ name: 'a.txt', type: 'text/plain', size: 1 }))).toEqual({ profileId: 'aws', key: 'Sh0rtID9/a.txt', bucket: 'work-bucket', contentType: 'text/plain' });
  });
});

/** A bucket that answers HEAD for the keys it holds (path-style, as an S3-compatible endpoint). */
describe('planUpload: never overwrite silently (HEAD against a fake bucket)', () => {
  let server: Server;
  let endpoint: string;
  const existing = new Set<string>();
  const heads: { key: string; signed: boolean }[] = [];
  let answer: (key: string) => number = (key) => (existing.has(key) ? 200 : 404);

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      const key = path.replace(/^\/media\//, '');
      heads.push({ key, signed: /^AWS4-HMAC-SHA256 Credential=AKIAMEDIA\//.test(req.headers.authorization ?? '') });
      res.statusCode = req.method === 'HEAD' ? answer(key) : 405;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const media = (): KeysProfile => ({ ...aws, id: 'media', name: 'media', accessKeyId: 'AKIAMEDIA', bucket: 'media', region: 'us-east-1', endpoint, forcePathStyle: true, keyTemplate: 'docs/{name}' });
  const start = async (keys: string[], respond?: (key: string) => number) => {
    existing.clear();
    for (const k of keys) existing.add(k);
    heads.length = 0;
    answer = respond ?? ((key) => (existing.has(key) ? 200 : 404));
    const s = setup();
    await seedProfile(s.f, media(), { secretAccessKey: SECRET });
    return s;
  };
  const file = { name: 'a.txt', type: 'text/plain', size: 5 };

  it('a free name is taken as is, after one signed HEAD', async () => {
    const { service } = await start([]);
    expect(ok(await service.planUpload(file))).toEqual({ profileId: 'media', key: 'docs/a.txt', bucket: 'media', contentType: 'text/plain' });
    expect(heads).toEqual([{ key: 'docs/a.txt', signed: true }]);
  });

  it('a taken name gets -1, -2… before the extension; no If-None-Match on a custom endpoint', async () => {
    const { service } = await start(['docs/a.txt', 'docs/a-1.txt']);
    const plan = ok(await service.planUpload(file));
    expect(plan.key).toBe('docs/a-2.txt');
    expect(plan).not.toHaveProperty('ifNoneMatch');
    expect(heads.map((h) => h.key)).toEqual(['docs/a.txt', 'docs/a-1.txt', 'docs/a-2.txt']);
  });

  it('403 counts as free (S3 answers a missing key so without s3:ListBucket)', async () => {
    const { service } = await start([], () => 403);
    expect(ok(await service.planUpload(file)).key).toBe('docs/a.txt');
  });

  it(`all ${MAX_NAME_TRIES} names taken: a sentence, no upload`, async () => {
    const { service } = await start([], () => 200);
    const error = failure(await service.planUpload(file));
    expect(error.code).toBe('NoFreeKey');
    expect(error.message).toBe(
      `"docs/a.txt" and the next ${MAX_NAME_TRIES - 1} names up to "docs/a-${MAX_NAME_TRIES - 1}.txt" are all taken in bucket "media", and S3 Drop never overwrites. Rename the file, or add {uuid} or {shortid} to the key template.`,
    );
    expect(heads).toHaveLength(MAX_NAME_TRIES);
  });

  it('a server error on HEAD fails the plan with a sentence, never guessing "free"', async () => {
    const { service } = await start([], () => 500);
    const error = failure(await service.planUpload(file));
    expect(error).toMatchObject({ transient: true, message: expect.stringMatching(/internal error/) });
  });

  it('locked: the HEAD needs the keys, so the plan says unlock', async () => {
    const { service } = await start([]);
    ok(await service.setPassphrase({ next: 'correct horse battery staple' }));
    await service.lock();
    expect(failure(await service.planUpload(file))).toEqual(LOCKED);
    expect(heads).toEqual([]);
  });
});

describe('If-None-Match: signed for AWS only', () => {
  it('conditionalWrites: AWS and a template that can collide', () => {
    expect(conditionalWrites({ ...aws, keyTemplate: '{name}' })).toBe(true);
    expect(conditionalWrites({ ...aws, keyTemplate: '{uuid}-{name}' })).toBe(false);
    expect(conditionalWrites({ ...aws, keyTemplate: '{name}', endpoint: 'http://127.0.0.1:8080' })).toBe(false);
  });

  it('signUpload signs it into the PUT and hands it to the sender', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, keyTemplate: 'docs/{name}' }, { secretAccessKey: SECRET });
    const signed = ok(await service.signUpload({ key: 'docs/a.txt', contentType: 'text/plain', size: 5, ifNoneMatch: true }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
  });

  it('downloadAs: Content-Disposition attachment, with the name, is signed into the PUT and handed to the sender', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, keyTemplate: 'docs/{uuid}-{name}' }, { secretAccessKey: SECRET });
    const signed = ok(await service.signUpload({ key: 'docs/x-logo.svg', contentType: 'application/octet-stream', size: 5, downloadAs: 'logö.svg' }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-disposition;content-length;content-type;host');
    expect(signed.headers).toEqual({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="logo.svg"; filename*=UTF-8''log%C3%B6.svg`,
    });
  });

  it('a custom endpoint never gets it, even when asked (Swift answers 501 to any conditional PUT)', async () => {
    const { f, service } = setup();
    await seedProfile(f, { ...aws, keyTemplate: 'docs/{name}', endpoint: 'http://127.0.0.1:8080', forcePathStyle: true }, { secretAccessKey: SECRET });
    const signed = ok(await service.signUpload({ key: 'docs/a.txt', contentType: 'text/plain', size: 5, ifNoneMatch: true }));
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(signed.headers).toEqual({ 'content-type': 'text/plain' });
  });
});
