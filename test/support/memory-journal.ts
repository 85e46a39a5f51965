import { withPart, type JournalEntry } from '../../src/upload/journal';
import type { UploadJournal } from '../../src/upload/journal-store';

/** The journal in memory: the store's contract, without IndexedDB. */
export function memoryJournal(entries: JournalEntry[] = []): UploadJournal & { ids(): string[] } {
  const map = new Map(entries.map((e) => [e.id, e]));
  return {
    put: async (e) => void map.set(e.id, e),
    get: async (id) => map.get(id),
    list: async () => [...map.values()],
    addPart: async (id, part, now) => {
      const e = map.get(id);
      if (e) map.set(id, withPart(e, part, now));
    },
    remove: async (id) => void map.delete(id),
    ids: () => [...map.keys()].sort(),
  };
}

