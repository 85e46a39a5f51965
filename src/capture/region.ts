/**
 * A region capture: the user drags a rectangle on an overlay in the page
 * (region-in-page.ts), then the background takes that part of the tab at the
 * device pixel ratio. Taking it differs by browser, one module each: Chrome
 * crops a `captureVisibleTab` (region-chrome.ts), Firefox asks `captureTab`
 * for the rectangle itself (region-firefox.ts). The result is a PNG and its
 * size, or `null` when the user cancelled; uploading it is the caller's step,
 * so the same picture can go to an editor first.
 */
import { t } from '../i18n/t';
import { CaptureError, inPage } from './full-page';
import { OVERLAY_TIMEOUT_MS, regionOverlay, type RegionSelection } from './region-in-page';
import { regionPlan } from './region-plan';

export interface RegionPicture {
  /** A PNG. */
  bytes: Uint8Array;
  width: number;
  height: number;
}

export type CaptureTab = { id: number; windowId: number };

/** Takes the selected part of the tab: the browser-specific step. */
export type GrabRegion = (tab: CaptureTab, selection: RegionSelection) => Promise<RegionPicture>;

export type CaptureRegion = (tab: CaptureTab) => Promise<RegionPicture | null>;

/** Shows the overlay in the tab's top frame and waits for the user's rectangle; `null` when they cancel. */
export async function pickRegion(tabId: number): Promise<RegionSelection | null> {
  const unreadable = t('notify_regionUnavailable');
  await inPage(tabId, regionPlan, [true], unreadable);
  const texts = {
    title: t('region_title'),
    hint: t('region_hint'),
    // The numbers change as the user drags: the overlay puts them in.
    size: t('region_size', { width: '{width}', height: '{height}' }),
    save: t('region_save'),
    cancel: t('region_cancel'),
  };
  return inPage(tabId, regionOverlay, [texts, OVERLAY_TIMEOUT_MS], unreadable);
}

/** The overlay, then the browser's way of taking the rectangle. */
export function regionCapture(grab: GrabRegion): CaptureRegion {
  return async (tab) => {
    const selection = await pickRegion(tab.id);
    if (!selection) return null;
    // The page's answer is checked, not trusted: a rectangle too small to see is no picture.
    if (!regionPlan().bigEnough(selection)) throw new CaptureError(t('notify_regionUnavailable'));
    return grab(tab, selection);
  };
}
