import { useReducer } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendMessage, type ProfileSummary } from '../messaging/protocol';
import { type Profile, type ProfileDraft, type ProfileKind } from '../settings/profile';
import { accessOrigins } from '../settings/profile-kinds';
import { hostsOf } from '../team/service-url';
import { t } from '../i18n/t';
import { ConnectionFields } from './profile-editor/connection-fields';
import { draftOf, editorReducer, initialEditorState, liveProblems, refusalInPage, testRefusalInPage, unchangedSince } from './profile-editor/draft';
import { fieldKit } from './profile-editor/field-kit';
import { ServiceFields } from './profile-editor/service-fields';
import { UploadsFields } from './profile-editor/uploads-fields';

/** Asks for exactly these origins; must run inside the click that triggered it. */
async function requestAccess(origins: string[]): Promise<boolean> {
  if (!origins.length) return true;
  try {
    return await browser.permissions.request({ origins });
  } catch {
    return false;
  }
}

/**
 * What to ask the browser for in this click: the bucket's origin, or the
 * service's and its S3 host's. Nothing while the fields do not make a URL
 * yet: the validation then says what is wrong.
 */
function originsFor(d: ProfileDraft): string[] {
  try {
    return accessOrigins(d);
  } catch {
    return [];
  }
}

export interface ProfileEditorProps {
  /** The saved profile being edited; `null` for a new one. Give the editor a `key` per profile: its state starts from this. */
  saved: ProfileSummary | null;
  /** Called after a successful save, with the profile's id (new profiles get theirs then). */
  onSaved(id: string): void;
  /** The secrets are locked: saving needs the passphrase first. */
  locked: boolean;
  /** Every saved profile, for the "name already taken" check Save makes before asking for access. */
  profiles: readonly Pick<Profile, 'id' | 'name'>[];
  /** *Check my bucket* connected with the saved profile as it is: the rest of the check runs (below the form). */
  onConnected(): void;
}

/**
 * The form for one profile: its connection, keys or service, and upload
 * settings. The field groups show the draft and report changes; this shell
 * owns the draft, asks the browser for access and the background to test or
 * save, and shows what they answered.
 */
export function ProfileEditor({ saved: summary, onSaved, locked, profiles, onConnected }: ProfileEditorProps) {
  const saved = summary?.profile ?? null;
  const [state, dispatch] = useReducer(editorReducer, summary, initialEditorState);
  const { kind, keys, status, busy } = state;

  /**
   * *Check my bucket*: first what Test connection was, on the form as it is
   * (asking for access to its host), then, for a saved profile without
   * unsaved changes, the whole checklist. A form not saved yet gets the first
   * step and a sentence saying the rest needs a Save: the check's results
   * belong to a saved profile, and uploads read them.
   */
  async function onTest() {
    const current = draftOf(state);
    // An address that cannot be right asks the browser for nothing: its host may be a typo.
    const refused = testRefusalInPage(state);
    if (refused) {
      dispatch({ type: 'tested', sent: current, report: refused });
      return;
    }
    dispatch({ type: 'asking' });
    const origins = originsFor(current);
    const granted = await requestAccess(origins);
    dispatch({ type: 'testing' });
    try {
      if (!granted) {
        dispatch({ type: 'testRefused', sent: current, origins });
        return;
      }
      const report = await sendMessage('testConnection', current);
      const whole = report.ok && unchangedSince(state, saved);
      dispatch({ type: 'tested', sent: current, report, ...(report.ok && !whole ? { note: t('editor_checkNeedsSave') } : {}) });
      if (whole) onConnected();
    } finally {
      dispatch({ type: 'idle' });
    }
  }

  /** Keyboard and screen-reader users land on the first field to fix. */
  const focusFirstProblem = () => requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  async function onSave(e: Event) {
    e.preventDefault();
    dispatch({ type: 'asking' });
    const current = draftOf(state);
    // A draft that cannot be saved asks the browser for nothing: its host may be a typo.
    const refused = refusalInPage(state, profiles);
    if (refused) {
      dispatch({ type: 'saved', sent: current, report: refused });
      focusFirstProblem();
      return;
    }
    await requestAccess(originsFor(current));
    dispatch({ type: 'saving' });
    try {
      const report = await sendMessage('saveProfile', current);
      dispatch({ type: 'saved', sent: current, report });
      if (report.locked) return;
      if (!report.saved) {
        focusFirstProblem();
        return;
      }
      onSaved(report.id);
    } finally {
      dispatch({ type: 'idle' });
    }
  }

  async function onGrant(origins: string[], after: 'test' | 'save' = 'save') {
    const granted = await browser.permissions.request({ origins }).catch(() => false);
    dispatch({ type: granted ? 'granted' : 'grantRefused', origins, after });
  }

  async function onUseRegion(region: string) {
    dispatch({ type: 'regionChosen', region });
    await requestAccess(originsFor({ ...keys, ...state.uploads, region }));
    dispatch({ type: 'regionSet', region });
  }

  const kit = fieldKit(state.errors, liveProblems(state));
  const groupProps = { state, dispatch, kit };
  const chooseKind = (next: ProfileKind) => dispatch({ type: 'kind', kind: next });

  return (
    <section class="editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading">{saved ? t('editor_headingProfile', { name: saved.name }) : t('editor_headingNew')}</h2>
      <p class="muted">{kind === 'presign-service' ? t('editor_introService') : t('editor_introKeys')}</p>
      <form onSubmit={onSave} noValidate>
        {kit.field(
          'name',
          t('field_name'),
          <input
            type="text"
            {...kit.a11y('name', true)}
            value={state.uploads.name}
            placeholder={kind === 'keys' ? keys.bucket || t('editor_namePlaceholderKeys') : t('editor_namePlaceholderService')}
            onInput={(e) => dispatch({ type: 'set', field: 'name', value: e.currentTarget.value })}
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

        {kind === 'presign-service' ? <ServiceFields {...groupProps} saved={saved} /> : <ConnectionFields {...groupProps} />}

        <UploadsFields {...groupProps} />

        <div class="actions">
          <button type="button" onClick={onTest} disabled={busy}>
            {t('check_run')}
          </button>
          <button type="submit" class="primary" disabled={busy || locked}>
            {t('common_save')}
          </button>
        </div>
        <div aria-live="polite">
          {status && (
            <div class={`report ${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'}>
              <p>{status.text}</p>
              {status.note && <p>{status.note}</p>}
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
