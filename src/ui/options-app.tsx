import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { renderKey } from '../keys/template';
import { sendMessage } from '../messaging/protocol';
import type { ConnectionReport } from '../s3/connection-test';
import { hostPermissionOrigins } from '../s3/endpoint';
import { LINK_EXPIRY_PRESETS } from '../s3/expiry';
import { EMPTY_PROFILE, type FieldErrors, type Profile, type ProfileDraft, type ProfileField } from '../settings/profile';

type Status = { tone: 'good' | 'bad' | 'info'; text: string; useRegion?: string; grant?: string[] } | null;

const FIELD_LABELS: Partial<Record<ProfileField, string>> = {
  accessKeyId: 'Access key ID',
  secretAccessKey: 'Secret access key',
  sessionToken: 'Session token',
  bucket: 'Bucket',
  region: 'Region',
  endpoint: 'Endpoint URL',
};

/** Asks for exactly the bucket's origin; must run inside the click that triggered it. */
async function requestAccess(profile: Profile): Promise<boolean> {
  try {
    return await browser.permissions.request({ origins: hostPermissionOrigins(profile) });
  } catch {
    return false;
  }
}

export function OptionsApp() {
  const [profile, setProfile] = useState<Profile>(EMPTY_PROFILE);
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [hasSecret, setHasSecret] = useState(false);
  const [hasToken, setHasToken] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void sendMessage('getSettings').then((s) => {
      if (s.profile) setProfile(s.profile);
      setHasSecret(s.hasSecret);
      setHasToken(s.hasSessionToken);
    });
  }, []);

  const set = <K extends keyof Profile>(field: K, value: Profile[K]) => {
    setProfile((p) => ({ ...p, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const draft = (): ProfileDraft => ({ ...profile, secretAccessKey: secret, sessionToken: token });

  async function onTest() {
    const granted = await requestAccess(profile);
    setBusy(true);
    setStatus({ tone: 'info', text: 'Testing the connection…' });
    try {
      if (!granted) {
        setStatus({ tone: 'bad', text: `S3 Drop needs access to ${hostPermissionOrigins(profile).join(' and ')} to reach the bucket. Press Test connection again and allow it.` });
        return;
      }
      const report: ConnectionReport = await sendMessage('testConnection', draft());
      const useRegion = report.detectedRegion && report.detectedRegion !== profile.region ? report.detectedRegion : undefined;
      setStatus({ tone: report.ok ? 'good' : 'bad', text: report.message, ...(useRegion ? { useRegion } : {}) });
    } finally {
      setBusy(false);
    }
  }

  async function onSave(e: Event) {
    e.preventDefault();
    await requestAccess(profile);
    setBusy(true);
    try {
      const report = await sendMessage('saveProfile', draft());
      setErrors(report.errors);
      if (!report.saved) {
        setStatus({ tone: 'bad', text: 'Not saved: fix the fields marked in red above.' });
        // Keyboard and screen-reader users land on the first field to fix.
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
        return;
      }
      if (secret) setHasSecret(true);
      if (secret) setHasToken(Boolean(token));
      else if (token) setHasToken(true);
      setSecret('');
      setToken('');
      if (report.detectedRegion) setProfile((p) => ({ ...p, region: report.detectedRegion! }));
      const trimmed = report.trimmed.map((f) => FIELD_LABELS[f] ?? f);
      const notes = [
        report.detectedRegion ? `Detected region ${report.detectedRegion}.` : '',
        trimmed.length ? `Removed spaces around: ${trimmed.join(', ')}.` : '',
        report.needsAccess.length ? 'S3 Drop still needs your permission to reach the bucket.' : '',
      ].filter(Boolean);
      setStatus({
        tone: report.needsAccess.length ? 'bad' : 'good',
        text: ['Saved.', ...notes].join(' '),
        ...(report.needsAccess.length ? { grant: report.needsAccess } : {}),
      });
    } finally {
      setBusy(false);
    }
  }

  async function onGrant(origins: string[]) {
    const granted = await browser.permissions.request({ origins }).catch(() => false);
    setStatus(
      granted
        ? { tone: 'good', text: 'Saved. S3 Drop can reach the bucket now.' }
        : { tone: 'bad', text: 'Access was not granted: uploads cannot reach the bucket until you allow it.', grant: origins },
    );
  }

  async function onUseRegion(region: string) {
    const next = { ...profile, region };
    setProfile(next);
    await requestAccess(next);
    setStatus({ tone: 'info', text: `Region set to ${region}. Save to keep it.` });
  }

  const preview = (() => {
    try {
      return renderKey(profile.keyTemplate, { name: 'My photo.jpg', now: new Date(), uuid: '3f2c…' });
    } catch {
      return '';
    }
  })();

  const field = (id: keyof ProfileDraft, label: string, input: preact.JSX.Element, hint?: string) => (
    <div class="field">
      <label for={id}>{label}</label>
      {input}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors[id] && (
        <p class="error" id={`${id}-error`} role="alert">
          {errors[id]}
        </p>
      )}
    </div>
  );
  const a11y = (id: keyof ProfileDraft, hint?: boolean) => ({
    id,
    'aria-invalid': errors[id] ? ('true' as const) : undefined,
    'aria-describedby': [hint ? `${id}-hint` : '', errors[id] ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
  });

  return (
    <main class="options">
      <h1>S3 Drop options</h1>
      <p class="muted">Your keys stay in this browser. Only S3 Drop's background reads them, to sign short-lived URLs.</p>
      <form onSubmit={onSave} noValidate>
        <fieldset>
          <legend>Bucket</legend>
          {field('bucket', 'Bucket', <input type="text" {...a11y('bucket')} value={profile.bucket} onInput={(e) => set('bucket', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
          {field(
            'region',
            'Region',
            <input type="text" {...a11y('region', true)} value={profile.region} placeholder="detect automatically" onInput={(e) => set('region', e.currentTarget.value)} spellcheck={false} />,
            'For example eu-west-1. Leave empty to detect it.',
          )}
          {field(
            'endpoint',
            'Endpoint URL (optional)',
            <input type="url" {...a11y('endpoint', true)} value={profile.endpoint} placeholder="https://s3.example.com" onInput={(e) => set('endpoint', e.currentTarget.value)} spellcheck={false} />,
            'Only for S3-compatible services (MinIO, Ceph, Swift, R2…). Empty means AWS S3.',
          )}
          <div class="field check">
            <input id="forcePathStyle" type="checkbox" checked={profile.forcePathStyle} onChange={(e) => set('forcePathStyle', e.currentTarget.checked)} />
            <label for="forcePathStyle">Path-style addressing (endpoint/bucket/key)</label>
          </div>
        </fieldset>

        <fieldset>
          <legend>Keys</legend>
          {field('accessKeyId', 'Access key ID', <input type="text" {...a11y('accessKeyId')} value={profile.accessKeyId} onInput={(e) => set('accessKeyId', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
          {field(
            'secretAccessKey',
            'Secret access key',
            <input
              type="password"
              {...a11y('secretAccessKey', true)}
              value={secret}
              placeholder={hasSecret ? 'saved — type to replace' : ''}
              onInput={(e) => {
                setSecret(e.currentTarget.value);
                setErrors((x) => ({ ...x, secretAccessKey: undefined }));
              }}
              autoComplete="off"
            />,
            hasSecret ? 'A secret is saved. It is never shown again; type a new one to replace it.' : 'Stored only in this browser.',
          )}
          {field(
            'sessionToken',
            'Session token (optional)',
            <input type="password" {...a11y('sessionToken', true)} value={token} placeholder={hasToken ? 'saved — type to replace' : ''} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" />,
            'Only for temporary credentials (STS). Links die when the token does.',
          )}
        </fieldset>

        <fieldset>
          <legend>Uploads</legend>
          {field(
            'keyTemplate',
            'Object key template',
            <input type="text" {...a11y('keyTemplate', true)} value={profile.keyTemplate} onInput={(e) => set('keyTemplate', e.currentTarget.value)} spellcheck={false} />,
            `Tokens: {yyyy} {mm} {dd} {hh} {uuid} {name} {ext}. Example: ${preview}`,
          )}
          {field(
            'linkExpirySeconds',
            'Share links expire after',
            <select {...a11y('linkExpirySeconds')} value={String(profile.linkExpirySeconds)} onChange={(e) => set('linkExpirySeconds', Number(e.currentTarget.value))}>
              {LINK_EXPIRY_PRESETS.map((p) => (
                <option value={String(p.seconds)}>{p.label}</option>
              ))}
            </select>,
          )}
        </fieldset>

        <div class="actions">
          <button type="button" onClick={onTest} disabled={busy}>
            Test connection
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Save
          </button>
        </div>
        <div aria-live="polite">
          {status && (
            <div class={`report ${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'}>
              <p>{status.text}</p>
              {status.grant && (
                <button type="button" class="primary" onClick={() => onGrant(status.grant!)}>
                  Allow access to {status.grant.map((o) => new URL(o.replace('/*', '/')).host).join(', ')}
                </button>
              )}
              {status.useRegion && (
                <button type="button" onClick={() => onUseRegion(status.useRegion!)}>
                  Use {status.useRegion}
                </button>
              )}
            </div>
          )}
        </div>
      </form>
    </main>
  );
}
