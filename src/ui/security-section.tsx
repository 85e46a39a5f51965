import { useState } from 'preact/hooks';
import { t } from '../i18n/t';
import { useAction } from './use-action';
import { sendMessage, type SecurityStatus } from '../messaging/protocol';

type Status = { tone: 'good' | 'bad'; text: string } | null;

/**
 * The passphrase that seals every profile's secrets: set, change, remove,
 * lock now, and the idle time after which S3 Drop locks itself.
 */
export function SecuritySection({ security, hasProfiles, onChanged }: { security: SecurityStatus; hasProfiles: boolean; onChanged(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [minutes, setMinutes] = useState(String(security.lockAfterMinutes));
  const { status, busy, run } = useAction<NonNullable<Status>>();
  const clear = () => {
    setCurrent('');
    setNext('');
    setRepeat('');
  };

  const onSetPassphrase = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      if (next !== repeat) return { tone: 'bad', text: t('security_mismatch') };
      const r = await sendMessage('setPassphrase', { next, ...(security.encrypted ? { current } : {}) });
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      clear();
      onChanged();
      return {
        tone: 'good',
        text: security.encrypted
          ? t('security_changed')
          : t('security_encrypted'),
      };
    });
  };

  return (
    <section aria-labelledby="security-heading">
      <h2 id="security-heading">{t('security_heading')}</h2>
      <p class="muted">
        {security.encrypted
          ? t(security.locked ? 'security_stateLocked' : 'security_stateUnlocked')
          : t('security_statePlain')}
      </p>
      <form onSubmit={onSetPassphrase} noValidate>
        <fieldset>
          <legend>{t(security.encrypted ? 'security_changeLegend' : 'security_setLegend')}</legend>
          {security.encrypted && (
            <div class="field">
              <label for="passphrase-current">{t('security_current')}</label>
              <input id="passphrase-current" type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
            </div>
          )}
          <div class="field">
            <label for="passphrase-new">{t('security_new')}</label>
            <input
              id="passphrase-new"
              type="password"
              autoComplete="new-password"
              aria-describedby="passphrase-new-hint"
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
            <p class="hint" id="passphrase-new-hint">{t('security_newHint')}</p>
          </div>
          <div class="field">
            <label for="passphrase-repeat">{t('security_repeat')}</label>
            <input id="passphrase-repeat" type="password" autoComplete="new-password" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || !next || (!hasProfiles && !security.encrypted)}>
              {t(security.encrypted ? 'security_changeButton' : 'security_setButton')}
            </button>
            {security.encrypted && (
              <button
                type="button"
                disabled={busy || !current}
                onClick={() =>
                  void run(async () => {
                    const r = await sendMessage('removePassphrase', current);
                    if (!r.ok) return { tone: 'bad', text: r.error.message };
                    clear();
                    onChanged();
                    return { tone: 'good', text: t('security_removed') };
                  })
                }
              >{t('security_removeButton')}</button>
            )}
            {security.encrypted && !security.locked && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await sendMessage('lock');
                    onChanged();
                    return { tone: 'good', text: t('security_lockedNow') };
                  })
                }
              >{t('security_lockNow')}</button>
            )}
          </div>
        </fieldset>
      </form>
      {security.encrypted && (
        <form
          class="inline"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await sendMessage('setLockAfter', Number(minutes));
              if (!r.ok) return { tone: 'bad', text: r.error.message };
              onChanged();
              return { tone: 'good', text: Number(minutes) ? t('security_lockAfterSaved', { minutes }) : t('security_lockNever') };
            });
          }}
        >
          <div class="field">
            <label for="lock-after">{t('security_lockAfter')}</label>
            <div class="row">
              <input id="lock-after" type="number" min={0} max={1440} inputMode="numeric" aria-describedby="lock-after-hint" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
              <button type="submit" disabled={busy}>{t('security_lockAfterSave')}</button>
            </div>
            <p class="hint" id="lock-after-hint">{t('security_lockAfterHint')}</p>
          </div>
        </form>
      )}
      <div aria-live="polite">
        {status && (
          <div class={`report ${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'}>
            <p>{status.text}</p>
          </div>
        )}
      </div>
    </section>
  );
}
