/**
 * Firefox's region capture: `tabs.captureTab` draws exactly the rectangle
 * asked for, in page coordinates, at the scale asked for, so the region is
 * one call at the page's device pixel ratio and nothing is cropped here.
 */
import { browser } from 'wxt/browser';
import { t } from '../i18n/t';
import { decodeDataUrl } from './image-source';
import { CaptureError } from './full-page';
import type { GrabRegion } from './region';

interface FirefoxTabs {
  captureTab(tabId: number, options: { format: 'png'; rect: { x: number; y: number; width: number; height: number }; scale: number }): Promise<string>;
}

export function firefoxRegion(): GrabRegion {
  return async (tab, selection) => {
    const { x, y, width, height, dpr, scrollX, scrollY } = selection;
    let dataUrl: string;
    try {
      dataUrl = await (browser.tabs as unknown as FirefoxTabs).captureTab(tab.id, {
        format: 'png',
        rect: { x: scrollX + x, y: scrollY + y, width, height },
        scale: dpr,
      });
    } catch (err) {
      throw new CaptureError(t('notify_screenshotRefused', { reason: (err as Error).message }));
    }
    const { bytes } = decodeDataUrl(dataUrl);
    // The PNG's own header says what Firefox drew (width and height at bytes 16 and 20).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { bytes, width: view.getUint32(16), height: view.getUint32(20) };
  };
}
