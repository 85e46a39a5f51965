import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { KEY_TOKENS, renderKey, templateCanCollide, validateKeyTemplate, withSuffix } from '../keys/template';
import { sendMessage, type ProfileSummary } from '../messaging/protocol';
import { hostPermissionOrigins } from '../s3/endpoint';
import type { LinkDisposition } from '../s3/content-disposition';
import { EXPIRY_UNIT_SECONDS, isPresetExpiry, joinExpiry, LINK_EXPIRY_PRESETS, splitExpiry, validateLinkExpiry, type ExpiryUnit } from '../s3/expiry';
import { customLinkUrl, KEY_TOKEN, publicObjectUrl, validateLinkBaseUrl } from '../s3/public-url';
import {
  accessOrigins,
  EMPTY_PROFILE,
  MULTIPART_THRESHOLD_RANGE_MIB,
  EMPTY_SERVICE_PROFILE,
  FIELD_LABELS,
  type FieldErrors,
  type KeysProfile,
  type PresignServiceProfile,
  type ProfileDraft,
  type ProfileField,
  type ProfileKind,
  type LinkMode,
  type ServiceAuth,
  validateTokenExpiration,
} from '../settings/profile';
import { hostOf, PRESIGN_PATH } from '../team/service-url';
import { tokenExpiryNote } from './token-expiry';

type Status = {
  tone: 'good' | 'bad' | 'info';
  text: string;
  useRegion?: string;
  /** Origin patterns to offer an "Allow access to …" button for. */
  grant?: string[];
  /** What the grant button follows, for the sentence after it. */
  after?: 'test' | 'save';
} | null;


const AUTH_CHOICES: { value: ServiceAuth; label: string }[] = [
  { value: 'bearer', label: 'A bearer token (Authorization: Bearer …)' },
  { value: 'header', label: 'A header of its own (name and value)' },
  { value: 'none', label: 'No token: the service is open to this network' },
];

type Uploads = Pick<KeysProfile, 'keyTemplate' | 'linkExpirySeconds' | 'name'>;

const DISPOSITION_CHOICES: { value: LinkDisposition; label: string }[] = [
  { value: 'auto', label: 'Automatic: open pictures, PDFs, text, audio and video; download the rest' },
  { value: 'inline', label: 'Always open in the browser' },
  { value: 'attachment', label: 'Always download' },
];

const LINK_MODE_CHOICES: { value: LinkMode; label: string; hint: string }[] = [
  { value: 'presigned', label: 'Signed links that expire', hint: 'Works with a private bucket. Each link carries a signature and ends after the time below.' },
  { value: 'public', label: 'Public links (the object’s plain URL)', hint: 'Never expire. The bucket, or the key template’s folder, must allow anonymous reads (a bucket policy), or people get “Access Denied”.' },
  { value: 'custom', label: 'Links on my own domain (a CDN)', hint: 'Never expire. Your domain serves the bucket’s objects, e.g. CloudFront or Cloudflare in front of it.' },
];

const EXPIRY_UNITS: { value: ExpiryUnit; label: string }[] = [
  { value: 'minutes', label: 'minutes' },
  { value: 'hours', label: 'hours' },
  { value: 'days', label: 'days' },
];

/** What the template preview shows for each token. */
const PREVIEW = { name: 'My photo.jpg', uuid: '3f2c…', shortid: 'k3Xz9QaB', pageUrl: 'https://www.example.com/gallery' };

/** Asks for exactly these origins; must run inside the click that triggered it. */
async function requestAccess(origins: string[]): Promise<boolean> {
  if (!origins.length) return true;
  try {
    return await browser.permissions.request({ origins });
  } catch {
    return false;
  }
}

/** `http://127.0.0.1:9000/*` → `127.0.0.1:9000` */
function hostsOf(origins: string[]): string {
  return origins.map((o) => hostOf(o.replace(/\/\*$/, '/'))).join(', ');
}

export interface ProfileEditorProps {
  /** The saved profile being edited; `null` for a new one. Give the editor a `key` per profile: its state starts from this. */
  saved: ProfileSummary | null;
  /** Called after a successful save, with the profile's id (new profiles get theirs then). */
  onSaved(id: string): void;
  /** The secrets are locked: saving needs the passphrase first. */
  locked: boolean;
}

/** The form for one profile: its connection, keys or service, and upload settings. */
export function ProfileEditor({ saved: summary, onSaved, locked }: ProfileEditorProps) {
  const saved = summary?.profile ?? null;
  const [kind, setKind] = useState<ProfileKind>(saved?.kind ?? 'keys');
  const [keys, setKeys] = useState<KeysProfile>(saved?.kind === 'keys' ? saved : EMPTY_PROFILE);
  const [team, setTeam] = useState<PresignServiceProfile>(saved?.kind === 'presign-service' ? saved : EMPTY_SERVICE_PROFILE);
  const [uploads, setUploads] = useState<Uploads>({
    keyTemplate: saved?.keyTemplate ?? EMPTY_PROFILE.keyTemplate,
    linkExpirySeconds: saved?.linkExpirySeconds ?? EMPTY_PROFILE.linkExpirySeconds,
    name: saved?.name ?? '',
  });
  /** The expiry as the Custom… fields hold it (typed text, unit); shown while `customExpiry` is on. */
  const [customExpiry, setCustomExpiry] = useState(!isPresetExpiry(uploads.linkExpirySeconds));
  const [expiryAmount, setExpiryAmount] = useState(String(splitExpiry(uploads.linkExpirySeconds).amount));
  const [expiryUnit, setExpiryUnit] = useState<ExpiryUnit>(splitExpiry(uploads.linkExpirySeconds).unit);
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [serviceToken, setServiceToken] = useState('');
  const [hasSecret, setHasSecret] = useState(saved?.kind === 'keys' && Boolean(summary?.hasSecret));
  const [hasToken, setHasToken] = useState(saved?.kind === 'keys' && Boolean(summary?.hasSessionToken));
  const [hasServiceToken, setHasServiceToken] = useState(
    saved?.kind === 'presign-service' && saved.serviceAuth !== 'none' && Boolean(summary?.hasSecret),
  );
  const [id, setId] = useState(saved?.id ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  const clearError = (field: ProfileField) => setErrors((e) => ({ ...e, [field]: undefined }));
  const setKey = <K extends keyof KeysProfile>(field: K, value: KeysProfile[K]) => {
    setKeys((p) => ({ ...p, [field]: value }));
    clearError(field);
  };
  const setService = <K extends keyof PresignServiceProfile>(field: K, value: PresignServiceProfile[K]) => {
    setTeam((p) => ({ ...p, [field]: value }));
    clearError(field);
  };
  const setUpload = <K extends keyof Uploads>(field: K, value: Uploads[K]) => {
    setUploads((u) => ({ ...u, [field]: value }));
    clearError(field);
  };

  const draft = (): ProfileDraft =>
    kind === 'presign-service'
      ? { ...team, ...uploads, id, serviceToken }
      : { ...keys, ...uploads, id, secretAccessKey: secret, sessionToken: token };
  /**
   * What to ask the browser for in this click: the bucket's origin, or the
   * service's and its S3 host's. Nothing while the fields do not make a URL
   * yet: the background's validation then says what is wrong.
   */
  const originsFor = (d: ProfileDraft): string[] => {
    try {
      return d.kind === 'presign-service' ? accessOrigins(d) : hostPermissionOrigins(d);
    } catch {
      return [];
    }
  };

  async function onTest() {
    setStatus(null);
    const current = draft();
    const origins = originsFor(current);
    const granted = await requestAccess(origins);
    setBusy(true);
    setStatus({ tone: 'info', text: 'Testing the connection…' });
    try {
      if (!granted) {
        const what = current.kind === 'presign-service' ? 'to reach the presign service' : 'to reach the bucket';
        setStatus({ tone: 'bad', text: `S3 Drop needs access to ${hostsOf(origins)} ${what}. Press Test connection again and allow it.` });
        return;
      }
      const report = await sendMessage('testConnection', current);
      if (current.kind === 'presign-service') {
        const { s3Origin, region } = report;
        if (s3Origin) setTeam((p) => ({ ...p, endpoint: s3Origin, forcePathStyle: true, region: region ?? p.region }));
        const grant = report.needsAccess?.length ? report.needsAccess : undefined;
        setStatus({ tone: report.ok ? 'good' : 'bad', text: report.message, ...(grant ? { grant, after: 'test' as const } : {}) });
        return;
      }
      const useRegion = report.detectedRegion && report.detectedRegion !== keys.region ? report.detectedRegion : undefined;
      setStatus({ tone: report.ok ? 'good' : 'bad', text: report.message, ...(useRegion ? { useRegion } : {}) });
    } finally {
      setBusy(false);
    }
  }

  async function onSave(e: Event) {
    e.preventDefault();
    setStatus(null);
    const current = draft();
    await requestAccess(originsFor(current));
    setBusy(true);
    try {
      const report = await sendMessage('saveProfile', current);
      setErrors(report.errors);
      if (report.locked) {
        setStatus({ tone: 'bad', text: 'Not saved: S3 Drop is locked. Enter your passphrase above, then Save again.' });
        return;
      }
      if (!report.saved) {
        setStatus({ tone: 'bad', text: 'Not saved: fix the fields marked in red above.' });
        // Keyboard and screen-reader users land on the first field to fix.
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
        return;
      }
      const notes: string[] = [];
      setId(report.id);
      if (!uploads.name) setUploads((u) => ({ ...u, name: current.kind === 'presign-service' ? hostOf(current.serviceUrl) : current.bucket }));
      if (current.kind === 'presign-service') {
        // The background keeps one kind of credential: saving the service dropped any saved keys.
        setHasSecret(false);
        setHasToken(false);
        setHasServiceToken(current.serviceAuth !== 'none' && (Boolean(serviceToken) || hasServiceToken));
        setServiceToken('');
        const { s3Origin } = report;
        if (s3Origin) {
          setTeam((p) => ({ ...p, endpoint: s3Origin, forcePathStyle: true }));
          notes.push(`Uploads go to S3 on ${hostOf(s3Origin)}.`);
        }
      } else {
        setHasServiceToken(false);
        if (secret) setHasSecret(true);
        if (secret) setHasToken(Boolean(token));
        else if (token) setHasToken(true);
        setSecret('');
        setToken('');
        if (report.detectedRegion) setKeys((p) => ({ ...p, region: report.detectedRegion! }));
        if (report.detectedRegion) notes.push(`Detected region ${report.detectedRegion}.`);
      }
      const trimmed = report.trimmed.map((f) => FIELD_LABELS[f] ?? f);
      if (trimmed.length) notes.push(`Removed spaces around: ${trimmed.join(', ')}.`);
      if (report.needsAccess.length)
        notes.push(
          current.kind === 'presign-service'
            ? `S3 Drop still needs your permission to reach ${hostsOf(report.needsAccess)}.`
            : 'S3 Drop still needs your permission to reach the bucket.',
        );
      setStatus({
        tone: report.needsAccess.length ? 'bad' : 'good',
        text: ['Saved.', ...notes].join(' '),
        ...(report.needsAccess.length ? { grant: report.needsAccess, after: 'save' as const } : {}),
      });
      onSaved(report.id);
    } finally {
      setBusy(false);
    }
  }

  async function onGrant(origins: string[], after: 'test' | 'save' = 'save') {
    const granted = await browser.permissions.request({ origins }).catch(() => false);
    if (!granted) {
      setStatus({
        tone: 'bad',
        text: `Access was not granted: uploads cannot reach ${kind === 'presign-service' ? hostsOf(origins) : 'the bucket'} until you allow it.`,
        grant: origins,
        after,
      });
      return;
    }
    setStatus(
      after === 'test'
        ? { tone: 'good', text: `S3 Drop can reach ${hostsOf(origins)} now. Press Test connection to check that S3 takes the service's URLs, then Save.` }
        : { tone: 'good', text: kind === 'presign-service' ? `Saved. S3 Drop can reach ${hostsOf(origins)} now.` : 'Saved. S3 Drop can reach the bucket now.' },
    );
  }

  async function onUseRegion(region: string) {
    const next = { ...keys, region };
    setKeys(next);
    await requestAccess(originsFor({ ...next, ...uploads }));
    setStatus({ tone: 'info', text: `Region set to ${region}. Save to keep it.` });
  }

  /** Problems shown as the user types, before Save (Save's own answer wins). */
  const live: FieldErrors = {};
  const templateProblem = validateKeyTemplate(uploads.keyTemplate);
  if (templateProblem) live.keyTemplate = templateProblem;
  if (customExpiry) {
    const amount = Number(expiryAmount);
    const problem =
      !expiryAmount.trim() || !Number.isFinite(amount) || amount <= 0
        ? 'Enter how long links live: a number above 0.'
        : !Number.isInteger(uploads.linkExpirySeconds)
          ? 'Use a whole number of seconds: try fewer decimals, or a smaller unit.'
          : validateLinkExpiry(uploads.linkExpirySeconds);
    if (problem) live.linkExpirySeconds = problem;
  }
  const linkMode: LinkMode = kind === 'keys' ? keys.linkMode ?? 'presigned' : 'presigned';
  if (linkMode === 'custom') {
    const problem = validateLinkBaseUrl(keys.linkBaseUrl ?? '');
    if (problem && (keys.linkBaseUrl || errors.linkBaseUrl)) live.linkBaseUrl = problem;
  }
  /** Save's answer for a field, else what is wrong with it now. */
  const problemOf = (id: ProfileField) => errors[id] ?? live[id];

  const render = (over: { pageUrl?: string; suffix?: string } = {}) => {
    if (templateProblem) return '';
    try {
      const { pageUrl: _page, ...input } = PREVIEW;
      return renderKey(uploads.keyTemplate, { ...input, now: new Date(), ...over });
    } catch {
      return '';
    }
  };
  const preview = render();
  const usesHost = uploads.keyTemplate.includes('{host}');
  const fromPage = usesHost ? render({ pageUrl: PREVIEW.pageUrl }) : '';
  const collides = !templateProblem && templateCanCollide(uploads.keyTemplate);
  const templateHint = [
    `Tokens: ${KEY_TOKENS.map((t) => `{${t}}`).join(' ')}.`,
    preview ? `Example: ${preview}${usesHost ? ` (from the popup; an image from www.example.com: ${fromPage})` : ''}.` : '',
    collides
      ? kind === 'presign-service'
        ? 'A presign service cannot say whether a name is taken, so a second file with the same name replaces the first: add {uuid} or {shortid}.'
        : `Nothing is overwritten: a second ${PREVIEW.name} becomes ${withSuffix(PREVIEW.name, '-1')}.`
      : '',
    kind === 'presign-service' ? 'A service may take keys under its own prefix only, e.g. drop/.' : '',
  ]
    .filter(Boolean)
    .join(' ');

  /** Where a link to the preview key points in the chosen mode, shown under the choice. */
  const linkExample = (() => {
    const key = preview || 'photo.jpg';
    try {
      if (linkMode === 'public') return keys.bucket ? publicObjectUrl(keys, key) : '';
      if (linkMode === 'custom') return keys.linkBaseUrl && !validateLinkBaseUrl(keys.linkBaseUrl) ? customLinkUrl(keys.linkBaseUrl, key) : '';
    } catch {
      /* the endpoint is not a URL yet: its own field says so */
    }
    return '';
  })();

  const field = (id: ProfileField, label: string, input: preact.JSX.Element, hint?: preact.ComponentChildren) => (
    <div class="field">
      <label for={id}>{label}</label>
      {input}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problemOf(id) && (
        // Save's refusal is announced; a problem seen while typing is only linked to its field.
        <p class="error" id={`${id}-error`} role={errors[id] ? 'alert' : undefined}>
          {problemOf(id)}
        </p>
      )}
    </div>
  );
  const a11y = (id: ProfileField, hint?: boolean) => ({
    id,
    'aria-invalid': problemOf(id) ? ('true' as const) : undefined,
    'aria-describedby': [hint ? `${id}-hint` : '', problemOf(id) ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
  });
  const chooseKind = (next: ProfileKind) => {
    setKind(next);
    setErrors({});
    setStatus(null);
  };

  const note = keys.sessionTokenExpiration && !validateTokenExpiration(keys.sessionTokenExpiration) ? tokenExpiryNote({ ...keys, ...uploads }, Date.now()) : null;
  const tokenHint = note
    ? note.text
    : 'Paste Expiration from the STS answer (aws sts get-session-token). S3 Drop then shows when the token dies and cuts share links to it.';

  const keysFields = (
    <>
      <fieldset>
        <legend>Bucket</legend>
        {field('bucket', 'Bucket', <input type="text" {...a11y('bucket')} value={keys.bucket} onInput={(e) => setKey('bucket', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
        {field(
          'region',
          'Region',
          <input type="text" {...a11y('region', true)} value={keys.region} placeholder="detect automatically" onInput={(e) => setKey('region', e.currentTarget.value)} spellcheck={false} />,
          'For example eu-west-1. Leave empty to detect it.',
        )}
        {field(
          'endpoint',
          'Endpoint URL (optional)',
          <input type="url" {...a11y('endpoint', true)} value={keys.endpoint} placeholder="https://s3.example.com" onInput={(e) => setKey('endpoint', e.currentTarget.value)} spellcheck={false} />,
          'Only for S3-compatible services (MinIO, Ceph, Swift, R2…). Empty means AWS S3.',
        )}
        <div class="field check">
          <input id="forcePathStyle" type="checkbox" checked={keys.forcePathStyle} onChange={(e) => setKey('forcePathStyle', e.currentTarget.checked)} />
          <label for="forcePathStyle">Path-style addressing (endpoint/bucket/key)</label>
        </div>
      </fieldset>

      <fieldset>
        <legend>Keys</legend>
        {field('accessKeyId', 'Access key ID', <input type="text" {...a11y('accessKeyId')} value={keys.accessKeyId} onInput={(e) => setKey('accessKeyId', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
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
              clearError('secretAccessKey');
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
        {(token || hasToken || keys.sessionTokenExpiration) &&
          field(
            'sessionTokenExpiration',
            'Session token expires at (optional)',
            <input
              type="text"
              {...a11y('sessionTokenExpiration', true)}
              value={keys.sessionTokenExpiration ?? ''}
              placeholder="2026-11-25T22:15:00Z"
              onInput={(e) => setKey('sessionTokenExpiration', e.currentTarget.value)}
              spellcheck={false}
            />,
            tokenHint,
          )}
      </fieldset>
    </>
  );

  const teamFields = (
    <fieldset>
      <legend>Presign service</legend>
      {field(
        'serviceUrl',
        'Service URL',
        <input type="url" {...a11y('serviceUrl', true)} value={team.serviceUrl} placeholder="https://files.example.com" onInput={(e) => setService('serviceUrl', e.currentTarget.value)} spellcheck={false} />,
        `Its base address. S3 Drop asks ${PRESIGN_PATH} under it: POST for an upload URL, GET for a share link.`,
      )}
      {field(
        'serviceAuth',
        'Send the token as',
        <select {...a11y('serviceAuth')} value={team.serviceAuth} onChange={(e) => setService('serviceAuth', e.currentTarget.value as ServiceAuth)}>
          {AUTH_CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>,
      )}
      {team.serviceAuth === 'header' &&
        field(
          'serviceAuthHeader',
          'Header name',
          <input type="text" {...a11y('serviceAuthHeader', true)} value={team.serviceAuthHeader} placeholder="X-API-Key" onInput={(e) => setService('serviceAuthHeader', e.currentTarget.value)} autoComplete="off" spellcheck={false} />,
          'The header the service reads the token from.',
        )}
      {team.serviceAuth !== 'none' &&
        field(
          'serviceToken',
          team.serviceAuth === 'header' ? 'Header value' : 'Token',
          <input
            type="password"
            {...a11y('serviceToken', true)}
            value={serviceToken}
            placeholder={hasServiceToken ? 'saved — type to replace' : ''}
            onInput={(e) => {
              setServiceToken(e.currentTarget.value);
              clearError('serviceToken');
            }}
            autoComplete="off"
          />,
          hasServiceToken
            ? 'A token is saved. It is never shown again; type a new one to replace it.'
            : 'Stored only in this browser, with the secrets; sent only to the service.',
        )}
      {field(
        'bucket',
        'Bucket name (if the service asks for one)',
        <input type="text" {...a11y('bucket', true)} value={team.bucket} onInput={(e) => setService('bucket', e.currentTarget.value)} autoComplete="off" spellcheck={false} />,
        'Sent as bucket_name. Leave empty when the service has its own bucket.',
      )}
      <p class="hint">
        {team.endpoint ? (
          <>
            The service's URLs point at S3 on <strong>{hostOf(team.endpoint)}</strong>
            {team.region ? ` (region ${team.region})` : ''}.{' '}
          </>
        ) : (
          'Test connection finds out which S3 host the service signs for. '
        )}
        In this mode each file goes up in one PUT (at most 5 GiB), and uploads cannot be deleted from S3 Drop.
      </p>
    </fieldset>
  );

  return (
    <section class="editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading">{saved ? `Profile: ${saved.name}` : 'New profile'}</h2>
      <p class="muted">
        {kind === 'presign-service'
          ? "No bucket keys in this browser: your team's presign service signs each URL, and S3 Drop keeps only its token."
          : "Your keys stay in this browser. Only S3 Drop's background reads them, to sign short-lived URLs."}
      </p>
      <form onSubmit={onSave} noValidate>
        {field(
          'name',
          'Profile name',
          <input type="text" {...a11y('name', true)} value={uploads.name} placeholder={kind === 'keys' ? keys.bucket || 'e.g. Work' : 'e.g. Team'} onInput={(e) => setUpload('name', e.currentTarget.value)} autoComplete="off" />,
          'What the popup and the right-click menu call it. Empty: the bucket’s name.',
        )}
        <fieldset class="kind">
          <legend>Connect with</legend>
          <div class="field check">
            <input type="radio" id="kind-keys" name="kind" value="keys" checked={kind === 'keys'} onChange={() => chooseKind('keys')} />
            <label for="kind-keys">My own keys</label>
          </div>
          <div class="field check">
            <input type="radio" id="kind-presign-service" name="kind" value="presign-service" checked={kind === 'presign-service'} onChange={() => chooseKind('presign-service')} />
            <label for="kind-presign-service">My team's presign service</label>
          </div>
        </fieldset>

        {kind === 'presign-service' ? teamFields : keysFields}

        <fieldset>
          <legend>Uploads</legend>
          {field(
            'keyTemplate',
            'Object key template',
            <input type="text" {...a11y('keyTemplate', true)} value={uploads.keyTemplate} onInput={(e) => setUpload('keyTemplate', e.currentTarget.value)} spellcheck={false} />,
            templateHint,
          )}
          {kind === 'keys' && (
            <fieldset class="choice" aria-describedby="linkMode-hint">
              <legend>Share links</legend>
              {LINK_MODE_CHOICES.map((c) => (
                <div class="field check">
                  <input
                    type="radio"
                    id={`linkMode-${c.value}`}
                    name="linkMode"
                    value={c.value}
                    checked={linkMode === c.value}
                    onChange={() => setKey('linkMode', c.value)}
                  />
                  <label for={`linkMode-${c.value}`}>{c.label}</label>
                </div>
              ))}
              <p class="hint" id="linkMode-hint">
                {LINK_MODE_CHOICES.find((c) => c.value === linkMode)!.hint}
                {linkMode === 'public' && linkExample ? (
                  <>
                    {' '}
                    Example: <code>{linkExample}</code>
                  </>
                ) : null}
              </p>
              {linkMode === 'custom' &&
                field(
                  'linkBaseUrl',
                  'Link address',
                  <input
                    type="url"
                    {...a11y('linkBaseUrl', true)}
                    value={keys.linkBaseUrl ?? ''}
                    placeholder={`https://cdn.example.com/${KEY_TOKEN}`}
                    onInput={(e) => setKey('linkBaseUrl', e.currentTarget.value)}
                    spellcheck={false}
                  />,
                  linkExample ? (
                    <>
                      {KEY_TOKEN} becomes the object's key (or it is added at the end). Example: <code>{linkExample}</code>
                    </>
                  ) : (
                    `An https:// address; ${KEY_TOKEN} becomes the object's key, or the key is added at the end.`
                  ),
                )}
            </fieldset>
          )}
          {linkMode === 'presigned' && (
            <div class="field">
              <label for="linkExpirySeconds">Share links expire after</label>
              <div class="row expiry-row">
                <select
                  {...a11y('linkExpirySeconds', kind === 'presign-service' || customExpiry)}
                  value={customExpiry ? 'custom' : String(uploads.linkExpirySeconds)}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    if (value === 'custom') {
                      setCustomExpiry(true);
                      setUpload('linkExpirySeconds', joinExpiry(Number(expiryAmount), expiryUnit));
                    } else {
                      setCustomExpiry(false);
                      setUpload('linkExpirySeconds', Number(value));
                    }
                  }}
                >
                  {LINK_EXPIRY_PRESETS.map((p) => (
                    <option value={String(p.seconds)}>{p.label}</option>
                  ))}
                  <option value="custom">Custom…</option>
                </select>
                {customExpiry && (
                  <>
                    <label for="linkExpiryAmount" class="visually-hidden">
                      Custom expiry
                    </label>
                    <input
                      type="number"
                      id="linkExpiryAmount"
                      inputMode="decimal"
                      min="1"
                      class="amount"
                      aria-invalid={problemOf('linkExpirySeconds') ? 'true' : undefined}
                      aria-describedby={problemOf('linkExpirySeconds') ? 'linkExpirySeconds-error' : 'linkExpirySeconds-hint'}
                      value={expiryAmount}
                      onInput={(e) => {
                        setExpiryAmount(e.currentTarget.value);
                        setUpload('linkExpirySeconds', joinExpiry(Number(e.currentTarget.value), expiryUnit));
                      }}
                    />
                    <label for="linkExpiryUnit" class="visually-hidden">
                      Custom expiry unit
                    </label>
                    <select
                      id="linkExpiryUnit"
                      value={expiryUnit}
                      onChange={(e) => {
                        const unit = e.currentTarget.value as ExpiryUnit;
                        setExpiryUnit(unit);
                        setUpload('linkExpirySeconds', joinExpiry(Number(expiryAmount), unit));
                      }}
                    >
                      {EXPIRY_UNITS.map((u) => (
                        <option value={u.value}>{u.label}</option>
                      ))}
                    </select>
                  </>
                )}
              </div>
              {(kind === 'presign-service' || customExpiry) && (
                <p class="hint" id="linkExpirySeconds-hint">
                  {[
                    customExpiry ? `Up to 7 days (${(7 * EXPIRY_UNIT_SECONDS.days).toLocaleString('en-US')} seconds), the most a signed link can live.` : '',
                    kind === 'presign-service' ? 'Asked of the service as expiration; it may give less, and the popup shows when each link really expires.' : '',
                  ]
                    .filter(Boolean)
                    .join(' ')}
                </p>
              )}
              {problemOf('linkExpirySeconds') && (
                <p class="error" id="linkExpirySeconds-error" role={errors.linkExpirySeconds ? 'alert' : undefined}>
                  {problemOf('linkExpirySeconds')}
                </p>
              )}
            </div>
          )}
          {kind === 'keys' &&
            linkMode === 'presigned' &&
            field(
              'linkDisposition',
              'Open links in the browser or download',
              <select {...a11y('linkDisposition', true)} value={keys.linkDisposition ?? 'auto'} onChange={(e) => setKey('linkDisposition', e.currentTarget.value as LinkDisposition)}>
                {DISPOSITION_CHOICES.map((c) => (
                  <option value={c.value}>{c.label}</option>
                ))}
              </select>,
              (keys.linkDisposition ?? 'auto') === 'attachment'
                ? 'Links save the file under its original name.'
                : 'Links open in the browser tab, under the original name. SVG, HTML and XML files always download: opened from your bucket, they could run script on its address.',
            )}
          {kind === 'keys' &&
            field(
              'multipartThresholdMiB',
              'Upload in parts above (MiB)',
              <input
                type="number"
                inputMode="numeric"
                min={MULTIPART_THRESHOLD_RANGE_MIB.min}
                max={MULTIPART_THRESHOLD_RANGE_MIB.max}
                {...a11y('multipartThresholdMiB', true)}
                value={String(keys.multipartThresholdMiB ?? MULTIPART_THRESHOLD_RANGE_MIB.default)}
                onInput={(e) => setKey('multipartThresholdMiB', Number(e.currentTarget.value))}
              />,
              'Larger files go up in parts, four at a time, each retried on its own. Up to 5120 MiB (one PUT’s limit).',
            )}
        </fieldset>

        <div class="actions">
          <button type="button" onClick={onTest} disabled={busy}>
            Test connection
          </button>
          <button type="submit" class="primary" disabled={busy || locked}>
            Save
          </button>
        </div>
        <div aria-live="polite">
          {status && (
            <div class={`report ${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'}>
              <p>{status.text}</p>
              {status.grant && (
                <button type="button" class="primary" onClick={() => onGrant(status.grant!, status.after)}>
                  Allow access to {hostsOf(status.grant)}
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
    </section>
  );
}
