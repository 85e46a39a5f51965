/**
 * The context menu's and the screenshot shortcut's source: reading a
 * right-clicked image, then the one pipeline over the real background upload
 * service and the profile's real destination (own keys, presigned with the
 * SDK; no network: the PUT goes to an in-memory transport).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createUploadHandlers } from '../../src/background/upload-service';
import { readImage, saveBytes, saveImage, type FetchedImage, type ImageClick, type SaveDeps } from '../../src/capture/save-from-page';
import { ImageError, MAX_IMAGE_BYTES } from '../../src/capture/image-source';
import { s3ClientPool } from '../../src/destination/connection';
import type { Destination, LinkRequest, PutTarget } from '../../src/destination/destination';
import { openDestination, type DestinationDeps } from '../../src/destination/open';
import type { RecentUpload } from '../../src/history/recent';
import type { Result } from '../../src/result';
import { EMPTY_PROFILE, type KeysProfile, type Secrets } from '../../src/settings/profile';
import type { Transform } from '../../src/upload/pipeline';
import { formatBytes } from '../../src/upload/speed';
import { fakeSettings, seedProfile } from '../support/fake-settings';
import { FakeTransport, messagingBackend } from '../support/upload-backend';

/** The Content-MD5 of bytes the upload sends, from Node's crypto (the expectation, not the code under test). */
const md5Of = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

const NOW = new Date('2024-03-05T07:08:09Z');
const UUID = '123e4567-e89b-42d3-a456-426614174000';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const BUCKET_ORIGIN = 'https://my-bucket.s3.eu-west-1.amazonaws.com';

const PROFILE: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'p1',
  name: 'my-bucket',
  accessKeyId: 'AKIAEXAMPLE',
  bucket: 'my-bucket',
  region: 'eu-west-1',
  endpoint: '',
  linkExpirySeconds: 86_400,
};

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
const PNG_DATA_URL = `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`;

const NOT_CONFIGURED_SENTENCE = 'No bucket is set up yet. Open Options and enter your bucket and keys.';

const ACCESS_DENIED_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>`;

/** Sentences the background's and the page's reads end with (see page-image.ts `readFailure`). */
const READ_FAILURES = {
  http: () => new ImageError('example.com answered HTTP 403 for the image, so nothing was uploaded.', 'ImageHttpError'),
  network: () => new ImageError('The image could not be downloaded from example.com (network error), so nothing was uploaded.', 'ImageNetworkError'),
  ownStorage: () =>
    new ImageError(
      'The image’s address sent S3 Drop on to my-bucket.s3.eu-west-1.amazonaws.com, where your own files are kept. S3 Drop does not read from there for a page, so nothing was uploaded.',
      'ImageRedirectRefused',
    ),
  tooLarge: () => new ImageError('The image is larger than 64 MiB, the most S3 Drop saves from a page, so nothing was uploaded.', 'ImageTooLarge'),
  timeout: () => new ImageError('example.com did not answer within 30 seconds, so the image was not saved.', 'ImageTimeout'),
};

interface Options {
  profile?: KeysProfile | null;
  secrets?: Partial<Secrets>;
  image?: FetchedImage;
  /** The answer to a permission prompt for an image's origin. */
  granted?: boolean;
  /** Whether the background already holds permission for the image's origin. */
  holdsImageOrigin?: boolean;
  /** Whether the background holds permission for the bucket (saved with the profile). */
  bucketAccess?: boolean;
}

async function setup(options: Options = {}) {
  const log: string[] = [];
  const f = fakeSettings();
  const profile = options.profile === undefined ? PROFILE : options.profile;
  if (profile) await seedProfile(f, profile, { secretAccessKey: SECRET, ...options.secrets });
  const bucketOrigins = new Set([`${BUCKET_ORIGIN}/*`, 'https://*.amazonaws.com/*', 'https://s3.eu-west-1.amazonaws.com/*']);

  // The profile's real destination; its signing calls are spied on, and still sign.
  const destinationDeps: DestinationDeps = {
    ...f.deps,
    hasHostPermission: async () => options.bucketAccess ?? true,
    fetch: async () => {
      throw new Error('no network here');
    },
    client: s3ClientPool(),
    now: () => NOW,
    uuid: () => UUID,
  };
  const signPut = vi.fn((d: Destination, target: PutTarget) => d.signPut(target));
  const shareLink = vi.fn((d: Destination, request: LinkRequest) => d.shareLink(request));
  // Whether a key is taken asks S3 with a HEAD; here nothing is.
  const keyExists = vi.fn(async (_key: string): Promise<Result<boolean>> => ({ ok: true, value: false }));
  const open = vi.fn(async (profileId?: string): Promise<Result<Destination>> => {
    const opened = await openDestination(destinationDeps, profileId);
    if (!opened.ok) return opened;
    const d = opened.value;
    return {
      ok: true,
      value: { ...d, signPut: (t) => signPut(d, t), shareLink: (r) => shareLink(d, r), ...(d.keyExists ? { keyExists } : {}) },
    };
  });
  const recorded: RecentUpload[] = [];
  const record = vi.fn(async (upload: RecentUpload) => {
    log.push('record');
    recorded.push(structuredClone(upload));
  });
  const handlers = createUploadHandlers({ open, record, now: () => NOW, uuid: () => UUID, ensureRunner: async () => {} });
  const { backend, messages, counts } = messagingBackend(handlers, log);

  const transport = new FakeTransport(log);
  const image: FetchedImage = options.image ?? { bytes: PNG, contentType: 'image/png', contentDisposition: null };
  const readInPage = vi.fn(async (_target: { tabId: number; frameId: number }, _url: string): Promise<FetchedImage> => {
    log.push('readInPage');
    return image;
  });
  const fetchImage = vi.fn(async (_url: string): Promise<FetchedImage> => {
    log.push('fetchImage');
    return image;
  });
  const hasHostPermission = vi.fn(async (origins: string[]): Promise<boolean> => {
    log.push('hasHostPermission');
    return origins.every((o) => bucketOrigins.has(o)) || (options.holdsImageOrigin ?? false);
  });
  const requestHostPermission = vi.fn(async (_origins: string[]): Promise<boolean> => {
    log.push('requestHostPermission');
    return options.granted ?? true;
  });
  const copy = vi.fn(async (_text: string): Promise<boolean> => {
    log.push('copy');
    return true;
  });
  const notifySuccess = vi.fn(async (_delivered: { link: string; copied: boolean }, _detail: string): Promise<void> => {
    log.push('notifySuccess');
  });
  const notifyFailure = vi.fn(async (_title: string, _message: string): Promise<void> => {
    log.push('notifyFailure');
  });
  const deps: SaveDeps = {
    // The pipeline as the background runs it for a page: the upload service called directly, on the same clock.
    pipeline: { backend, transport, copy, now: () => NOW.getTime() },
    readInPage,
    fetchImage,
    hasHostPermission,
    requestHostPermission,
    notifySuccess,
    notifyFailure,
    now: () => NOW,
  };
  return {
    deps,
    log,
    messages,
    counts,
    backend,
    recorded,
    open,
    signPut,
    shareLink,
    keyExists,
    transport,
    readInPage,
    fetchImage,
    hasHostPermission,
    requestHostPermission,
    copy,
    notifySuccess,
    notifyFailure,
  };
}

type Fake = Awaited<ReturnType<typeof setup>>;

const click = (over: Partial<ImageClick> = {}): ImageClick => ({
  srcUrl: 'https://example.com/pics/cat.png',
  pageUrl: 'https://example.com/article',
  tabId: 7,
  frameId: 0,
  ...over,
});

const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
/** The object a signed URL is for: origin and path, without the signature. */
const objectOf = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

function expectNothingUploaded(f: Fake) {
  expect(f.messages).toEqual([]);
  expect(f.signPut).not.toHaveBeenCalled();
  expect(f.shareLink).not.toHaveBeenCalled();
  expect(f.transport.calls).toEqual([]);
  expect(f.recorded).toEqual([]);
  expect(f.copy).not.toHaveBeenCalled();
  expect(f.notifySuccess).not.toHaveBeenCalled();
}

describe('saveImage: data: URLs', () => {
  it('uploads the decoded bytes without network or permission, copies the link and announces it', async () => {
    const f = await setup();
    const result = await saveImage(f.deps, click({ srcUrl: PNG_DATA_URL }));

    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect(f.readInPage).not.toHaveBeenCalled();

    const name = 'image-20240305-070809.png';
    const key = `2024/03/05/${UUID}-${name}`;
    // Two messages: start (no profile chosen: the default), finish.
    expect(f.counts()).toEqual({ startUpload: 1, finishUpload: 1 });
    // The page goes along for the key template's {host}.
    // Hashed before the start (a right-clicked image goes in one PUT): its Content-MD5 is signed with the start.
    expect(f.backend.startUpload.mock.calls).toEqual([[{ name, type: 'image/png', size: PNG.byteLength, source: 'image', pageUrl: 'https://example.com/article', md5: md5Of(PNG) }]]);
    expect(f.open.mock.calls).toEqual([[undefined], ['p1']]);
    expect(f.signPut.mock.calls.map(([, t]) => t)).toEqual([{ id: UUID, profileId: 'p1', key, contentType: 'image/png', size: PNG.byteLength, md5: md5Of(PNG) }]);

    expect(f.transport.calls).toHaveLength(1);
    const put = f.transport.calls[0]!;
    expect([...(await bytesOf(put.body))]).toEqual([...PNG]);
    expect(objectOf(put.url)).toBe(`${BUCKET_ORIGIN}/${key}`);
    // Signed for exactly this type, size and content.
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;content-type;host');
    expect(new URL(put.url).searchParams.get('X-Amz-Credential')).toMatch(/^AKIAEXAMPLE\/20240305\/eu-west-1\/s3\/aws4_request$/);
    expect(put.url).not.toContain(SECRET);
    expect(put.headers).toEqual({ 'content-type': 'image/png', 'content-md5': md5Of(PNG) });
    expect(put.body.type).toBe('image/png');

    expect(f.shareLink.mock.calls.map(([, r]) => r)).toEqual([{ key, fileName: name, contentType: 'image/png' }]);
    const link = f.copy.mock.calls[0]![0];
    expect(objectOf(link)).toBe(`${BUCKET_ORIGIN}/${key}`);
    expect(new URL(link).searchParams.get('X-Amz-Expires')).toBe('86400');
    expect(f.copy).toHaveBeenCalledTimes(1);

    expect(result).toEqual({
      status: 'done',
      id: UUID,
      profileId: 'p1',
      key,
      link,
      copyText: link,
      linkExpiresAt: NOW.getTime() + 86_400_000,
      lifetimeSeconds: 86_400,
      copied: true,
      // The file it made, for whoever shows the outcome.
      name: 'image-20240305-070809.png',
      size: PNG.length,
      contentType: 'image/png',
      type: 'image/png',
      // Its signed Content-MD5 was accepted.
      verified: true,
    });
    // The background recorded it in the history when it finished.
    expect(f.recorded).toEqual([
      {
        id: UUID,
        source: 'image',
        name,
        size: PNG.byteLength,
        type: 'image/png',
        status: 'done',
        at: NOW.getTime(),
        key,
        profileId: 'p1',
        linkExpiresAt: NOW.getTime() + 86_400_000,
        pageUrl: 'https://example.com/article',
        verified: true,
      },
    ]);

    expect(f.notifySuccess).toHaveBeenCalledTimes(1);
    const [announced, detail] = f.notifySuccess.mock.calls[0]!;
    expect(announced).toEqual({ link, copied: true });
    expect(detail).toContain(name);
    expect(detail).toContain(formatBytes(PNG.byteLength));
    expect(detail).toBe(`${name} · 16 B; link valid for 1 day`);
    expect(f.notifyFailure).not.toHaveBeenCalled();

    // Started, sent, finished (the history written there), copied, announced last.
    expect(f.log).toEqual(['startUpload', 'put', 'finishUpload', 'record', 'copy', 'notifySuccess']);
  });

  it('states the profile link lifetime in the notification', async () => {
    const f = await setup({ profile: { ...PROFILE, linkExpirySeconds: 3 * 3600 } });
    await saveImage(f.deps, click({ srcUrl: PNG_DATA_URL }));
    expect(f.notifySuccess.mock.calls[0]![1]).toMatch(/link valid for 3 hours$/);
  });

  it('sends no page when the click had none', async () => {
    const f = await setup();
    const { pageUrl: _omit, ...noPage } = click({ srcUrl: PNG_DATA_URL });
    const result = await saveImage(f.deps, noPage);
    expect(result?.status).toBe('done');
    expect(f.backend.startUpload.mock.calls[0]![0]).not.toHaveProperty('pageUrl');
    expect(f.backend.finishUpload.mock.calls[0]![0]).not.toHaveProperty('pageUrl');
    expect(f.recorded[0]).not.toHaveProperty('pageUrl');
  });
});

describe('readImage: the background reads first where it may', () => {
  it('an image of the page’s own origin, with permission held: fetched by the background, no prompt, no page script', async () => {
    const f = await setup({ holdsImageOrigin: true });
    const got = await readImage(f.deps, click({ srcUrl: 'https://example.com/pics/cat.png?v=2', tabId: 12, frameId: 3 }));
    expect(f.hasHostPermission.mock.calls).toEqual([[['https://example.com/*']]]);
    expect(f.fetchImage.mock.calls).toEqual([['https://example.com/pics/cat.png?v=2']]);
    expect(f.readInPage).not.toHaveBeenCalled();
    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect([...got.bytes]).toEqual([...PNG]);
  });

  it('an image of the page’s own origin, without permission: read in the frame that was clicked, no prompt', async () => {
    const f = await setup({ holdsImageOrigin: false });
    const got = await readImage(f.deps, click({ srcUrl: 'https://example.com/pics/cat.png?v=2', tabId: 12, frameId: 3 }));
    expect(f.readInPage.mock.calls).toEqual([[{ tabId: 12, frameId: 3 }, 'https://example.com/pics/cat.png?v=2']]);
    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect([...got.bytes]).toEqual([...PNG]);
  });

  it('a permission check that throws counts as not held: the page reads it', async () => {
    const f = await setup();
    f.hasHostPermission.mockRejectedValueOnce(new Error('Extension context invalidated.'));
    await readImage(f.deps, click());
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect(f.readInPage).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['an HTTP refusal', 'http'],
    ['a network error', 'network'],
  ] as const)('%s of the background’s fetch falls back to the page, which may hold a login or a network the background lacks', async (_what, kind) => {
    const f = await setup({ holdsImageOrigin: true });
    f.fetchImage.mockRejectedValueOnce(READ_FAILURES[kind]());
    const got = await readImage(f.deps, click({ tabId: 5, frameId: 2 }));
    expect(f.log).toEqual(['hasHostPermission', 'readInPage']);
    expect(f.fetchImage).toHaveBeenCalledTimes(1);
    expect(f.readInPage.mock.calls).toEqual([[{ tabId: 5, frameId: 2 }, 'https://example.com/pics/cat.png']]);
    expect([...got.bytes]).toEqual([...PNG]);
  });

  it('when the page cannot read it either, the background’s own sentence is the one shown', async () => {
    const f = await setup({ holdsImageOrigin: true });
    const refused = READ_FAILURES.http();
    f.fetchImage.mockRejectedValueOnce(refused);
    f.readInPage.mockRejectedValueOnce(new ImageError('The page answered HTTP 403 for the image, so nothing was uploaded.', 'ImageHttpError'));
    const result = await saveImage(f.deps, click());
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', refused.message]]);
  });

  it.each([
    ['a redirect to the user’s own storage', 'ownStorage'],
    ['an image over the size limit', 'tooLarge'],
    ['a server that does not answer in time', 'timeout'],
  ] as const)('%s is final: no second try through the page', async (_what, kind) => {
    const f = await setup({ holdsImageOrigin: true });
    const refusal = READ_FAILURES[kind]();
    f.fetchImage.mockRejectedValueOnce(refusal);
    const result = await saveImage(f.deps, click());
    expect(result).toBeNull();
    expect(f.readInPage).not.toHaveBeenCalled();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', refusal.message]]);
  });

  it('reads blob: URLs in the page frame that was clicked', async () => {
    const f = await setup({ holdsImageOrigin: true });
    const blobUrl = 'blob:https://example.com/0f3c2a1e-1111-2222-3333-444455556666';
    await readImage(f.deps, click({ srcUrl: blobUrl, tabId: 4, frameId: 9 }));
    expect(f.readInPage.mock.calls).toEqual([[{ tabId: 4, frameId: 9 }, blobUrl]]);
    expect(f.hasHostPermission).not.toHaveBeenCalled();
    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
  });

  it('another origin: asks for host permission for exactly the image origin, synchronously and before anything else, then fetches', async () => {
    const f = await setup();
    const pending = saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net:8443/a/b/cat.png?x=1' }));
    // Still inside the click's task: the browser sees the user gesture.
    expect(f.requestHostPermission.mock.calls).toEqual([[['https://cdn.example.net/*']]]);
    expect(f.log).toEqual(['requestHostPermission']);
    const result = await pending;
    expect(result?.status).toBe('done');
    expect(f.fetchImage.mock.calls).toEqual([['https://cdn.example.net:8443/a/b/cat.png?x=1']]);
    expect(f.readInPage).not.toHaveBeenCalled();
    expect(f.log.slice(0, 3)).toEqual(['requestHostPermission', 'fetchImage', 'startUpload']);
  });

  it('another origin refusing the background’s fetch is read through the page too', async () => {
    const f = await setup();
    f.fetchImage.mockRejectedValueOnce(new ImageError('cdn.example.net answered HTTP 401 for the image, so nothing was uploaded.', 'ImageHttpError'));
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/cat.png' }));
    expect(result?.status).toBe('done');
    expect(f.fetchImage).toHaveBeenCalledTimes(1);
    expect(f.log.slice(0, 3)).toEqual(['requestHostPermission', 'readInPage', 'startUpload']);
  });
});

describe('saveImage failures', () => {
  it('uploads and records nothing when host permission is refused, and names the host', async () => {
    const f = await setup({ granted: false });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://images.other.org:8080/cat.png' }));
    expect(result).toBeNull();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect(f.readInPage).not.toHaveBeenCalled();
    expectNothingUploaded(f);
    expect(f.notifyFailure).toHaveBeenCalledTimes(1);
    const [title, message] = f.notifyFailure.mock.calls[0]!;
    expect(title).toBe('Image not saved');
    expect(message).toBe('S3 Drop needs your permission to read images from images.other.org:8080. It was not given, so nothing was uploaded.');
  });

  it('treats a permission request that throws as refused', async () => {
    const f = await setup();
    f.requestHostPermission.mockImplementation(async () => {
      throw new Error('This function must be called during a user gesture');
    });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/cat.png' }));
    expect(result).toBeNull();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls[0]![1]).toContain('cdn.example.net');
  });

  it('shows the ImageError sentence when the page cannot read the image', async () => {
    const f = await setup();
    const sentence = 'example.com answered HTTP 404 for the image, so nothing was uploaded.';
    f.readInPage.mockRejectedValue(new ImageError(sentence, 'ImageHttpError'));
    const result = await saveImage(f.deps, click());
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', sentence]]);
  });

  it('wraps an unexpected read error in a sentence', async () => {
    const f = await setup();
    f.fetchImage.mockRejectedValue(new TypeError('Failed to fetch'));
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/cat.png' }));
    expect(result).toBeNull();
    // Not one of the read's own refusals: the page is not asked.
    expect(f.readInPage).not.toHaveBeenCalled();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', 'The image could not be read: Failed to fetch']]);
  });

  it('reports a malformed data: URL without uploading', async () => {
    const f = await setup();
    const result = await saveImage(f.deps, click({ srcUrl: 'data:image/png;base64' }));
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', 'The image is a data: URL that cannot be read.']]);
  });

  it('refuses an image over MAX_IMAGE_BYTES and names the limit', async () => {
    const f = await setup({ image: { bytes: new Uint8Array(MAX_IMAGE_BYTES + 1), contentType: 'image/png' } });
    const result = await saveImage(f.deps, click());
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure).toHaveBeenCalledTimes(1);
    const [title, message] = f.notifyFailure.mock.calls[0]!;
    expect(title).toBe('Image not saved');
    expect(message).toBe('The image is larger than 64 MiB, the most S3 Drop saves from a page, so nothing was uploaded.');
  });

  it('uploads an image of exactly MAX_IMAGE_BYTES', async () => {
    const big = new Uint8Array(MAX_IMAGE_BYTES);
    big.set([0xff, 0xd8, 0xff]);
    const f = await setup({ image: { bytes: big, contentType: null } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://example.com/big' }));
    expect(result?.status).toBe('done');
    expect(f.backend.startUpload.mock.calls[0]![0]).toMatchObject({ name: 'big.jpg', type: 'image/jpeg', size: MAX_IMAGE_BYTES });
    expect(f.transport.calls[0]!.body.size).toBe(MAX_IMAGE_BYTES);
  });

  it('fails with the s3:PutObject sentence when the PUT is refused with AccessDenied, and copies nothing', async () => {
    const f = await setup();
    f.transport.scripts.push(async () => ({ status: 403, body: ACCESS_DENIED_XML }));
    const result = await saveImage(f.deps, click());
    const sentence = 'These keys are not allowed to upload in bucket "my-bucket": the key\'s policy must allow s3:PutObject on arn:aws:s3:::my-bucket/*.';
    expect(result).toEqual({
      status: 'failed',
      key: `2024/03/05/${UUID}-cat.png`,
      error: { code: 'AccessDenied', message: sentence, transient: false },
      name: 'cat.png',
      size: PNG.length,
      type: 'image/png',
    });
    expect(f.messages).toEqual(['startUpload']);
    expect(f.recorded).toEqual([]);
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.shareLink).not.toHaveBeenCalled();
    expect(f.notifySuccess).not.toHaveBeenCalled();
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', sentence]]);
  });

  it('fails with the NotConfigured sentence when no profile is saved', async () => {
    const f = await setup({ profile: null });
    const result = await saveImage(f.deps, click());
    expect(result).toMatchObject({ status: 'failed', error: { code: 'NotConfigured', message: NOT_CONFIGURED_SENTENCE, fix: { kind: 'open-options' } } });
    expect(f.signPut).not.toHaveBeenCalled();
    expect(f.transport.calls).toEqual([]);
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.recorded).toEqual([]);
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', NOT_CONFIGURED_SENTENCE]]);
  });

  it('fails with the destination’s sentence when it may not sign (no access to the bucket)', async () => {
    const f = await setup({ bucketAccess: false });
    const result = await saveImage(f.deps, click());
    const sentence = 'S3 Drop has no access to the bucket yet. Grant access in Options (Save asks for it).';
    expect(result).toMatchObject({ status: 'failed', error: { code: 'HostPermissionMissing', message: sentence, fix: { kind: 'grant-access' } } });
    expect(f.transport.calls).toEqual([]);
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', sentence]]);
  });
});

describe('saveImage: link and type', () => {
  it('passes copied:false on when the clipboard refuses, and still announces the upload', async () => {
    const f = await setup();
    f.copy.mockResolvedValue(false);
    const result = await saveImage(f.deps, click());
    expect(result).toMatchObject({ status: 'done', copied: false });
    expect(f.notifySuccess).toHaveBeenCalledTimes(1);
    expect(f.notifySuccess.mock.calls[0]![0].copied).toBe(false);
    expect(f.notifyFailure).not.toHaveBeenCalled();
  });

  it('treats a copy that throws as not copied', async () => {
    const f = await setup();
    f.copy.mockRejectedValue(new Error('Document is not focused.'));
    const result = await saveImage(f.deps, click());
    expect(result).toMatchObject({ status: 'done', copied: false });
    expect(f.notifySuccess.mock.calls[0]![0].copied).toBe(false);
  });

  it('sniffs PNG bytes declared as application/octet-stream: the PUT is image/png and the name gets .png', async () => {
    const f = await setup({ image: { bytes: PNG, contentType: 'application/octet-stream' } });
    await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/render?id=42' }));
    expect(f.backend.startUpload.mock.calls).toEqual([
      [{ name: 'render.png', type: 'image/png', size: PNG.byteLength, source: 'image', pageUrl: 'https://example.com/article', md5: md5Of(PNG) }],
    ]);
    expect(f.recorded[0]).toMatchObject({ name: 'render.png', type: 'image/png' });
    expect(f.transport.calls[0]!.headers['content-type']).toBe('image/png');
    expect(f.transport.calls[0]!.body.type).toBe('image/png');
  });

  it('keeps a PNG a PNG when its server calls it text/html, and stores it to be shown', async () => {
    const f = await setup({ image: { bytes: PNG, contentType: 'text/html; charset=utf-8' } });
    await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/pic' }));
    expect(f.recorded[0]).toMatchObject({ name: 'pic.png', type: 'image/png' });
    expect(f.signPut.mock.calls[0]![1]).not.toHaveProperty('downloadAs');
    expect(f.transport.calls[0]!.headers).not.toHaveProperty('content-disposition');
  });

  it('stores an SVG that claims to be a PNG as octet-stream, to download, named .svg', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
    const f = await setup({ image: { bytes: svg, contentType: 'image/png' } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://evil.example/cat.png' }));
    expect(result?.status).toBe('done');
    expect(f.backend.startUpload.mock.calls[0]![0]).toMatchObject({ name: 'cat.png.svg', type: 'application/octet-stream', download: true });
    expect(f.signPut.mock.calls[0]![1]).toMatchObject({ contentType: 'application/octet-stream', downloadAs: 'cat.png.svg' });
    // The disposition is signed into the PUT and sent with it: stored on the object, whatever link serves it.
    const put = f.transport.calls[0]!;
    expect(put.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-disposition': expect.stringMatching(/^attachment; filename=/) });
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-disposition');
    expect(put.body.type).toBe('application/octet-stream');
  });

  it('names the file from Content-Disposition', async () => {
    const f = await setup({ image: { bytes: PNG, contentType: 'image/png', contentDisposition: "inline; filename*=UTF-8''caf%C3%A9.png" } });
    await saveImage(f.deps, click({ srcUrl: 'https://example.com/download?id=1' }));
    expect(f.shareLink.mock.calls[0]![1].fileName).toBe('café.png');
    expect(f.recorded[0]!.name).toBe('café.png');
  });

  // A notification that fails must not turn a finished upload into a failed one.
  it('keeps a finished upload done when the success notification fails', async () => {
    const f = await setup();
    f.notifySuccess.mockRejectedValue(new Error('Unable to download all specified images.'));
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('done');
    expect(f.recorded.map((r) => r.status)).toEqual(['done']);
    expect(f.notifyFailure).not.toHaveBeenCalled();
  });
});

describe('saving to a chosen profile (context menu with several profiles)', () => {
  it('starts on that profile; the finish and the history entry keep it', async () => {
    const work: KeysProfile = { ...PROFILE, id: 'p2', name: 'work', accessKeyId: 'AKIAWORK', bucket: 'work-bucket' };
    const g = await setup({ profile: work });
    const result = await saveImage(g.deps, click({ srcUrl: PNG_DATA_URL, profileId: 'p2' }));
    expect(result?.status).toBe('done');
    const name = 'image-20240305-070809.png';
    const key = `2024/03/05/${UUID}-${name}`;
    expect(g.backend.startUpload.mock.calls).toEqual([
      [{ name, type: 'image/png', size: PNG.byteLength, source: 'image', pageUrl: 'https://example.com/article', profileId: 'p2', md5: md5Of(PNG) }],
    ]);
    expect(g.open.mock.calls).toEqual([['p2'], ['p2']]);
    expect(g.signPut.mock.calls.map(([d, t]) => [d.profileId, t.key])).toEqual([['p2', key]]);
    expect(new URL(g.transport.calls[0]!.url).host).toBe('work-bucket.s3.eu-west-1.amazonaws.com');
    expect(new URL(g.transport.calls[0]!.url).searchParams.get('X-Amz-Credential')).toMatch(/^AKIAWORK\//);
    expect(g.shareLink.mock.calls.map(([d, r]) => [d.profileId, r])).toEqual([['p2', { key, fileName: name, contentType: 'image/png' }]]);
    expect(g.recorded.map((r) => r.profileId)).toEqual(['p2']);
  });

  it('saveBytes (a screenshot) passes the profile the same way', async () => {
    const f = await setup();
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'shot.png', source: 'screenshot', profileId: 'p1' });
    expect(result.status).toBe('done');
    expect(f.backend.startUpload.mock.calls[0]![0]).toMatchObject({ profileId: 'p1', source: 'screenshot' });
    expect(f.open.mock.calls).toEqual([['p1'], ['p1']]);
    expect(f.recorded[0]).toMatchObject({ profileId: 'p1', source: 'screenshot' });
  });

  it('without a profile, the start carries no profileId; the default it chose is kept to the finish', async () => {
    const f = await setup();
    await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'shot.png', source: 'screenshot' });
    expect(Object.keys(f.backend.startUpload.mock.calls[0]![0])).not.toContain('profileId');
    expect(f.open.mock.calls).toEqual([[undefined], ['p1']]);
    expect(f.recorded[0]!.profileId).toBe('p1');
  });

  it('the notification states the link’s real lifetime, cut to the session token’s end', async () => {
    const inTwoHours = new Date(NOW.getTime() + 2 * 3600_000).toISOString();
    const f = await setup({ profile: { ...PROFILE, sessionTokenExpiration: inTwoHours }, secrets: { sessionToken: 'FwoGZXIvYXdzEXAMPLE' } });
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(result).toMatchObject({ status: 'done', lifetimeSeconds: 7200, linkExpiresAt: NOW.getTime() + 7_200_000 });
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('a.png · 16 B; link valid for 2 hours');
  });

  it('a custom-domain link is announced as never expiring, and recorded without an expiry', async () => {
    const f = await setup({ profile: { ...PROFILE, linkMode: 'custom', linkBaseUrl: 'https://cdn.example.com' } });
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(result).toEqual({
      status: 'done',
      id: UUID,
      profileId: 'p1',
      key: `2024/03/05/${UUID}-a.png`,
      link: `https://cdn.example.com/2024/03/05/${UUID}-a.png`,
      copyText: `https://cdn.example.com/2024/03/05/${UUID}-a.png`,
      copied: true,
      name: 'a.png',
      size: PNG.length,
      type: 'image/png',
      contentType: 'image/png',
      // With its Content-MD5 signed and accepted (own keys, no check saying the bucket ignores it).
      verified: true,
    });
    expect(f.recorded[0]).not.toHaveProperty('linkExpiresAt');
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('a.png · 16 B; public link, does not expire');
  });

  it('a template that can collide: the key is checked free, If-None-Match is signed, and the PUT sends it', async () => {
    const f = await setup({ profile: { ...PROFILE, keyTemplate: 'docs/{name}' } });
    await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(f.keyExists.mock.calls).toEqual([['docs/a.png']]);
    expect(f.signPut.mock.calls[0]![1]).toMatchObject({ key: 'docs/a.png', ifNoneMatch: true });
    const put = f.transport.calls[0]!;
    expect(put.headers).toEqual({ 'content-type': 'image/png', 'if-none-match': '*', 'content-md5': md5Of(PNG) });
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toContain('if-none-match');
  });
});

describe('saveBytes', () => {
  it('uploads bytes the background holds, as the given source and name', async () => {
    const f = await setup();
    const bytes = new TextEncoder().encode('screenshot bytes');
    const name = 'screenshot-example.com-20240305-070809.png';
    const result = await saveBytes(f.deps, { bytes, type: 'image/png', name, source: 'screenshot', pageUrl: 'https://example.com/' });
    expect(result.status).toBe('done');
    expect(f.counts()).toEqual({ startUpload: 1, finishUpload: 1 });
    expect(new TextDecoder().decode(await bytesOf(f.transport.calls[0]!.body))).toBe('screenshot bytes');
    expect(f.recorded).toEqual([expect.objectContaining({ source: 'screenshot', name, size: bytes.byteLength, pageUrl: 'https://example.com/', status: 'done' })]);
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('screenshot-example.com-20240305-070809.png · 16 B; link valid for 1 day');
  });

  it('says what was done to the picture and its location, in the popup row’s words', async () => {
    const f = await setup();
    const said = async (stage: Transform) => {
      f.notifySuccess.mockClear();
      f.deps.pipeline.transforms = [stage];
      await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'shot.png', source: 'screenshot' });
      return f.notifySuccess.mock.calls[0]![1];
    };
    expect(
      await said(async (file) => ({
        ...file,
        body: new Blob([new Uint8Array(10)], { type: 'image/webp' }),
        name: 'shot.webp',
        type: 'image/webp',
        image: { status: 'converted', format: 'webp', width: 1024, height: 640, resized: true, changedFormat: true },
      })),
      // Announced as stored: the .webp it became, at its new size.
    ).toBe('shot.webp · 10 B; link valid for 1 day. Converted to WebP, 1024 × 640; no location or other photo details kept.');
    expect(await said(async (file) => ({ ...file, image: { status: 'converted', format: 'png', width: 800, height: 500, resized: true, changedFormat: false } }))).toBe(
      'shot.png · 16 B; link valid for 1 day. Made smaller: 800 × 500; no location or other photo details kept.',
    );
    expect(await said(async (file) => ({ ...file, image: { status: 'kept', reason: 'cannot-make', format: 'avif' } }))).toBe(
      'shot.png · 16 B; link valid for 1 day. Kept as is: this browser cannot make AVIF files.',
    );
    expect(await said(async (file) => ({ ...file, privacy: { status: 'removed', mode: 'location', format: 'jpeg' } }))).toBe('shot.png · 16 B; link valid for 1 day. Location removed.');
    // Both stages' words when both had something to say.
    expect(
      await said(async (file) => ({ ...file, image: { status: 'kept', reason: 'larger' }, privacy: { status: 'removed', mode: 'all', format: 'jpeg' } })),
    ).toBe('shot.png · 16 B; link valid for 1 day. Kept as is: converting would have made it larger. Location and other photo details removed.');
    // Nothing done: nothing more said.
    expect(await said(async (file) => file)).toBe('shot.png · 16 B; link valid for 1 day');
  });

  it('signs an untyped body as application/octet-stream and PUTs with that type', async () => {
    const f = await setup();
    const result = await saveBytes(f.deps, { bytes: new Uint8Array([1, 2, 3]), type: '', name: 'raw', source: 'image' });
    expect(result.status).toBe('done');
    expect(f.signPut.mock.calls[0]![1].contentType).toBe('application/octet-stream');
    expect(f.transport.calls[0]!.headers).toEqual({ 'content-type': 'application/octet-stream', 'content-md5': md5Of(new Uint8Array([1, 2, 3])) });
  });

  it('turns an unexpected throw into a failure with a sentence, and keeps the key', async () => {
    const f = await setup();
    f.shareLink.mockRejectedValueOnce(new Error('worker restarted'));
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(result).toEqual({
      status: 'failed',
      key: `2024/03/05/${UUID}-a.png`,
      error: { code: 'Unexpected', message: 'The upload failed: worker restarted', transient: false },
      name: 'a.png',
      size: PNG.length,
      type: 'image/png',
    });
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.notifyFailure.mock.calls).toEqual([['a.png not saved', 'The upload failed: worker restarted']]);
  });
});
