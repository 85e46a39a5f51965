import { browser } from 'wxt/browser';
import { ImageError, MAX_IMAGE_BYTES } from '../capture/image-source';
import type { FetchedImage } from './save-to-s3';
import { t } from '../i18n/t';

/** What the in-page reader returns: JSON-safe, since script results cross a process boundary. */
type PageRead =
  | { ok: true; base64: string; contentType: string | null; contentDisposition: string | null }
  | { ok: false; reason: 'status' | 'too-large' | 'network'; status?: number; detail?: string };

/**
 * Runs inside the page (isolated world). Its fetch is the page's: it can read
 * the page's `blob:` URLs and sends the page's cookies to its own origin.
 * Self-contained: it is serialised into the page, so it may not close over anything.
 */
async function readFromPage(url: string, maxBytes: number): Promise<PageRead> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'include' });
  } catch (err) {
    return { ok: false, reason: 'network', detail: String(err) };
  }
  if (!res.ok) return { ok: false, reason: 'status', status: res.status };
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) return { ok: false, reason: 'too-large' };
  const buffer = new Uint8Array(await res.arrayBuffer());
  if (buffer.byteLength > maxBytes) return { ok: false, reason: 'too-large' };
  let binary = '';
  for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
  return { ok: true, base64: btoa(binary), contentType: res.headers.get('content-type'), contentDisposition: res.headers.get('content-disposition') };
}

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function failure(read: Extract<PageRead, { ok: false }>, url: string): ImageError {
  const host = url.startsWith('blob:') ? null : new URL(url).host;
  if (read.reason === 'status')
    return new ImageError(
      host ? t('image_hostStatus', { host, status: String(read.status) }) : t('image_pageStatus', { status: String(read.status) }),
      'ImageHttpError',
    );
  if (read.reason === 'too-large') return new ImageError(t('image_tooLarge', { mib: MAX_IMAGE_BYTES / 1024 ** 2 }), 'ImageTooLarge');
  return new ImageError(host ? t('image_hostNetwork', { host }) : t('image_pageNetwork'), 'ImageNetworkError');
}

/** Reads an image inside the tab's frame the click came from. */
export async function readImageInPage(target: { tabId: number; frameId: number }, url: string): Promise<FetchedImage> {
  const [injection] = await browser.scripting.executeScript({
    target: { tabId: target.tabId, frameIds: [target.frameId] },
    func: readFromPage,
    args: [url, MAX_IMAGE_BYTES],
  });
  const read = injection?.result as PageRead | undefined;
  if (!read) throw new ImageError(t('image_pageUnreadable'));
  if (!read.ok) throw failure(read, url);
  return { bytes: fromBase64(read.base64), contentType: read.contentType, contentDisposition: read.contentDisposition };
}

/** Fetches an image from another origin; the extension's host permission for it lets the response through. */
export async function fetchImageFromNetwork(url: string, fetchImpl: typeof fetch = fetch): Promise<FetchedImage> {
  let res: Response;
  try {
    res = await fetchImpl(url, { credentials: 'include' });
  } catch (err) {
    throw failure({ ok: false, reason: 'network', detail: String(err) }, url);
  }
  if (!res.ok) throw failure({ ok: false, reason: 'status', status: res.status }, url);
  if (Number(res.headers.get('content-length') ?? 0) > MAX_IMAGE_BYTES) throw failure({ ok: false, reason: 'too-large' }, url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes, contentType: res.headers.get('content-type'), contentDisposition: res.headers.get('content-disposition') };
}
