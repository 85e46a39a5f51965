/**
 * At browser start-up: unfinished uploads left in the journal for more than
 * seven days are thrown away on the server, so their parts cost nothing more,
 * and each gets a line in the history. One whose abort fails (offline, the
 * secrets locked) stays for the next start; one whose profile is gone or now
 * points elsewhere cannot be reached from here and is forgotten.
 */
import type { Result } from '../result';
import type { HistoryEntry } from '../messaging/protocol';
import { JOURNAL_MAX_AGE_MS, resumeRequestOf, staleEntries, type JournalEntry } from '../upload/journal';
import type { UploadJournal } from '../upload/journal-store';
import type { ResumeRequest } from '../upload/ticket';

export interface SweepDeps {
  journal: Pick<UploadJournal, 'list' | 'remove'>;
  /** Aborts the upload on the server (the upload service's `discardUpload`). */
  discard(request: ResumeRequest): Promise<Result<null>>;
  /** Adds the history line of a thrown-away upload. */
  addToHistory(entry: HistoryEntry): Promise<void>;
  now(): number;
  maxAgeMs?: number;
}

/** The history line of an upload thrown away unfinished: shown as deleted, since nothing of it is in the bucket. */
export function sweptHistoryEntry(entry: JournalEntry, now: number): HistoryEntry {
  return {
    id: entry.id,
    profileId: entry.profileId,
    name: entry.name,
    size: entry.identity.size,
    type: entry.contentType,
    key: entry.key,
    at: entry.createdAt,
    source: 'popup',
    deletedAt: now,
  };
}

/** Returns the ids of the entries thrown away and of those kept for the next start. */
export async function sweepJournal(deps: SweepDeps): Promise<{ discarded: string[]; kept: string[] }> {
  const now = deps.now();
  const result = { discarded: [] as string[], kept: [] as string[] };
  for (const entry of staleEntries(await deps.journal.list(), now, deps.maxAgeMs ?? JOURNAL_MAX_AGE_MS)) {
    const answer = await deps.discard(resumeRequestOf(entry)).catch(() => null);
    const unreachable = answer && !answer.ok && (answer.error.code === 'NoSuchProfile' || answer.error.code === 'InvalidSettings');
    if (!answer || (!answer.ok && !unreachable)) {
      result.kept.push(entry.id);
      continue;
    }
    await deps.addToHistory(sweptHistoryEntry(entry, now)).catch(() => {});
    await deps.journal.remove(entry.id);
    result.discarded.push(entry.id);
  }
  return result;
}
