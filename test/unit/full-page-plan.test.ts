import { describe, expect, it } from 'vitest';
import { capturePacer, frameOffsets, MAX_PICTURE_SIDE, pictureSize, placeFrame } from '../../src/capture/full-page-plan';

const page = (over: Partial<Parameters<typeof pictureSize>[0]> = {}) => ({
  scrollHeight: 4000,
  scrollWidth: 1280,
  viewportWidth: 1280,
  viewportHeight: 800,
  dpr: 1,
  ...over,
});

describe('pictureSize', () => {
  it('is the page’s scroll height and the viewport’s width, times the device pixel ratio', () => {
    expect(pictureSize(page())).toEqual({ cssWidth: 1280, cssHeight: 4000, width: 1280, height: 4000, capped: false });
    expect(pictureSize(page({ dpr: 2 }))).toEqual({ cssWidth: 1280, cssHeight: 4000, width: 2560, height: 8000, capped: false });
    expect(pictureSize(page({ dpr: 1.5, scrollHeight: 1001 }))).toMatchObject({ width: 1920, height: 1502, capped: false });
  });

  it('a page shorter than its window is the window’s height', () => {
    expect(pictureSize(page({ scrollHeight: 300 }))).toMatchObject({ cssHeight: 800, height: 800, capped: false });
  });

  it('cuts a page taller than 16384 device pixels, and says so', () => {
    expect(MAX_PICTURE_SIDE).toBe(16384);
    expect(pictureSize(page({ scrollHeight: 16384 }))).toMatchObject({ height: 16384, capped: false });
    expect(pictureSize(page({ scrollHeight: 16385 }))).toMatchObject({ cssHeight: 16384, height: 16384, capped: true });
    expect(pictureSize(page({ scrollHeight: 50_000, dpr: 2 }))).toMatchObject({ cssHeight: 8192, height: 16384, capped: true });
    // 16384 / 3 = 5461.33: 5461 CSS pixels are 16383 device pixels, one more would pass the limit.
    expect(pictureSize(page({ scrollHeight: 9000, dpr: 3 }))).toMatchObject({ cssHeight: 5461, height: 16383, capped: true });
  });

  it('reads a missing or nonsensical ratio as 1', () => {
    expect(pictureSize(page({ dpr: 0 }))).toMatchObject({ width: 1280, height: 4000 });
    expect(pictureSize(page({ dpr: Number.NaN }))).toMatchObject({ width: 1280, height: 4000 });
  });
});

describe('frameOffsets', () => {
  it('steps one viewport at a time; five viewports are five frames', () => {
    expect(frameOffsets(4000, 800)).toEqual([0, 800, 1600, 2400, 3200]);
  });

  it('scrolls the last frame only as far as the page ends, overlapping the one before', () => {
    expect(frameOffsets(2000, 800)).toEqual([0, 800, 1200]);
    expect(frameOffsets(801, 800)).toEqual([0, 1]);
  });

  it('takes one frame of a page no taller than the viewport', () => {
    expect(frameOffsets(800, 800)).toEqual([0]);
    expect(frameOffsets(300, 800)).toEqual([0]);
  });

  it('stops at a capped height, not at the page’s end', () => {
    const offsets = frameOffsets(16384, 1000);
    expect(offsets.length).toBe(17);
    expect(offsets.at(-1)).toBe(15384);
  });
});

describe('placeFrame', () => {
  it('draws a whole frame where the page scrolled to', () => {
    expect(placeFrame({ scrolledTo: 800, dpr: 2, frameRows: 1600, drawnRows: 1600, pictureRows: 8000 })).toEqual({ sourceY: 0, destY: 1600, rows: 1600 });
  });

  it('skips the rows of the last frame that an earlier frame already drew', () => {
    // Page 2000 tall, viewport 800: frames at 0, 800, then 1200, whose top 400 rows are drawn already.
    expect(placeFrame({ scrolledTo: 1200, dpr: 1, frameRows: 800, drawnRows: 1600, pictureRows: 2000 })).toEqual({ sourceY: 400, destY: 1600, rows: 400 });
  });

  it('cuts rows past the picture’s end (a capped page)', () => {
    expect(placeFrame({ scrolledTo: 16000, dpr: 1, frameRows: 800, drawnRows: 16000, pictureRows: 16384 })).toEqual({ sourceY: 0, destY: 16000, rows: 384 });
  });

  it('adds nothing when the page did not scroll further (it got shorter meanwhile)', () => {
    expect(placeFrame({ scrolledTo: 800, dpr: 1, frameRows: 800, drawnRows: 1600, pictureRows: 4000 })).toBeNull();
  });

  it('rounds fractional scroll positions to whole device pixels', () => {
    expect(placeFrame({ scrolledTo: 533.5, dpr: 1.5, frameRows: 1200, drawnRows: 800, pictureRows: 3000 })).toEqual({ sourceY: 0, destY: 800, rows: 1200 });
  });
});

/** A clock that moves only when the pacer waits or a capture takes time. */
function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    advance: (ms: number) => void (now += ms),
    clock: {
      now: () => now,
      wait: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
    },
  };
}

describe('capturePacer', () => {
  it('lets two captures through at once, then holds the third until a second after the first one ended', async () => {
    const { clock, advance, waits } = fakeClock();
    const pacer = capturePacer(clock, { perWindow: 2, windowMs: 1000, marginMs: 20 });
    const started: number[] = [];
    const capture = async () => {
      started.push(clock.now());
      advance(100); // each capture takes 100 ms
      return started.length;
    };
    expect(await Promise.all([pacer.run(capture), pacer.run(capture), pacer.run(capture), pacer.run(capture), pacer.run(capture)])).toEqual([1, 2, 3, 4, 5]);
    // Ended at 100 and 200; the third waits for 100 + 1000 + 20, the fourth for 200 + 1020, the fifth for 1220 + 1020.
    expect(started).toEqual([0, 100, 1120, 1220, 2240]);
    // The fourth was due when the third ended: no wait.
    expect(waits).toEqual([920, 920]);
    // Never three starts within any second.
    for (let i = 2; i < started.length; i++) expect(started[i]! - started[i - 2]!).toBeGreaterThan(1000);
  });

  it('does not wait when captures are already far apart', async () => {
    const { clock, advance, waits } = fakeClock();
    const pacer = capturePacer(clock);
    for (let i = 0; i < 4; i++) {
      await pacer.run(async () => advance(50));
      advance(600); // the user's next click, or the page scrolling
    }
    expect(waits).toEqual([]);
  });

  it('runs one capture at a time, in order, and a failed one still counts and does not stop the next', async () => {
    const { clock, advance } = fakeClock();
    const pacer = capturePacer(clock, { perWindow: 2, windowMs: 1000, marginMs: 0 });
    const log: string[] = [];
    let running = 0;
    const capture = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`${name}@${clock.now()}`);
      advance(10);
      running--;
      if (fail) throw new Error(`${name} refused`);
      return name;
    };
    const results = await Promise.allSettled([pacer.run(capture('a')), pacer.run(capture('b', true)), pacer.run(capture('c'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b refused', 'c']);
    expect(log).toEqual(['a@0', 'b@10', 'c@1010']);
  });
});
