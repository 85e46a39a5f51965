import { useState } from 'preact/hooks';
import { t } from '../i18n/t';
import { sendMessage } from '../messaging/protocol';

/** Shown while the secrets are sealed and locked: files chosen meanwhile wait, and go once this succeeds. */
export function UnlockForm({ onUnlocked, waiting = 0, autoFocus = true }: { onUnlocked(): void; waiting?: number; autoFocus?: boolean }) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="unlock"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        const result = await sendMessage('unlock', passphrase).finally(() => setBusy(false));
        if (!result.ok) {
          setError(result.error.message);
          return;
        }
        setPassphrase('');
        onUnlocked();
      }}
    >
      <p>
        <strong>{t('unlock_locked')}</strong>{' '}
        {waiting === 1 ? t('unlock_waitingOne') : waiting ? t('unlock_waitingMany', { count: waiting }) : t('unlock_prompt')}
      </p>
      <div class="field">
        <label for="unlock-passphrase">{t('unlock_passphrase')}</label>
        <div class="row">
          <input
            id="unlock-passphrase"
            type="password"
            autoComplete="current-password"
            value={passphrase}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'unlock-error' : undefined}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
            autoFocus={autoFocus}
          />
          <button type="submit" class="primary" disabled={busy || !passphrase}>{t('unlock_button')}</button>
        </div>
        {error && (
          <p class="error" id="unlock-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
