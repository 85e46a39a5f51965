/**
 * Whether the popup has unfinished uploads to offer: reads the upload journal
 * and, only when it has entries, loads their list (unfinished-uploads.tsx).
 * Loaded after the popup's first screen, so a popup with nothing to resume
 * pays for neither.
 */
import { idbJournal } from '../upload/journal-store';

/** Shows the journal's uploads below the popup's own view (outside its tree, so neither redraws the other). */
export async function showUnfinished(): Promise<void> {
  const journal = idbJournal();
  const entries = await journal.list().catch(() => []);
  if (!entries.length) return;
  const container = document.createElement('div');
  container.className = 'popup';
  document.getElementById('app')?.after(container);
  (await import('./unfinished-uploads')).mountUnfinished(container, { entries, journal });
}
