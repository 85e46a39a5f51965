import { describe, expect, it } from 'vitest';
import {
  addEntry,
  boundPerProfile,
  clearProfile,
  DEFAULT_HISTORY_LIMIT,
  entryFromUpload,
  isImage,
  markDeleted,
  MAX_HISTORY_LIMIT,
  pageAddress,
  searchEntries,
  validateHistoryLimit,
  withLinkExpiry,
  withPageAddressOnly,
} from '../../src/history/history';
import type { RecentUpload } from '../../src/history/recent';
import type { HistoryEntry } from '../../src/messaging/protocol';

const entry = (id: string, at: number, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  profileId: 'p1',
  name: `${id}.txt`,
  size: 10,
  type: 'text/plain',
  key: `2024/03/05/${id}.txt`,
  at,
  source: 'popup',
  ...over,
});

const ids = (entries: readonly HistoryEntry[]) => entries.map((e) => e.id);

describe('adding to the history', () => {
  it('keeps the newest first, whatever order uploads finish in', () => {
    let list: HistoryEntry[] = [];
    list = addEntry(list, entry('b', 2));
    list = addEntry(list, entry('c', 3));
    list = addEntry(list, entry('a', 1));
    expect(ids(list)).toEqual(['c', 'b', 'a']);
  });

  it('updates an entry recorded twice instead of adding it again, and a deletion mark stays', () => {
    let list = addEntry([], entry('a', 1, { deletedAt: 5 }));
    list = addEntry(list, entry('a', 1, { name: 'renamed.txt' }));
    expect(list).toEqual([entry('a', 1, { name: 'renamed.txt', deletedAt: 5 })]);
  });

  it('keeps at most the limit per profile: each profile loses its own oldest', () => {
    let list: HistoryEntry[] = [];
    for (let i = 1; i <= 4; i++) list = addEntry(list, entry(`w${i}`, i * 10, { profileId: 'work' }), 3);
    list = addEntry(list, entry('m1', 1, { profileId: 'media' }), 3);
    expect(ids(list)).toEqual(['w4', 'w3', 'w2', 'm1']);
    expect(ids(boundPerProfile(list, 1))).toEqual(['w4', 'm1']);
  });

  it('bounds at 500 per profile by default', () => {
    let list: HistoryEntry[] = [];
    for (let i = 0; i < DEFAULT_HISTORY_LIMIT + 3; i++) list = addEntry(list, entry(`e${i}`, i));
    expect(list).toHaveLength(DEFAULT_HISTORY_LIMIT);
    expect(list[0]!.id).toBe(`e${DEFAULT_HISTORY_LIMIT + 2}`);
    expect(list.at(-1)!.id).toBe('e3');
  });
});

describe('searching', () => {
  const list = [
    entry('a', 3, { name: 'Holiday Photo.JPG', key: 'pics/x1.jpg' }),
    entry('b', 2, { name: 'notes.txt', key: 'docs/HOLIDAY/notes.txt' }),
    entry('c', 1, { name: 'holiday.png', profileId: 'p2' }),
    entry('d', 4, { name: 'report.pdf', key: 'docs/report.pdf' }),
  ];

  it('finds the profile’s entries by name or key, in any case, newest first', () => {
    expect(ids(searchEntries(list, 'p1', 'holiday'))).toEqual(['a', 'b']);
    expect(ids(searchEntries(list, 'p1', '  DOCS/ '))).toEqual(['d', 'b']);
    expect(ids(searchEntries(list, 'p2', 'HOLIDAY'))).toEqual(['c']);
  });

  it('an empty search gives every entry of the profile', () => {
    expect(ids(searchEntries(list, 'p1'))).toEqual(['d', 'a', 'b']);
    expect(ids(searchEntries(list, 'p1', ''))).toEqual(['d', 'a', 'b']);
    expect(searchEntries(list, 'nobody', '')).toEqual([]);
  });
});

describe('changing entries', () => {
  it('marks a deleted object once; the entry stays', () => {
    const list = [entry('a', 1), entry('b', 2)];
    const marked = markDeleted(list, 'a', 100);
    expect(marked).toEqual([entry('a', 1, { deletedAt: 100 }), entry('b', 2)]);
    expect(markDeleted(marked, 'a', 200)[0]!.deletedAt).toBe(100);
    expect(list[0]).not.toHaveProperty('deletedAt');
  });

  it('records when the latest link expires, or that it does not', () => {
    const list = [entry('a', 1, { linkExpiresAt: 50 })];
    expect(withLinkExpiry(list, 'a', 90)[0]!.linkExpiresAt).toBe(90);
    expect(withLinkExpiry(list, 'a', undefined)[0]).not.toHaveProperty('linkExpiresAt');
    expect(withLinkExpiry(list, 'other', 90)).toEqual(list);
  });

  it('clears one profile and says how many went', () => {
    const list = [entry('a', 1), entry('b', 2, { profileId: 'p2' }), entry('c', 3)];
    expect(clearProfile(list, 'p1')).toEqual({ entries: [entry('b', 2, { profileId: 'p2' })], removed: 2 });
    expect(clearProfile(list, 'none')).toEqual({ entries: list, removed: 0 });
  });
});

describe('entries from finished uploads', () => {
  const done: RecentUpload = {
    id: 'u1',
    source: 'image',
    name: 'cat.png',
    size: 1234,
    type: 'image/png',
    status: 'done',
    at: 1000,
    key: 'img/cat.png',
    link: 'https://bucket.s3.amazonaws.com/img/cat.png?X-Amz-Signature=abc',
    linkExpiresAt: 90_000,
    copied: true,
    pageUrl: 'https://user:hunter2@example.com/page/photos?session=SESSION-abc123&reset_token=RT-987#access_token=AT-xyz',
    profileId: 'ignored-here',
  };

  it('keeps what the history shows, under the profile given, and never the link', () => {
    const e = entryFromUpload(done, 'p1');
    expect(e).toEqual({
      id: 'u1',
      profileId: 'p1',
      name: 'cat.png',
      size: 1234,
      type: 'image/png',
      key: 'img/cat.png',
      at: 1000,
      linkExpiresAt: 90_000,
      source: 'image',
      pageUrl: 'https://example.com/page/photos',
    });
    expect(JSON.stringify(e)).not.toContain('X-Amz');
    // Nothing of the page's query, fragment or credentials.
    for (const secret of ['SESSION-abc123', 'RT-987', 'AT-xyz', 'hunter2', 'user', '?', '#']) expect(JSON.stringify(e)).not.toContain(secret);
  });

  it('only finished uploads with a key go in', () => {
    expect(entryFromUpload({ ...done, status: 'uploading' }, 'p1')).toBeNull();
    expect(entryFromUpload({ ...done, status: 'failed' }, 'p1')).toBeNull();
    const { key: _key, ...keyless } = done;
    expect(entryFromUpload(keyless, 'p1')).toBeNull();
    expect(entryFromUpload(done, '')).toBeNull();
  });
});

describe('page addresses', () => {
  it('keeps the scheme, host (with its port) and path; drops query, fragment and credentials', () => {
    expect(pageAddress('https://mail.example.com/inbox/123?token=abc#msg')).toBe('https://mail.example.com/inbox/123');
    expect(pageAddress('http://intranet.lan:8080/wiki/Page?action=edit&sid=42')).toBe('http://intranet.lan:8080/wiki/Page');
    expect(pageAddress('https://admin:s3cret@example.com/?q=1')).toBe('https://example.com/');
    expect(pageAddress('https://example.com')).toBe('https://example.com/');
    expect(pageAddress('file:///home/ann/Pictures/index.html?x=1')).toBe('file:///home/ann/Pictures/index.html');
  });

  it('keeps a unicode path as the browser writes it (percent-encoded), and the host as punycode', () => {
    expect(pageAddress('https://例え.jp/ニュース/記事?id=7')).toBe('https://xn--r8jz45g.jp/%E3%83%8B%E3%83%A5%E3%83%BC%E3%82%B9/%E8%A8%98%E4%BA%8B');
  });

  it('keeps nothing of an address that is not a place, or cannot be read', () => {
    for (const url of ['data:text/html,<p>secret</p>', 'blob:https://example.com/5f1c', 'about:blank', 'javascript:alert(1)', 'not a url', '', undefined])
      expect(pageAddress(url)).toBeUndefined();
  });

  it('cuts a stored entry down the same way, and leaves entries without a page alone', () => {
    expect(withPageAddressOnly(entry('a', 1, { pageUrl: 'https://example.com/a?b=c' }))).toEqual(entry('a', 1, { pageUrl: 'https://example.com/a' }));
    expect(withPageAddressOnly(entry('a', 1, { pageUrl: 'data:image/png;base64,AAAA' }))).toEqual(entry('a', 1));
    expect(withPageAddressOnly(entry('a', 1))).toEqual(entry('a', 1));
  });
});

describe('settings and kinds', () => {
  it('the limit is a whole number from 1 to the maximum', () => {
    expect(validateHistoryLimit(1)).toBeNull();
    expect(validateHistoryLimit(MAX_HISTORY_LIMIT)).toBeNull();
    for (const bad of [0, -1, 2.5, Number.NaN, MAX_HISTORY_LIMIT + 1]) expect(validateHistoryLimit(bad)).toMatch(/whole number of uploads/);
  });

  it('thumbnails for image types a browser shows', () => {
    expect(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/svg+xml'].every((type) => isImage({ type }))).toBe(true);
    expect(['text/plain', 'application/pdf', '', 'image/heic', 'video/mp4'].some((type) => isImage({ type }))).toBe(false);
  });
});
