import { describe, expect, it } from 'vitest';
import { sweepJournal } from '../../src/background/journal-sweep';
import { JOURNAL_VERSION, withPart, type JournalEntry } from '../../src/upload/journal';
import type { UploadJournal } from '../../src/upload/journal-store';
import { memoryJournal } from '../support/memory-journal';
import type { HistoryEntry } from '../../src/messaging/protocol';
import type { Result } from '../../src/result';
import { userError } from '../../src/result';
import type { ResumeRequest } from '../../src/upload/ticket';

const DAY = 24 * 3600_000;
const NOW = 1_800_000_000_000;

function entry(id: string, daysIdle: number): JournalEntry {
  const at = NOW - daysIdle * DAY;
  return withPart(
    {
      version: JOURNAL_VERSION,
      id,
      profileId: 'p-1',
      bucket: 'drop',
      key: `big/${id}.bin`,
      uploadId: `u-${id}`,
      contentType: 'application/octet-stream',
      partSize: 8 << 20,
      parts: [],
      identity: { name: `${id}.bin`, size: 100 << 20, lastModified: 1, sampleSha256: 'ab' },
      name: `${id}.bin`,
      createdAt: at - DAY,
      updatedAt: at,
    },
    { partNumber: 1, etag: '"e1"', size: 8 << 20 },
    at,
  );
}

function sweepWith(journal: UploadJournal, answer: (request: ResumeRequest) => Result<null> | Error) {
  const aborted: string[] = [];
  const history: HistoryEntry[] = [];
  const run = sweepJournal({
    journal,
    discard: async (request) => {
      const a = answer(request);
      if (a instanceof Error) throw a;
      if (a.ok) aborted.push(request.uploadId);
      return a;
    },
    addToHistory: async (e) => void history.push(e),
    now: () => NOW,
  });
  return { run, aborted, history };
}

describe('sweepJournal (at browser start-up)', () => {
  it('aborts uploads idle for more than seven days, removes their entries and writes a history line for each', async () => {
    const journal = memoryJournal([entry('old', 8), entry('week', 6.9), entry('older', 30)]);
    const { run, aborted, history } = sweepWith(journal, () => ({ ok: true, value: null }));
    expect(await run).toEqual({ discarded: ['old', 'older'], kept: [] });
    expect(aborted).toEqual(['u-old', 'u-older']);
    expect(journal.ids()).toEqual(['week']);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ id: 'old', name: 'old.bin', key: 'big/old.bin', size: 100 << 20, deletedAt: NOW });
  });

  it('keeps an entry whose abort failed (offline, locked) for the next start', async () => {
    const journal = memoryJournal([entry('offline', 9), entry('locked', 9)]);
    const { run, history } = sweepWith(journal, (r) =>
      r.id === 'offline' ? new TypeError('Failed to fetch') : { ok: false, error: userError('Locked', 'Unlock S3 Drop.') },
    );
    expect(await run).toEqual({ discarded: [], kept: ['offline', 'locked'] });
    expect(journal.ids()).toEqual(['locked', 'offline']);
    expect(history).toEqual([]);
  });

  it('forgets an entry whose profile is gone: nothing here can reach its parts any more', async () => {
    const journal = memoryJournal([entry('orphan', 10)]);
    const { run, history } = sweepWith(journal, () => ({ ok: false, error: userError('NoSuchProfile', 'gone') }));
    expect(await run).toEqual({ discarded: ['orphan'], kept: [] });
    expect(journal.ids()).toEqual([]);
    expect(history.map((h) => h.id)).toEqual(['orphan']);
  });
});
