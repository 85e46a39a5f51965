import { describe, expect, it, vi } from 'vitest';
import { readImage, saveBytes, saveImage, type FetchedImage, type ImageClick, type SaveDeps } from '../../src/background/save-to-s3';
import { ImageError, MAX_IMAGE_BYTES } from '../../src/capture/image-source';
import type { RecentUpload } from '../../src/history/recent';
import type { PublicSettings, Result, ShareLinkRequest, SignUploadRequest, UploadPlan, FileDescription } from '../../src/messaging/protocol';
import { describeFailure, type UserError } from '../../src/s3/errors';
import type { SignedRequest } from '../../src/s3/presign';
import { EMPTY_PROFILE, type Profile } from '../../src/settings/profile';
import { formatBytes } from '../../src/upload/speed';
import type { PutRequest, PutResponse, PutTransport } from '../../src/upload/transport';

const NOW = new Date('2024-03-05T07:08:09Z');
const UUID = '123e4567-e89b-42d3-a456-426614174000';
const BUCKET_ORIGIN = 'https://my-bucket.s3.eu-west-1.amazonaws.com';

const PROFILE: Profile = {
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

const NOT_CONFIGURED: UserError = {
  code: 'NotConfigured',
  message: 'No bucket is set up yet. Open Options and enter your bucket and keys.',
  fix: { kind: 'open-options' },
  transient: false,
};

const ACCESS_DENIED_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>`;

interface PutCall {
  url: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
  type: string;
}

/** An in-memory S3: records each PUT with its bytes, answers 200 unless given another reply. */
class FakeTransport implements PutTransport {
  calls: PutCall[] = [];
  reply: PutResponse = { status: 200, body: '', etag: '"etag"' };
  constructor(private readonly log: string[]) {}

  async put(request: PutRequest): Promise<PutResponse> {
    this.log.push('put');
    this.calls.push({
      url: request.url,
      headers: { ...request.headers },
      bytes: new Uint8Array(await request.body.arrayBuffer()),
      type: request.body.type,
    });
    return this.reply;
  }
}

/** A service shaped like src/background/service.ts: Result values, keys from the uuid, links with the profile's expiry. */
function fakeService(log: string[], profile: Profile | null) {
  const getSettings = vi.fn(async (_profileId?: string): Promise<PublicSettings> => {
    log.push('getSettings');
    const summary = { hasSecret: profile !== null, hasSessionToken: false, capabilities: { multipart: true, delete: true }, accessOrigins: [] };
    return {
      profile,
      ...summary,
      profiles: profile ? [{ profile, ...summary }] : [],
      defaultId: profile?.id ?? null,
      security: { encrypted: false, locked: false, lockAfterMinutes: 30 },
    };
  });
  const planUpload = vi.fn(async (file: FileDescription): Promise<Result<UploadPlan>> => {
    log.push('planUpload');
    if (!profile) return { ok: false, error: NOT_CONFIGURED };
    return {
      ok: true,
      value: { profileId: file.profileId ?? profile.id, key: `2024/03/05/${UUID}-${file.name}`, bucket: profile.bucket, contentType: file.type || 'application/octet-stream' },
    };
  });
  const signUpload = vi.fn(async (request: SignUploadRequest): Promise<Result<SignedRequest>> => {
    log.push('signUpload');
    return {
      ok: true,
      value: {
        url: `${BUCKET_ORIGIN}/${encodeURI(request.key)}?X-Amz-Signature=put`,
        headers: { 'content-type': request.contentType },
        // single-put checks the URL's lifetime against the real clock (see report), so the fake signs for real time.
        expiresAt: Date.now() + 300_000,
      },
    };
  });
  const shareLink = vi.fn(async (request: ShareLinkRequest): Promise<Result<SignedRequest>> => {
    log.push('shareLink');
    return {
      ok: true,
      value: {
        url: `${BUCKET_ORIGIN}/${encodeURI(request.key)}?X-Amz-Signature=get`,
        headers: {},
        expiresAt: NOW.getTime() + (profile?.linkExpirySeconds ?? 0) * 1000,
      },
    };
  });
  return { getSettings, planUpload, signUpload, shareLink };
}

function setup(options: { profile?: Profile | null; image?: FetchedImage; granted?: boolean } = {}) {
  const log: string[] = [];
  const recorded: RecentUpload[] = [];
  const service = fakeService(log, options.profile === undefined ? PROFILE : options.profile);
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
  const requestHostPermission = vi.fn(async (_origins: string[]): Promise<boolean> => {
    log.push('requestHostPermission');
    return options.granted ?? true;
  });
  const copy = vi.fn(async (_text: string): Promise<boolean> => {
    log.push('copy');
    return true;
  });
  const notifySuccess = vi.fn(async (_upload: RecentUpload, _detail: string): Promise<void> => {
    log.push('notifySuccess');
  });
  const notifyFailure = vi.fn(async (_title: string, _message: string): Promise<void> => {
    log.push('notifyFailure');
  });
  const record = vi.fn(async (upload: RecentUpload): Promise<void> => {
    log.push(`record:${upload.status}`);
    // A copy: what was recorded at the time, not what the object became later.
    recorded.push(structuredClone(upload));
  });
  const deps: SaveDeps = {
    service,
    transport,
    readInPage,
    fetchImage,
    requestHostPermission,
    copy,
    notifySuccess,
    notifyFailure,
    record,
    now: () => NOW,
    uuid: () => UUID,
  };
  return { deps, log, recorded, service, transport, readInPage, fetchImage, requestHostPermission, copy, notifySuccess, notifyFailure, record };
}

type Fake = ReturnType<typeof setup>;

const click = (over: Partial<ImageClick> = {}): ImageClick => ({
  srcUrl: 'https://example.com/pics/cat.png',
  pageUrl: 'https://example.com/article',
  tabId: 7,
  frameId: 0,
  ...over,
});

function expectNothingUploaded(f: Fake) {
  expect(f.service.planUpload).not.toHaveBeenCalled();
  expect(f.service.signUpload).not.toHaveBeenCalled();
  expect(f.service.shareLink).not.toHaveBeenCalled();
  expect(f.transport.calls).toEqual([]);
  expect(f.record).not.toHaveBeenCalled();
  expect(f.copy).not.toHaveBeenCalled();
  expect(f.notifySuccess).not.toHaveBeenCalled();
}

describe('saveImage: data: URLs', () => {
  it('uploads the decoded bytes without network or permission, copies the link and announces it', async () => {
    const f = setup();
    const result = await saveImage(f.deps, click({ srcUrl: PNG_DATA_URL }));

    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect(f.readInPage).not.toHaveBeenCalled();

    const name = 'image-20240305-070809.png';
    // No profile chosen: the default's settings, and no profileId anywhere.
    expect(f.service.getSettings.mock.calls).toEqual([[undefined]]);
    // The page goes along for the key template's {host}.
    expect(f.service.planUpload).toHaveBeenCalledWith({ name, type: 'image/png', size: PNG.byteLength, pageUrl: 'https://example.com/article' });
    expect(f.service.signUpload).toHaveBeenCalledWith({ key: `2024/03/05/${UUID}-${name}`, contentType: 'image/png', size: PNG.byteLength });
    expect(f.transport.calls).toHaveLength(1);
    const put = f.transport.calls[0]!;
    expect([...put.bytes]).toEqual([...PNG]);
    expect(put.url).toBe(`${BUCKET_ORIGIN}/2024/03/05/${UUID}-${name}?X-Amz-Signature=put`);
    expect(put.headers).toEqual({ 'content-type': 'image/png' });
    expect(put.type).toBe('image/png');

    const link = `${BUCKET_ORIGIN}/2024/03/05/${UUID}-${name}?X-Amz-Signature=get`;
    expect(f.service.shareLink).toHaveBeenCalledWith({ key: `2024/03/05/${UUID}-${name}`, fileName: name, contentType: 'image/png' });
    expect(f.copy.mock.calls).toEqual([[link]]);

    expect(f.recorded.map((r) => [r.id, r.status])).toEqual([
      [UUID, 'uploading'],
      [UUID, 'done'],
    ]);
    expect(f.recorded[0]).toEqual({
      id: UUID,
      source: 'image',
      name,
      size: PNG.byteLength,
      type: 'image/png',
      status: 'uploading',
      at: NOW.getTime(),
      pageUrl: 'https://example.com/article',
    });
    const done: RecentUpload = {
      id: UUID,
      source: 'image',
      name,
      size: PNG.byteLength,
      type: 'image/png',
      status: 'done',
      at: NOW.getTime(),
      pageUrl: 'https://example.com/article',
      key: `2024/03/05/${UUID}-${name}`,
      link,
      linkExpiresAt: NOW.getTime() + 86_400_000,
      copied: true,
    };
    expect(f.recorded[1]).toEqual(done);
    expect(result).toEqual(done);

    expect(f.notifySuccess).toHaveBeenCalledTimes(1);
    const [announced, detail] = f.notifySuccess.mock.calls[0]!;
    expect(announced).toEqual(done);
    expect(detail).toContain(name);
    expect(detail).toContain(formatBytes(PNG.byteLength));
    expect(detail).toContain('1 day');
    expect(detail).toBe(`${name} · 16 B; link valid for 1 day`);
    expect(f.notifyFailure).not.toHaveBeenCalled();

    // Recorded as uploading before any S3 work, done after the copy, announced last.
    expect(f.log).toEqual([
      'record:uploading',
      'getSettings',
      'planUpload',
      'signUpload',
      'put',
      'shareLink',
      'copy',
      'record:done',
      'notifySuccess',
    ]);
  });

  it('states the profile link lifetime in the notification', async () => {
    const f = setup({ profile: { ...PROFILE, linkExpirySeconds: 3 * 3600 } });
    await saveImage(f.deps, click({ srcUrl: PNG_DATA_URL }));
    expect(f.notifySuccess.mock.calls[0]![1]).toMatch(/link valid for 3 hours$/);
  });

  it('omits pageUrl from the entry when the click had none', async () => {
    const f = setup();
    const { pageUrl: _omit, ...noPage } = click({ srcUrl: PNG_DATA_URL });
    const result = await saveImage(f.deps, noPage);
    expect(result?.status).toBe('done');
    expect(result).not.toHaveProperty('pageUrl');
    expect(f.recorded[0]).not.toHaveProperty('pageUrl');
  });
});

describe('readImage routes', () => {
  it('reads same-origin images in the page frame that was clicked', async () => {
    const f = setup();
    const got = await readImage(f.deps, click({ srcUrl: 'https://example.com/pics/cat.png?v=2', tabId: 12, frameId: 3 }));
    expect(f.readInPage.mock.calls).toEqual([[{ tabId: 12, frameId: 3 }, 'https://example.com/pics/cat.png?v=2']]);
    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expect([...got.bytes]).toEqual([...PNG]);
  });

  it('reads blob: URLs in the page frame that was clicked', async () => {
    const f = setup();
    const blobUrl = 'blob:https://example.com/0f3c2a1e-1111-2222-3333-444455556666';
    await readImage(f.deps, click({ srcUrl: blobUrl, tabId: 4, frameId: 9 }));
    expect(f.readInPage.mock.calls).toEqual([[{ tabId: 4, frameId: 9 }, blobUrl]]);
    expect(f.requestHostPermission).not.toHaveBeenCalled();
    expect(f.fetchImage).not.toHaveBeenCalled();
  });

  it('asks for host permission for exactly the image origin, synchronously and before anything else, then fetches', async () => {
    const f = setup();
    const pending = saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net:8443/a/b/cat.png?x=1' }));
    // Still inside the click's task: the browser sees the user gesture.
    expect(f.requestHostPermission.mock.calls).toEqual([[['https://cdn.example.net/*']]]);
    expect(f.log).toEqual(['requestHostPermission']);
    const result = await pending;
    expect(result?.status).toBe('done');
    expect(f.fetchImage.mock.calls).toEqual([['https://cdn.example.net:8443/a/b/cat.png?x=1']]);
    expect(f.readInPage).not.toHaveBeenCalled();
    expect(f.log.slice(0, 3)).toEqual(['requestHostPermission', 'fetchImage', 'record:uploading']);
  });
});

describe('saveImage failures', () => {
  it('uploads and records nothing when host permission is refused, and names the host', async () => {
    const f = setup({ granted: false });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://images.other.org:8080/cat.png' }));
    expect(result).toBeNull();
    expect(f.fetchImage).not.toHaveBeenCalled();
    expectNothingUploaded(f);
    expect(f.notifyFailure).toHaveBeenCalledTimes(1);
    const [title, message] = f.notifyFailure.mock.calls[0]!;
    expect(title).toBe('Image not saved');
    expect(message).toBe(
      'S3 Drop needs your permission to read images from images.other.org:8080. It was not given, so nothing was uploaded.',
    );
  });

  it('treats a permission request that throws as refused', async () => {
    const f = setup();
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
    const f = setup();
    const sentence = 'example.com answered HTTP 404 for the image, so nothing was uploaded.';
    f.readInPage.mockRejectedValue(new ImageError(sentence, 'ImageHttpError'));
    const result = await saveImage(f.deps, click());
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', sentence]]);
  });

  it('wraps an unexpected read error in a sentence', async () => {
    const f = setup();
    f.fetchImage.mockRejectedValue(new TypeError('Failed to fetch'));
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/cat.png' }));
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', 'The image could not be read: Failed to fetch']]);
  });

  it('reports a malformed data: URL without uploading', async () => {
    const f = setup();
    const result = await saveImage(f.deps, click({ srcUrl: 'data:image/png;base64' }));
    expect(result).toBeNull();
    expectNothingUploaded(f);
    expect(f.notifyFailure.mock.calls).toEqual([['Image not saved', 'The image is a data: URL that cannot be read.']]);
  });

  it('refuses an image over MAX_IMAGE_BYTES and names the limit', async () => {
    const f = setup({ image: { bytes: new Uint8Array(MAX_IMAGE_BYTES + 1), contentType: 'image/png' } });
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
    const f = setup({ image: { bytes: big, contentType: null } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://example.com/big' }));
    expect(result?.status).toBe('done');
    expect(result?.name).toBe('big.jpg');
    expect(f.transport.calls[0]!.bytes.byteLength).toBe(MAX_IMAGE_BYTES);
  });

  it('records the s3:PutObject sentence when the PUT is refused with AccessDenied, and copies nothing', async () => {
    const f = setup();
    f.transport.reply = { status: 403, body: ACCESS_DENIED_XML };
    const result = await saveImage(f.deps, click());

    const expected = describeFailure(
      { code: 'AccessDenied', status: 403, message: 'Access Denied' },
      { operation: 'upload', bucket: 'my-bucket', region: 'eu-west-1', endpoint: '' },
    );
    expect(expected.message).toContain('s3:PutObject');
    expect(expected.message).toContain('my-bucket');

    expect(result?.status).toBe('failed');
    expect(result?.error?.code).toBe('AccessDenied');
    expect(result?.error?.message).toBe(expected.message);
    expect(result?.link).toBeUndefined();
    expect(f.recorded.map((r) => r.status)).toEqual(['uploading', 'failed']);
    expect(f.recorded[1]).toEqual(result);
    expect(f.recorded[1]!.id).toBe(f.recorded[0]!.id);
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.service.shareLink).not.toHaveBeenCalled();
    expect(f.notifySuccess).not.toHaveBeenCalled();
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', expected.message]]);
  });

  it('fails with the NotConfigured sentence when no profile is saved', async () => {
    const f = setup({ profile: null });
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('failed');
    expect(result?.error).toEqual(NOT_CONFIGURED);
    expect(f.service.signUpload).not.toHaveBeenCalled();
    expect(f.transport.calls).toEqual([]);
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.recorded.map((r) => r.status)).toEqual(['uploading', 'failed']);
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', NOT_CONFIGURED.message]]);
  });

  it('fails with the service sentence when signing is refused', async () => {
    const f = setup();
    const error: UserError = { code: 'HostPermissionMissing', message: 'S3 Drop has no access to the bucket yet.', transient: false };
    f.service.signUpload.mockResolvedValue({ ok: false, error });
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('failed');
    expect(result?.error).toEqual(error);
    expect(f.transport.calls).toEqual([]);
    expect(f.notifyFailure.mock.calls).toEqual([['cat.png not saved', error.message]]);
  });
});

describe('saveImage: link and type', () => {
  it('passes copied:false on when the clipboard refuses, and still announces the upload', async () => {
    const f = setup();
    f.copy.mockResolvedValue(false);
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('done');
    expect(result?.copied).toBe(false);
    expect(f.recorded[1]?.copied).toBe(false);
    expect(f.notifySuccess).toHaveBeenCalledTimes(1);
    expect(f.notifySuccess.mock.calls[0]![0].copied).toBe(false);
    expect(f.notifyFailure).not.toHaveBeenCalled();
  });

  it('treats a copy that throws as not copied', async () => {
    const f = setup();
    f.copy.mockRejectedValue(new Error('Document is not focused.'));
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('done');
    expect(result?.copied).toBe(false);
    expect(f.notifySuccess.mock.calls[0]![0].copied).toBe(false);
  });

  it('sniffs PNG bytes declared as application/octet-stream: the PUT is image/png and the name gets .png', async () => {
    const f = setup({ image: { bytes: PNG, contentType: 'application/octet-stream' } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/render?id=42' }));
    expect(result?.type).toBe('image/png');
    expect(result?.name).toBe('render.png');
    expect(f.service.planUpload).toHaveBeenCalledWith({ name: 'render.png', type: 'image/png', size: PNG.byteLength, pageUrl: 'https://example.com/article' });
    expect(f.transport.calls[0]!.headers['content-type']).toBe('image/png');
    expect(f.transport.calls[0]!.type).toBe('image/png');
  });

  it('keeps a PNG a PNG when its server calls it text/html, and stores it to be shown', async () => {
    const f = setup({ image: { bytes: PNG, contentType: 'text/html; charset=utf-8' } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://cdn.example.net/pic' }));
    expect(result?.type).toBe('image/png');
    expect(result?.name).toBe('pic.png');
    expect(f.service.signUpload.mock.calls[0]![0]).not.toHaveProperty('downloadAs');
  });

  it('stores an SVG that claims to be a PNG as octet-stream, to download, named .svg', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
    const f = setup({ image: { bytes: svg, contentType: 'image/png' } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://evil.example/cat.png' }));
    expect(result?.status).toBe('done');
    expect(result?.type).toBe('application/octet-stream');
    expect(result?.name).toBe('cat.png.svg');
    expect(f.service.planUpload.mock.calls[0]![0]).toMatchObject({ name: 'cat.png.svg', type: 'application/octet-stream' });
    expect(f.service.signUpload.mock.calls[0]![0]).toMatchObject({ contentType: 'application/octet-stream', downloadAs: 'cat.png.svg' });
    expect(f.transport.calls[0]!.type).toBe('application/octet-stream');
  });

  it('names the file from Content-Disposition', async () => {
    const f = setup({ image: { bytes: PNG, contentType: 'image/png', contentDisposition: "inline; filename*=UTF-8''caf%C3%A9.png" } });
    const result = await saveImage(f.deps, click({ srcUrl: 'https://example.com/download?id=1' }));
    expect(result?.name).toBe('café.png');
    expect(f.service.shareLink.mock.calls[0]![0].fileName).toBe('café.png');
  });

  // A notification that fails must not turn a finished upload into a failed one.
  it('keeps a finished upload done when the success notification fails', async () => {
    const f = setup();
    f.notifySuccess.mockRejectedValue(new Error('Unable to download all specified images.'));
    const result = await saveImage(f.deps, click());
    expect(result?.status).toBe('done');
    expect(f.recorded.map((r) => r.status)).toEqual(['uploading', 'done']);
    expect(f.notifyFailure).not.toHaveBeenCalled();
  });
});

describe('saving to a chosen profile (context menu with several profiles)', () => {
  it('asks for that profile’s settings and sends its id to plan, sign and share; the entry records it', async () => {
    const f = setup({ profile: { ...PROFILE, id: 'p2', name: 'work' } });
    const result = await saveImage(f.deps, click({ srcUrl: PNG_DATA_URL, profileId: 'p2' }));
    expect(result?.status).toBe('done');
    const name = 'image-20240305-070809.png';
    const key = `2024/03/05/${UUID}-${name}`;
    expect(f.service.getSettings.mock.calls).toEqual([['p2']]);
    expect(f.service.planUpload.mock.calls).toEqual([[{ name, type: 'image/png', size: PNG.byteLength, pageUrl: 'https://example.com/article', profileId: 'p2' }]]);
    expect(f.service.signUpload.mock.calls).toEqual([[{ key, contentType: 'image/png', size: PNG.byteLength, profileId: 'p2' }]]);
    expect(f.service.shareLink.mock.calls).toEqual([[{ key, fileName: name, contentType: 'image/png', profileId: 'p2' }]]);
    expect(f.recorded.map((r) => [r.status, r.profileId])).toEqual([
      ['uploading', 'p2'],
      ['done', 'p2'],
    ]);
    expect(result?.profileId).toBe('p2');
  });

  it('saveBytes (a screenshot) passes the profile the same way', async () => {
    const f = setup();
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'shot.png', source: 'screenshot', profileId: 'p1' });
    expect(result).toMatchObject({ status: 'done', profileId: 'p1' });
    expect(f.service.getSettings.mock.calls).toEqual([['p1']]);
    expect(f.service.planUpload.mock.calls[0]![0].profileId).toBe('p1');
    expect(f.service.signUpload.mock.calls[0]![0].profileId).toBe('p1');
    expect(f.service.shareLink.mock.calls[0]![0].profileId).toBe('p1');
  });

  it('without a profile, nothing carries a profileId key', async () => {
    const f = setup();
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'shot.png', source: 'screenshot' });
    expect(result).not.toHaveProperty('profileId');
    for (const call of [f.service.planUpload.mock.calls[0]![0], f.service.signUpload.mock.calls[0]![0], f.service.shareLink.mock.calls[0]![0]])
      expect(Object.keys(call)).not.toContain('profileId');
    expect(f.recorded.every((r) => !('profileId' in r))).toBe(true);
  });

  it('the notification states the link’s real lifetime, cut to the session token’s end', async () => {
    const inTwoHours = new Date(NOW.getTime() + 2 * 3600_000).toISOString();
    const f = setup({ profile: { ...PROFILE, kind: 'keys', sessionTokenExpiration: inTwoHours } });
    await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('a.png · 16 B; link valid for 2 hours');
  });

  it('a public or custom-domain link is announced as never expiring, and recorded without an expiry', async () => {
    const f = setup();
    f.service.shareLink.mockImplementation(async (request) => ({ ok: true, value: { url: `https://cdn.example.com/${request.key}`, headers: {} } }));
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(result).toMatchObject({ status: 'done', link: `https://cdn.example.com/2024/03/05/${UUID}-a.png` });
    expect(result).not.toHaveProperty('linkExpiresAt');
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('a.png · 16 B; public link, does not expire');
  });

  it('passes If-None-Match from the plan to the signer, and the signed header to the PUT', async () => {
    const f = setup();
    f.service.planUpload.mockImplementation(async (file) => ({ ok: true, value: { profileId: 'p1', key: `docs/${file.name}`, bucket: 'b', contentType: 'image/png', ifNoneMatch: true } }));
    f.service.signUpload.mockImplementation(async (request) => ({
      ok: true,
      value: { url: `${BUCKET_ORIGIN}/docs/a.png?sig`, headers: { 'content-type': 'image/png', ...(request.ifNoneMatch ? { 'if-none-match': '*' } : {}) }, expiresAt: Date.now() + 300_000 },
    }));
    await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(f.service.signUpload.mock.calls[0]![0]).toMatchObject({ ifNoneMatch: true });
    expect(f.transport.calls[0]!.headers).toEqual({ 'content-type': 'image/png', 'if-none-match': '*' });
  });
});

describe('saveBytes', () => {
  it('uploads bytes the background holds, as the given source and name', async () => {
    const f = setup();
    const bytes = new TextEncoder().encode('screenshot bytes');
    const result = await saveBytes(f.deps, { bytes, type: 'image/png', name: 'screenshot-example.com-20240305-070809.png', source: 'screenshot', pageUrl: 'https://example.com/' });
    expect(result.status).toBe('done');
    expect(result.source).toBe('screenshot');
    expect(result.pageUrl).toBe('https://example.com/');
    expect(result.size).toBe(bytes.byteLength);
    expect(new TextDecoder().decode(f.transport.calls[0]!.bytes)).toBe('screenshot bytes');
    expect(f.recorded.map((r) => [r.source, r.status])).toEqual([
      ['screenshot', 'uploading'],
      ['screenshot', 'done'],
    ]);
    expect(f.notifySuccess.mock.calls[0]![1]).toBe('screenshot-example.com-20240305-070809.png · 16 B; link valid for 1 day');
  });

  it('signs an untyped body as application/octet-stream and PUTs with that type', async () => {
    const f = setup();
    const result = await saveBytes(f.deps, { bytes: new Uint8Array([1, 2, 3]), type: '', name: 'raw', source: 'image' });
    expect(result.status).toBe('done');
    expect(f.service.signUpload.mock.calls[0]![0].contentType).toBe('application/octet-stream');
    expect(f.transport.calls[0]!.headers).toEqual({ 'content-type': 'application/octet-stream' });
  });

  it('turns an unexpected throw into a failed entry with a sentence', async () => {
    const f = setup();
    f.service.shareLink.mockRejectedValue(new Error('worker restarted'));
    const result = await saveBytes(f.deps, { bytes: PNG, type: 'image/png', name: 'a.png', source: 'image' });
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'Unexpected', message: 'The upload failed: worker restarted', transient: false });
    expect(result.key).toBe(`2024/03/05/${UUID}-a.png`);
    expect(f.copy).not.toHaveBeenCalled();
    expect(f.notifyFailure.mock.calls).toEqual([['a.png not saved', 'The upload failed: worker restarted']]);
  });
});
