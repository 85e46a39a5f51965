/**
 * What both browsers' full-page captures share: the result's shape, the
 * failure that carries a sentence, and running a step inside the page.
 * Chrome stitches frames (`full-page-chrome.ts`); Firefox draws the whole
 * page at once (`full-page-firefox.ts`). The background picks one.
 */
import { browser } from 'wxt/browser';
import { t } from '../i18n/t';

export interface FullPagePicture {
  /** A PNG. */
  bytes: Uint8Array;
  width: number;
  height: number;
  /** The page was taller than a picture may be: only its top `cssHeight` of `pageHeight` CSS pixels is in it. */
  capped: boolean;
  cssHeight: number;
  pageHeight: number;
}

export type CaptureFullPage = (tab: { id: number; windowId: number }) => Promise<FullPagePicture>;

/** A failure with a sentence for the notification. */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

/**
 * Runs one self-contained function in the tab's top frame (see
 * full-page-in-page.ts) and returns what it resolved with. A page the
 * browser keeps extensions out of (its own pages, the web store) fails here;
 * a function that throws there fails with `unreadable`.
 */
export async function inPage<A extends unknown[], R>(
  tabId: number,
  func: (...args: A) => R | Promise<R>,
  args: A,
  unreadable = t('notify_fullPageUnreadable'),
): Promise<R> {
  let injection;
  try {
    [injection] = await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func, args } as never);
  } catch (err) {
    throw new CaptureError(t('notify_screenshotRefused', { reason: (err as Error).message }));
  }
  if (!injection || (injection as { error?: unknown }).error) throw new CaptureError(unreadable);
  return (injection as { result: R }).result;
}
