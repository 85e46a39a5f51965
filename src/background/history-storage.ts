import { historyItem, historyRevisionItem, historySettingsItem } from '../history/items';
import type { RecentUpload } from '../history/recent';
import { createHistoryRecorder, createUploadRecorder, serialHistory, type HistoryDeps } from './history-service';

/**
 * The history's storage deps over the real items: one `storage.local` item for
 * every profile's entries. The profiles come from the caller: only start.ts
 * touches the settings items, which hold the secrets too.
 */
export function storedHistory(loadProfiles: HistoryDeps['loadProfiles']) {
  // Pages watch the revision, not the history (see src/published.ts). Writes run one at a time, so it only grows.
  const published = async () => historyRevisionItem.setValue((await historyRevisionItem.getValue()) + 1);
  return {
    ...serialHistory({
      load: async () => (await historyItem.getValue()).entries,
      save: async (entries) => {
        await historyItem.setValue({ entries });
        await published();
      },
    }),
    loadLimit: async () => (await historySettingsItem.getValue()).limit,
    saveLimit: async (limit: number) => {
      await historySettingsItem.setValue({ limit });
      await published();
    },
    loadProfiles,
  } satisfies Partial<HistoryDeps>;
}

/** Records finished uploads in the history; `warn` tells the user when the history cannot keep one. */
export function storedUploadRecorder(
  history: ReturnType<typeof storedHistory>,
  warn: (title: string, sentence: string) => Promise<void>,
): (upload: RecentUpload) => Promise<void> {
  return createUploadRecorder({
    addToHistory: createHistoryRecorder(history),
    warn,
  });
}
