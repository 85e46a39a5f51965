import { useState } from 'preact/hooks';
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
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<Status>) => {
    setBusy(true);
    setStatus(null);
    try {
      setStatus(await work());
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setCurrent('');
    setNext('');
    setRepeat('');
  };

  const onSetPassphrase = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      if (next !== repeat) return { tone: 'bad', text: 'The two new passphrases differ. Type the same one twice.' };
      const r = await sendMessage('setPassphrase', { next, ...(security.encrypted ? { current } : {}) });
      if (!r.ok) return { tone: 'bad', text: r.error.message };
      clear();
      onChanged();
      return {
        tone: 'good',
        text: security.encrypted
          ? 'Passphrase changed. Every secret is sealed under the new one.'
          : 'Secrets are encrypted now. S3 Drop asks for the passphrase once per browser session.',
      };
    });
  };

  return (
    <section aria-labelledby="security-heading">
      <h2 id="security-heading">Passphrase</h2>
      <p class="muted">
        {security.encrypted
          ? `Your secrets are encrypted with your passphrase (AES-GCM, key from PBKDF2-SHA-256). S3 Drop is ${security.locked ? 'locked' : 'unlocked'} in this browser session.`
          : 'Your secrets are stored unencrypted in this browser’s extension storage, like a password manager without a primary password. Set a passphrase to encrypt them; S3 Drop then asks for it once per browser session.'}
      </p>
      <form onSubmit={onSetPassphrase} noValidate>
        <fieldset>
          <legend>{security.encrypted ? 'Change the passphrase' : 'Encrypt secrets with a passphrase'}</legend>
          {security.encrypted && (
            <div class="field">
              <label for="passphrase-current">Current passphrase</label>
              <input id="passphrase-current" type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
            </div>
          )}
          <div class="field">
            <label for="passphrase-new">New passphrase</label>
            <input
              id="passphrase-new"
              type="password"
              autoComplete="new-password"
              aria-describedby="passphrase-new-hint"
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
            <p class="hint" id="passphrase-new-hint">
              At least 8 characters. It cannot be recovered: forget it and you enter your keys again.
            </p>
          </div>
          <div class="field">
            <label for="passphrase-repeat">Repeat the passphrase</label>
            <input id="passphrase-repeat" type="password" autoComplete="new-password" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || !next || (!hasProfiles && !security.encrypted)}>
              {security.encrypted ? 'Change passphrase' : 'Encrypt secrets'}
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
                    return { tone: 'good', text: 'Passphrase removed. Secrets are stored unencrypted again.' };
                  })
                }
              >
                Remove passphrase
              </button>
            )}
            {security.encrypted && !security.locked && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await sendMessage('lock');
                    onChanged();
                    return { tone: 'good', text: 'Locked. Uploads wait for the passphrase.' };
                  })
                }
              >
                Lock now
              </button>
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
              return { tone: 'good', text: Number(minutes) ? `S3 Drop locks itself after ${minutes} idle minutes.` : 'S3 Drop stays unlocked until the browser closes.' };
            });
          }}
        >
          <div class="field">
            <label for="lock-after">Lock after idle (minutes)</label>
            <div class="row">
              <input id="lock-after" type="number" min={0} max={1440} inputMode="numeric" aria-describedby="lock-after-hint" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
              <button type="submit" disabled={busy}>
                Save lock time
              </button>
            </div>
            <p class="hint" id="lock-after-hint">
              0 keeps it unlocked until the browser closes.
            </p>
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
