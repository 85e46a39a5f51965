/**
 * The background's upload messages (`createUploadHandlers`) over real
 * destinations (`openDestination`) and in-memory settings (real keeper, real
 * vault): one start per file (key, URLs, limits), one finish (parts joined,
 * link, history). Key planning and signing that went through the service's
 * old planUpload/signUpload/shareLink/recordUpload messages live here.
 * S3 is a small bucket on 127.0.0.1 that answers HEAD and the multipart calls.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from '@smithy/core/protocols';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createService } from '../../src/background/service';
import { createUploadHandlers, FIRST_PART_BATCH, MAX_SINGLE_PUT_BYTES } from '../../src/background/upload-service';
import { LOCKED, NOT_CONFIGURED, PROFILE_GONE } from '../../src/destination/connection';
import type { RecentUpload } from '../../src/history/recent';
import { MAX_NAME_TRIES } from '../../src/keys/free-key';
import { planKey } from '../../src/keys/plan-key';
import { renderKey } from '../../src/keys/template';
import type { Result } from '../../src/result';
import { createS3Client, type S3Connection } from '../../src/s3/client';
import type { FetchLike } from '../../src/s3/region';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceProfile } from '../../src/settings/profile';
import type { FinishRequest, UploadRequest, UploadStart, UploadTicket } from '../../src/upload/ticket';
import { AWS_PROFILE, destinationOpener, fakeServiceDeps, fakeSettings, seedProfile, type FakeSettings } from '../support/fake-settings';
import { presignServiceFetch, s3Url, TEAM_S3 as S3, TEAM_SERVICE as SERVICE } from '../support/fake-team-service';
import { signatureValid } from '../support/sigv4';
import { ok, failure } from '../support/results';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';
const PASS = 'correct horse battery staple';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---------------------------------------------------------------------------
// A bucket on loopback: HEAD answers for the keys it holds; create, complete and abort answer as S3 does.

interface Seen {
  method: string;
  /** The Host the request was signed for. */
  host: string;
  key: string;
  query: URLSearchParams;
  /** The access key of the Authorization header; null when unsigned. */
  accessKey: string | null;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let endpoint: string;
let port: number;
const seen: Seen[] = [];
const existing = new Set<string>();
let headStatus: (key: string) => number = (key) => (existing.has(key) ? 200 : 404);
/** The size HEAD reports for a key that exists; none by default. */
let headSize: (key: string) => number | undefined = () => undefined;
/** Replaces the join's answer (status and error XML); the default joins. */
let joinFailure: { status: number; body: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      // Path-style on the custom endpoint (/media/key), virtual-hosted for AWS (/key).
      const key = decodeURIComponent(url.pathname).replace(/^\/media\//, '').replace(/^\//, '');
      const accessKey = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? null;
      seen.push({ method: req.method!, host: req.headers.host!, key, query: url.searchParams, accessKey, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const xml = (body: string) => {
        res.setHeader('content-type', 'application/xml');
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
      };
      if (req.method === 'HEAD') {
        res.statusCode = headStatus(key);
        const size = headSize(key);
        if (size !== undefined) res.setHeader('content-length', size);
        res.end();
      } else if (req.method === 'POST' && url.searchParams.has('uploadId') && joinFailure) {
        res.statusCode = joinFailure.status;
        xml(joinFailure.body);
      } else if (req.method === 'POST' && url.searchParams.has('uploads')) {
        xml(`<InitiateMultipartUploadResult><Bucket>media</Bucket><Key>${key}</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>`);
      } else if (req.method === 'POST' && url.searchParams.has('uploadId')) {
        xml(`<CompleteMultipartUploadResult><Bucket>media</Bucket><Key>${key}</Key><ETag>"joined-3"</ETag></CompleteMultipartUploadResult>`);
      } else if (req.method === 'DELETE' && url.searchParams.has('uploadId')) {
        res.statusCode = 204;
        res.end();
      } else {
        res.statusCode = 405;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  existing.clear();
  headStatus = (key) => (existing.has(key) ? 200 : 404);
  headSize = () => undefined;
  joinFailure = undefined;
});

const heads = () => seen.filter((s) => s.method === 'HEAD').map((s) => ({ key: s.key, signed: s.accessKey !== null }));

/**
 * S3 clients whose requests, once signed for AWS, go to the loopback bucket
 * instead (the signed Host header stays): an AWS profile's HEAD and
 * multipart calls without the internet. Presigned URLs are untouched.
 */
function awsOnLoopback(conn: S3Connection) {
  const client = createS3Client(conn);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as HttpRequest;
      request.protocol = 'http:';
      request.hostname = '127.0.0.1';
      request.port = port;
      return next(args);
    },
    // After signing: the deserialize step wraps the handler that sends the request.
    { step: 'deserialize', name: 'awsOnLoopback' },
  );
  return client;
}

// ---------------------------------------------------------------------------

const aws = AWS_PROFILE;
const media = (): KeysProfile => ({
  ...aws,
  id: 'media',
  name: 'media',
  accessKeyId: 'AKIAMEDIA',
  bucket: 'media',
  region: 'us-east-1',
  endpoint,
  forcePathStyle: true,
  keyTemplate: 'docs/{name}',
});

interface Setup {
  f: FakeSettings;
  service: ReturnType<typeof createService>;
  uploads: ReturnType<typeof createUploadHandlers>;
  open: ReturnType<typeof destinationOpener>;
  fetch: ReturnType<typeof vi.fn<FetchLike>>;
  recorded: RecentUpload[];
  ensureRunner: ReturnType<typeof vi.fn<() => Promise<void>>>;
}

/** The upload handlers and the service over the same settings; every origin granted; no network but the loopback bucket. */
function setup(options: { client?: (conn: S3Connection) => ReturnType<typeof createS3Client>; fetch?: FetchLike } = {}): Setup {
  const f = fakeSettings();
  const { deps, fetch } = fakeServiceDeps(f, { fetch: options.fetch, now: () => NOW, shortId: () => 'Sh0rtID9' });
  const open = destinationOpener({ ...deps, ...(options.client ? { client: options.client } : {}) });
  const recorded: RecentUpload[] = [];
  const ensureRunner = vi.fn(async () => {});
  const uploads = createUploadHandlers({
    open,
    record: async (upload) => {
      recorded.push(upload);
    },
    now: deps.now,
    uuid: deps.uuid,
    shortId: deps.shortId!,
    ensureRunner,
  });
  return { f, service: createService(deps), uploads, open, fetch, recorded, ensureRunner };
}

const file = (over: Partial<UploadRequest> = {}): UploadRequest => ({ name: 'a.txt', type: 'text/plain', size: 5, source: 'popup', ...over });

function single(start: UploadStart) {
  if (start.transfer.kind !== 'single') throw new Error('expected a single PUT');
  return start.transfer.put;
}

function multipart(start: UploadStart) {
  if (start.transfer.kind !== 'multipart') throw new Error('expected a multipart upload');
  return start.transfer;
}

describe('startUpload: the key', () => {
  it('is NotConfigured before a profile is saved', async () => {
    const { uploads } = setup();
    expect(failure(await uploads.startUpload(file()))).toEqual(NOT_CONFIGURED);
    expect(NOT_CONFIGURED).toMatchObject({ code: 'NotConfigured', fix: { kind: 'open-options' } });
  });

  it('renders the key from the template with deps.now and deps.uuid', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: EMPTY_PROFILE.keyTemplate }, { secretAccessKey: SECRET });
    const start = ok(await s.uploads.startUpload(file({ name: 'résumé 日本.txt', size: 10 })));
    expect(start.ticket).toEqual({ id: 'uuid-2', profileId: 'aws', key: '2024/03/05/uuid-1-résumé 日本.txt', contentType: 'text/plain', size: 10 });
    expect(start.context).toEqual({ bucket: 'work-bucket', region: 'eu-west-1', endpoint: '', signer: 'extension' });
    const put = new URL(single(start).url);
    expect(put.pathname).toBe(`/2024/03/05/uuid-1-r%C3%A9sum%C3%A9%20${encodeURIComponent('日本')}.txt`);
    expect(put.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(signatureValid(single(start), 'PUT', SECRET, { 'content-length': '10', 'content-type': 'text/plain' })).toBe(true);
  });

  it('signs the MD5 the runner sends as Content-MD5 into the PUT, and the finish records the upload verified', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: EMPTY_PROFILE.keyTemplate }, { secretAccessKey: SECRET });
    const md5 = createHash('md5').update('hello').digest('base64');
    const start = ok(await s.uploads.startUpload(file({ md5 })));
    expect(start.checksum).toBe('md5');
    expect(start.ticket.md5).toBe(md5);
    const put = single(start);
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;content-type;host');
    expect(put.headers).toEqual({ 'content-type': 'text/plain', 'content-md5': md5 });
    expect(signatureValid(put, 'PUT', SECRET, { 'content-length': '5', 'content-type': 'text/plain', 'content-md5': md5 })).toBe(true);
    // Signed afresh (an expired URL) from the ticket: the same MD5.
    expect(ok(await s.uploads.signPut(start.ticket)).headers['content-md5']).toBe(md5);
    const done = ok(await s.uploads.finishUpload({ ticket: start.ticket, name: 'a.txt', source: 'popup', checksummed: true }));
    expect(done.verified).toBe(true);
    expect(s.recorded[0]).toMatchObject({ id: start.ticket.id, verified: true });
  });

  it('records no verified mark when the runner sent no checksum', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: EMPTY_PROFILE.keyTemplate }, { secretAccessKey: SECRET });
    const start = ok(await s.uploads.startUpload(file()));
    expect(single(start).headers).toEqual({ 'content-type': 'text/plain' });
    const done = ok(await s.uploads.finishUpload({ ticket: start.ticket, name: 'a.txt', source: 'popup' }));
    expect(done.verified).toBeUndefined();
    expect(s.recorded[0]!.verified).toBeUndefined();
  });

  it('uses a custom template and a default content type', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'drop/{hh}/{uuid}.{ext}' }, { secretAccessKey: SECRET });
    const start = ok(await s.uploads.startUpload(file({ name: 'a/b.tar.GZ', type: '', size: 10 })));
    expect(start.ticket.key).toBe(renderKey('drop/{hh}/{uuid}.{ext}', { name: 'a/b.tar.GZ', now: NOW, uuid: 'uuid-1' }));
    expect(start.ticket.key).toBe('drop/07/uuid-1.GZ');
    expect(start.ticket.contentType).toBe('application/octet-stream');
    // The type S3 stores is the one signed: a bare PUT would send none.
    expect(single(start).headers).toEqual({ 'content-type': 'application/octet-stream' });
  });

  it('{host} is the page’s host name, "local" for the popup; {shortid} comes from the deps', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'shots/{host}/{shortid}-{name}' }, { secretAccessKey: SECRET });
    const shot = file({ name: 'shot.png', type: 'image/png', size: 10 });
    expect(ok(await s.uploads.startUpload({ ...shot, source: 'screenshot', pageUrl: 'https://news.example.org:8443/story?id=1' })).ticket.key).toBe(
      'shots/news.example.org/Sh0rtID9-shot.png',
    );
    expect(ok(await s.uploads.startUpload(shot)).ticket.key).toBe('shots/local/Sh0rtID9-shot.png');
  });

  it('{path} is the folder a dropped folder\'s file sat in; folders too long for a key are the file\'s fault, not the template\'s', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'drop/{path}{shortid}-{name}' }, { secretAccessKey: SECRET });
    const photo = file({ name: 'beach.jpg', type: 'image/jpeg', size: 10 });
    expect(ok(await s.uploads.startUpload({ ...photo, path: 'trip/day1/' })).ticket.key).toBe('drop/trip/day1/Sh0rtID9-beach.jpg');
    expect(ok(await s.uploads.startUpload(photo)).ticket.key).toBe('drop/Sh0rtID9-beach.jpg');
    const deep = await s.uploads.startUpload({ ...photo, path: `${'d'.repeat(200)}/`.repeat(6) });
    expect(deep.ok).toBe(false);
    if (deep.ok) return;
    expect(deep.error.message).toMatch(/folders around beach\.jpg/);
    expect(deep.error.fix).toBeUndefined();
  });

  it('a template with {uuid} or {shortid} needs no HEAD and no If-None-Match', async () => {
    // An AWS profile without the loopback client: a HEAD would go to the internet and fail here.
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: '{shortid}/{name}' }, { secretAccessKey: SECRET });
    const start = ok(await s.uploads.startUpload(file({ size: 1 })));
    expect(start.ticket).toEqual({ id: 'uuid-2', profileId: 'aws', key: 'Sh0rtID9/a.txt', contentType: 'text/plain', size: 1 });
    expect(single(start).headers).toEqual({ 'content-type': 'text/plain' });
  });

  it('uses the asked profile\'s bucket and template, and the default without one', async () => {
    const s = setup();
    const work: KeysProfile = { ...aws, id: 'p1', name: 'work', keyTemplate: 'work/{uuid}-{name}' };
    const other: KeysProfile = { ...aws, id: 'p2', name: 'other', accessKeyId: 'AKIAMEDIA', bucket: 'media-bucket', region: 'us-west-2', endpoint: 'https://s3.example.com', forcePathStyle: true, keyTemplate: 'media/{uuid}-{name}' };
    await seedProfile(s.f, work, { secretAccessKey: SECRET });
    await seedProfile(s.f, other, { secretAccessKey: SECRET2, sessionToken: TOKEN });
    const cat = file({ name: 'cat.png', type: 'image/png', size: 1234 });
    const p2 = ok(await s.uploads.startUpload({ ...cat, profileId: 'p2' }));
    expect(p2.ticket).toEqual({ id: 'uuid-2', profileId: 'p2', key: 'media/uuid-1-cat.png', contentType: 'image/png', size: 1234 });
    expect(p2.context.bucket).toBe('media-bucket');
    expect(new URL(single(p2).url).origin).toBe('https://s3.example.com');
    expect(signatureValid(single(p2), 'PUT', SECRET2, { 'content-length': '1234', 'content-type': 'image/png' })).toBe(true);
    const dflt = ok(await s.uploads.startUpload(cat));
    expect(dflt.ticket).toEqual({ id: 'uuid-4', profileId: 'p1', key: 'work/uuid-3-cat.png', contentType: 'image/png', size: 1234 });
    expect(dflt.context.bucket).toBe('work-bucket');
    expect(s.fetch).not.toHaveBeenCalled();
  });

  it('planning a key needs no secret and works while locked; signing does not', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, id: 'p2', keyTemplate: 'media/{uuid}-{name}' }, { secretAccessKey: SECRET });
    ok(await s.service.setPassphrase({ next: PASS }));
    await s.service.lock();
    const destination = ok(await s.open('p2'));
    expect(ok(await planKey(destination, { name: 'a.png' }, { now: () => NOW, uuid: () => 'u' })).key).toBe('media/u-a.png');
    expect(destination.bucket).toBe('work-bucket');
    expect(failure(await s.uploads.startUpload(file({ profileId: 'p2' })))).toEqual(LOCKED);
  });
});

describe('startUpload: never overwrite silently (HEAD against a fake bucket)', () => {
  const start = async (keys: string[], respond?: (key: string) => number) => {
    for (const k of keys) existing.add(k);
    if (respond) headStatus = respond;
    const s = setup();
    await seedProfile(s.f, media(), { secretAccessKey: SECRET });
    return s;
  };

  it('a free name is taken as is, after one signed HEAD', async () => {
    const { uploads } = await start([]);
    expect(ok(await uploads.startUpload(file())).ticket).toEqual({ id: 'uuid-2', profileId: 'media', key: 'docs/a.txt', contentType: 'text/plain', size: 5 });
    expect(heads()).toEqual([{ key: 'docs/a.txt', signed: true }]);
    expect(seen[0]!.accessKey).toBe('AKIAMEDIA');
  });

  it('a taken name gets -1, -2… before the extension; no If-None-Match on a custom endpoint', async () => {
    const { uploads } = await start(['docs/a.txt', 'docs/a-1.txt']);
    const started = ok(await uploads.startUpload(file()));
    expect(started.ticket.key).toBe('docs/a-2.txt');
    expect(started.ticket).not.toHaveProperty('ifNoneMatch');
    expect(single(started).headers).toEqual({ 'content-type': 'text/plain' });
    expect(heads().map((h) => h.key)).toEqual(['docs/a.txt', 'docs/a-1.txt', 'docs/a-2.txt']);
  });

  it('403 counts as free (S3 answers a missing key so without s3:ListBucket)', async () => {
    const { uploads } = await start([], () => 403);
    expect(ok(await uploads.startUpload(file())).ticket.key).toBe('docs/a.txt');
  });

  it(`all ${MAX_NAME_TRIES} names taken: a sentence, no upload`, async () => {
    const { uploads } = await start([], () => 200);
    const error = failure(await uploads.startUpload(file()));
    expect(error.code).toBe('NoFreeKey');
    expect(error.message).toBe(
      `"docs/a.txt" and the next ${MAX_NAME_TRIES - 1} names up to "docs/a-${MAX_NAME_TRIES - 1}.txt" are all taken in bucket "media", and S3 Drop never overwrites. Rename the file, or add {uuid} or {shortid} to the key template.`,
    );
    expect(heads()).toHaveLength(MAX_NAME_TRIES);
    expect(seen.every((s) => s.method === 'HEAD')).toBe(true);
  });

  it('a server error on HEAD fails the start with a sentence, never guessing "free"', async () => {
    const { uploads } = await start([], () => 500);
    const error = failure(await uploads.startUpload(file()));
    expect(error).toMatchObject({ transient: true, message: expect.stringMatching(/internal error/) });
  });

  it('locked: the HEAD needs the keys, so the start says unlock', async () => {
    const { uploads, service } = await start([]);
    ok(await service.setPassphrase({ next: PASS }));
    await service.lock();
    expect(failure(await uploads.startUpload(file()))).toEqual(LOCKED);
    expect(seen).toEqual([]);
  });

  it('AWS: the free name is signed with If-None-Match, so a name taken meanwhile is refused, not overwritten', async () => {
    existing.add('docs/a.txt');
    const s = setup({ client: awsOnLoopback });
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{name}' }, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file()));
    expect(started.ticket).toEqual({ id: 'uuid-2', profileId: 'aws', key: 'docs/a-1.txt', contentType: 'text/plain', size: 5, ifNoneMatch: true });
    const put = single(started);
    expect(new URL(put.url).host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    expect(put.headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*' });
    expect(signatureValid(put, 'PUT', SECRET, { 'content-length': '5', 'content-type': 'text/plain', 'if-none-match': '*' })).toBe(true);
    expect(seen.map((r) => [r.method, r.host, r.key, r.accessKey])).toEqual([
      ['HEAD', 'work-bucket.s3.eu-west-1.amazonaws.com', 'docs/a.txt', 'AKIAWORK'],
      ['HEAD', 'work-bucket.s3.eu-west-1.amazonaws.com', 'docs/a-1.txt', 'AKIAWORK'],
    ]);
  });
});

describe('startUpload: what the PUT binds', () => {
  it('download: the name is stored as Content-Disposition attachment, signed into the PUT', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{uuid}-{name}' }, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file({ name: 'logö.svg', type: 'application/octet-stream', download: true })));
    expect(started.ticket).toMatchObject({ key: 'docs/uuid-1-logö.svg', downloadAs: 'logö.svg' });
    const put = single(started);
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-disposition;content-length;content-type;host');
    expect(put.headers).toEqual({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="logo.svg"; filename*=UTF-8''log%C3%B6.svg`,
    });
  });

  it('without download nothing is stored to force one', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file({ name: 'logo.svg', type: 'image/svg+xml' })));
    expect(started.ticket).not.toHaveProperty('downloadAs');
    expect(single(started).headers).toEqual({ 'content-type': 'image/svg+xml' });
  });

  it('signPut signs the ticket again, for the same key, type and size', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{uuid}-{name}' }, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file({ name: 'logö.svg', type: 'application/octet-stream', download: true })));
    const again = ok(await s.uploads.signPut(started.ticket));
    // Same key, time and secret: the very same URL and headers.
    expect(again).toEqual(single(started));
  });
});

describe('startUpload: size limits', () => {
  it('above 5 TiB: no S3 stores it, whatever the profile', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    const error = failure(await s.uploads.startUpload(file({ name: 'huge.bin', size: 5 * 1024 * GiB + 1 })));
    expect(error).toEqual({ code: 'EntityTooLarge', message: '"huge.bin" is larger than 5 TiB, the largest object S3 stores.', transient: false });
  });

  it('a presign service (single PUTs only) takes 5 GiB and not a byte more, asking the service nothing for a refusal', async () => {
    expect(MAX_SINGLE_PUT_BYTES).toBe(5 * GiB);
    const t = teamSetup();
    await seedProfile(t.s.f, team, { serviceToken: TOKEN });
    const error = failure(await t.s.uploads.startUpload(file({ name: 'film.mkv', size: 5 * GiB + 1 })));
    expect(error).toEqual({
      code: 'EntityTooLarge',
      message: '"film.mkv" is larger than 5 GiB, the most S3 takes in one upload, and this profile cannot upload in parts.',
      transient: false,
    });
    expect(t.calls).toEqual([]);
    expect(multipartOrSingle(ok(await t.s.uploads.startUpload(file({ name: 'film.mkv', size: 5 * GiB }))))).toBe('single');
  });

  it('own keys: at the threshold one PUT; a byte above it, parts', async () => {
    const s = setup();
    await seedProfile(s.f, { ...media(), keyTemplate: 'big/{uuid}-{name}', multipartThresholdMiB: 16 }, { secretAccessKey: SECRET });
    expect(multipartOrSingle(ok(await s.uploads.startUpload(file({ size: 16 * MiB }))))).toBe('single');
    expect(seen).toEqual([]);
    expect(multipartOrSingle(ok(await s.uploads.startUpload(file({ size: 16 * MiB + 1 }))))).toBe('multipart');
    expect(seen.map((r) => r.method)).toEqual(['POST']);
  });
});

const multipartOrSingle = (start: UploadStart) => start.transfer.kind;

describe('multipart', () => {
  async function big(size: number) {
    const s = setup();
    // Parts above 16 MiB, so a few parts of 8 MiB make a multipart upload.
    await seedProfile(s.f, { ...media(), keyTemplate: 'big/{uuid}-{name}', multipartThresholdMiB: 16 }, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file({ name: 'video.mp4', type: 'video/mp4', size })));
    return { s, started };
  }

  it('start creates the upload and signs no part yet: each part URL is signed with its MD5, which the runner computes', async () => {
    const size = 2 * 1024 * MiB + 1;
    const { s, started } = await big(size);
    expect(FIRST_PART_BATCH).toBe(16);
    expect(started.ticket).toEqual({ id: 'uuid-2', profileId: 'media', key: 'big/uuid-1-video.mp4', contentType: 'video/mp4', size, uploadId: 'upload-1' });
    expect(started.checksum).toBe('md5');
    const plan = multipart(started);
    expect(plan.uploadId).toBe('upload-1');
    expect(plan.partSize).toBe(64 * MiB);
    expect(plan.parts).toEqual([]);
    // 33 parts in all (32 of 64 MiB and one byte); each signed with the MD5 the runner sends with its spec.
    const md5 = createHash('md5').update('part one').digest('base64');
    const [part] = ok(await s.uploads.signParts({ ticket: started.ticket, parts: [{ partNumber: 1, size: 64 * MiB, md5 }] }));
    const url = new URL(part!.url);
    expect(url.pathname).toBe('/media/big/uuid-1-video.mp4');
    expect(url.searchParams.get('partNumber')).toBe('1');
    expect(url.searchParams.get('uploadId')).toBe('upload-1');
    // Signed as a header the PUT must carry (not hoisted into the query, where it would bind nothing).
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;host');
    expect(url.search).not.toMatch(/content-md5=/i);
    expect(part!.headers).toEqual({ 'content-md5': md5 });
    expect(signatureValid(part!, 'PUT', SECRET, { 'content-length': String(64 * MiB), 'content-md5': md5 })).toBe(true);
    const other = createHash('md5').update('other bytes').digest('base64');
    expect(signatureValid(part!, 'PUT', SECRET, { 'content-length': String(64 * MiB), 'content-md5': other })).toBe(false);
    // One signed create, with the object's type; nothing else was asked.
    expect(seen.map((r) => [r.method, r.key, [...r.query.keys()], r.accessKey, r.headers['content-type']])).toEqual([
      ['POST', 'big/uuid-1-video.mp4', ['uploads'], 'AKIAMEDIA', 'video/mp4'],
    ]);
  });

  it('a file just over the threshold goes in two parts, the last one its own size', async () => {
    const { s, started } = await big(16 * MiB + 5);
    const plan = multipart(started);
    // Half the file, rounded up to whole MiB: 9 MiB, and the rest.
    expect(plan.partSize).toBe(9 * MiB);
    const [last] = ok(await s.uploads.signParts({ ticket: started.ticket, parts: [{ partNumber: 2, size: 7 * MiB + 5 }] }));
    expect(signatureValid(last!, 'PUT', SECRET, { 'content-length': String(7 * MiB + 5) })).toBe(true);
    expect(signatureValid(last!, 'PUT', SECRET, { 'content-length': String(9 * MiB) })).toBe(false);
  });

  it('signParts signs the next parts for the ticket’s upload', async () => {
    const { s, started } = await big(200 * MiB + 1);
    const more = ok(await s.uploads.signParts({ ticket: started.ticket, parts: [{ partNumber: 17, size: 8 * MiB }, { partNumber: 26, size: 1 }] }));
    expect(more.map((p) => [p.partNumber, new URL(p.url).searchParams.get('uploadId')])).toEqual([
      [17, 'upload-1'],
      [26, 'upload-1'],
    ]);
    expect(signatureValid(more[1]!, 'PUT', SECRET, { 'content-length': '1' })).toBe(true);
  });

  it('finish joins the parts in order, then signs the link and records the upload', async () => {
    const { s, started } = await big(16 * MiB + 5);
    seen.length = 0;
    const parts = [
      { PartNumber: 2, ETag: '"e2"' },
      { PartNumber: 1, ETag: '"e1"' },
      { PartNumber: 3, ETag: '"e3"' },
    ];
    const done = ok(await s.uploads.finishUpload({ ticket: started.ticket, parts, name: 'video.mp4', source: 'popup' }));
    expect(seen.map((r) => [r.method, r.key, r.query.get('uploadId'), r.accessKey])).toEqual([['POST', 'big/uuid-1-video.mp4', 'upload-1', 'AKIAMEDIA']]);
    expect([...seen[0]!.body.matchAll(/<Part><ETag>([^<]+)<\/ETag><PartNumber>(\d+)<\/PartNumber><\/Part>/g)].map((m) => [m[2], m[1]])).toEqual([
      ['1', '&quot;e1&quot;'],
      ['2', '&quot;e2&quot;'],
      ['3', '&quot;e3&quot;'],
    ]);
    // A custom endpoint: no If-None-Match on the join either.
    expect(seen[0]!.headers['if-none-match']).toBeUndefined();
    expect(new URL(done.link.url).pathname).toBe('/media/big/uuid-1-video.mp4');
    expect(done.lifetimeSeconds).toBe(86400);
    // The entry has the id the start gave the upload: the popup's live row and its history entry are one.
    expect(started.ticket.id).toBe('uuid-2');
    expect(s.recorded).toEqual([
      { id: 'uuid-2', source: 'popup', name: 'video.mp4', size: 16 * MiB + 5, type: 'video/mp4', status: 'done', at: NOW.getTime(), key: 'big/uuid-1-video.mp4', profileId: 'media', linkExpiresAt: NOW.getTime() + 86_400_000 },
    ]);
  });

  it('AWS with a template that can collide: the join carries If-None-Match too', async () => {
    const s = setup({ client: awsOnLoopback });
    await seedProfile(s.f, { ...aws, keyTemplate: 'docs/{name}' }, { secretAccessKey: SECRET });
    const started = ok(await s.uploads.startUpload(file({ name: 'big.bin', size: 100 * MiB })));
    expect(started.ticket).toMatchObject({ key: 'docs/big.bin', ifNoneMatch: true, uploadId: 'upload-1' });
    ok(await s.uploads.finishUpload({ ticket: started.ticket, parts: [{ PartNumber: 1, ETag: '"e1"' }], name: 'big.bin', source: 'popup' }));
    const join = seen.find((r) => r.method === 'POST' && r.query.has('uploadId'))!;
    expect(join.host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(join.headers['if-none-match']).toBe('*');
  });

  describe('a join whose answer was a 500: the bucket is asked before failing', () => {
    const parts = [
      { PartNumber: 1, ETag: '"e1"' },
      { PartNumber: 2, ETag: '"e2"' },
    ];
    const internalError = () => ({
      status: 500,
      body: '<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
    });

    it('the object is there with the ticket’s size (a uuid key): finished, linked and recorded', async () => {
      const { s, started } = await big(16 * MiB + 5);
      joinFailure = internalError();
      existing.add(started.ticket.key);
      headSize = () => started.ticket.size;
      seen.length = 0;
      const done = ok(await s.uploads.finishUpload({ ticket: started.ticket, parts, name: 'video.mp4', source: 'popup' }));
      // Two join attempts (the client retries a 500), then one signed HEAD on the key.
      expect(seen.map((r) => [r.method, r.key, r.accessKey])).toEqual([
        ['POST', started.ticket.key, 'AKIAMEDIA'],
        ['POST', started.ticket.key, 'AKIAMEDIA'],
        ['HEAD', started.ticket.key, 'AKIAMEDIA'],
      ]);
      expect(new URL(done.link.url).pathname).toBe(`/media/${started.ticket.key}`);
      expect(s.recorded).toMatchObject([{ id: started.ticket.id, status: 'done', key: started.ticket.key, size: 16 * MiB + 5 }]);
    });

    it('an object of another size, or none: the join’s sentence, nothing recorded', async () => {
      for (const size of [16 * MiB + 4, undefined]) {
        const { s, started } = await big(16 * MiB + 5);
        joinFailure = internalError();
        if (size !== undefined) existing.add(started.ticket.key);
        headSize = () => size;
        const err = failure(await s.uploads.finishUpload({ ticket: started.ticket, parts, name: 'video.mp4', source: 'popup' }));
        expect(err).toMatchObject({ code: 'InternalError', message: `${endpoint} had an internal error. Try again in a moment.`, transient: true });
        expect(s.recorded).toEqual([]);
      }
    });
  });

  it('abort throws the parts away; a single PUT has nothing to abort', async () => {
    const { s, started } = await big(200 * MiB + 1);
    seen.length = 0;
    expect(ok(await s.uploads.abortUpload(started.ticket))).toBeNull();
    expect(seen.map((r) => [r.method, r.key, r.query.get('uploadId')])).toEqual([['DELETE', 'big/uuid-1-video.mp4', 'upload-1']]);
    seen.length = 0;
    const { uploadId: _id, ...singlePut } = started.ticket;
    expect(ok(await s.uploads.abortUpload(singlePut))).toBeNull();
    expect(seen).toEqual([]);
  });
});

describe('finishUpload', () => {
  const ticket = (over: Partial<UploadTicket> = {}): UploadTicket => ({ id: 'entry-1', profileId: 'aws', key: 'work/k-cat.png', contentType: 'image/png', size: 1234, ...over });
  const finish = (over: Partial<FinishRequest> = {}): FinishRequest => ({ ticket: ticket(), name: 'cat.png', source: 'image', ...over });

  it('records the history entry and returns the link with how long it lives', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, linkExpirySeconds: 3600 }, { secretAccessKey: SECRET });
    const done = ok(await s.uploads.finishUpload(finish({ pageUrl: 'https://news.example.org/story' })));
    expect(Object.keys(done).sort()).toEqual(['copyText', 'lifetimeSeconds', 'link']);
    expect(done.copyText).toBe(done.link.url);
    expect(done.lifetimeSeconds).toBe(3600);
    // The link itself is only what a page needs: the lifetime is beside it.
    expect(Object.keys(done.link).sort()).toEqual(['expiresAt', 'headers', 'url']);
    const url = new URL(done.link.url);
    expect(url.host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('response-content-disposition')).toContain('cat.png');
    expect(signatureValid(done.link, 'GET', SECRET)).toBe(true);
    expect(s.recorded).toEqual([
      {
        id: 'entry-1',
        source: 'image',
        name: 'cat.png',
        size: 1234,
        type: 'image/png',
        status: 'done',
        at: NOW.getTime(),
        key: 'work/k-cat.png',
        profileId: 'aws',
        linkExpiresAt: NOW.getTime() + 3600_000,
        pageUrl: 'https://news.example.org/story',
      },
    ]);
  });

  it('a chosen expiry is the link’s, and a session token ending sooner still cuts it', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, sessionTokenExpiration: '2024-03-05T07:18:09Z' }, { secretAccessKey: SECRET, sessionToken: TOKEN });
    const cut = ok(await s.uploads.finishUpload(finish({ expiresIn: 3600 })));
    expect(cut.lifetimeSeconds).toBe(600);
    expect(new URL(cut.link.url).searchParams.get('X-Amz-Expires')).toBe('600');
    const kept = ok(await s.uploads.finishUpload(finish({ expiresIn: 300 })));
    expect(kept.lifetimeSeconds).toBe(300);
    expect(s.recorded.map((r) => r.linkExpiresAt)).toEqual([NOW.getTime() + 600_000, NOW.getTime() + 300_000]);
  });

  it('a public link never expires: no lifetime, no expiry in the history', async () => {
    const s = setup();
    await seedProfile(s.f, { ...aws, linkMode: 'public' }, { secretAccessKey: SECRET });
    const done = ok(await s.uploads.finishUpload(finish({ expiresIn: 900 })));
    expect(done).toEqual({
      link: { url: 'https://work-bucket.s3.eu-west-1.amazonaws.com/work/k-cat.png', headers: {} },
      copyText: 'https://work-bucket.s3.eu-west-1.amazonaws.com/work/k-cat.png',
    });
    expect(s.recorded[0]).not.toHaveProperty('linkExpiresAt');
  });

  it.each([0, -5, 1.5, 604801])('refuses an expiry of %s with a sentence, signing nothing; the stored object is still recorded', async (expiresIn) => {
    const t = teamSetup();
    await seedProfile(t.s.f, team, { serviceToken: TOKEN });
    const error = failure(await t.s.uploads.finishUpload(finish({ ticket: ticket({ profileId: 'team', key: 'drop/k' }), expiresIn })));
    expect(error).toMatchObject({ code: 'InvalidExpiry', message: expect.stringMatching(/7 days|whole number/) });
    expect(t.calls).toEqual([]);
    expect(t.s.recorded).toMatchObject([{ key: 'drop/k', profileId: 'team', status: 'done' }]);
    expect(t.s.recorded[0]).not.toHaveProperty('linkExpiresAt');

    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    expect(failure(await s.uploads.finishUpload(finish({ expiresIn })))).toMatchObject({ code: 'InvalidExpiry' });
  });

  it('a link that cannot be signed (locked) still leaves the upload in the history, to link later', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    ok(await s.service.setPassphrase({ next: PASS }));
    await s.service.lock();
    expect(failure(await s.uploads.finishUpload(finish()))).toEqual(LOCKED);
    expect(s.recorded).toMatchObject([{ key: 'work/k-cat.png', status: 'done' }]);
  });

  it('keeps only the fields of an upload, whatever else a page sends', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    const sent = { ...finish(), putUrl: 'https://x/a?X-Amz-Signature=put', status: 'failed', link: 'https://evil.example/' } as FinishRequest;
    ok(await s.uploads.finishUpload(sent));
    expect(s.recorded).toHaveLength(1);
    const json = JSON.stringify(s.recorded[0]);
    expect(json).not.toContain('putUrl');
    expect(json).not.toContain('evil.example');
    expect(s.recorded[0]).toMatchObject({ status: 'done', name: 'cat.png', key: 'work/k-cat.png' });
    expect(s.recorded[0]).not.toHaveProperty('link');
  });
});

describe('every upload message for a profile that is gone', () => {
  it('answers NoSuchProfile with its sentence, without the network', async () => {
    const s = setup();
    await seedProfile(s.f, aws, { secretAccessKey: SECRET });
    const gone: UploadTicket = { id: 'entry-1', profileId: 'gone', key: 'k', contentType: 'a/b', size: 1, uploadId: 'u' };
    expect(failure(await s.uploads.startUpload(file({ profileId: 'gone' })))).toEqual(PROFILE_GONE);
    expect(failure(await s.uploads.signPut(gone))).toEqual(PROFILE_GONE);
    expect(failure(await s.uploads.signParts({ ticket: gone, parts: [{ partNumber: 1, size: 1 }] }))).toEqual(PROFILE_GONE);
    expect(failure(await s.uploads.finishUpload({ ticket: gone, name: 'k', source: 'popup' }))).toEqual(PROFILE_GONE);
    expect(failure(await s.uploads.abortUpload(gone))).toEqual(PROFILE_GONE);
    expect(s.recorded).toEqual([]);
    expect(s.fetch).not.toHaveBeenCalled();
    expect(seen).toEqual([]);
  });

  it('with no profiles at all, a start is "not configured"', async () => {
    const s = setup();
    expect(failure(await s.uploads.startUpload(file()))).toEqual(NOT_CONFIGURED);
  });

  it('ensureRunner hands over to the runner host', async () => {
    const s = setup();
    await s.uploads.ensureRunner();
    expect(s.ensureRunner).toHaveBeenCalledTimes(1);
  });
});

// ---------------------------------------------------------------------------
// Team mode: a presign service signs; S3 Drop holds no bucket keys.

const team: PresignServiceProfile = {
  ...EMPTY_SERVICE_PROFILE,
  id: 'team',
  name: 'team',
  serviceUrl: SERVICE,
  keyTemplate: 'drop/{uuid}/{name}',
  bucket: 'team-bucket',
  endpoint: S3,
  region: 'eu-west-1',
  linkExpirySeconds: 86400,
};

/** The service in memory: it signs the key it is asked for, capping links at an hour. */
function teamSetup() {
  const { calls, fetch } = presignServiceFetch({ maxExpirySeconds: 3600 });
  return { s: setup({ fetch }), calls };
}

describe('team mode: start and finish', () => {
  it('start plans the key from the template, with no HEAD, and the service signs the PUT', async () => {
    const t = teamSetup();
    await seedProfile(t.s.f, team, { serviceToken: TOKEN });
    const started = ok(await t.s.uploads.startUpload(file({ name: 'a b.txt', type: '', size: 3 })));
    expect(started.ticket).toEqual({ id: 'uuid-2', profileId: 'team', key: 'drop/uuid-1/a b.txt', contentType: 'application/octet-stream', size: 3 });
    expect(started.context).toEqual({ bucket: 'team-bucket', region: 'eu-west-1', endpoint: S3, signer: 'service' });
    expect(single(started)).toEqual({ url: s3Url('drop/uuid-1/a b.txt', 300), headers: { 'content-type': 'application/octet-stream' }, expiresAt: NOW.getTime() + 300_000 });
    expect(t.calls.map((c) => [c.method, c.body])).toEqual([
      ['POST', { bucket_name: 'team-bucket', object_name: 'drop/uuid-1/a b.txt', expiration: 300, content_type: 'application/octet-stream', content_length: 3 }],
    ]);
  });

  it('a template that could collide is taken as it renders: the service cannot be asked whether a key is taken', async () => {
    const t = teamSetup();
    await seedProfile(t.s.f, { ...team, keyTemplate: 'drop/{name}' }, { serviceToken: TOKEN });
    const started = ok(await t.s.uploads.startUpload(file({ download: true })));
    expect(started.ticket).toEqual({ id: 'uuid-2', profileId: 'team', key: 'drop/a.txt', contentType: 'text/plain', size: 5, downloadAs: 'a.txt' });
    // Neither If-None-Match nor the disposition can be signed by the service.
    expect(single(started).headers).toEqual({ 'content-type': 'text/plain' });
    expect(t.calls.map((c) => c.method)).toEqual(['POST']);
  });

  it('finish asks the service for the link, says how long the service let it live, and records the upload', async () => {
    const t = teamSetup();
    await seedProfile(t.s.f, team, { serviceToken: TOKEN });
    const started = ok(await t.s.uploads.startUpload(file({ name: 'shot.png', type: 'image/png', size: 3, source: 'screenshot' })));
    const done = ok(await t.s.uploads.finishUpload({ ticket: started.ticket, name: 'shot.png', source: 'screenshot' }));
    expect(t.calls.map((c) => [c.method, c.url.searchParams.get('object_name'), c.url.searchParams.get('expiration')])).toEqual([
      ['POST', 'drop/uuid-1/shot.png', '300'],
      ['GET', 'drop/uuid-1/shot.png', '86400'],
    ]);
    // Asked for a day, capped at an hour by the service: the real lifetime comes back.
    expect(done).toEqual({
      link: { url: s3Url('drop/uuid-1/shot.png', 3600), headers: {}, expiresAt: NOW.getTime() + 3600_000 },
      copyText: s3Url('drop/uuid-1/shot.png', 3600),
      lifetimeSeconds: 3600,
    });
    expect(t.s.recorded).toEqual([
      { id: 'uuid-2', source: 'screenshot', name: 'shot.png', size: 3, type: 'image/png', status: 'done', at: NOW.getTime(), key: 'drop/uuid-1/shot.png', profileId: 'team', linkExpiresAt: NOW.getTime() + 3600_000 },
    ]);
  });

  it('a multipart ticket for a profile that became a presign service cannot be finished or signed', async () => {
    const t = teamSetup();
    await seedProfile(t.s.f, team, { serviceToken: TOKEN });
    const stale: UploadTicket = { id: 'entry-1', profileId: 'team', key: 'drop/k', contentType: 'a/b', size: 1, uploadId: 'u' };
    const results: Result<unknown>[] = [
      await t.s.uploads.finishUpload({ ticket: stale, name: 'k', source: 'popup' }),
      await t.s.uploads.signParts({ ticket: stale, parts: [{ partNumber: 1, size: 1 }] }),
      await t.s.uploads.abortUpload(stale),
    ];
    for (const result of results)
      expect(failure(result)).toMatchObject({ code: 'InvalidSettings', message: expect.stringMatching(/changed while it was under way/) });
    expect(t.calls).toEqual([]);
    expect(t.s.recorded).toEqual([]);
  });
});
