import { KEY_TOKENS, renderKey, templateCanCollide, TOKEN_TEXT, validateKeyTemplate, withSuffix } from '../../keys/template';
import type { ProfileKind } from '../../settings/profile';
import { t } from '../../i18n/t';
import type { GroupProps } from './field-kit';

/** What the template preview shows for each token. */
const PREVIEW = { name: t('editor_previewFileName'), uuid: '3f2c…', shortid: 'k3Xz9QaB', pageUrl: 'https://www.example.com/gallery' };

/** The key the template makes for the preview file now; empty while the template is unusable. */
export function previewKey(template: string, over: { pageUrl?: string; suffix?: string } = {}): string {
  if (validateKeyTemplate(template)) return '';
  try {
    const { pageUrl: _page, ...input } = PREVIEW;
    return renderKey(template, { ...input, now: new Date(), ...over });
  } catch {
    return '';
  }
}

/** The tokens, an example key, and whether a second file of the same name is safe. */
function templateHint(template: string, kind: ProfileKind): string {
  const usable = !validateKeyTemplate(template);
  const preview = previewKey(template);
  const usesHost = template.includes('{host}');
  const fromPage = usesHost ? previewKey(template, { pageUrl: PREVIEW.pageUrl }) : '';
  const collides = usable && templateCanCollide(template);
  return [
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
}

/** How uploaded objects are named. */
export function NamingFields({ state, dispatch, kit: { field, a11y } }: GroupProps) {
  const { keyTemplate } = state.uploads;
  return field(
    'keyTemplate',
    t('field_keyTemplate'),
    <input type="text" {...a11y('keyTemplate', true)} value={keyTemplate} onInput={(e) => dispatch({ type: 'set', field: 'keyTemplate', value: e.currentTarget.value })} spellcheck={false} />,
    templateHint(keyTemplate, state.kind),
  );
}
