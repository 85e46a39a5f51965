import { afterEach, describe, expect, it } from 'vitest';
import { PLAN_GLOBAL, regionPlan, type RegionPlan } from '../../src/capture/region-plan';

const plan = regionPlan();
const viewport = { width: 1280, height: 800 };

describe('fromPoints', () => {
  it('is the rectangle between the two points, whichever way the drag went', () => {
    const expected = { x: 100, y: 50, width: 300, height: 200 };
    expect(plan.fromPoints({ x: 100, y: 50 }, { x: 400, y: 250 }, viewport)).toEqual(expected);
    expect(plan.fromPoints({ x: 400, y: 250 }, { x: 100, y: 50 }, viewport)).toEqual(expected);
    expect(plan.fromPoints({ x: 400, y: 50 }, { x: 100, y: 250 }, viewport)).toEqual(expected);
    expect(plan.fromPoints({ x: 100, y: 250 }, { x: 400, y: 50 }, viewport)).toEqual(expected);
  });

  it('stops at the viewport’s edges when the pointer leaves it', () => {
    expect(plan.fromPoints({ x: 1200, y: 700 }, { x: 1500, y: 950 }, viewport)).toEqual({ x: 1200, y: 700, width: 80, height: 100 });
    expect(plan.fromPoints({ x: 30, y: 20 }, { x: -40, y: -10 }, viewport)).toEqual({ x: 0, y: 0, width: 30, height: 20 });
  });

  it('lands on whole CSS pixels (pointer positions are fractional on HiDPI screens)', () => {
    expect(plan.fromPoints({ x: 10.4, y: 10.6 }, { x: 110.5, y: 60.2 }, viewport)).toEqual({ x: 10, y: 11, width: 101, height: 49 });
  });

  it('a click without a drag is an empty rectangle, not big enough', () => {
    const dot = plan.fromPoints({ x: 500, y: 300 }, { x: 500, y: 300 }, viewport);
    expect(dot).toEqual({ x: 500, y: 300, width: 0, height: 0 });
    expect(plan.bigEnough(dot)).toBe(false);
  });
});

describe('clamp', () => {
  it('cuts a rectangle to the viewport and keeps one inside as it is', () => {
    expect(plan.clamp({ x: -20, y: 780, width: 100, height: 100 }, viewport)).toEqual({ x: 0, y: 780, width: 80, height: 20 });
    expect(plan.clamp({ x: 5, y: 6, width: 7, height: 8 }, viewport)).toEqual({ x: 5, y: 6, width: 7, height: 8 });
  });

  it('a rectangle wholly outside is empty; a non-number is 0', () => {
    expect(plan.clamp({ x: 2000, y: 10, width: 50, height: 50 }, viewport)).toEqual({ x: 1280, y: 10, width: 0, height: 50 });
    expect(plan.clamp({ x: Number.NaN, y: 0, width: 10, height: Infinity }, viewport)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});

describe('nudge', () => {
  const rect = { x: 100, y: 100, width: 200, height: 150 };

  it('moves by the step, keeping the size', () => {
    expect(plan.nudge(rect, 1, 0, viewport)).toEqual({ x: 101, y: 100, width: 200, height: 150 });
    expect(plan.nudge(rect, 0, -10, viewport)).toEqual({ x: 100, y: 90, width: 200, height: 150 });
  });

  it('stops at each edge without shrinking', () => {
    expect(plan.nudge(rect, -500, 0, viewport)).toEqual({ x: 0, y: 100, width: 200, height: 150 });
    expect(plan.nudge(rect, 5000, 5000, viewport)).toEqual({ x: 1080, y: 650, width: 200, height: 150 });
    expect(plan.nudge({ x: 0, y: 0, width: 1280, height: 800 }, 10, 10, viewport)).toEqual({ x: 0, y: 0, width: 1280, height: 800 });
  });
});

describe('bigEnough', () => {
  it(`wants both sides at least ${plan.minSide} CSS pixels`, () => {
    expect(plan.minSide).toBe(4);
    expect(plan.bigEnough({ x: 0, y: 0, width: 4, height: 4 })).toBe(true);
    expect(plan.bigEnough({ x: 0, y: 0, width: 3, height: 400 })).toBe(false);
    expect(plan.bigEnough({ x: 0, y: 0, width: 400, height: 3 })).toBe(false);
    expect(plan.bigEnough(null)).toBe(false);
  });
});

describe('toDevice', () => {
  it('at DPR 1 is the rectangle itself', () => {
    expect(plan.toDevice({ x: 10, y: 20, width: 30, height: 40 }, 1, { width: 1280, height: 800 })).toEqual({ x: 10, y: 20, width: 30, height: 40 });
  });

  it('at DPR 2 doubles every edge', () => {
    expect(plan.toDevice({ x: 120, y: 100, width: 240, height: 160 }, 2, { width: 2560, height: 1600 })).toEqual({ x: 240, y: 200, width: 480, height: 320 });
  });

  it('at a fractional DPR rounds each edge, so regions side by side share their seam', () => {
    const image = { width: 1920, height: 1200 };
    const left = plan.toDevice({ x: 0, y: 0, width: 101, height: 10 }, 1.5, image)!;
    const right = plan.toDevice({ x: 101, y: 0, width: 101, height: 10 }, 1.5, image)!;
    // 101 × 1.5 = 151.5 → 152 for both: the left ends where the right begins.
    expect(left).toEqual({ x: 0, y: 0, width: 152, height: 15 });
    expect(right).toEqual({ x: 152, y: 0, width: 151, height: 15 });
    expect(Math.abs(left.width - 101 * 1.5)).toBeLessThanOrEqual(1);
  });

  it('is cut to the image (a capture can be a pixel short of viewport × DPR)', () => {
    expect(plan.toDevice({ x: 1200, y: 700, width: 80, height: 100 }, 2, { width: 2559, height: 1599 })).toEqual({ x: 2400, y: 1400, width: 159, height: 199 });
  });

  it('is null when nothing of it is in the image', () => {
    expect(plan.toDevice({ x: 2000, y: 0, width: 50, height: 50 }, 1, { width: 1280, height: 800 })).toBeNull();
    expect(plan.toDevice({ x: 0, y: 0, width: 0, height: 50 }, 2, { width: 1280, height: 800 })).toBeNull();
  });

  it('takes a DPR that is not a positive number as 1', () => {
    for (const dpr of [0, -2, Number.NaN, Infinity])
      expect(plan.toDevice({ x: 1, y: 2, width: 3, height: 4 }, dpr, { width: 100, height: 100 })).toEqual({ x: 1, y: 2, width: 3, height: 4 });
  });
});

describe('regionPlan(true), as injected into the page', () => {
  afterEach(() => {
    delete (globalThis as Record<string, unknown>)[PLAN_GLOBAL];
  });

  it('puts the same helpers on the global the overlay reads, and returns nothing to serialise', () => {
    expect(regionPlan(true)).toBeUndefined();
    const installed = (globalThis as Record<string, unknown>)[PLAN_GLOBAL] as RegionPlan;
    expect(Object.keys(installed).sort()).toEqual(Object.keys(plan).sort());
    expect(installed.nudge({ x: 0, y: 0, width: 10, height: 10 }, 10, 0, viewport)).toEqual({ x: 10, y: 0, width: 10, height: 10 });
  });

  it('uses nothing outside its own body: its text alone, evaluated, still works', () => {
    // What the browser does: serialise the function and run it elsewhere.
    const alone = new Function(`return (${regionPlan.toString()})`)() as typeof regionPlan;
    const copy = alone();
    expect(copy.fromPoints({ x: 5, y: 5 }, { x: 1, y: 1 }, viewport)).toEqual({ x: 1, y: 1, width: 4, height: 4 });
    expect(copy.toDevice({ x: 1, y: 1, width: 4, height: 4 }, 2, { width: 100, height: 100 })).toEqual({ x: 2, y: 2, width: 8, height: 8 });
  });
});
