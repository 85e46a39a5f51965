/**
 * Planning a full-page capture, with no browser API: how tall the picture may
 * be, where to scroll for each frame, where each frame lands in the picture,
 * and how fast Chrome lets frames be taken. The browser-specific modules
 * (`full-page-chrome.ts`, `full-page-firefox.ts`) only carry these plans out.
 */

/**
 * The tallest (and widest) picture made, in device pixels. Chrome and Firefox
 * both draw a canvas this size; past it Chrome's canvas silently stays blank
 * and Firefox's `captureTab` fails, so a longer page is cut here and the
 * notification says so.
 */
export const MAX_PICTURE_SIDE = 16384;

/** What the page says about itself, read inside it. All CSS pixels except `dpr`. */
export interface PageMetrics {
  scrollHeight: number;
  scrollWidth: number;
  /** The visible part of the page (the layout viewport, less scrollbars). */
  viewportWidth: number;
  viewportHeight: number;
  /** `devicePixelRatio`: device pixels per CSS pixel. */
  dpr: number;
}

export interface PictureSize {
  /** The part of the page captured, in CSS pixels: the whole page, or its top when capped. */
  cssWidth: number;
  cssHeight: number;
  /** The picture, in device pixels. */
  width: number;
  height: number;
  /** Whether the page was taller than a picture may be, so only its top is captured. */
  capped: boolean;
}

/** The picture's size for this page: the page's scroll size × DPR, cut to `maxSide` device pixels. */
export function pictureSize(page: PageMetrics, maxSide = MAX_PICTURE_SIDE): PictureSize {
  const dpr = page.dpr > 0 && Number.isFinite(page.dpr) ? page.dpr : 1;
  const fullHeight = Math.max(1, Math.ceil(page.scrollHeight), Math.ceil(page.viewportHeight));
  const fullWidth = Math.max(1, Math.ceil(page.viewportWidth));
  // The largest CSS length whose device length still fits.
  const maxCss = Math.floor(maxSide / dpr);
  const cssHeight = Math.min(fullHeight, maxCss);
  const cssWidth = Math.min(fullWidth, maxCss);
  return {
    cssWidth,
    cssHeight,
    width: Math.min(maxSide, Math.round(cssWidth * dpr)),
    height: Math.min(maxSide, Math.round(cssHeight * dpr)),
    capped: fullHeight > cssHeight,
  };
}

/**
 * Where to scroll for each frame of a scroll-and-stitch capture, in CSS
 * pixels: one viewport apart, the last one scrolled only as far as the
 * captured part ends, so it overlaps the one before it instead of running
 * past the page (the browser would clamp it there anyway).
 */
export function frameOffsets(cssHeight: number, viewportHeight: number): number[] {
  const step = Math.max(1, Math.floor(viewportHeight));
  const offsets: number[] = [];
  for (let y = 0; y + step < cssHeight; y += step) offsets.push(y);
  offsets.push(Math.max(0, cssHeight - step));
  // A page no taller than the viewport gives [0, 0]: one frame.
  return [...new Set(offsets)];
}

/** Which rows of a frame to draw, and where: source top and destination top, both in device pixels, and how many rows. */
export interface FramePlacement {
  sourceY: number;
  destY: number;
  rows: number;
}

/**
 * Where a frame goes in the picture, from where the page really scrolled to
 * (read back, not assumed). Rows already drawn by earlier frames are skipped,
 * so the last frame's overlap is not drawn twice, and rows past the
 * picture's end are cut. `null` when the frame adds nothing.
 */
export function placeFrame(input: {
  /** `scrollY` read back after scrolling, in CSS pixels. */
  scrolledTo: number;
  dpr: number;
  /** The frame's height in device pixels (the captured image's). */
  frameRows: number;
  /** Rows of the picture already drawn, from the top. */
  drawnRows: number;
  /** The picture's height in device pixels. */
  pictureRows: number;
}): FramePlacement | null {
  const top = Math.round(input.scrolledTo * input.dpr);
  const destY = Math.max(top, input.drawnRows);
  const end = Math.min(top + input.frameRows, input.pictureRows);
  if (end <= destY) return null;
  return { sourceY: destY - top, destY, rows: end - destY };
}

/** Chrome's `MAX_CAPTURE_VISIBLE_TAB_CALLS_PER_SECOND`: more within a second fail with a quota error. */
export const CHROME_CAPTURES_PER_SECOND = 2;

export interface PacerClock {
  now(): number;
  /** Resolves after `ms` milliseconds. */
  wait(ms: number): Promise<void>;
}

/**
 * Runs captures one at a time, at most `perWindow` within any `windowMs`.
 * Chrome counts a call when it starts; the pacer counts from when the call
 * it waits on ended, which is later, so its count is never behind Chrome's.
 * `marginMs` covers the two clocks ticking apart.
 */
export function capturePacer(clock: PacerClock, options: { perWindow?: number; windowMs?: number; marginMs?: number } = {}) {
  const perWindow = options.perWindow ?? CHROME_CAPTURES_PER_SECOND;
  const windowMs = options.windowMs ?? 1000;
  const marginMs = options.marginMs ?? 20;
  /** When each of the last `perWindow` captures ended. */
  const ended: number[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run<T>(capture: () => Promise<T>): Promise<T> {
      const turn = queue.then(async () => {
        if (ended.length >= perWindow) {
          const readyAt = ended[ended.length - perWindow]! + windowMs + marginMs;
          const wait = readyAt - clock.now();
          if (wait > 0) await clock.wait(wait);
        }
        try {
          return await capture();
        } finally {
          ended.push(clock.now());
          if (ended.length > perWindow) ended.shift();
        }
      });
      queue = turn.catch(() => {});
      return turn;
    },
  };
}
