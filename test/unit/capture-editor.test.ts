import { describe, expect, it } from 'vitest';
import { arrowHead, dragRect, fitScale, isArrow, markSize, toPicture, toShown, type View } from '../../src/editor/geometry';
import { EMPTY_HISTORY, keptArea, labelText, MAX_LABEL_LENGTH, push, redo, toolForKey, TOOLS, undo, type Operation } from '../../src/editor/operations';
import { blockEdges, pixelate, pixelBlockSize, type Pixels } from '../../src/editor/pixelate';

const redactA: Operation = { tool: 'redact', rect: { x: 1, y: 2, w: 3, h: 4 } };
const redactB: Operation = { tool: 'redact', rect: { x: 10, y: 20, w: 30, h: 40 } };
const crop: Operation = { tool: 'crop', rect: { x: 5, y: 5, w: 100, h: 50 } };

describe('edit history', () => {
  it('undoes the last operation and redoes it, in order', () => {
    let h = push(push(EMPTY_HISTORY, redactA), redactB);
    h = undo(h);
    expect(h).toEqual({ done: [redactA], undone: [redactB] });
    h = undo(h);
    expect(h).toEqual({ done: [], undone: [redactB, redactA] });
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h).toEqual({ done: [redactA], undone: [redactB] });
    h = redo(redo(h));
    expect(h).toEqual({ done: [redactA, redactB], undone: [] });
  });

  it('forgets what was undone once something new is done', () => {
    const h = push(undo(push(push(EMPTY_HISTORY, redactA), redactB)), crop);
    expect(h).toEqual({ done: [redactA, crop], undone: [] });
    expect(redo(h)).toBe(h);
  });

  it('keeps the last crop, or the whole picture without one', () => {
    expect(keptArea([redactA], { width: 640, height: 480 })).toEqual({ x: 0, y: 0, w: 640, h: 480 });
    const smaller: Operation = { tool: 'crop', rect: { x: 10, y: 10, w: 20, h: 20 } };
    expect(keptArea([crop, redactA, smaller, redactB], { width: 640, height: 480 })).toEqual(smaller.rect);
    expect(keptArea(undo(push({ done: [crop], undone: [] }, smaller)).done, { width: 640, height: 480 })).toEqual(crop.rect);
  });

  it('picks each tool by its own letter, in either case, and no two tools share one', () => {
    expect(toolForKey('R')).toBe('redact');
    expect(toolForKey('p')).toBe('pixelate');
    expect(toolForKey('c')).toBe('crop');
    expect(toolForKey('z')).toBeNull();
    expect(new Set(TOOLS.map((t) => t.key)).size).toBe(TOOLS.length);
  });

  it('takes a short label, trimmed, and refuses a blank or long one', () => {
    expect(labelText('  Bug here ')).toBe('Bug here');
    expect(labelText('   ')).toBeNull();
    expect(labelText('x'.repeat(MAX_LABEL_LENGTH + 1))).toBeNull();
  });
});

describe('between the shown picture and its real pixels', () => {
  // A 2560×1600 capture shown at half size, cropped to start at (100, 40).
  const view: View = { area: { x: 100, y: 40, w: 2000, h: 1000 }, scale: 0.5 };

  it('maps a shown point to the real pixel and back', () => {
    expect(toPicture(view, { x: 50, y: 10 })).toEqual({ x: 200, y: 60 });
    expect(toShown(view, { x: 200, y: 60 })).toEqual({ x: 50, y: 10 });
  });

  it('turns a drag, either way round, into whole pixels covering everything it touched, inside the area', () => {
    expect(dragRect({ x: 310.6, y: 90.2 }, { x: 200.4, y: 50.9 }, view.area)).toEqual({ x: 200, y: 50, w: 111, h: 41 });
    // Past the area's edges: cut to them.
    expect(dragRect({ x: 0, y: 0 }, { x: 5000, y: 5000 }, view.area)).toEqual(view.area);
    // A click is not a rectangle.
    expect(dragRect({ x: 300, y: 300 }, { x: 300.5, y: 301 }, view.area)).toBeNull();
  });

  it('scales to fit the box and never enlarges', () => {
    expect(fitScale({ w: 2560, h: 1600 }, { width: 1280, height: 1000 })).toBe(0.5);
    expect(fitScale({ w: 2560, h: 1600 }, { width: 2000, height: 400 })).toBe(0.25);
    expect(fitScale({ w: 300, h: 200 }, { width: 1280, height: 800 })).toBe(1);
  });

  it('sizes marks to the picture, with a floor', () => {
    expect(markSize({ w: 2560, h: 1600 }, 0.004, 3)).toBe(10);
    expect(markSize({ w: 200, h: 100 }, 0.004, 3)).toBe(3);
  });

  it('draws an arrow head behind the tip, symmetric about the shaft; a click is no arrow', () => {
    const [left, right] = arrowHead({ x: 0, y: 0 }, { x: 100, y: 0 }, 20);
    expect(left.x).toBeCloseTo(right.x);
    expect(left.x).toBeLessThan(100);
    expect(left.y).toBeCloseTo(-right.y);
    expect(isArrow({ x: 0, y: 0 }, { x: 2, y: 2 })).toBe(false);
    expect(isArrow({ x: 0, y: 0 }, { x: 10, y: 0 })).toBe(true);
  });
});

/** An RGBA picture whose pixels are given by `colour(x, y)`. */
function picture(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  return { width, height, data };
}
const at = (p: Pixels, x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));

describe('pixelate', () => {
  it('splits a length into even blocks with no sliver at the end', () => {
    expect(blockEdges(40, 10)).toEqual([0, 10, 20, 30, 40]);
    expect(blockEdges(41, 10)).toEqual([0, 10, 21, 31, 41]);
    expect(blockEdges(3, 10)).toEqual([0, 3]);
    const widths = (edges: number[]) => edges.slice(1).map((e, i) => e - edges[i]!);
    for (const length of [17, 99, 1001]) expect(Math.min(...widths(blockEdges(length, 12)))).toBeGreaterThanOrEqual(6);
  });

  it('gives every block its mean colour, so no pixel of a fine checkerboard keeps its own value', () => {
    const red: [number, number, number] = [255, 0, 0];
    const blue: [number, number, number] = [0, 0, 255];
    const p = picture(64, 48, (x, y) => ((Math.floor(x / 2) + Math.floor(y / 2)) % 2 ? red : blue));
    pixelate(p, { x: 3, y: 5, w: 37, h: 29 }, 8);
    const inside: string[] = [];
    for (let y = 5; y < 34; y++) for (let x = 3; x < 40; x++) inside.push(at(p, x, y).join());
    expect(inside).not.toContain([...red, 255].join());
    expect(inside).not.toContain([...blue, 255].join());
    // Each block is one colour: about half red and half blue.
    const [r, g, b] = at(p, 3, 5);
    expect(g).toBe(0);
    expect(r! + b!).toBe(255);
    expect(Math.abs(r! - b!)).toBeLessThan(80);
  });

  it('computes the mean exactly, and leaves every pixel outside the rectangle as it was', () => {
    // A gradient: columns 0..9 have red 0, 10, …, 90.
    const p = picture(10, 4, (x) => [x * 10, 100, 200]);
    const before = p.data.slice();
    pixelate(p, { x: 2, y: 1, w: 4, h: 2 }, 4);
    // One block over columns 2–5: red (20+30+40+50)/4 = 35.
    for (let y = 1; y < 3; y++) for (let x = 2; x < 6; x++) expect(at(p, x, y)).toEqual([35, 100, 200, 255]);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 10; x++) {
        if (y >= 1 && y < 3 && x >= 2 && x < 6) continue;
        expect(at(p, x, y)).toEqual(Array.from(before.subarray((y * 10 + x) * 4, (y * 10 + x) * 4 + 4)));
      }
  });

  it('keeps to the picture when the rectangle runs past it', () => {
    const p = picture(8, 8, () => [10, 20, 30]);
    pixelate(p, { x: 6, y: 6, w: 10, h: 10 }, 4);
    expect(at(p, 7, 7)).toEqual([10, 20, 30, 255]);
  });

  it('makes blocks larger on larger pictures', () => {
    expect(pixelBlockSize({ width: 640, height: 400 })).toBe(8);
    expect(pixelBlockSize({ width: 2560, height: 1600 })).toBe(26);
  });
});
