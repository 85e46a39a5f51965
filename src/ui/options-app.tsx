import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage, type PublicSettings } from '../messaging/protocol';
import { listLabel, signerOf } from '../settings/profile-kinds';
import { exportProfiles, importSizeProblem } from '../settings/transfer';
import { BucketCheckSection } from './bucket-check-section';
import { ProfileEditor } from './profile-editor';
import { SecuritySection } from './security-section';
import { UnlockForm } from './unlock-form';
import { t } from '../i18n/t';

type Notice = { tone: 'good' | 'bad'; text: string; lines?: string[] } | null;

/** Offers text as a file download, without any permission: a blob URL on a temporary link. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The options page: the profiles (list, editor, default, duplicate, delete,
 * export and import without secrets) and the passphrase that can seal them.
 */
export function OptionsApp() {
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  /** The profile in the editor; '' is a new one. */
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** Presses of the editor's Check my bucket that connected with the saved profile: each runs the whole check. */
  const [checkRequest, setCheckRequest] = useState(0);
  /**
   * Bumped whenever the editor must start afresh (another profile chosen, a
   * new one, a duplicate, a delete) — but not when a new profile is saved and
   * gets its id, so its "Saved." report stays.
   */
  const [generation, setGeneration] = useState(0);

  const reload = async (select?: string) => {
    const s = await sendMessage('getSettings', undefined);
    setSettings(s);
    setSelected((current) => {
      if (select !== undefined) return select;
      if (current !== null && (current === '' || s.profiles.some((p) => p.profile.id === current))) return current;
      return s.defaultId ?? '';
    });
    return s;
  };
  useEffect(() => {
    void reload();
  }, []);

  if (!settings || selected === null)
    return (
      <main class="options">
        <h1>{t('options_title')}</h1>
        <p class="muted">{t('common_loading')}</p>
      </main>
    );

  const summary = settings.profiles.find((p) => p.profile.id === selected) ?? null;
  const locked = settings.security.locked;

  const act = async (work: () => Promise<Notice>) => {
    setNotice(null);
    setConfirmDelete(false);
    setNotice(await work());
  };

  return (
    <main class="options">
      <h1>{t('options_title')}</h1>
      <p>
        <a href={browser.runtime.getURL('/uploads.html')} target="_blank" rel="noopener">
          {t('options_openHistory')}
        </a>
      </p>

      {locked && (
        <section class="report bad" aria-label={t('options_locked')}>
          <UnlockForm onUnlocked={() => void reload()} />
        </section>
      )}

      <section aria-labelledby="profiles-heading">
        <h2 id="profiles-heading">{t('options_profiles')}</h2>
        {settings.profiles.length > 0 && (
          <ul class="profiles" aria-label={t('options_profiles')}>
            {settings.profiles.map(({ profile, hasSecret }) => (
              <li>
                <button
                  type="button"
                  class="profile-choice"
                  aria-current={profile.id === selected ? 'true' : undefined}
                  onClick={() => {
                    setNotice(null);
                    setConfirmDelete(false);
                    setSelected(profile.id);
                    setGeneration((g) => g + 1);
                  }}
                >
                  <span class="profile-name">{profile.name}</span>
                  <span class="muted">
                    {[
                      listLabel(profile),
                      ...[profile.id === settings.defaultId ? t('options_isDefault') : '', hasSecret ? '' : t('options_needsSecret')].filter(Boolean),
                    ].join(' · ')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="actions">
          <button
            type="button"
            aria-pressed={selected === '' ? 'true' : 'false'}
            onClick={() => {
              setNotice(null);
              setConfirmDelete(false);
              setSelected('');
              setGeneration((g) => g + 1);
            }}
          >
            {t('options_addProfile')}
          </button>
          {summary && summary.profile.id !== settings.defaultId && (
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  const r = await sendMessage('setDefaultProfile', summary.profile.id);
                  await reload();
                  return r.ok ? { tone: 'good', text: t('options_defaultNow', { name: summary.profile.name }) } : { tone: 'bad', text: r.error.message };
                })
              }
            >
              {t('options_makeDefault')}
            </button>
          )}
          {summary && (
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  const r = await sendMessage('duplicateProfile', summary.profile.id);
                  if (!r.ok) return { tone: 'bad', text: r.error.message };
                  await reload(r.value.id);
                  setGeneration((g) => g + 1);
                  return { tone: 'good', text: t('options_duplicated', { name: r.value.name }) };
                })
              }
            >
              {t('options_duplicate')}
            </button>
          )}
          {summary && (
            <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
              {t('options_delete')}
            </button>
          )}
        </div>
        {summary && confirmDelete && (
          <div class="report bad" role="alertdialog" aria-labelledby="confirm-delete-text">
            <p id="confirm-delete-text">{t('options_confirmDelete', { name: summary.profile.name })}</p>
            <div class="actions">
              <button
                type="button"
                class="danger"
                onClick={() =>
                  act(async () => {
                    const r = await sendMessage('deleteProfile', summary.profile.id);
                    await reload();
                    setGeneration((g) => g + 1);
                    return r.ok ? { tone: 'good', text: t('options_deleted', { name: summary.profile.name }) } : { tone: 'bad', text: r.error.message };
                  })
                }
              >
                {t('options_deleteNamed', { name: summary.profile.name })}
              </button>
              <button type="button" onClick={() => setConfirmDelete(false)} autoFocus>
                {t('options_keepIt')}
              </button>
            </div>
          </div>
        )}
        <div aria-live="polite">
          {notice && (
            <div class={`report ${notice.tone}`} role={notice.tone === 'bad' ? 'alert' : 'status'}>
              <p>{notice.text}</p>
              {notice.lines && (
                <ul>
                  {notice.lines.map((line) => (
                    <li>{line}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      </section>

      <ProfileEditor
        key={generation}
        saved={summary}
        locked={locked}
        profiles={settings.profiles.map((p) => p.profile)}
        onConnected={() => setCheckRequest((n) => n + 1)}
        onSaved={(id) => {
          // Stay on the profile just saved (a new one has its id now), without resetting the form's status.
          void sendMessage('getSettings', undefined).then((s) => {
            setSettings(s);
            if (selected === '') setSelected(id);
          });
        }}
      />

      {summary && !locked && <BucketCheckSection profileId={summary.profile.id} signer={signerOf(summary.profile)} request={checkRequest} />}

      <section aria-labelledby="transfer-heading">
        <h2 id="transfer-heading">{t('options_transferHeading')}</h2>
        <p class="muted">{t('options_transferHint')}</p>
        <div class="actions">
          <button
            type="button"
            disabled={!settings.profiles.length}
            onClick={() => {
              download(`s3-drop-profiles-${new Date().toISOString().slice(0, 10)}.json`, exportProfiles(settings.profiles.map((p) => p.profile), new Date()));
              const count = settings.profiles.length;
              setNotice({ tone: 'good', text: count === 1 ? t('options_exportedOne') : t('options_exportedMany', { count }) });
            }}
          >
            {t('options_export')}
          </button>
          <label class="button">
            {t('options_import')}
            <input
              type="file"
              accept="application/json,.json"
              class="visually-hidden"
              onChange={async (e) => {
                const input = e.currentTarget;
                const file = input.files?.[0];
                input.value = '';
                if (!file) return;
                await act(async () => {
                  // From the size alone: a video picked by mistake is never read into memory.
                  const tooLarge = importSizeProblem(file);
                  if (tooLarge) return { tone: 'bad', text: t('options_importNothing', { file: file.name }), lines: [tooLarge] };
                  const report = await sendMessage('importProfiles', await file.text());
                  if (report.problems.length)
                    return { tone: 'bad', text: t('options_importNothing', { file: file.name }), lines: report.problems };
                  await reload();
                  return {
                    tone: 'good',
                    text:
                      report.imported === 1
                        ? t('options_importedOne', { names: report.names.join(', ') })
                        : t('options_importedMany', { count: report.imported, names: report.names.join(', ') }),
                  };
                });
              }}
            />
          </label>
        </div>
      </section>

      <SecuritySection security={settings.security} hasProfiles={settings.profiles.length > 0} onChanged={() => void reload()} />
    </main>
  );
}
