import type { HistoryView } from '../messaging/protocol';
import { formatBytes } from '../upload/speed';
import { t } from '../i18n/t';
import { ConfirmBox } from './confirm-box';
import { CopyAsMenu } from './copy-as';
import type { LinkFormat } from '../links/link-format';
import { autoDeleteNote, deletedNote, linkNote, typeBadge, when } from './history-format';

export type Entry = HistoryView['entries'][number];

const SOURCE: Record<Entry['source'], string> = { popup: t('history_sourcePopup'), image: t('history_sourceImage'), screenshot: t('history_sourceScreenshot') };

export interface HistoryEntryProps {
  entry: Entry;
  /** The fresh link last made for it, shown under it. */
  link: { url: string; expiresAt?: number } | undefined;
  /** Its delete confirmation is open. */
  confirming: boolean;
  /** Another action is under way: the ones that ask the background wait. */
  busy: boolean;
  /** The profile can delete objects (a presign service cannot). */
  canDelete: boolean;
  /** The bucket the object is in, for the delete question. */
  bucket: string;
  onCopyFresh(): void;
  /** The profile has its own link text: Copy as… offers it. */
  hasTemplate: boolean;
  onCopyAs(format: LinkFormat): void;
  onOpen(): void;
  onCopyKey(): void;
  /** Opens the delete confirmation. */
  onDelete(): void;
  /** The confirmation's yes. */
  onRemove(): void;
  /** The confirmation's no. */
  onKeep(): void;
}

/** One upload in the history: thumbnail or type, what and when, its key and link, and its actions. */
export function HistoryEntry({ entry, link, confirming, busy, canDelete, bucket, hasTemplate, ...on }: HistoryEntryProps) {
  const deleted = Boolean(entry.deletedAt);
  const autoDelete = autoDeleteNote(entry);
  return (
    <li class={`history-entry${deleted ? ' deleted' : ''}`}>
      {entry.thumbnail ? (
        <img class="thumb" src={entry.thumbnail} alt="" width={64} height={64} loading="lazy" />
      ) : (
        <span class="thumb badge" aria-hidden="true">
          {typeBadge(entry)}
        </span>
      )}
      <div class="entry-body">
        <div class="entry-name" title={entry.name}>
          {entry.name}
        </div>
        <p class="muted">
          {formatBytes(entry.size)} · {entry.type || t('history_unknownType')} · {when(entry.at)} · {SOURCE[entry.source]}
        </p>
        <p class="entry-key">
          <code>{entry.key}</code>
        </p>
        {deleted ? <p class="deleted-note">{deletedNote(entry)}</p> : <p class="muted">{linkNote(entry)}</p>}
        {autoDelete && <p class="muted">{autoDelete}</p>}
        {entry.verified && (
          <p class="muted verified" title={t('upload_verifiedTitle')}>
            ✓ {t('upload_verified')}
          </p>
        )}
        {link && !deleted && (
          <div class="row">
            <input type="text" readOnly value={link.url} aria-label={t('history_freshLinkFor', { name: entry.name })} onFocus={(e) => e.currentTarget.select()} />
          </div>
        )}
        <div class="entry-actions">
          {!deleted && (
            <>
              <button type="button" disabled={busy} aria-label={t('common_copyFreshLinkFor', { name: entry.name })} onClick={on.onCopyFresh}>
                {t('common_copyFreshLink')}
              </button>
              <CopyAsMenu name={entry.name} hasTemplate={hasTemplate} disabled={busy} onCopy={on.onCopyAs} />
              <button type="button" disabled={busy} aria-label={t('history_openFor', { name: entry.name })} onClick={on.onOpen}>
                {t('history_open')}
              </button>
            </>
          )}
          <button type="button" aria-label={t('history_copyKeyFor', { name: entry.name })} onClick={on.onCopyKey}>
            {t('history_copyKey')}
          </button>
          {!deleted && canDelete && (
            <button
              type="button"
              class="danger"
              id={`delete-${entry.id}`}
              disabled={busy}
              aria-label={t('history_deleteFor', { name: entry.name })}
              aria-expanded={confirming ? 'true' : 'false'}
              onClick={on.onDelete}
            >
              {t('history_delete')}
            </button>
          )}
        </div>
        {confirming && (
          <ConfirmBox
            id={`confirm-${entry.id}`}
            question={t('history_confirmDelete', { name: entry.name, bucket })}
            yes={t('history_deleteYes')}
            onYes={on.onRemove}
            onNo={on.onKeep}
          />
        )}
      </div>
    </li>
  );
}
