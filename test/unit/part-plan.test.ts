import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MULTIPART_THRESHOLD,
  GiB,
  MAX_OBJECT_SIZE,
  MiB,
  partRange,
  planParts,
  preferredPartSize,
  S3_PART_LIMITS,
  TiB,
  usesMultipart,
  type PartPlan,
} from '../../src/upload/part-plan';

/** Every part of a plan, by partRange. */
function ranges(plan: PartPlan) {
  return Array.from({ length: plan.partCount }, (_, i) => partRange(plan, i + 1));
}

/** The invariants S3 checks: ≤ 10 000 parts, every part but the last in 5 MiB–5 GiB, contiguous, summing to the size. */
function expectLegal(size: number, plan: PartPlan) {
  expect(plan.partCount).toBeGreaterThanOrEqual(1);
  expect(plan.partCount).toBeLessThanOrEqual(10_000);
  expect(plan.partSize).toBeGreaterThanOrEqual(5 * MiB);
  expect(plan.partSize).toBeLessThanOrEqual(5 * GiB);
  expect(plan.lastPartSize).toBeLessThanOrEqual(plan.partSize);
  expect(plan.lastPartSize).toBeGreaterThanOrEqual(size === 0 ? 0 : 1);
  expect((plan.partCount - 1) * plan.partSize + plan.lastPartSize).toBe(size);
}

describe('planParts', () => {
  it('uses 8 MiB parts by default, with a smaller last part', () => {
    expect(planParts(100 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 13, lastPartSize: 4 * MiB });
    expect(planParts(16 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 2, lastPartSize: 8 * MiB });
    expect(planParts(16 * MiB + 1)).toEqual({ partSize: 8 * MiB, partCount: 3, lastPartSize: 1 });
  });

  it('handles empty and tiny files with one part', () => {
    expect(planParts(0)).toEqual({ partSize: 8 * MiB, partCount: 1, lastPartSize: 0 });
    expect(planParts(1)).toEqual({ partSize: 8 * MiB, partCount: 1, lastPartSize: 1 });
    expect(partRange(planParts(0), 1)).toEqual({ partNumber: 1, start: 0, end: 0, size: 0 });
  });

  it('grows the part size to a whole MiB once a file would need more than 10 000 parts', () => {
    // 80 GiB / 8 MiB = 10 240 parts: too many.
    const plan = planParts(80 * GiB);
    expect(plan.partSize).toBe(9 * MiB);
    expect(plan.partCount).toBe(9103);
    expectLegal(80 * GiB, plan);
    // Exactly 10 000 parts of 8 MiB still fit.
    expect(planParts(10_000 * 8 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 10_000, lastPartSize: 8 * MiB });
    expect(planParts(10_000 * 8 * MiB + 1).partSize).toBe(9 * MiB);
  });

  it('plans the largest S3 object (5 TiB) within every limit', () => {
    const plan = planParts(MAX_OBJECT_SIZE);
    expect(MAX_OBJECT_SIZE).toBe(5 * TiB);
    expect(plan.partSize).toBe(525 * MiB);
    expect(plan.partSize % MiB).toBe(0);
    expect(plan.partCount).toBe(9987);
    expectLegal(MAX_OBJECT_SIZE, plan);
    let total = 0;
    let expectedStart = 0;
    const wrong: unknown[] = [];
    for (const r of ranges(plan)) {
      const tooSmall = r.partNumber < plan.partCount && r.size < 5 * MiB;
      if (r.start !== expectedStart || r.size > 5 * GiB || tooSmall) wrong.push(r);
      expectedStart = r.end;
      total += r.size;
    }
    expect(wrong).toEqual([]);
    expect(total).toBe(MAX_OBJECT_SIZE);
    expect(partRange(plan, plan.partCount)).toMatchObject({ end: MAX_OBJECT_SIZE, size: plan.lastPartSize });
  });

  it('refuses more than 5 TiB with a sentence', () => {
    expect(() => planParts(MAX_OBJECT_SIZE + 1)).toThrow(RangeError);
    expect(() => planParts(MAX_OBJECT_SIZE + 1)).toThrow('The file is larger than 5 TiB, the most S3 stores in one object.');
  });

  it('refuses sizes that are not byte counts', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => planParts(bad)).toThrow(RangeError);
  });

  it('keeps a preferred size within the limits', () => {
    expect(planParts(100 * MiB, { preferredPartSize: 1 * MiB }).partSize).toBe(5 * MiB);
    expect(planParts(100 * MiB, { preferredPartSize: 6 * GiB }).partSize).toBe(5 * GiB);
    expect(planParts(100 * MiB, { preferredPartSize: 16 * MiB })).toEqual({ partSize: 16 * MiB, partCount: 7, lastPartSize: 4 * MiB });
  });

  it('follows other limits (a service with fewer parts, or tests with tiny parts)', () => {
    expect(planParts(10 * GiB, { maxParts: 1000 })).toMatchObject({ partSize: 11 * MiB, partCount: 931 });
    expect(planParts(100, { preferredPartSize: 10, minPartSize: 1, maxPartSize: 1000 })).toEqual({
      partSize: 10,
      partCount: 10,
      lastPartSize: 10,
    });
    expect(() => planParts(2001, { maxParts: 2, minPartSize: 1, maxPartSize: 1000 })).toThrow(/too large for 2 parts/);
  });

  it('holds the S3 invariants for any size up to 5 TiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_OBJECT_SIZE }), (size) => {
        const plan = planParts(size);
        expectLegal(size, plan);
        // Never grows beyond what the file needs: one MiB less would take more than 10 000 parts.
        if (plan.partSize > S3_PART_LIMITS.preferredPartSize) expect(Math.ceil(size / (plan.partSize - MiB))).toBeGreaterThan(10_000);
      }),
      { numRuns: 2000 },
    );
  });

  it('partRange covers the file without gaps and refuses part numbers outside the plan', () => {
    const plan = planParts(20 * MiB + 3);
    expect(ranges(plan).map((r) => [r.start, r.end])).toEqual([
      [0, 8 * MiB],
      [8 * MiB, 16 * MiB],
      [16 * MiB, 20 * MiB + 3],
    ]);
    expect(() => partRange(plan, 0)).toThrow(RangeError);
    expect(() => partRange(plan, 4)).toThrow(RangeError);
  });
});

describe('preferredPartSize', () => {
  /** The plan the engine makes when asked for the preferred size. */
  const plan = (size: number) => planParts(size, { preferredPartSize: preferredPartSize(size) });

  it('cuts the sizes the bench measured into fewer, larger parts than 8 MiB', () => {
    // The default threshold's first multipart file, the bench's 100 MiB, 256 MiB and 1 GiB files.
    expect(plan(64 * MiB + 1)).toEqual({ partSize: 33 * MiB, partCount: 2, lastPartSize: 31 * MiB + 1 });
    expect(plan(100 * MiB)).toEqual({ partSize: 50 * MiB, partCount: 2, lastPartSize: 50 * MiB });
    expect(plan(256 * MiB)).toEqual({ partSize: 64 * MiB, partCount: 4, lastPartSize: 64 * MiB });
    expect(plan(1 * GiB)).toEqual({ partSize: 64 * MiB, partCount: 16, lastPartSize: 64 * MiB });
    expect(planParts(1 * GiB).partCount).toBe(128);
  });

  it('keeps 8 MiB for small files (a threshold set low on the options page) and for an empty one', () => {
    expect(preferredPartSize(0)).toBe(8 * MiB);
    expect(preferredPartSize(5 * MiB)).toBe(8 * MiB);
    expect(plan(12 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 2, lastPartSize: 4 * MiB });
    expect(plan(20 * MiB)).toEqual({ partSize: 10 * MiB, partCount: 2, lastPartSize: 10 * MiB });
  });

  it('grows past 64 MiB only when 10 000 parts of 64 MiB would not hold the file', () => {
    expect(preferredPartSize(625 * GiB)).toBe(64 * MiB);
    expect(plan(625 * GiB).partCount).toBe(10_000);
    expect(preferredPartSize(625 * GiB + 1)).toBe(65 * MiB);
    expect(plan(MAX_OBJECT_SIZE)).toEqual(planParts(MAX_OBJECT_SIZE));
    expect(preferredPartSize(MAX_OBJECT_SIZE)).toBe(525 * MiB);
  });

  it('refuses sizes that are not byte counts', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => preferredPartSize(bad)).toThrow(RangeError);
  });

  it('gives a size planParts keeps as is, within the S3 limits, for any size up to 5 TiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_OBJECT_SIZE }), (size) => {
        const preferred = preferredPartSize(size);
        const p = plan(size);
        expectLegal(size, p);
        expect(p.partSize).toBe(preferred);
        expect(preferred % MiB).toBe(0);
        // Never below the 8 MiB used before; above 64 MiB only as far as 10 000 parts need (one MiB less would not fit).
        expect(preferred).toBeGreaterThanOrEqual(8 * MiB);
        if (size > 10_000 * 64 * MiB) expect(Math.ceil(size / (preferred - MiB))).toBeGreaterThan(10_000);
        else expect(preferred).toBeLessThanOrEqual(64 * MiB);
      }),
      { numRuns: 2000 },
    );
  });

  it('sends files of 16–128 MiB in 2 parts and larger ones in 64 MiB parts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16 * MiB, max: 128 * MiB }), (size) => {
        expect(plan(size).partCount).toBe(2);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 128 * MiB + 1, max: 10_000 * 64 * MiB }), (size) => {
        expect(plan(size).partSize).toBe(64 * MiB);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('usesMultipart', () => {
  it('goes multipart only above 64 MiB by default', () => {
    expect(DEFAULT_MULTIPART_THRESHOLD).toBe(64 * MiB);
    expect(usesMultipart(64 * MiB)).toBe(false);
    expect(usesMultipart(64 * MiB + 1)).toBe(true);
    expect(usesMultipart(10, 5)).toBe(true);
  });
});
