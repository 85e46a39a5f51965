import { browser } from 'wxt/browser';
import { base64ToBytes, ImageError, MAX_IMAGE_BYTES } from '../capture/image-source';
import { DEFAULT_ANSWER_MS, DEFAULT_STALL_MS, guardedRead, type GuardedRead, type ReadPolicy } from '../capture/guarded-read';
import type { FetchedImage } from '../capture/save-from-page';
import { t } from '../i18n/t';

/** What a read may do, besides where it may not end up; tests shorten the clocks. */
export interface ReadLimits {
  /** Hosts of the user's own storage (`ownStorageHosts`): a redirect may not end there. */
  forbiddenHosts: string[];
  maxBytes?: number;
  answerMs?: number;
  stallMs?: number;
}

function policyOf(limits: ReadLimits, encoding: ReadPolicy['encoding']): ReadPolicy {
  return {
    forbiddenHosts: limits.forbiddenHosts,
    maxBytes: limits.maxBytes ?? MAX_IMAGE_BYTES,
    answerMs: limits.answerMs ?? DEFAULT_ANSWER_MS,
    stallMs: limits.stallMs ?? DEFAULT_STALL_MS,
    encoding,
  };
}

/** Whole seconds, at least one: "0 seconds" would read as a bug. */
const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

/** The sentence for a failed read: the image's host when it has one, "the page" for `blob:` URLs. */
export function readFailure(read: Extract<GuardedRead, { ok: false }>, url: string, policy: Pick<ReadPolicy, 'maxBytes' | 'answerMs' | 'stallMs'>): ImageError {
  const host = url.startsWith('blob:') ? null : new URL(url).host;
  switch (read.reason) {
    case 'status':
      return new ImageError(
        host ? t('image_hostStatus', { host, status: String(read.status) }) : t('image_pageStatus', { status: String(read.status) }),
        'ImageHttpError',
      );
    case 'too-large':
      return new ImageError(t('image_tooLarge', { mib: Math.floor(policy.maxBytes / 1024 ** 2) }), 'ImageTooLarge');
    case 'no-answer':
      return new ImageError(
        host ? t('image_hostNoAnswer', { host, seconds: seconds(policy.answerMs) }) : t('image_pageNoAnswer', { seconds: seconds(policy.answerMs) }),
        'ImageTimeout',
      );
    case 'stalled':
      return new ImageError(
        host ? t('image_hostStalled', { host, seconds: seconds(policy.stallMs) }) : t('image_pageStalled', { seconds: seconds(policy.stallMs) }),
        'ImageTimeout',
      );
    case 'own-storage':
      return new ImageError(t('image_redirectToOwnStorage', { host: read.host ?? '' }), 'ImageRedirectRefused');
    default:
      return new ImageError(host ? t('image_hostNetwork', { host }) : t('image_pageNetwork'), 'ImageNetworkError');
  }
}

/**
 * Reads an image inside the tab's frame the click came from: `blob:` URLs are
 * the page's, and a same-origin image may need the page's cookies. Same rules
 * as from the background (`guardedRead`): in Firefox a content script's fetch
 * carries the extension's host permissions too.
 */
export async function readImageInPage(target: { tabId: number; frameId: number }, url: string, limits: ReadLimits): Promise<FetchedImage> {
  const policy = policyOf(limits, 'base64');
  const [injection] = await browser.scripting.executeScript({
    target: { tabId: target.tabId, frameIds: [target.frameId] },
    func: guardedRead,
    args: [url, policy],
  });
  const read = injection?.result as GuardedRead | undefined;
  if (!read) throw new ImageError(t('image_pageUnreadable'));
  if (!read.ok) throw readFailure(read, url, policy);
  return { bytes: base64ToBytes(read.base64 ?? ''), contentType: read.contentType, contentDisposition: read.contentDisposition };
}

/** Fetches an image from another origin; the extension's host permission for it lets the response through. */
export async function fetchImageFromNetwork(url: string, limits: ReadLimits, fetchImpl: typeof fetch = fetch): Promise<FetchedImage> {
  const policy = policyOf(limits, 'bytes');
  const read = await guardedRead(url, policy, fetchImpl);
  if (!read.ok) throw readFailure(read, url, policy);
  return { bytes: read.bytes ?? new Uint8Array(0), contentType: read.contentType, contentDisposition: read.contentDisposition };
}
