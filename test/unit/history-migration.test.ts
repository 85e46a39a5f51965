import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { historyItem, historyMigrations } from '../../src/history/items';
import type { HistoryEntry } from '../../src/messaging/protocol';

const entry = (id: string, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  profileId: 'p1',
  name: `${id}.png`,
  size: 10,
  type: 'image/png',
  key: `2024/03/05/${id}.png`,
  at: 1,
  source: 'image',
  ...over,
});

/**
 * WXT keeps the history under `history` and its version under `history$`
 * in storage.local; each test writes what an older S3 Drop left there and
 * reads through the item.
 */
describe('history migrations', () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it('the history item has one numbered migration, to version 2', () => {
    expect(Object.keys(historyMigrations)).toEqual(['2']);
  });

  it('v1 → v2: stored page addresses lose their query and fragment; everything else stays', async () => {
    const v1 = {
      entries: [
        entry('a', { pageUrl: 'https://mail.example.com/inbox/123?token=SECRET-TOKEN#msg', deletedAt: 5, linkExpiresAt: 9 }),
        entry('b', { source: 'screenshot', pageUrl: 'https://bank.example/account?session=SESSION-ID' }),
        entry('c', { source: 'popup' }),
        entry('d', { pageUrl: 'data:text/html,<p>page</p>' }),
      ],
    };
    await fakeBrowser.storage.local.set({ history: v1, 'history$': { v: 1 } });
    await historyItem.migrate();
    const expected = {
      entries: [
        entry('a', { pageUrl: 'https://mail.example.com/inbox/123', deletedAt: 5, linkExpiresAt: 9 }),
        entry('b', { source: 'screenshot', pageUrl: 'https://bank.example/account' }),
        entry('c', { source: 'popup' }),
        entry('d'),
      ],
    };
    expect(await historyItem.getValue()).toEqual(expected);
    const stored = await fakeBrowser.storage.local.get(null);
    expect(stored).toEqual({ history: expected, 'history$': { v: 2 } });
    expect(JSON.stringify(stored)).not.toMatch(/SECRET-TOKEN|SESSION-ID/);
  });

  it('a history stored without version metadata is read as v1 and migrated', async () => {
    await fakeBrowser.storage.local.set({ history: { entries: [entry('a', { pageUrl: 'https://example.com/p?x=1' })] } });
    await historyItem.migrate();
    expect(await historyItem.getValue()).toEqual({ entries: [entry('a', { pageUrl: 'https://example.com/p' })] });
    expect(await historyItem.getMeta()).toEqual({ v: 2 });
  });

  it('nothing stored: nothing written, the fallback is an empty history', async () => {
    await historyItem.migrate();
    expect(await historyItem.getValue()).toEqual({ entries: [] });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(historyMigrations[2](null)).toBeNull();
  });
});
