import type { Point, Rect } from './operations';

/**
 * Between what the page shows and the picture's real pixels. The picture is
 * shown scaled to fit (a 2560-pixel capture of a high-density screen in a
 * 1200-pixel-wide window), and cropped to the area kept so far; every
 * operation is stored in real pixels, so the export is exact whatever the
 * window's size.
 */
export interface View {
  /** The area of the picture on show, in real pixels. */
  area: Rect;
  /** Shown pixels per real pixel. */
  scale: number;
}

/** The real pixel under a point of the shown picture (offsets from its top left corner, in CSS pixels). */
export function toPicture(view: View, shown: Point): Point {
  return { x: view.area.x + shown.x / view.scale, y: view.area.y + shown.y / view.scale };
}

/** Where a real pixel is on the shown picture, in CSS pixels from its top left corner. */
export function toShown(view: View, real: Point): Point {
  return { x: (real.x - view.area.x) * view.scale, y: (real.y - view.area.y) * view.scale };
}

/** Keeps a point inside an area (a drag may end outside the picture). */
export function clampPoint(p: Point, area: Rect): Point {
  return { x: Math.min(Math.max(p.x, area.x), area.x + area.w), y: Math.min(Math.max(p.y, area.y), area.y + area.h) };
}

/**
 * The rectangle a drag from `a` to `b` covers, in whole real pixels, inside
 * `area`: every pixel the drag touched, so a redaction never leaves a
 * half-covered pixel at its edge. `null` for a click or a drag of less than
 * two pixels either way (nothing meant).
 */
export function dragRect(a: Point, b: Point, area: Rect): Rect | null {
  const p = clampPoint(a, area);
  const q = clampPoint(b, area);
  const x0 = Math.floor(Math.min(p.x, q.x));
  const y0 = Math.floor(Math.min(p.y, q.y));
  const x1 = Math.ceil(Math.max(p.x, q.x));
  const y1 = Math.ceil(Math.max(p.y, q.y));
  if (x1 - x0 < 2 || y1 - y0 < 2) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** A drag long enough to be an arrow (a click is not one). */
export function isArrow(a: Point, b: Point, minLength = 4): boolean {
  return Math.hypot(b.x - a.x, b.y - a.y) >= minLength;
}

/**
 * How much the picture is scaled to fit a box (never enlarged: a small
 * capture stays sharp at its own size).
 */
export function fitScale(area: { w: number; h: number }, box: { width: number; height: number }): number {
  if (area.w <= 0 || area.h <= 0 || box.width <= 0 || box.height <= 0) return 1;
  return Math.min(1, box.width / area.w, box.height / area.h);
}

/**
 * The line width, arrow head or label size for a picture: in proportion to
 * the area kept, so marks read the same on a small crop and on a whole
 * high-density page. At least `min` real pixels.
 */
export function markSize(area: { w: number; h: number }, fraction: number, min: number): number {
  return Math.max(min, Math.round(Math.max(area.w, area.h) * fraction));
}

/** The arrow head's two back corners, for an arrow from `from` to `to` with a head `size` long. */
export function arrowHead(from: Point, to: Point, size: number): [Point, Point] {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const spread = Math.PI / 7;
  return [
    { x: to.x - size * Math.cos(angle - spread), y: to.y - size * Math.sin(angle - spread) },
    { x: to.x - size * Math.cos(angle + spread), y: to.y - size * Math.sin(angle + spread) },
  ];
}
