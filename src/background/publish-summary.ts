import type { SecretKeeper } from '../secrets/keeper';
import { profilesItem, secretsItem, securityItem, vaultSessionItem } from '../settings/items';
import type { ProfileStore } from '../settings/profile-store';
import { summarizeSettings, type SettingsSummary } from '../settings/summary';
import { settingsSummaryItem } from '../settings/summary-item';

/** What the summary is read from: the same sources `getSettings` answers from. */
export interface SummarySources {
  loadProfiles(): Promise<ProfileStore>;
  secrets: Pick<SecretKeeper, 'presence' | 'status'>;
  lockAfterMinutes(): Promise<number>;
}

export interface PublisherDeps extends SummarySources {
  /** When the unlocked session's key was last used (ms), or `null`. */
  lastUsed(): Promise<number | null>;
  /** Stores the summary; `null` removes it, so pages ask the background instead. */
  write(summary: SettingsSummary | null): Promise<void>;
}

/**
 * Recomputes the summary and writes it when it changed. Runs one at a time,
 * and calls made while one runs share a single run after it: several changes
 * in a row (a save writes the secrets, then the profiles) cost one more read,
 * and an older computation never lands after a newer one.
 */
export function createSummaryPublisher(deps: PublisherDeps): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  /** A run that has been asked for and not started yet: later callers join it. */
  let pending: Promise<void> | null = null;
  /** What was written last, so an unchanged summary is not written again (every write wakes each open page's watcher). */
  let written: string | undefined;

  async function run(): Promise<void> {
    pending = null;
    let summary: SettingsSummary | null;
    try {
      const [store, presence, status, lockAfterMinutes, lastUsed] = await Promise.all([
        deps.loadProfiles(),
        deps.secrets.presence(),
        deps.secrets.status(),
        deps.lockAfterMinutes(),
        deps.lastUsed(),
      ]);
      summary = summarizeSettings({ store, presence, status, lockAfterMinutes, lastUsed });
    } catch (err) {
      // A damaged vault, say: no summary then, and the popup asks the background, which says what is wrong.
      console.error('S3 Drop: the settings summary could not be computed', err);
      summary = null;
    }
    const text = JSON.stringify(summary);
    if (text === written) return;
    await deps.write(summary);
    written = text;
  }

  return () => {
    if (pending) return pending;
    // Watchers call this and drop the promise: a failed write is logged, never an unhandled rejection.
    const next = chain.then(run).catch((err: unknown) => console.error('S3 Drop: the settings summary could not be written', err));
    pending = next;
    chain = next;
    return next;
  };
}

/**
 * Keeps `settingsSummaryItem` current: written now, and again whenever the
 * profiles, the secrets, the vault's session or the security settings change
 * (from this worker or any page). Call once per background start. Resolves
 * when the first summary is written.
 */
export function startSummaryPublisher(sources: SummarySources): Promise<void> {
  const publish = createSummaryPublisher({
    ...sources,
    lastUsed: async () => (await vaultSessionItem.getValue())?.lastUsed ?? null,
    write: (summary) => (summary ? settingsSummaryItem.setValue(summary) : settingsSummaryItem.removeValue()),
  });
  for (const item of [profilesItem, secretsItem, vaultSessionItem, securityItem]) item.watch(() => void publish());
  return publish();
}
