import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { MAX_HISTORY_LIMIT } from '../history/history';
import { PUBLISHED_HISTORY_REVISION } from '../published';
import { watchPublished } from './read-published';
import { sendMessage, type HistoryView, type ProfileSummary, type PublicSettings } from '../messaging/protocol';
import { describeDuration, LINK_EXPIRY_PRESETS } from '../s3/expiry';
import { linkModeOf } from '../settings/profile-kinds';
import { formatLink, linkFormatLabel, linkTextOf, type LinkFormat } from '../links/link-format';
import { copyText } from './clipboard';
import { ConfirmBox } from './confirm-box';
import { HistoryEntry, type Entry } from './history-entry';
import { when } from './history-format';
import { t } from '../i18n/t';
import { useAction } from './use-action';

type Status = { tone: 'good' | 'bad'; text: string } | null;
/** The confirmation open now: deleting one entry's object, or clearing the whole history. */
type Confirm = { kind: 'delete'; id: string } | { kind: 'clear' } | null;

/** The profile to show first: `?profile=` (the popup's choice), else the default. */
function profileFromUrl(): string {
  return new URLSearchParams(location.search).get('profile') ?? '';
}

/**
 * The upload history page: every upload of one profile, newest first,
 * searchable, with a fresh link, open, copy key and delete for each, and
 * clearing the list. Only the background signs and deletes; this page asks.
 */
export function HistoryApp() {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [profileId, setProfileId] = useState(profileFromUrl);
  const [search, setSearch] = useState('');
  const [view, setView] = useState<HistoryView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { status, setStatus, busy, run: act } = useAction<NonNullable<Status>>();
  const [confirm, setConfirm] = useState<Confirm>(null);
  /** Seconds fresh links live; '' is the profile's own. */
  const [expiry, setExpiry] = useState('');
  /** The fresh link last made for each entry, shown under it. */
  const [links, setLinks] = useState<Record<string, { url: string; expiresAt?: number }>>({});
  const [limitText, setLimitText] = useState('');
  const request = useRef(0);

  useEffect(() => {
    void sendMessage('getSettings', undefined).then((s) => {
      setSettings(s);
      setProfileId((id) => (id && s.profiles.some((p) => p.profile.id === id) ? id : s.defaultId ?? ''));
    });
  }, []);

  const load = async () => {
    if (!profileId) return;
    const mine = ++request.current;
    const r = await sendMessage('listHistory', { profileId, search, thumbnails: true });
    // A newer question (another search, another profile) was asked meanwhile.
    if (mine !== request.current) return;
    if (!r.ok) {
      setLoadError(r.error.message);
      return;
    }
    setLoadError(null);
    setView(r.value);
    setLimitText((text) => text || String(r.value.limit));
  };
  useEffect(() => {
    void load();
    return watchPublished(PUBLISHED_HISTORY_REVISION, () => void load());
  }, [profileId, search]);

  const summary: ProfileSummary | null = settings?.profiles.find((p) => p.profile.id === profileId) ?? null;
  const profile = summary?.profile ?? null;
  const canDelete = summary?.capabilities.delete ?? false;
  const expires = profile ? linkModeOf(profile) === 'presigned' : true;

  const freshLink = async (entry: Entry) => {
    const r = await sendMessage('freshLink', { historyId: entry.id, ...(expiry ? { expiresIn: Number(expiry) } : {}) });
    if (!r.ok) return r;
    setLinks((all) => ({ ...all, [entry.id]: { url: r.value.url, ...(r.value.expiresAt ? { expiresAt: r.value.expiresAt } : {}) } }));
    return r;
  };

  const copyFresh = (entry: Entry) =>
    act(async () => {
      const r = await freshLink(entry);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      const copied = await copyText(r.value.url);
      const name = entry.name;
      const expiresAt = r.value.expiresAt;
      if (copied)
        return { tone: 'good', text: expiresAt ? t('history_freshCopiedExpires', { name, when: when(expiresAt) }) : t('history_freshCopiedNeverExpires', { name }) };
      return { tone: 'bad', text: expiresAt ? t('history_freshNotCopiedExpires', { name, when: when(expiresAt) }) : t('history_freshNotCopiedNeverExpires', { name }) };
    });

  /** Copy as…: a fresh link, in the chosen form (with the profile's own text for "My own text"). */
  const copyAs = (entry: Entry, format: LinkFormat) =>
    act(async () => {
      const r = await freshLink(entry);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      const text = formatLink({ ...linkTextOf(profile ?? {}), format }, { url: r.value.url, name: entry.name, type: entry.type, key: entry.key });
      return (await copyText(text))
        ? { tone: 'good', text: t('common_copiedAs', { name: entry.name, format: linkFormatLabel(format) }) }
        : { tone: 'bad', text: t('common_clipboardRefused') };
    });

  const open = (entry: Entry) =>
    act(async () => {
      const r = await freshLink(entry);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      await browser.tabs.create({ url: r.value.url });
      return null;
    });

  const copyKey = (entry: Entry) =>
    act(async () =>
      (await copyText(entry.key))
        ? { tone: 'good', text: t('history_keyCopied', { name: entry.name, key: entry.key }) }
        : { tone: 'bad', text: t('common_clipboardRefused') },
    );

  const remove = (entry: Entry) =>
    act(async () => {
      setConfirm(null);
      const r = await sendMessage('deleteUpload', entry.id);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      setLinks(({ [entry.id]: _gone, ...rest }) => rest);
      return { tone: 'good', text: t('history_deleted', { name: entry.name, bucket: profile?.bucket ?? '' }) };
    });

  const clear = () =>
    act(async () => {
      setConfirm(null);
      const r = await sendMessage('clearHistory', profileId);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      setLinks({});
      return { tone: 'good', text: r.value.removed === 1 ? t('history_clearedOne') : t('history_clearedMany', { count: r.value.removed }) };
    });

  const saveLimit = () =>
    act(async () => {
      const limit = Number(limitText);
      const r = await sendMessage('setHistoryLimit', limit);
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      return { tone: 'good', text: t('history_limitSaved', { limit }) };
    });

  /** Back to the button that opened a confirmation, once it closes without acting. */
  const keep = (returnTo: string) => {
    setConfirm(null);
    requestAnimationFrame(() => document.getElementById(returnTo)?.focus());
  };

  const entries = view?.entries ?? [];
  const multipleProfiles = (settings?.profiles.length ?? 0) > 1;

  return (
    <main class="history">
      <header class="history-head">
        <h1>{t('history_title')}</h1>
        <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('common_options')}
        </button>
      </header>

      {settings && !settings.profiles.length ? (
        <p class="muted">{t('history_notSetUp')}</p>
      ) : (
        <>
          <div class="history-tools">
            {multipleProfiles && (
              <div class="field">
                <label for="history-profile">{t('history_profile')}</label>
                <select
                  id="history-profile"
                  value={profileId}
                  onChange={(e) => {
                    setProfileId(e.currentTarget.value);
                    setConfirm(null);
                    setStatus(null);
                    setLinks({});
                  }}
                >
                  {settings!.profiles.map(({ profile: p }) => (
                    <option value={p.id}>{p.id === settings!.defaultId ? t('common_optionDefault', { option: p.name }) : p.name}</option>
                  ))}
                </select>
              </div>
            )}
            <div class="field grow">
              <label for="history-search">{t('history_search')}</label>
              <input
                id="history-search"
                type="search"
                placeholder={t('history_searchPlaceholder')}
                value={search}
                onInput={(e) => setSearch(e.currentTarget.value)}
              />
            </div>
            {expires && (
              <div class="field">
                <label for="history-expiry">{t('history_freshLinksLast')}</label>
                <select id="history-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}>
                  <option value="">{profile ? t('history_expiryProfileIs', { duration: describeDuration(profile.linkExpirySeconds) }) : t('history_expiryProfile')}</option>
                  {LINK_EXPIRY_PRESETS.map((p) => (
                    <option value={String(p.seconds)}>{p.label}</option>
                  ))}
                </select>
              </div>
            )}
          </div>

          <p class="status" role="status" aria-live="polite">
            {status && <span class={status.tone === 'bad' ? 'error' : 'ok'}>{status.text}</span>}
          </p>

          {loadError && (
            <p class="alert" role="alert">
              {loadError}
            </p>
          )}

          {view && (
            <p class="muted count">
              {[
                search
                  ? t(view.total === 1 ? 'history_matchOne' : 'history_matchMany', { shown: entries.length, total: view.total, search })
                  : profile
                    ? t(view.total === 1 ? 'history_countToOne' : 'history_countToMany', { total: view.total, profile: profile.name })
                    : t(view.total === 1 ? 'history_countOne' : 'history_countMany', { total: view.total }),
                !canDelete && profile && view.total > 0 ? t('history_cannotDelete') : '',
              ]
                .filter(Boolean)
                .join(' ')}
            </p>
          )}

          {view === null && !loadError && <p class="muted">{t('common_loading')}</p>}

          {entries.length > 0 && (
            <ul class="history-list" aria-label={t('history_title')}>
              {entries.map((entry) => (
                <HistoryEntry
                  key={entry.id}
                  entry={entry}
                  link={links[entry.id]}
                  confirming={confirm?.kind === 'delete' && confirm.id === entry.id}
                  busy={busy}
                  canDelete={canDelete}
                  bucket={profile?.bucket ?? ''}
                  onCopyFresh={() => void copyFresh(entry)}
                  hasTemplate={Boolean(profile?.linkTemplate)}
                  onCopyAs={(format) => void copyAs(entry, format)}
                  onOpen={() => void open(entry)}
                  onCopyKey={() => void copyKey(entry)}
                  onDelete={() => setConfirm({ kind: 'delete', id: entry.id })}
                  onRemove={() => void remove(entry)}
                  onKeep={() => keep(`delete-${entry.id}`)}
                />
              ))}
            </ul>
          )}

          {view && view.total === 0 && <p class="muted">{t('history_empty')}</p>}

          <section class="history-settings" aria-labelledby="history-settings-heading">
            <h2 id="history-settings-heading">{t('history_settings')}</h2>
            <form
              class="limit"
              onSubmit={(e) => {
                e.preventDefault();
                void saveLimit();
              }}
            >
              <label id="limit-before" for="history-limit">
                {t('history_limitBefore')}
              </label>
              <input
                id="history-limit"
                type="number"
                min={1}
                max={MAX_HISTORY_LIMIT}
                step={1}
                required
                aria-labelledby="limit-before history-limit limit-after"
                value={limitText}
                onInput={(e) => setLimitText(e.currentTarget.value)}
              />
              <span id="limit-after">{t('history_limitAfter')}</span>
              <button type="submit" disabled={busy}>
                {t('common_save')}
              </button>
            </form>
            <p class="muted hint">{t('history_limitHint')}</p>
            {view && view.total > 0 && (
              <div>
                <button
                  type="button"
                  class="danger"
                  id="clear-history"
                  aria-expanded={confirm?.kind === 'clear' ? 'true' : 'false'}
                  onClick={() => setConfirm({ kind: 'clear' })}
                >
                  {t('history_clear')}
                </button>
              </div>
            )}
            {confirm?.kind === 'clear' && (
              <ConfirmBox
                id="confirm-clear"
                question={
                  profile
                    ? t('history_confirmClear', { count: view?.total ?? 0, profile: profile.name })
                    : t('history_confirmClearThisProfile', { count: view?.total ?? 0 })
                }
                yes={t('history_clearYes')}
                onYes={() => void clear()}
                onNo={() => keep('clear-history')}
              />
            )}
          </section>
        </>
      )}
    </main>
  );
}
