/**
 * Chrome's region capture: `tabs.captureVisibleTab` takes the whole viewport
 * (at Chrome's pace, shared with every other capture), and the selected
 * rectangle, scaled to device pixels, is cut out of it on an
 * `OffscreenCanvas`, which the service worker has.
 */
import { browser } from 'wxt/browser';
import { t } from '../i18n/t';
import { decodeDataUrl } from './image-source';
import { CaptureError } from './full-page';
import type { PacedCapture } from './full-page-chrome';
import { regionPlan } from './region-plan';
import type { GrabRegion } from './region';

export function chromeRegion(capture: PacedCapture): GrabRegion {
  return async (tab, selection) => {
    // captureVisibleTab takes whatever tab is in front: never another page than the one the region was drawn on.
    if (!(await browser.tabs.get(tab.id)).active) throw new CaptureError(t('notify_fullPageTabLeft'));
    const dataUrl = await capture(tab.windowId).catch((err: Error) => {
      throw new CaptureError(t('notify_screenshotRefused', { reason: err.message }));
    });
    const frame = await createImageBitmap(new Blob([decodeDataUrl(dataUrl).bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    try {
      const area = regionPlan().toDevice(selection, selection.dpr, { width: frame.width, height: frame.height });
      if (!area) throw new CaptureError(t('notify_regionUnavailable'));
      const canvas = new OffscreenCanvas(area.width, area.height);
      const context = canvas.getContext('2d');
      if (!context) throw new CaptureError(t('notify_regionUnavailable'));
      context.drawImage(frame, area.x, area.y, area.width, area.height, 0, 0, area.width, area.height);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return { bytes: new Uint8Array(await blob.arrayBuffer()), width: area.width, height: area.height };
    } finally {
      frame.close();
    }
  };
}
