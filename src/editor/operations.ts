/**
 * What the capture editor does to a picture, as a list of operations in the
 * picture's own pixels, with undo and redo. No browser API: the page draws
 * the list (src/ui/capture-editor/draw.ts), and the export is that drawing,
 * flattened into one PNG.
 */

/** A point in the picture's real pixels. */
export interface Point {
  x: number;
  y: number;
}

/** A rectangle in the picture's real pixels: whole numbers, never empty. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Tool = 'crop' | 'redact' | 'pixelate' | 'highlight' | 'arrow' | 'text';

/** The tools, in the toolbar's order, each with the letter that picks it. */
export const TOOLS: readonly { tool: Tool; key: string }[] = [
  { tool: 'crop', key: 'c' },
  { tool: 'redact', key: 'r' },
  { tool: 'pixelate', key: 'p' },
  { tool: 'highlight', key: 'h' },
  { tool: 'arrow', key: 'a' },
  { tool: 'text', key: 't' },
];

/** The tool a key picks (case ignored), or `null`. */
export function toolForKey(key: string): Tool | null {
  return TOOLS.find((t) => t.key === key.toLowerCase())?.tool ?? null;
}

/** A label is a short note on the picture, not a paragraph. */
export const MAX_LABEL_LENGTH = 80;

export type Operation =
  /** What is kept: the last crop wins (each crop is drawn inside the area shown when it was made). */
  | { tool: 'crop'; rect: Rect }
  /** An opaque fill: the pixels under it are gone from the export. */
  | { tool: 'redact'; rect: Rect }
  /** Blocks of the area's own mean colours: the pixels under it are gone from the export. */
  | { tool: 'pixelate'; rect: Rect }
  | { tool: 'highlight'; rect: Rect }
  | { tool: 'arrow'; from: Point; to: Point }
  | { tool: 'text'; at: Point; text: string };

/** The operations done, and those undone that Redo can bring back. */
export interface EditHistory {
  done: readonly Operation[];
  undone: readonly Operation[];
}

export const EMPTY_HISTORY: EditHistory = { done: [], undone: [] };

/** A new operation: it is done, and what was undone can no longer be redone. */
export function push(history: EditHistory, op: Operation): EditHistory {
  return { done: [...history.done, op], undone: [] };
}

/** Takes back the last operation (none: unchanged). */
export function undo(history: EditHistory): EditHistory {
  const last = history.done.at(-1);
  if (!last) return history;
  return { done: history.done.slice(0, -1), undone: [...history.undone, last] };
}

/** Does again the last operation undone (none: unchanged). */
export function redo(history: EditHistory): EditHistory {
  const last = history.undone.at(-1);
  if (!last) return history;
  return { done: [...history.done, last], undone: history.undone.slice(0, -1) };
}

/** The area of the picture the export keeps: the last crop, else the whole picture. */
export function keptArea(ops: readonly Operation[], size: { width: number; height: number }): Rect {
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i]!;
    if (op.tool === 'crop') return op.rect;
  }
  return { x: 0, y: 0, w: size.width, h: size.height };
}

/** Whether a label's text can go on the picture: not blank, not longer than a short note. */
export function labelText(text: string): string | null {
  const trimmed = text.trim();
  return trimmed && trimmed.length <= MAX_LABEL_LENGTH ? trimmed : null;
}
