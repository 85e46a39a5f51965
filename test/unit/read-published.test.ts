import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { storage } from 'wxt/utils/storage';
import type { Published } from '../../src/published';
import { readPublished, watchPublished } from '../../src/ui/read-published';

/** Pages read what the background writes through the storage library's items, without that library. */
describe('published values', () => {
  beforeEach(() => fakeBrowser.reset());

  const counts: Published<{ uploads: number }> = { key: 'uploadCounts', version: 2 };
  const item = storage.defineItem<{ uploads: number } | null>(`session:${counts.key}`, {
    fallback: null,
    version: counts.version,
    // A migration makes the library keep the version beside the value, as it does for every item past 1.
    migrations: { 2: (v: { uploads: number } | null) => v },
  });

  it('reads what the item wrote, and null when nothing is there', async () => {
    expect(await readPublished(counts)).toBeNull();
    await item.setValue({ uploads: 3 });
    expect(await readPublished(counts)).toEqual({ uploads: 3 });
  });

  it('does not read a value stored under another version of the item', async () => {
    await fakeBrowser.storage.session.set({ uploadCounts: { count: 3 }, uploadCounts$: { v: 1 } });
    expect(await readPublished(counts)).toBeNull();
    await fakeBrowser.storage.session.set({ uploadCounts$: { v: 2 } });
    expect(await readPublished(counts)).toEqual({ count: 3 });
  });

  it('a version-1 item, which keeps no version beside it, is read', async () => {
    const first: Published<number> = { key: 'firstVersion', version: 1 };
    await storage.defineItem<number>(`session:${first.key}`, { fallback: 0 }).setValue(7);
    expect(await readPublished(first)).toBe(7);
  });

  it('tells each change of its own key, null on removal, and nothing after it is stopped', async () => {
    const seen: ({ uploads: number } | null)[] = [];
    const stop = watchPublished(counts, (v) => seen.push(v));
    await fakeBrowser.storage.session.set({ otherKey: 1 });
    await fakeBrowser.storage.local.set({ uploadCounts: { uploads: 99 } });
    await item.setValue({ uploads: 1 });
    await item.setValue({ uploads: 2 });
    await item.removeValue();
    stop();
    await item.setValue({ uploads: 3 });
    expect(seen).toEqual([{ uploads: 1 }, { uploads: 2 }, null]);
  });
});
