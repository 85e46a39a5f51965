/**
 * Chrome's full-page capture: `tabs.captureVisibleTab` can only take what is
 * on screen, so the page is scrolled one viewport at a time, each frame
 * captured (at Chrome's pace of two a second) and drawn into one
 * `OffscreenCanvas` in the background, which encodes the PNG. Fixed and
 * sticky elements are hidden after the first frame, so a header shows once;
 * the page's styles and scroll position are put back however it ends.
 */
import { browser } from 'wxt/browser';
import { t } from '../i18n/t';
import { decodeDataUrl } from './image-source';
import { CaptureError, inPage, type CaptureFullPage } from './full-page';
import { measurePage, restorePage, scrollAndPaint } from './full-page-in-page';
import { frameOffsets, pictureSize, placeFrame } from './full-page-plan';

/** Takes one `captureVisibleTab` in turn with every other capture (see `capturePacer`). */
export type PacedCapture = (windowId: number) => Promise<string>;

/** How many times a frame is taken again while it still shows the page as it was before the scroll. */
const STALE_RETRIES = 3;

export function chromeFullPage(capture: PacedCapture): CaptureFullPage {
  return async (tab) => {
    const state = await inPage(tab.id, measurePage, []);
    const size = pictureSize(state);
    const offsets = frameOffsets(size.cssHeight, state.viewportHeight);
    // A frame's rows and columns past the viewport are scrollbars, not page.
    const viewportRows = Math.round(state.viewportHeight * state.dpr);
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d');
    if (!context) throw new CaptureError(t('notify_fullPageUnreadable'));
    let drawnRows = 0;
    const take = async () => {
      // captureVisibleTab takes whatever tab is in front: never another page than the one asked for.
      if (!(await browser.tabs.get(tab.id)).active) throw new CaptureError(t('notify_fullPageTabLeft'));
      return capture(tab.windowId).catch((err: Error) => {
        throw new CaptureError(t('notify_screenshotRefused', { reason: err.message }));
      });
    };
    // What the screen showed before the last scroll. Chrome copies the last frame the compositor presented,
    // which on a busy machine can still be the one before the scroll even after the page painted twice:
    // a capture equal to it is taken again (a page that truly looks the same twice costs a few retries).
    let previous: string | null = state.scrollY === 0 && state.scrollX === 0 ? null : await take();
    try {
      for (const [index, y] of offsets.entries()) {
        const scrolledTo = await inPage(tab.id, scrollAndPaint, [y, index === 1]);
        let dataUrl = await take();
        for (let retry = 0; retry < STALE_RETRIES && dataUrl === previous; retry++) {
          await inPage(tab.id, scrollAndPaint, [scrolledTo, false]);
          dataUrl = await take();
        }
        previous = dataUrl;
        const frame = await createImageBitmap(new Blob([decodeDataUrl(dataUrl).bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
        try {
          const place = placeFrame({ scrolledTo, dpr: state.dpr, frameRows: Math.min(frame.height, viewportRows), drawnRows, pictureRows: size.height });
          if (place) {
            const columns = Math.min(frame.width, size.width);
            context.drawImage(frame, 0, place.sourceY, columns, place.rows, 0, place.destY, columns, place.rows);
            drawnRows = place.destY + place.rows;
          }
        } finally {
          frame.close();
        }
      }
    } finally {
      await inPage(tab.id, restorePage, [state.scrollX, state.scrollY]).catch(() => {});
    }
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return {
      bytes: new Uint8Array(await blob.arrayBuffer()),
      width: size.width,
      height: size.height,
      capped: size.capped,
      cssHeight: size.cssHeight,
      pageHeight: state.scrollHeight,
    };
  };
}
