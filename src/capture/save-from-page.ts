/**
 * The context menu's and the screenshot shortcut's source: gets the bytes of
 * a right-clicked image or a capture, then hands them to the one upload
 * pipeline (`runUpload`), and says how it went in a notification: no page is
 * there to show it.
 */
import { t } from '../i18n/t';
import { ResultError } from '../result';
import { describeDuration } from '../s3/expiry';
import { runUpload, type PipelineDeps, type UploadOutcome } from '../upload/pipeline';
import { formatBytes } from '../upload/speed';
import { privacyNote } from '../privacy/words';
import { imageNote } from '../images/words';
import type { UploadSource } from '../upload/ticket';
import { decodeDataUrl, ImageError, imageFileName, imageOriginPattern, imageRoute, MAX_IMAGE_BYTES, pageContentStorage } from './image-source';

/** Bytes read from somewhere, with what the source said about them. */
export interface FetchedImage {
  bytes: Uint8Array;
  contentType?: string | null;
  contentDisposition?: string | null;
}

/** Everything a save from the page needs; injected so it is tested without a browser. */
export interface SaveDeps {
  /** The pipeline, as the background runs it: direct calls to the upload service, fetch, the background's clipboard. */
  pipeline: PipelineDeps;
  /** Reads an image inside the page (blob: URLs, and images the background may not fetch). */
  readInPage(target: { tabId: number; frameId: number }, url: string): Promise<FetchedImage>;
  /** Fetches an image from the background (host permission for its origin needed). */
  fetchImage(url: string): Promise<FetchedImage>;
  /** Whether the background may fetch from these origins already. */
  hasHostPermission(origins: string[]): Promise<boolean>;
  /** Asks for host permission; called first thing in the click so the browser sees the user gesture. */
  requestHostPermission(origins: string[]): Promise<boolean>;
  notifySuccess(delivered: { link: string; copied: boolean }, detail: string): Promise<void>;
  notifyFailure(title: string, message: string): Promise<void>;
  now(): Date;
}

/** How a save ended, with the file it made: its name, size and stored type. */
export type SavedUpload = UploadOutcome & { name: string; size: number; type: string };

export interface ImageClick {
  /** The profile to save to; absent means the default. */
  profileId?: string;
  srcUrl: string;
  pageUrl?: string;
  tabId: number;
  frameId: number;
}

/** A fetch the page could still do: the server said no, or nothing answered the background. A redirect to the user's own storage, a size or a time limit is final. */
function pageMayDoBetter(err: unknown): boolean {
  return err instanceof ImageError && (err.code === 'ImageHttpError' || err.code === 'ImageNetworkError');
}

/**
 * Gets the bytes of a right-clicked image. The background fetches it when it
 * may (no copy through the page); the page reads it only for `blob:` URLs,
 * which are the page's own, and when the background's fetch was refused.
 */
export async function readImage(deps: SaveDeps, click: ImageClick): Promise<FetchedImage> {
  const route = imageRoute(click.srcUrl, click.pageUrl);
  if (route === 'data') {
    const { bytes, type } = decodeDataUrl(click.srcUrl);
    return { bytes, contentType: type };
  }
  const inPage = () => deps.readInPage({ tabId: click.tabId, frameId: click.frameId }, click.srcUrl);
  if (route === 'page') return inPage();
  const origin = imageOriginPattern(click.srcUrl);
  const sameOrigin = route === 'same-origin';
  // First await in the click handler: the permission prompt needs the user gesture. The page's own images need no prompt: the page can read them.
  const granted = sameOrigin
    ? await deps.hasHostPermission([origin]).catch(() => false)
    : await deps.requestHostPermission([origin]).catch(() => false);
  if (!granted) {
    if (sameOrigin) return inPage();
    throw new ImageError(t('image_permissionDenied', { host: new URL(click.srcUrl).host }), 'ImagePermissionDenied');
  }
  try {
    return await deps.fetchImage(click.srcUrl);
  } catch (err) {
    if (!pageMayDoBetter(err)) throw err;
    // The page may hold what the background lacks (a login on another site, a network only it reaches).
    return inPage().catch(() => {
      throw err;
    });
  }
}

/** Right-click → bytes → S3 → link on the clipboard, with a notification either way. */
export async function saveImage(deps: SaveDeps, click: ImageClick): Promise<SavedUpload | null> {
  let image: FetchedImage;
  try {
    image = await readImage(deps, click);
    if (image.bytes.byteLength > MAX_IMAGE_BYTES) throw new ImageError(t('image_tooLarge', { mib: MAX_IMAGE_BYTES / 1024 ** 2 }), 'ImageTooLarge');
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

/** Uploads bytes the background holds (an image, a screenshot) through the pipeline, then announces the link. */
export async function saveBytes(
  deps: SaveDeps,
  input: {
    bytes: Uint8Array;
    type: string;
    name: string;
    source: UploadSource;
    pageUrl?: string;
    profileId?: string;
    /** Store it to be downloaded, never shown, by any link (see `UploadRequest.download`). */
    download?: boolean;
    /** A sentence for the success notification about what was saved (a full page cut short). */
    note?: string;
  },
): Promise<SavedUpload> {
  const { bytes, note, ...rest } = input;
  const about = { name: input.name, size: bytes.byteLength, type: input.type };
  // Never throws: every failure comes back as an outcome with its sentence.
  const outcome = await runUpload({ ...rest, body: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: input.type }) }, deps.pipeline);
  if (outcome.status === 'failed') {
    await deps.notifyFailure(t('notify_fileNotSaved', { name: input.name }), outcome.error.message).catch(() => {});
    return { ...outcome, ...about };
  }
  if (outcome.status !== 'done') return { ...outcome, ...about };
  // Named as stored: a picture converted on the way is announced as the `.webp` it became, with its new size.
  const stored = { name: outcome.name, size: outcome.size, type: outcome.contentType };
  // What the link really got: a session token's end can cut it short; public and custom-domain links never end.
  const said = { name: stored.name, size: formatBytes(stored.size) };
  const detail =
    outcome.linkExpiresAt === undefined
      ? t('notify_uploadedPublic', said)
      : outcome.lifetimeSeconds !== undefined
        ? t('notify_uploadedFor', { ...said, duration: describeDuration(outcome.lifetimeSeconds) })
        : t('notify_uploaded', said);
  // What was done to the picture (converted, made smaller, or why not) and to a photo's location belongs in the
  // announcement too, in the popup row's words: there is no row to show it.
  const done = [imageNote(outcome.image), privacyNote(outcome.privacy)].flatMap((said) => (said ? [`${said}.`] : []));
  const more = [...done, ...(note ? [note] : [])];
  const message = more.length ? `${detail}. ${more.join(' ')}` : detail;
  // The upload stands whatever happens to its announcement.
  await deps.notifySuccess({ link: outcome.link, copied: outcome.copied }, message).catch(() => {});
  return { ...outcome, ...stored };
}
