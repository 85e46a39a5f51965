/**
 * The arithmetic of a region capture, with no browser API: the rectangle from
 * a drag, kept inside the viewport; moved by the arrow keys; big enough to
 * save or not; and, in the background, the same rectangle in the captured
 * image's device pixels.
 *
 * The overlay in the page needs the same rules while the user drags, and a
 * function the browser runs in a page cannot import anything. So everything
 * lives in one self-contained function: Node and the background call
 * `regionPlan()` for the helpers; the background also injects it into the
 * page with `install = true`, which puts them on the extension's isolated
 * world global, where the overlay (region-in-page.ts) finds them and the
 * page's own scripts cannot reach them.
 */

/** A rectangle in CSS pixels of the viewport (or device pixels of an image, for `toDevice`). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface RegionPlan {
  /** The smallest side, in CSS pixels, a region may have: a click without a drag selects nothing. */
  minSide: number;
  /** The rectangle between where a drag started and where the pointer is, either way round, inside the viewport, on whole CSS pixels. */
  fromPoints(start: Point, end: Point, viewport: Size): Rect;
  /** The rectangle cut to the viewport, on whole CSS pixels. */
  clamp(rect: Rect, viewport: Size): Rect;
  /** The rectangle moved by `dx`, `dy`, its size kept, stopped at the viewport's edges. */
  nudge(rect: Rect, dx: number, dy: number, viewport: Size): Rect;
  /** Whether the rectangle is big enough to save. */
  bigEnough(rect: Rect | null): rect is Rect;
  /**
   * The rectangle in the device pixels of an image of the viewport taken at
   * `dpr`: each edge rounded on its own (so two regions side by side share
   * their seam), cut to the image. `null` when nothing is left.
   */
  toDevice(rect: Rect, dpr: number, image: Size): Rect | null;
}

/** Where `regionPlan(true)` puts the helpers in the page's isolated world. */
export const PLAN_GLOBAL = '__s3dropRegionPlan';

export function regionPlan(): RegionPlan;
export function regionPlan(install: true): void;
export function regionPlan(install = false): RegionPlan | void {
  // Everything below uses only its arguments and Math: the browser serialises this function's text.
  const minSide = 4;
  const within = (value: number, low: number, high: number) => Math.min(Math.max(value, low), Math.max(low, high));
  const whole = (value: number) => (Number.isFinite(value) ? Math.round(value) : 0);
  const clamp = (rect: Rect, viewport: Size): Rect => {
    const vw = Math.max(0, Math.floor(viewport.width));
    const vh = Math.max(0, Math.floor(viewport.height));
    const left = within(whole(rect.x), 0, vw);
    const top = within(whole(rect.y), 0, vh);
    const right = within(whole(rect.x + rect.width), left, vw);
    const bottom = within(whole(rect.y + rect.height), top, vh);
    return { x: left, y: top, width: right - left, height: bottom - top };
  };
  const plan: RegionPlan = {
    minSide,
    fromPoints(start, end, viewport) {
      const x = Math.min(start.x, end.x);
      const y = Math.min(start.y, end.y);
      return clamp({ x, y, width: Math.max(start.x, end.x) - x, height: Math.max(start.y, end.y) - y }, viewport);
    },
    clamp,
    nudge(rect, dx, dy, viewport) {
      const inside = clamp(rect, viewport);
      return {
        x: within(inside.x + whole(dx), 0, Math.floor(viewport.width) - inside.width),
        y: within(inside.y + whole(dy), 0, Math.floor(viewport.height) - inside.height),
        width: inside.width,
        height: inside.height,
      };
    },
    bigEnough(rect): rect is Rect {
      return !!rect && rect.width >= minSide && rect.height >= minSide;
    },
    toDevice(rect, dpr, image) {
      const scale = dpr > 0 && Number.isFinite(dpr) ? dpr : 1;
      const left = within(Math.round(rect.x * scale), 0, image.width);
      const top = within(Math.round(rect.y * scale), 0, image.height);
      const right = within(Math.round((rect.x + rect.width) * scale), left, image.width);
      const bottom = within(Math.round((rect.y + rect.height) * scale), top, image.height);
      if (right - left < 1 || bottom - top < 1) return null;
      return { x: left, y: top, width: right - left, height: bottom - top };
    },
  };
  if (!install) return plan;
  (globalThis as Record<string, unknown>)['__s3dropRegionPlan'] = plan;
}
