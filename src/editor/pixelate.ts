import type { Rect } from './operations';

/** RGBA pixels, row by row: what a canvas's `getImageData` gives (and `putImageData` takes). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * Edges of `count` blocks over `length` pixels, as even as whole pixels allow.
 * No sliver is left at the end: a one-pixel block would keep its pixel's own
 * colour, which is what pixelating must not do.
 */
export function blockEdges(length: number, blockSize: number): number[] {
  const count = Math.max(1, Math.round(length / Math.max(1, blockSize)));
  const edges: number[] = [];
  for (let i = 0; i <= count; i++) edges.push(Math.round((i * length) / count));
  return edges;
}

/**
 * The block size for a picture: in proportion to it, so a high-density
 * capture is as unreadable as a plain one. Text a dozen pixels high becomes
 * one or two blocks.
 */
export function pixelBlockSize(picture: { width: number; height: number }): number {
  return Math.max(8, Math.round(Math.max(picture.width, picture.height) / 100));
}

/**
 * Replaces each block of `rect` (in `pixels`) by the mean of its own pixels,
 * in place. Destructive: nothing of the pixels inside a block is left but
 * their mean. Alpha is averaged too (a capture is opaque anyway).
 */
export function pixelate(pixels: Pixels, rect: Rect, blockSize: number): void {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(pixels.width, rect.x + rect.w);
  const y1 = Math.min(pixels.height, rect.y + rect.h);
  if (x1 <= x0 || y1 <= y0) return;
  const xs = blockEdges(x1 - x0, blockSize).map((e) => e + x0);
  const ys = blockEdges(y1 - y0, blockSize).map((e) => e + y0);
  const { data, width } = pixels;
  for (let by = 0; by < ys.length - 1; by++) {
    for (let bx = 0; bx < xs.length - 1; bx++) {
      const [left, right, top, bottom] = [xs[bx]!, xs[bx + 1]!, ys[by]!, ys[by + 1]!];
      const sum = [0, 0, 0, 0];
      for (let y = top; y < bottom; y++)
        for (let x = left; x < right; x++) {
          const at = (y * width + x) * 4;
          for (let c = 0; c < 4; c++) sum[c]! += data[at + c]!;
        }
      const n = (right - left) * (bottom - top);
      const mean = sum.map((s) => Math.round(s / n));
      for (let y = top; y < bottom; y++)
        for (let x = left; x < right; x++) {
          const at = (y * width + x) * 4;
          for (let c = 0; c < 4; c++) data[at + c] = mean[c]!;
        }
    }
  }
}
