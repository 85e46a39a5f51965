/**
 * Draws the editor's operations on a canvas, in the picture's real pixels.
 * The export is one canvas with everything drawn into its pixels: a redaction
 * or a pixelated area has nothing left underneath.
 */
import { arrowHead, markSize } from '../../editor/geometry';
import type { Operation, Point, Rect, Tool } from '../../editor/operations';
import { pixelate, pixelBlockSize } from '../../editor/pixelate';

/** Opaque: a redaction must hide, not tint. */
export const REDACT_COLOUR = '#000000';
const HIGHLIGHT_COLOUR = '#ffb000';
const ARROW_COLOUR = '#e5243b';
const LABEL_BACKGROUND = '#b3123a';
const LABEL_TEXT = '#ffffff';

type Size = { width: number; height: number };

/** Line widths and text size for a picture of this size, so marks read the same on any capture. */
function marks(size: Size) {
  const area = { w: size.width, h: size.height };
  const line = markSize(area, 0.003, 3);
  return { line, head: line * 5, font: markSize(area, 0.013, 14) };
}

function drawArrow(ctx: CanvasRenderingContext2D, from: Point, to: Point, size: Size): void {
  const { line, head } = marks(size);
  const [left, right] = arrowHead(from, to, head);
  // The shaft stops inside the head, so its square end does not show past the tip.
  const back = { x: (left.x + right.x) / 2, y: (left.y + right.y) / 2 };
  ctx.strokeStyle = ARROW_COLOUR;
  ctx.fillStyle = ARROW_COLOUR;
  ctx.lineWidth = line;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(back.x, back.y);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(left.x, left.y);
  ctx.lineTo(right.x, right.y);
  ctx.closePath();
  ctx.fill();
}

function drawLabel(ctx: CanvasRenderingContext2D, at: Point, text: string, size: Size): void {
  const { font } = marks(size);
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const pad = Math.round(font * 0.35);
  const width = ctx.measureText(text).width;
  ctx.fillStyle = LABEL_BACKGROUND;
  ctx.fillRect(at.x, at.y, width + 2 * pad, font + 2 * pad);
  ctx.fillStyle = LABEL_TEXT;
  ctx.fillText(text, at.x + pad, at.y + pad);
}

function drawHighlight(ctx: CanvasRenderingContext2D, rect: Rect, size: Size): void {
  const { line } = marks(size);
  ctx.strokeStyle = HIGHLIGHT_COLOUR;
  ctx.lineWidth = line;
  // Inside the rectangle: what was dragged around stays visible.
  ctx.strokeRect(rect.x + line / 2, rect.y + line / 2, Math.max(0, rect.w - line), Math.max(0, rect.h - line));
}

/** Draws one operation (a crop draws nothing: it only says what is kept). */
export function drawOperation(ctx: CanvasRenderingContext2D, op: Operation, size: Size): void {
  switch (op.tool) {
    case 'redact':
      ctx.fillStyle = REDACT_COLOUR;
      ctx.fillRect(op.rect.x, op.rect.y, op.rect.w, op.rect.h);
      return;
    case 'pixelate': {
      const { x, y, w, h } = op.rect;
      const image = ctx.getImageData(x, y, w, h);
      pixelate(image, { x: 0, y: 0, w: image.width, h: image.height }, pixelBlockSize(size));
      ctx.putImageData(image, x, y);
      return;
    }
    case 'highlight':
      return drawHighlight(ctx, op.rect, size);
    case 'arrow':
      return drawArrow(ctx, op.from, op.to, size);
    case 'text':
      return drawLabel(ctx, op.at, op.text, size);
    case 'crop':
      return;
  }
}

/** The picture with every operation drawn into its pixels, in order. */
export function compose(target: HTMLCanvasElement, picture: ImageBitmap, ops: readonly Operation[]): void {
  target.width = picture.width;
  target.height = picture.height;
  // Pixelating reads pixels back: a canvas kept in memory does that fast.
  const ctx = target.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(picture, 0, 0);
  for (const op of ops) drawOperation(ctx, op, picture);
}

/**
 * What a drag under way will do, on the shown canvas (already offset to the
 * kept area): redactions, highlights and arrows as they will be; a crop or a
 * pixelation as a dashed outline (`scale`: shown pixels per real pixel, so
 * the outline is two screen pixels wide whatever the zoom).
 */
export function drawPreview(ctx: CanvasRenderingContext2D, tool: Tool, rect: Rect | null, from: Point, to: Point, size: Size, scale: number): void {
  if (tool === 'arrow') return drawArrow(ctx, from, to, size);
  if (!rect) return;
  if (tool === 'redact' || tool === 'highlight') return drawOperation(ctx, { tool, rect }, size);
  ctx.save();
  ctx.setLineDash([6 / scale, 4 / scale]);
  ctx.lineWidth = 2 / scale;
  ctx.strokeStyle = '#0b61c4';
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
  ctx.restore();
}

/** The kept area of the composed picture, as the PNG that goes up. */
export function exportPng(composed: HTMLCanvasElement, area: Rect): Promise<Blob> {
  const out = document.createElement('canvas');
  out.width = area.w;
  out.height = area.h;
  out.getContext('2d')!.drawImage(composed, area.x, area.y, area.w, area.h, 0, 0, area.w, area.h);
  return new Promise((resolve, reject) => out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no PNG'))), 'image/png'));
}
