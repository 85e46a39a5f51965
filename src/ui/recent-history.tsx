import { useEffect, useRef, useState } from 'preact/hooks';
import { sendMessage, type HistoryEntry } from '../messaging/protocol';
import { formatBytes } from '../upload/speed';
import { copyText } from './clipboard';
import { when } from './history-format';
import { t } from '../i18n/t';
import { PUBLISHED_HISTORY_REVISION } from '../published';
import { watchPublished } from './read-published';

/**
 * Which of these uploads' objects were deleted from the bucket (from the
 * history page), kept current: the popup moves them from its live list to
 * Recent, marked, so both views say the same.
 */
export function useDeletedUploads(ids: readonly string[]): ReadonlySet<string> {
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const key = ids.join('\n');
  useEffect(() => {
    if (!ids.length) return setDeleted(new Set());
    let current = true;
    const load = async () => {
      const r = await sendMessage('listHistory', { ids: [...ids] });
      if (current && r.ok) setDeleted(new Set(r.value.entries.filter((e) => e.deletedAt).map((e) => e.id)));
    };
    void load();
    const unwatch = watchPublished(PUBLISHED_HISTORY_REVISION, () => void load());
    return () => {
      current = false;
      unwatch();
    };
  }, [key]);
  return deleted;
}

/** How many of the profile's uploads the popup shows; the history page shows all. */
export const RECENT_IN_POPUP = 5;

/**
 * The popup's "Recent" list: the last few uploads of the chosen profile from
 * the history (any source: popup, page images, screenshots), each with a
 * fresh link a click away. Uploads the popup is showing live are left out.
 */
export function RecentHistory({ profileId, live }: { profileId: string; live: ReadonlySet<string> }) {
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [copied, setCopied] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ id: string; text: string } | null>(null);
  const request = useRef(0);
  // Ask for a few more than shown: the ones on screen as live uploads are dropped.
  const wanted = RECENT_IN_POPUP + live.size;

  useEffect(() => {
    if (!profileId) return;
    const load = async () => {
      const mine = ++request.current;
      const r = await sendMessage('listHistory', { profileId, limit: wanted });
      if (mine === request.current) setEntries(r.ok ? r.value.entries : []);
    };
    void load();
    // A finished upload, a delete or a clear (from any page or the background) changes the list.
    return watchPublished(PUBLISHED_HISTORY_REVISION, () => void load());
  }, [profileId, wanted]);

  const shown = entries.filter((e) => !live.has(e.id)).slice(0, RECENT_IN_POPUP);
  if (!shown.length) return null;

  const copyFresh = async (entry: HistoryEntry) => {
    setProblem(null);
    const r = await sendMessage('freshLink', { historyId: entry.id });
    if (!r.ok) return setProblem({ id: entry.id, text: r.error.message });
    if (await copyText(r.value.url)) setCopied(entry.id);
    else setProblem({ id: entry.id, text: t('common_clipboardRefused') });
  };

  return (
    <section aria-labelledby="recent-heading">
      <h2 id="recent-heading">{t('recent_heading')}</h2>
      <ul class="uploads" aria-label={t('recent_list')}>
        {shown.map((entry) => (
          <li key={entry.id} class={`upload ${entry.deletedAt ? 'deleted' : 'done'}`}>
            <div class="name" title={entry.name}>
              {entry.name}
            </div>
            <div class="row">
              <span class="muted meta">
                {entry.deletedAt
                  ? t('recent_metaDeleted', { size: formatBytes(entry.size), when: when(entry.at) })
                  : entry.deletesAt
                    ? t('recent_metaAutoDelete', { size: formatBytes(entry.size), when: when(entry.at), deletes: when(entry.deletesAt) })
                    : `${formatBytes(entry.size)} · ${when(entry.at)}`}
              </span>
              {!entry.deletedAt && (
                <button type="button" aria-label={t('common_copyFreshLinkFor', { name: entry.name })} onClick={() => void copyFresh(entry)}>
                  {copied === entry.id ? t('recent_copied') : t('common_copyFreshLink')}
                </button>
              )}
            </div>
            {problem?.id === entry.id && <p class="error">{problem.text}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
