import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { KEY_TOKENS, renderKey, templateCanCollide, TOKEN_TEXT, validateKeyTemplate, withSuffix } from '../keys/template';
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
import { hostOf, hostsOf, PRESIGN_PATH, savedTokenApplies } from '../team/service-url';
import { tokenExpiryNote } from './token-expiry';
import { t } from '../i18n/t';
import { tRich } from './rich';

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
  { value: 'bearer', label: t('editor_authBearer') },
  { value: 'header', label: t('editor_authHeader') },
  { value: 'none', label: t('editor_authNone') },
];

type Uploads = Pick<KeysProfile, 'keyTemplate' | 'linkExpirySeconds' | 'name'>;

const DISPOSITION_CHOICES: { value: LinkDisposition; label: string }[] = [
  { value: 'auto', label: t('editor_dispositionAuto') },
  { value: 'inline', label: t('editor_dispositionInline') },
  { value: 'attachment', label: t('editor_dispositionAttachment') },
];

const LINK_MODE_CHOICES: { value: LinkMode; label: string; hint: string }[] = [
  { value: 'presigned', label: t('editor_linkModePresigned'), hint: t('editor_linkModePresignedHint') },
  { value: 'public', label: t('editor_linkModePublic'), hint: t('editor_linkModePublicHint') },
  { value: 'custom', label: t('editor_linkModeCustom'), hint: t('editor_linkModeCustomHint') },
];

const EXPIRY_UNITS: { value: ExpiryUnit; label: string }[] = [
  { value: 'minutes', label: t('editor_unitMinutes') },
  { value: 'hours', label: t('editor_unitHours') },
  { value: 'days', label: t('editor_unitDays') },
];

/** What the template preview shows for each token. */
const PREVIEW = { name: t('editor_previewFileName'), uuid: '3f2c…', shortid: 'k3Xz9QaB', pageUrl: 'https://www.example.com/gallery' };

/** Asks for exactly these origins; must run inside the click that triggered it. */
async function requestAccess(origins: string[]): Promise<boolean> {
  if (!origins.length) return true;
  try {
    return await browser.permissions.request({ origins });
  } catch {
    return false;
  }
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
    setStatus({ tone: 'info', text: t('editor_testing') });
    try {
      if (!granted) {
        const hosts = hostsOf(origins);
        setStatus({ tone: 'bad', text: current.kind === 'presign-service' ? t('editor_testNeedsServiceAccess', { hosts }) : t('editor_testNeedsBucketAccess', { hosts }) });
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
        setStatus({ tone: 'bad', text: t('editor_notSavedLocked') });
        return;
      }
      if (!report.saved) {
        setStatus({ tone: 'bad', text: t('editor_notSavedInvalid') });
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
        // The background also dropped the saved token if the service's address, header or way of sending changed.
        setHasServiceToken(current.serviceAuth !== 'none' && !report.tokenDropped && (Boolean(serviceToken) || hasServiceToken));
        setServiceToken('');
        if (report.tokenDropped) setErrors((e) => ({ ...e, serviceToken: t('team_tokenAgain') }));
        const { s3Origin } = report;
        if (s3Origin) {
          setTeam((p) => ({ ...p, endpoint: s3Origin, forcePathStyle: true }));
          notes.push(t('editor_savedS3Host', { host: hostOf(s3Origin) }));
        }
      } else {
        setHasServiceToken(false);
        if (secret) setHasSecret(true);
        if (secret) setHasToken(Boolean(token));
        else if (token) setHasToken(true);
        setSecret('');
        setToken('');
        if (report.detectedRegion) setKeys((p) => ({ ...p, region: report.detectedRegion! }));
        if (report.detectedRegion) notes.push(t('common_detectedRegion', { region: report.detectedRegion }));
      }
      const trimmed = report.trimmed.map((f) => FIELD_LABELS[f] ?? f);
      if (trimmed.length) notes.push(t('editor_savedTrimmed', { fields: trimmed.join(', ') }));
      if (report.needsAccess.length)
        notes.push(
          current.kind === 'presign-service'
            ? t('editor_savedNeedsHosts', { hosts: hostsOf(report.needsAccess) })
            : t('editor_savedNeedsBucket'),
        );
      // Last: what the user must do next.
      if (report.tokenDropped) notes.push(t('editor_savedTokenDropped'));
      setStatus({
        tone: report.needsAccess.length || report.tokenDropped ? 'bad' : 'good',
        text: [t('editor_saved'), ...notes].join(' '),
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
        text: kind === 'presign-service' ? t('editor_grantRefusedHosts', { hosts: hostsOf(origins) }) : t('editor_grantRefusedBucket'),
        grant: origins,
        after,
      });
      return;
    }
    setStatus(
      after === 'test'
        ? { tone: 'good', text: t('editor_grantedAfterTest', { hosts: hostsOf(origins) }) }
        : { tone: 'good', text: kind === 'presign-service' ? t('editor_grantedHosts', { hosts: hostsOf(origins) }) : t('editor_grantedBucket') },
    );
  }

  async function onUseRegion(region: string) {
    const next = { ...keys, region };
    setKeys(next);
    await requestAccess(originsFor({ ...next, ...uploads }));
    setStatus({ tone: 'info', text: t('editor_regionSet', { region }) });
  }

  /** Problems shown as the user types, before Save (Save's own answer wins). */
  const live: FieldErrors = {};
  const templateProblem = validateKeyTemplate(uploads.keyTemplate);
  if (templateProblem) live.keyTemplate = templateProblem;
  if (customExpiry) {
    const amount = Number(expiryAmount);
    const problem =
      !expiryAmount.trim() || !Number.isFinite(amount) || amount <= 0
        ? t('editor_expiryAmount')
        : !Number.isInteger(uploads.linkExpirySeconds)
          ? t('editor_expiryWhole')
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
    t('editor_templateTokens', { tokens: KEY_TOKENS.map((token) => TOKEN_TEXT[token]).join(' ') }),
    preview ? (usesHost ? t('editor_templateExampleHost', { key: preview, pageKey: fromPage }) : t('editor_templateExample', { key: preview })) : '',
    collides
      ? kind === 'presign-service'
        ? t('editor_templateServiceOverwrites', TOKEN_TEXT)
        : t('editor_templateNoOverwrite', { name: PREVIEW.name, next: withSuffix(PREVIEW.name, '-1') })
      : '',
    kind === 'presign-service' ? t('editor_templateServicePrefix') : '',
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
  const tokenHint = note ? note.text : t('editor_tokenExpirationHint');

  const keysFields = (
    <>
      <fieldset>
        <legend>{t('editor_bucketLegend')}</legend>
        {field('bucket', t('field_bucket'), <input type="text" {...a11y('bucket')} value={keys.bucket} onInput={(e) => setKey('bucket', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
        {field(
          'region',
          t('field_region'),
          <input type="text" {...a11y('region', true)} value={keys.region} placeholder={t('editor_regionPlaceholder')} onInput={(e) => setKey('region', e.currentTarget.value)} spellcheck={false} />,
          t('editor_regionHint'),
        )}
        {field(
          'endpoint',
          t('editor_endpointOptional'),
          <input type="url" {...a11y('endpoint', true)} value={keys.endpoint} placeholder="https://s3.example.com" onInput={(e) => setKey('endpoint', e.currentTarget.value)} spellcheck={false} />,
          t('editor_endpointHint'),
        )}
        <div class="field check">
          <input id="forcePathStyle" type="checkbox" checked={keys.forcePathStyle} onChange={(e) => setKey('forcePathStyle', e.currentTarget.checked)} />
          <label for="forcePathStyle">{t('editor_pathStyle')}</label>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('editor_keysLegend')}</legend>
        {field('accessKeyId', t('field_accessKeyId'), <input type="text" {...a11y('accessKeyId')} value={keys.accessKeyId} onInput={(e) => setKey('accessKeyId', e.currentTarget.value)} autoComplete="off" spellcheck={false} />)}
        {field(
          'secretAccessKey',
          t('field_secretAccessKey'),
          <input
            type="password"
            {...a11y('secretAccessKey', true)}
            value={secret}
            placeholder={hasSecret ? t('editor_savedPlaceholder') : ''}
            onInput={(e) => {
              setSecret(e.currentTarget.value);
              clearError('secretAccessKey');
            }}
            autoComplete="off"
          />,
          hasSecret ? t('editor_secretSaved') : t('editor_secretHint'),
        )}
        {field(
          'sessionToken',
          t('editor_sessionTokenOptional'),
          <input type="password" {...a11y('sessionToken', true)} value={token} placeholder={hasToken ? t('editor_savedPlaceholder') : ''} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" />,
          t('editor_sessionTokenHint'),
        )}
        {(token || hasToken || keys.sessionTokenExpiration) &&
          field(
            'sessionTokenExpiration',
            t('editor_sessionTokenExpirationOptional'),
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

  /**
   * The saved token will not go where the form now points (another origin,
   * header or way of sending): Save drops it, Test connection does not use it.
   * Said before Save, so nobody is surprised.
   */
  const tokenWillDrop = hasServiceToken && saved?.kind === 'presign-service' && !savedTokenApplies(saved, team);
  const teamFields = (
    <fieldset>
      <legend>{t('editor_serviceLegend')}</legend>
      {field(
        'serviceUrl',
        t('field_serviceUrl'),
        <input type="url" {...a11y('serviceUrl', true)} value={team.serviceUrl} placeholder="https://files.example.com" onInput={(e) => setService('serviceUrl', e.currentTarget.value)} spellcheck={false} />,
        t('editor_serviceUrlHint', { path: PRESIGN_PATH }),
      )}
      {field(
        'serviceAuth',
        t('field_serviceAuth'),
        <select {...a11y('serviceAuth')} value={team.serviceAuth} onChange={(e) => setService('serviceAuth', e.currentTarget.value as ServiceAuth)}>
          {AUTH_CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>,
      )}
      {team.serviceAuth === 'header' &&
        field(
          'serviceAuthHeader',
          t('field_serviceAuthHeader'),
          <input type="text" {...a11y('serviceAuthHeader', true)} value={team.serviceAuthHeader} placeholder="X-API-Key" onInput={(e) => setService('serviceAuthHeader', e.currentTarget.value)} autoComplete="off" spellcheck={false} />,
          t('editor_headerNameHint'),
        )}
      {team.serviceAuth !== 'none' &&
        field(
          'serviceToken',
          team.serviceAuth === 'header' ? t('editor_headerValue') : t('field_serviceToken'),
          <input
            type="password"
            {...a11y('serviceToken', true)}
            value={serviceToken}
            placeholder={hasServiceToken && !tokenWillDrop ? t('editor_savedPlaceholder') : ''}
            onInput={(e) => {
              setServiceToken(e.currentTarget.value);
              clearError('serviceToken');
            }}
            autoComplete="off"
          />,
          tokenWillDrop && !serviceToken
            ? t('team_tokenAgain')
            : hasServiceToken && !tokenWillDrop
              ? t('editor_serviceTokenSaved')
              : t('editor_serviceTokenHint'),
        )}
      {field(
        'bucket',
        t('editor_serviceBucket'),
        <input type="text" {...a11y('bucket', true)} value={team.bucket} onInput={(e) => setService('bucket', e.currentTarget.value)} autoComplete="off" spellcheck={false} />,
        t('editor_serviceBucketHint'),
      )}
      <p class="hint">
        {team.endpoint
          ? tRich(team.region ? 'editor_serviceS3HostRegion' : 'editor_serviceS3Host', { host: <strong>{hostOf(team.endpoint)}</strong>, region: team.region })
          : t('editor_serviceS3Unknown')}{' '}
        {t('editor_serviceLimits')}
      </p>
    </fieldset>
  );

  return (
    <section class="editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading">{saved ? t('editor_headingProfile', { name: saved.name }) : t('editor_headingNew')}</h2>
      <p class="muted">{kind === 'presign-service' ? t('editor_introService') : t('editor_introKeys')}</p>
      <form onSubmit={onSave} noValidate>
        {field(
          'name',
          t('field_name'),
          <input
            type="text"
            {...a11y('name', true)}
            value={uploads.name}
            placeholder={kind === 'keys' ? keys.bucket || t('editor_namePlaceholderKeys') : t('editor_namePlaceholderService')}
            onInput={(e) => setUpload('name', e.currentTarget.value)}
            autoComplete="off"
          />,
          t('editor_nameHint'),
        )}
        <fieldset class="kind">
          <legend>{t('editor_kindLegend')}</legend>
          <div class="field check">
            <input type="radio" id="kind-keys" name="kind" value="keys" checked={kind === 'keys'} onChange={() => chooseKind('keys')} />
            <label for="kind-keys">{t('editor_kindKeys')}</label>
          </div>
          <div class="field check">
            <input type="radio" id="kind-presign-service" name="kind" value="presign-service" checked={kind === 'presign-service'} onChange={() => chooseKind('presign-service')} />
            <label for="kind-presign-service">{t('editor_kindService')}</label>
          </div>
        </fieldset>

        {kind === 'presign-service' ? teamFields : keysFields}

        <fieldset>
          <legend>{t('editor_uploadsLegend')}</legend>
          {field(
            'keyTemplate',
            t('field_keyTemplate'),
            <input type="text" {...a11y('keyTemplate', true)} value={uploads.keyTemplate} onInput={(e) => setUpload('keyTemplate', e.currentTarget.value)} spellcheck={false} />,
            templateHint,
          )}
          {kind === 'keys' && (
            <fieldset class="choice" aria-describedby="linkMode-hint">
              <legend>{t('field_linkMode')}</legend>
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
                    {tRich('editor_linkExample', { example: <code>{linkExample}</code> })}
                  </>
                ) : null}
              </p>
              {linkMode === 'custom' &&
                field(
                  'linkBaseUrl',
                  t('field_linkBaseUrl'),
                  <input
                    type="url"
                    {...a11y('linkBaseUrl', true)}
                    value={keys.linkBaseUrl ?? ''}
                    placeholder={`https://cdn.example.com/${KEY_TOKEN}`}
                    onInput={(e) => setKey('linkBaseUrl', e.currentTarget.value)}
                    spellcheck={false}
                  />,
                  linkExample
                    ? tRich('editor_linkAddressHintExample', { token: KEY_TOKEN, example: <code>{linkExample}</code> })
                    : t('editor_linkAddressHint', { token: KEY_TOKEN }),
                )}
            </fieldset>
          )}
          {linkMode === 'presigned' && (
            <div class="field">
              <label for="linkExpirySeconds">{t('field_linkExpirySeconds')}</label>
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
                  <option value="custom">{t('editor_expiryCustom')}</option>
                </select>
                {customExpiry && (
                  <>
                    <label for="linkExpiryAmount" class="visually-hidden">
                      {t('editor_expiryCustomAmount')}
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
                      {t('editor_expiryCustomUnit')}
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
                    customExpiry ? t('editor_expiryCustomHint', { seconds: (7 * EXPIRY_UNIT_SECONDS.days).toLocaleString('en-US') }) : '',
                    kind === 'presign-service' ? t('editor_expiryServiceHint') : '',
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
              t('field_linkDisposition'),
              <select {...a11y('linkDisposition', true)} value={keys.linkDisposition ?? 'auto'} onChange={(e) => setKey('linkDisposition', e.currentTarget.value as LinkDisposition)}>
                {DISPOSITION_CHOICES.map((c) => (
                  <option value={c.value}>{c.label}</option>
                ))}
              </select>,
              (keys.linkDisposition ?? 'auto') === 'attachment'
                ? t('editor_dispositionAttachmentHint')
                : t('editor_dispositionHint'),
            )}
          {kind === 'keys' &&
            field(
              'multipartThresholdMiB',
              t('field_multipartThresholdMiB'),
              <input
                type="number"
                inputMode="numeric"
                min={MULTIPART_THRESHOLD_RANGE_MIB.min}
                max={MULTIPART_THRESHOLD_RANGE_MIB.max}
                {...a11y('multipartThresholdMiB', true)}
                value={String(keys.multipartThresholdMiB ?? MULTIPART_THRESHOLD_RANGE_MIB.default)}
                onInput={(e) => setKey('multipartThresholdMiB', Number(e.currentTarget.value))}
              />,
              t('editor_thresholdHint'),
            )}
        </fieldset>

        <div class="actions">
          <button type="button" onClick={onTest} disabled={busy}>
            {t('editor_testConnection')}
          </button>
          <button type="submit" class="primary" disabled={busy || locked}>
            {t('common_save')}
          </button>
        </div>
        <div aria-live="polite">
          {status && (
            <div class={`report ${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'}>
              <p>{status.text}</p>
              {status.grant && (
                <button type="button" class="primary" onClick={() => onGrant(status.grant!, status.after)}>
                  {t('editor_allowAccessTo', { hosts: hostsOf(status.grant) })}
                </button>
              )}
              {status.useRegion && (
                <button type="button" onClick={() => onUseRegion(status.useRegion!)}>
                  {t('editor_useRegion', { region: status.useRegion })}
                </button>
              )}
            </div>
          )}
        </div>
      </form>
    </section>
  );
}
