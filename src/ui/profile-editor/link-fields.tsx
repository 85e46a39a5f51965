import type { LinkDisposition } from '../../s3/content-disposition';
import { EXPIRY_UNIT_SECONDS, LINK_EXPIRY_PRESETS, type ExpiryUnit } from '../../s3/expiry';
import { customLinkUrl, KEY_TOKEN, publicObjectUrl, validateLinkBaseUrl } from '../../s3/public-url';
import type { KeysProfile, LinkMode } from '../../settings/profile';
import { t } from '../../i18n/t';
import { tRich } from '../rich';
import { LINK_FORMATS, LINK_TEMPLATE_TOKENS, linkFormatLabel, type LinkFormat } from '../../links/link-format';
import { linkModeIn } from './draft';

/** A custom link text people use: the name, then the link, for chats that do not unfurl. */
const LINK_TEMPLATE_EXAMPLE = '{name}: {url}';
import type { GroupProps } from './field-kit';
import { previewKey } from './naming-fields';

const LINK_MODE_CHOICES: { value: LinkMode; label: string; hint: string }[] = [
  { value: 'presigned', label: t('editor_linkModePresigned'), hint: t('editor_linkModePresignedHint') },
  { value: 'public', label: t('editor_linkModePublic'), hint: t('editor_linkModePublicHint') },
  { value: 'custom', label: t('editor_linkModeCustom'), hint: t('editor_linkModeCustomHint') },
];

const DISPOSITION_CHOICES: { value: LinkDisposition; label: string }[] = [
  { value: 'auto', label: t('editor_dispositionAuto') },
  { value: 'inline', label: t('editor_dispositionInline') },
  { value: 'attachment', label: t('editor_dispositionAttachment') },
];

const EXPIRY_UNITS: { value: ExpiryUnit; label: string }[] = [
  { value: 'minutes', label: t('editor_unitMinutes') },
  { value: 'hours', label: t('editor_unitHours') },
  { value: 'days', label: t('editor_unitDays') },
];

/** Where a link to the preview key points in the chosen mode, shown under the choice. */
function linkExample(keys: KeysProfile, linkMode: LinkMode, keyTemplate: string): string {
  const key = previewKey(keyTemplate) || 'photo.jpg';
  try {
    if (linkMode === 'public') return keys.bucket ? publicObjectUrl(keys, key) : '';
    if (linkMode === 'custom') return keys.linkBaseUrl && !validateLinkBaseUrl(keys.linkBaseUrl) ? customLinkUrl(keys.linkBaseUrl, key) : '';
  } catch {
    /* the endpoint is not a URL yet: its own field says so */
  }
  return '';
}

/** What a share link is (signed, public, own domain), how long it lives, and whether it opens or downloads. */
export function LinkFields(props: GroupProps) {
  const { state, dispatch, kit } = props;
  const { field, a11y } = kit;
  const { kind, keys } = state;
  const linkMode = linkModeIn(state);
  const example = linkExample(keys, linkMode, state.uploads.keyTemplate);

  return (
    <>
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
                onChange={() => dispatch({ type: 'set', field: 'linkMode', value: c.value })}
              />
              <label for={`linkMode-${c.value}`}>{c.label}</label>
            </div>
          ))}
          <p class="hint" id="linkMode-hint">
            {LINK_MODE_CHOICES.find((c) => c.value === linkMode)!.hint}
            {linkMode === 'public' && example ? (
              <>
                {' '}
                {tRich('editor_linkExample', { example: <code>{example}</code> })}
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
                onInput={(e) => dispatch({ type: 'set', field: 'linkBaseUrl', value: e.currentTarget.value })}
                spellcheck={false}
              />,
              example ? tRich('editor_linkAddressHintExample', { token: KEY_TOKEN, example: <code>{example}</code> }) : t('editor_linkAddressHint', { token: KEY_TOKEN }),
            )}
        </fieldset>
      )}
      {linkMode === 'presigned' && <ExpiryField {...props} />}
      {kind === 'keys' &&
        linkMode === 'presigned' &&
        field(
          'linkDisposition',
          t('field_linkDisposition'),
          <select
            {...a11y('linkDisposition', true)}
            value={keys.linkDisposition ?? 'auto'}
            onChange={(e) => dispatch({ type: 'set', field: 'linkDisposition', value: e.currentTarget.value as LinkDisposition })}
          >
            {DISPOSITION_CHOICES.map((c) => (
              <option value={c.value}>{c.label}</option>
            ))}
          </select>,
          (keys.linkDisposition ?? 'auto') === 'attachment' ? t('editor_dispositionAttachmentHint') : t('editor_dispositionHint'),
        )}
      <LinkTextFields {...props} />
    </>
  );
}

/** What goes on the clipboard: the plain link, Markdown, HTML, BBCode, or the user's own text. */
function LinkTextFields({ state, dispatch, kit: { field, a11y } }: GroupProps) {
  const format = state.uploads.linkFormat ?? 'url';
  return (
    <>
      {field(
        'linkFormat',
        t('field_linkFormat'),
        <select {...a11y('linkFormat', true)} value={format} onChange={(e) => dispatch({ type: 'set', field: 'linkFormat', value: e.currentTarget.value as LinkFormat })}>
          {LINK_FORMATS.map((f) => (
            <option value={f}>{linkFormatLabel(f)}</option>
          ))}
        </select>,
        t('editor_linkFormatHint'),
      )}
      {format === 'custom' &&
        field(
          'linkTemplate',
          t('field_linkTemplate'),
          <input
            type="text"
            {...a11y('linkTemplate', true)}
            value={state.uploads.linkTemplate ?? ''}
            placeholder={LINK_TEMPLATE_EXAMPLE}
            onInput={(e) => dispatch({ type: 'set', field: 'linkTemplate', value: e.currentTarget.value })}
            spellcheck={false}
          />,
          tRich('editor_linkTemplateHint', { tokens: <code>{LINK_TEMPLATE_TOKENS.join(' ')}</code>, example: <code>{LINK_TEMPLATE_EXAMPLE}</code> }),
        )}
    </>
  );
}

/** How long signed links live: a preset, or Custom… with an amount and a unit. */
function ExpiryField({ state, dispatch, kit: { a11y, problemOf, refused } }: GroupProps) {
  const { kind, customExpiry, expiryAmount, expiryUnit } = state;
  const problem = problemOf('linkExpirySeconds');
  return (
    <div class="field">
      <label for="linkExpirySeconds">{t('field_linkExpirySeconds')}</label>
      <div class="row expiry-row">
        <select
          {...a11y('linkExpirySeconds', kind === 'presign-service' || customExpiry)}
          value={customExpiry ? 'custom' : String(state.uploads.linkExpirySeconds)}
          onChange={(e) => dispatch({ type: 'expiryChoice', value: e.currentTarget.value })}
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
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={problem ? 'linkExpirySeconds-error' : 'linkExpirySeconds-hint'}
              value={expiryAmount}
              onInput={(e) => dispatch({ type: 'expiryAmount', text: e.currentTarget.value })}
            />
            <label for="linkExpiryUnit" class="visually-hidden">
              {t('editor_expiryCustomUnit')}
            </label>
            <select id="linkExpiryUnit" value={expiryUnit} onChange={(e) => dispatch({ type: 'expiryUnit', unit: e.currentTarget.value as ExpiryUnit })}>
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
      {problem && (
        <p class="error" id="linkExpirySeconds-error" role={refused('linkExpirySeconds') ? 'alert' : undefined}>
          {problem}
        </p>
      )}
    </div>
  );
}
