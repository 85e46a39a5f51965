import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fileIdentity,
  isJournalEntry,
  JOURNAL_MAX_AGE_MS,
  JOURNAL_VERSION,
  matchIdentity,
  reconcileParts,
  sampleRanges,
  staleEntries,
  withPart,
  type JournalEntry,
} from '../../src/upload/journal';

const KiB = 1024;
const MiB = 1024 * KiB;

function entry(over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    version: JOURNAL_VERSION,
    id: 'h-1',
    profileId: 'p-1',
    bucket: 'drop',
    key: '2026/12/06/movie.mkv',
    uploadId: 'u-1',
    contentType: 'video/x-matroska',
    partSize: 8 * MiB,
    parts: [],
    identity: { name: 'movie.mkv', size: 40 * MiB, lastModified: 1_700_000_000_000, sampleSha256: 'ab' },
    name: 'movie.mkv',
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  };
}

describe('reconcileParts', () => {
  const journaled = [1, 2, 3, 4].map((n) => ({ partNumber: n, etag: `"e${n}"`, size: 8 * MiB }));

  it('keeps the journaled parts the bucket lists with the same ETag and size', () => {
    const listed = journaled.map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size }));
    expect(reconcileParts(journaled, listed)).toEqual(journaled);
  });

  it('sends again a part the bucket lacks, or holds with another ETag or size', () => {
    const listed = [
      { partNumber: 1, etag: '"e1"', size: 8 * MiB },
      // Part 2 is missing (a lifecycle rule, or the PUT never arrived).
      { partNumber: 3, etag: '"other"', size: 8 * MiB },
      { partNumber: 4, etag: '"e4"', size: 5 * MiB },
    ];
    expect(reconcileParts(journaled, listed).map((p) => p.partNumber)).toEqual([1]);
  });

  it('sends again a part the bucket has and the journal never confirmed (the browser died as it was answered)', () => {
    const listed = [1, 2, 3, 4, 5].map((n) => ({ partNumber: n, etag: `"e${n}"`, size: 8 * MiB }));
    expect(reconcileParts(journaled, listed).map((p) => p.partNumber)).toEqual([1, 2, 3, 4]);
  });

  it('compares ETags without quotes, as servers differ in quoting them', () => {
    expect(reconcileParts([{ partNumber: 7, etag: 'abc', size: 5 }], [{ partNumber: 7, etag: '"abc"', size: 5 }])).toHaveLength(1);
  });

  it('keeps a part’s checksum and returns the parts in order', () => {
    const parts = [
      { partNumber: 2, etag: '"b"', size: 1, checksum: 'Q2hlY2s=' },
      { partNumber: 1, etag: '"a"', size: 1 },
    ];
    const listed = parts.map(({ partNumber, etag, size }) => ({ partNumber, etag, size }));
    expect(reconcileParts(parts, listed)).toEqual([parts[1], parts[0]]);
  });
});

describe('file identity', () => {
  it('samples the first, middle and last 64 KiB of a large file, and a small file whole', () => {
    expect(sampleRanges(400 * MiB)).toEqual([
      { start: 0, end: 64 * KiB },
      { start: 200 * MiB - 32 * KiB, end: 200 * MiB + 32 * KiB },
      { start: 400 * MiB - 64 * KiB, end: 400 * MiB },
    ]);
    expect(sampleRanges(100 * KiB)).toEqual([{ start: 0, end: 100 * KiB }]);
  });

  it('hashes exactly the sampled bytes (SHA-256, as Node computes it)', async () => {
    const bytes = new Uint8Array(randomBytes(3 * MiB));
    const expected = createHash('sha256')
      .update(bytes.subarray(0, 64 * KiB))
      .update(bytes.subarray(1.5 * MiB - 32 * KiB, 1.5 * MiB + 32 * KiB))
      .update(bytes.subarray(3 * MiB - 64 * KiB))
      .digest('hex');
    const identity = await fileIdentity(new Blob([bytes]), { name: 'a.bin', lastModified: 42 });
    expect(identity).toEqual({ name: 'a.bin', size: 3 * MiB, lastModified: 42, sampleSha256: expected });
  });

  it('matches the same file under another name, and says why another file is not it', async () => {
    const bytes = new Uint8Array(randomBytes(2 * MiB));
    const original = await fileIdentity(new Blob([bytes]), { name: 'movie.mkv', lastModified: 42 });
    expect(matchIdentity(original, await fileIdentity(new Blob([bytes]), { name: 'movie (1).mkv', lastModified: 42 }))).toBe('ok');
    expect(matchIdentity(original, await fileIdentity(new Blob([bytes.subarray(1)]), { name: 'movie.mkv', lastModified: 42 }))).toBe('size');
    expect(matchIdentity(original, await fileIdentity(new Blob([bytes]), { name: 'movie.mkv', lastModified: 43 }))).toBe('lastModified');
    // Same name, size and date, one byte changed at the end: the last sample sees it.
    const edited = bytes.slice();
    edited[edited.length - 1]! ^= 1;
    expect(matchIdentity(original, await fileIdentity(new Blob([edited]), { name: 'movie.mkv', lastModified: 42 }))).toBe('content');
  });
});

describe('journal entries', () => {
  it('adds a part, replacing one of the same number (a part sent again), and moves its time', () => {
    const first = withPart(entry(), { partNumber: 1, etag: '"a"', size: 8 }, 2_000);
    const again = withPart(first, { partNumber: 1, etag: '"b"', size: 8 }, 3_000);
    expect(again.parts).toEqual([{ partNumber: 1, etag: '"b"', size: 8 }]);
    expect(again.updatedAt).toBe(3_000);
    expect(again.createdAt).toBe(1_000);
  });

  it('finds the entries untouched for more than seven days', () => {
    const now = 100 * JOURNAL_MAX_AGE_MS;
    const old = entry({ id: 'old', updatedAt: now - 8 * 24 * 3600_000 });
    const recent = entry({ id: 'recent', createdAt: now - 30 * 24 * 3600_000, updatedAt: now - 6 * 24 * 3600_000 });
    expect(staleEntries([old, recent], now, JOURNAL_MAX_AGE_MS).map((e) => e.id)).toEqual(['old']);
  });

  it('reads only entries of this version', () => {
    expect(isJournalEntry(entry())).toBe(true);
    expect(isJournalEntry({ ...entry(), version: 0 })).toBe(false);
    expect(isJournalEntry({ id: 'x' })).toBe(false);
    expect(isJournalEntry(null)).toBe(false);
  });

  it('never holds a URL or a secret', () => {
    const text = JSON.stringify(withPart(entry(), { partNumber: 1, etag: '"a"', size: 8 }, 2));
    expect(text).not.toMatch(/https?:|X-Amz-|Signature|secret/i);
  });
});
