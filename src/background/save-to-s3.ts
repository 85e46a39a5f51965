import type { ProtocolHandlers, Result } from '../messaging/protocol';
import type { FailureContext, UserError } from '../s3/errors';
import {
  decodeDataUrl,
  ImageError,
  imageFileName,
  imageOriginPattern,
  imageRoute,
  MAX_IMAGE_BYTES,
  pageContentStorage,
} from '../capture/image-source';
import type { RecentUpload, UploadSource } from '../history/recent';
import { uploadWithSinglePut } from '../upload/single-put';
import { ResultError, unwrapResult } from '../messaging/result';
import type { PutTransport } from '../upload/transport';
import { formatBytes } from '../upload/speed';
import { describeDuration, shareLinkLifetime } from '../s3/expiry';
import { t } from '../i18n/t';

/** Bytes read from somewhere, with what the source said about them. */
export interface FetchedImage {
  bytes: Uint8Array;
  contentType?: string | null;
  contentDisposition?: string | null;
}

/** Everything a background save needs; injected so it is tested without a browser. */
export interface SaveDeps {
  service: Pick<ProtocolHandlers, 'planUpload' | 'signUpload' | 'shareLink' | 'getSettings'>;
  transport: PutTransport;
  /** Reads an image inside the page (blob: URLs, same-origin images with their cookies). */
  readInPage(target: { tabId: number; frameId: number }, url: string): Promise<FetchedImage>;
  /** Fetches an image from another origin, from the background. */
  fetchImage(url: string): Promise<FetchedImage>;
  /** Asks for host permission; called first thing in the click so the browser sees the user gesture. */
  requestHostPermission(origins: string[]): Promise<boolean>;
  copy(text: string): Promise<boolean>;
  notifySuccess(upload: RecentUpload, detail: string): Promise<void>;
  notifyFailure(title: string, message: string): Promise<void>;
  record(upload: RecentUpload): Promise<void>;
  now(): Date;
  uuid(): string;
}

export interface ImageClick {
  /** The profile to save to; absent means the default. */
  profileId?: string;
  srcUrl: string;
  pageUrl?: string;
  tabId: number;
  frameId: number;
}

function imageFailure(message: string, code = 'ImageUnavailable'): ResultError {
  return new ResultError({ code, message, transient: false });
}

/** Gets the bytes of a right-clicked image by the route its URL calls for. */
export async function readImage(deps: SaveDeps, click: ImageClick): Promise<FetchedImage> {
  const route = imageRoute(click.srcUrl, click.pageUrl);
  if (route === 'network') {
    // First await in the click handler: the permission prompt needs the user gesture.
    const origin = imageOriginPattern(click.srcUrl);
    const granted = await deps.requestHostPermission([origin]).catch(() => false);
    if (!granted)
      throw imageFailure(t('image_permissionDenied', { host: new URL(click.srcUrl).host }), 'ImagePermissionDenied');
    return deps.fetchImage(click.srcUrl);
  }
  if (route === 'data') {
    const { bytes, type } = decodeDataUrl(click.srcUrl);
    return { bytes, contentType: type };
  }
  return deps.readInPage({ tabId: click.tabId, frameId: click.frameId }, click.srcUrl);
}

/** Right-click → bytes → S3 → link on the clipboard, with a notification either way. */
export async function saveImage(deps: SaveDeps, click: ImageClick): Promise<RecentUpload | null> {
  let image: FetchedImage;
  try {
    image = await readImage(deps, click);
    if (image.bytes.byteLength > MAX_IMAGE_BYTES)
      throw imageFailure(t('image_tooLarge', { mib: MAX_IMAGE_BYTES / 1024 ** 2 }), 'ImageTooLarge');
  } catch (err) {
    const message = err instanceof ResultError || err instanceof ImageError ? err.message : t('image_unreadable', { reason: (err as Error).message });
    await deps.notifyFailure(t('notify_imageNotSaved'), message);
    return null;
  }
  // Typed from its bytes, not from what the page's server said (see pageContentStorage).
  const stored = pageContentStorage(image.bytes);
  const name = imageFileName({ srcUrl: click.srcUrl, contentDisposition: image.contentDisposition, contentType: stored.nameType, now: deps.now() });
  return saveBytes(deps, {
    bytes: image.bytes,
    type: stored.contentType,
    name,
    download: stored.download,
    source: 'image',
    ...(click.pageUrl ? { pageUrl: click.pageUrl } : {}),
    ...(click.profileId ? { profileId: click.profileId } : {}),
  });
}

/** Uploads bytes the background already holds (an image, a screenshot), then copies and announces the link. */
export async function saveBytes(
  deps: SaveDeps,
  input: {
    bytes: Uint8Array;
    type: string;
    name: string;
    source: UploadSource;
    pageUrl?: string;
    profileId?: string;
    /** Store it to be downloaded, never shown, by any link (see `SignUploadRequest.downloadAs`). */
    download?: boolean;
  },
): Promise<RecentUpload> {
  const forProfile = input.profileId ? { profileId: input.profileId } : {};
  const entry: RecentUpload = {
    id: deps.uuid(),
    source: input.source,
    name: input.name,
    size: input.bytes.byteLength,
    type: input.type,
    status: 'uploading',
    at: deps.now().getTime(),
    ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
    ...forProfile,
  };
  await deps.record(entry);
  let done: RecentUpload;
  let key: string | undefined;
  /** What the notification says of the link: nothing, "public, does not expire", or how long it lives. */
  let lifetime: { public: true } | { duration: string } | null = null;
  try {
    const settings = await deps.service.getSettings(input.profileId);
    const profile = settings.profile;
    const context: FailureContext = {
      operation: 'upload',
      bucket: profile?.bucket ?? '',
      region: profile?.region ?? '',
      endpoint: profile?.endpoint ?? '',
    };
    const plan = unwrapResult(
      await deps.service.planUpload({
        name: input.name,
        type: input.type,
        size: input.bytes.byteLength,
        ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
        ...forProfile,
      }),
    );
    key = plan.key;
    await uploadWithSinglePut({
      body: new Blob([input.bytes as Uint8Array<ArrayBuffer>], { type: plan.contentType }),
      sign: async () =>
        unwrapResult(
          await deps.service.signUpload({
            key: plan.key,
            contentType: plan.contentType,
            size: input.bytes.byteLength,
            ...forProfile,
            ...(plan.ifNoneMatch ? { ifNoneMatch: true } : {}),
            ...(input.download ? { downloadAs: input.name } : {}),
          }),
        ),
      transport: deps.transport,
      context,
      now: () => deps.now().getTime(),
    });
    const link = unwrapResult(await deps.service.shareLink({ key: plan.key, fileName: input.name, contentType: plan.contentType, ...forProfile }));
    const copied = await deps.copy(link.url).catch(() => false);
    done = { ...entry, key: plan.key, status: 'done', link: link.url, ...(link.expiresAt !== undefined ? { linkExpiresAt: link.expiresAt } : {}), copied };
    // What the link really got: a session token's end can cut it short; public and custom-domain links never end.
    if (link.expiresAt === undefined) lifetime = { public: true };
    else if (profile) lifetime = { duration: describeDuration(shareLinkLifetime(profile, deps.now())) };
  } catch (err) {
    const error: UserError =
      err instanceof ResultError
        ? err.userError
        : { code: 'Unexpected', message: t('upload_failed', { reason: (err as Error).message }), transient: false };
    const failed: RecentUpload = { ...entry, ...(key ? { key } : {}), status: 'failed', error };
    await deps.record(failed);
    await deps.notifyFailure(t('notify_fileNotSaved', { name: input.name }), error.message).catch(() => {});
    return failed;
  }
  // The upload stands whatever happens to its announcement.
  await deps.record(done);
  const about = { name: input.name, size: formatBytes(input.bytes.byteLength) };
  const detail =
    lifetime === null
      ? t('notify_uploaded', about)
      : 'public' in lifetime
        ? t('notify_uploadedPublic', about)
        : t('notify_uploadedFor', { ...about, duration: lifetime.duration });
  await deps.notifySuccess(done, detail).catch(() => {});
  return done;
}
