import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT_UPLOADS, upsertRecent, type RecentUpload } from '../../src/history/recent';

const upload = (id: string, at: number, over: Partial<RecentUpload> = {}): RecentUpload => ({
  id,
  source: 'popup',
  name: `${id}.png`,
  size: 100,
  type: 'image/png',
  status: 'uploading',
  at,
  ...over,
});

const ids = (list: readonly RecentUpload[]) => list.map((u) => u.id);

describe('upsertRecent', () => {
  it('puts a new entry first when it is the newest', () => {
    const list = [upload('b', 200), upload('a', 100)];
    expect(ids(upsertRecent(list, upload('c', 300)))).toEqual(['c', 'b', 'a']);
    expect(ids(upsertRecent([], upload('x', 1)))).toEqual(['x']);
  });

  it('places an entry by its time, newest first, even when it arrives late', () => {
    const list = [upload('c', 300), upload('a', 100)];
    expect(ids(upsertRecent(list, upload('b', 200)))).toEqual(['c', 'b', 'a']);
    expect(ids(upsertRecent(list, upload('z', 50)))).toEqual(['c', 'a', 'z']);
  });

  it('updates an entry in place by id, merging its fields', () => {
    const list = [upload('c', 300), upload('b', 200, { key: 'k/b.png', pageUrl: 'https://example.com/' }), upload('a', 100)];
    const out = upsertRecent(list, upload('b', 200, { status: 'done', link: 'https://s3/b?sig', copied: true }));
    expect(ids(out)).toEqual(['c', 'b', 'a']);
    expect(out).toHaveLength(3);
    expect(out[1]).toEqual({
      ...upload('b', 200),
      status: 'done',
      link: 'https://s3/b?sig',
      copied: true,
      key: 'k/b.png',
      pageUrl: 'https://example.com/',
    });
    // Other entries are carried over unchanged.
    expect(out[0]).toBe(list[0]);
    expect(out[2]).toBe(list[2]);
  });

  it('keeps one entry per id', () => {
    let list: RecentUpload[] = [];
    list = upsertRecent(list, upload('a', 100));
    list = upsertRecent(list, upload('a', 100, { status: 'done' }));
    list = upsertRecent(list, upload('a', 100, { status: 'failed' }));
    expect(list).toHaveLength(1);
    expect(list[0]!.status).toBe('failed');
  });

  it('re-sorts an updated entry whose time changed', () => {
    const list = [upload('c', 300), upload('b', 200), upload('a', 100)];
    expect(ids(upsertRecent(list, upload('a', 400)))).toEqual(['a', 'c', 'b']);
  });

  it(`is bounded to MAX_RECENT_UPLOADS (${MAX_RECENT_UPLOADS}) by default, dropping the oldest`, () => {
    expect(MAX_RECENT_UPLOADS).toBe(20);
    const full = Array.from({ length: MAX_RECENT_UPLOADS }, (_, i) => upload(`u${i}`, 1000 - i));
    const out = upsertRecent(full, upload('new', 2000));
    expect(out).toHaveLength(MAX_RECENT_UPLOADS);
    expect(out[0]!.id).toBe('new');
    expect(ids(out)).not.toContain(`u${MAX_RECENT_UPLOADS - 1}`);
    expect(ids(out)).toContain(`u${MAX_RECENT_UPLOADS - 2}`);
    // Updating an entry of a full list drops nothing.
    expect(upsertRecent(full, upload('u5', 995, { status: 'done' }))).toHaveLength(MAX_RECENT_UPLOADS);
  });

  it('honours a smaller max', () => {
    const list = [upload('c', 300), upload('b', 200), upload('a', 100)];
    expect(ids(upsertRecent(list, upload('d', 400), 2))).toEqual(['d', 'c']);
    // An entry older than everything kept does not make it into a full list.
    expect(ids(upsertRecent(list, upload('z', 1), 3))).toEqual(['c', 'b', 'a']);
  });

  it('does not mutate its input list or the entries in it', () => {
    const list = [upload('b', 200), upload('a', 100)];
    const before = structuredClone(list);
    const inserted = upsertRecent(list, upload('c', 300));
    const updated = upsertRecent(list, upload('a', 500, { status: 'done' }));
    expect(list).toEqual(before);
    expect(ids(inserted)).toEqual(['c', 'b', 'a']);
    expect(ids(updated)).toEqual(['a', 'b']);
    expect(inserted).not.toBe(list);
    // Frozen input: any in-place write (sort, splice, field assignment) would throw.
    const frozen = Object.freeze([Object.freeze(upload('b', 200)), Object.freeze(upload('a', 100))]);
    expect(ids(upsertRecent(frozen, upload('a', 500, { status: 'done' })))).toEqual(['a', 'b']);
    expect(frozen[1]!.status).toBe('uploading');
  });

  it('always returns a newest-first list of unique ids, containing the entry, at most max long', () => {
    const entry = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), at: fc.integer({ min: 0, max: 50 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), (steps, max) => {
        let list: RecentUpload[] = [];
        for (const step of steps) {
          const next = upload(step.id, step.at);
          list = upsertRecent(list, next, max);
          expect(list.length).toBeLessThanOrEqual(max);
          expect(new Set(ids(list)).size).toBe(list.length);
          for (let i = 1; i < list.length; i++) expect(list[i - 1]!.at).toBeGreaterThanOrEqual(list[i]!.at);
          // The entry is kept unless everything kept is at least as new and the list is full.
          if (!list.some((u) => u.id === step.id)) {
            expect(list).toHaveLength(max);
            expect(list.every((u) => u.at >= step.at)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
