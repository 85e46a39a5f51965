/**
 * Firefox's full-page capture: `tabs.captureTab` draws any rectangle of the
 * page, scrolled into view or not, so the whole page is one call at the
 * page's device pixel ratio. No scrolling, no stitching, and fixed or sticky
 * elements are drawn once, where they are.
 */
import { browser } from 'wxt/browser';
import { t } from '../i18n/t';
import { decodeDataUrl } from './image-source';
import { CaptureError, inPage, type CaptureFullPage } from './full-page';
import { measurePage } from './full-page-in-page';
import { pictureSize } from './full-page-plan';

interface FirefoxTabs {
  captureTab(tabId: number, options: { format: 'png'; rect: { x: number; y: number; width: number; height: number }; scale: number }): Promise<string>;
}

export function firefoxFullPage(): CaptureFullPage {
  return async (tab) => {
    const state = await inPage(tab.id, measurePage, []);
    const size = pictureSize(state);
    const rect = { x: 0, y: 0, width: size.cssWidth, height: size.cssHeight };
    let dataUrl: string;
    try {
      dataUrl = await (browser.tabs as unknown as FirefoxTabs).captureTab(tab.id, { format: 'png', rect, scale: state.dpr });
    } catch (err) {
      throw new CaptureError(t('notify_screenshotRefused', { reason: (err as Error).message }));
    }
    return { bytes: decodeDataUrl(dataUrl).bytes, ...size, pageHeight: state.scrollHeight };
  };
}
