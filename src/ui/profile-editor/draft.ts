import type { ProfileSummary, SaveReport } from '../../messaging/protocol';
import { isPresetExpiry, joinExpiry, splitExpiry, validateLinkExpiry, type ExpiryUnit } from '../../s3/expiry';
import type { ConnectionReport } from '../../s3/connection-test';
import { validateLinkBaseUrl } from '../../s3/public-url';
import { validateKeyTemplate } from '../../keys/template';
import {
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  FIELD_LABELS,
  type FieldErrors,
  type KeysProfile,
  type LinkMode,
  type PresignServiceProfile,
  type Profile,
  type ProfileDraft,
  type ProfileKind,
} from '../../settings/profile';
import { connectionBlockingFields, linkModeOf, normalizeDraft, splitDraft, validateDraft } from '../../settings/profile-kinds';
import type { TeamConnectionReport } from '../../team/team-signer';
import { hostOf, hostsOf } from '../../team/service-url';
import { t } from '../../i18n/t';
import { userError } from '../../result';

/**
 * The profile editor's state as one pure reducer: the draft being edited
 * (both kinds' fields, so switching kind and back loses nothing), the
 * secrets typed but not yet saved, what the background said about the last
 * Save, and the report under the buttons. No browser API here: the editor's
 * shell asks for permissions and talks to the background, then tells this
 * reducer what came back.
 */

/** The report under Save and Test connection. */
export type Status = {
  tone: 'good' | 'bad' | 'info';
  text: string;
  useRegion?: string;
  /** Origin patterns to offer an "Allow access to …" button for. */
  grant?: string[];
  /** What the grant button follows, for the sentence after it. */
  after?: 'test' | 'save';
  /** A second sentence: what comes next. */
  note?: string;
} | null;

/** What both kinds share, kept when the kind changes. */
export type Uploads = Pick<KeysProfile, 'keyTemplate' | 'linkExpirySeconds' | 'name' | 'linkFormat' | 'linkTemplate' | 'photoPrivacy' | 'imageFormat' | 'imageMaxSize' | 'imageQuality' | 'editCaptures'>;

/** Typed into the form, sent with the next Save or Test, never read back from the background. */
export interface TypedSecrets {
  secretAccessKey: string;
  sessionToken: string;
  serviceToken: string;
}

export interface EditorState {
  kind: ProfileKind;
  keys: KeysProfile;
  service: PresignServiceProfile;
  uploads: Uploads;
  /** The profile's id once saved; empty for a new one. */
  id: string;
  secrets: TypedSecrets;
  /** Which secrets the background holds for this profile (never the secrets themselves). */
  stored: { secretAccessKey: boolean; sessionToken: boolean; serviceToken: boolean };
  /** The Custom… expiry as its fields hold it (typed text, unit); used while `customExpiry` is on. */
  customExpiry: boolean;
  expiryAmount: string;
  expiryUnit: ExpiryUnit;
  /** What the background refused at the last Save (its answer wins over problems seen while typing). */
  errors: FieldErrors;
  status: Status;
  /** Test connection or Save is waiting for the background. */
  busy: boolean;
}

const UPLOAD_FIELDS = ['keyTemplate', 'linkExpirySeconds', 'name', 'linkFormat', 'linkTemplate', 'photoPrivacy', 'imageFormat', 'imageMaxSize', 'imageQuality', 'editCaptures'] as const satisfies readonly (keyof Uploads)[];
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken', 'serviceToken'] as const satisfies readonly (keyof TypedSecrets)[];

/** Every field the form edits, with its type. */
export type EditableValues = Omit<KeysProfile, 'kind' | 'id'> & Omit<PresignServiceProfile, 'kind' | 'id' | 'accessKeyId'> & TypedSecrets;
export type EditableField = keyof EditableValues;

export type EditorAction =
  | { type: 'kind'; kind: ProfileKind }
  /** A field typed or chosen: the kind's own, a shared upload setting, or a secret. Clears that field's refusal. */
  | { [F in EditableField]: { type: 'set'; field: F; value: EditableValues[F] } }[EditableField]
  /** The expiry list: a preset's seconds, or `custom`. */
  | { type: 'expiryChoice'; value: string }
  | { type: 'expiryAmount'; text: string }
  | { type: 'expiryUnit'; unit: ExpiryUnit }
  /** Test or Save was pressed: the old report goes while the browser asks for access. */
  | { type: 'asking' }
  | { type: 'testing' }
  | { type: 'saving' }
  /** The background answered (or failed to): the buttons work again. */
  | { type: 'idle' }
  /** Test connection could not run: the browser refused access to these origins. */
  | { type: 'testRefused'; sent: ProfileDraft; origins: string[] }
  /** Test connection answered; `note` says what comes next (the rest of the check needs a Save). */
  | { type: 'tested'; sent: ProfileDraft; report: ConnectionReport & TeamConnectionReport; note?: string }
  | { type: 'saved'; sent: ProfileDraft; report: SaveReport }
  | { type: 'granted'; origins: string[]; after: 'test' | 'save' }
  | { type: 'grantRefused'; origins: string[]; after: 'test' | 'save' }
  /** "Use region …" pressed: the region goes into the form at once, the sentence once the browser answered. */
  | { type: 'regionChosen'; region: string }
  | { type: 'regionSet'; region: string };

/** The form as it starts for a saved profile, or for a new one (the options page gives each profile its own editor). */
export function initialEditorState(summary: ProfileSummary | null): EditorState {
  const saved = summary?.profile ?? null;
  const linkExpirySeconds = saved?.linkExpirySeconds ?? EMPTY_PROFILE.linkExpirySeconds;
  const { amount, unit } = splitExpiry(linkExpirySeconds);
  return {
    kind: saved?.kind ?? 'keys',
    keys: saved?.kind === 'keys' ? saved : EMPTY_PROFILE,
    service: saved?.kind === 'presign-service' ? saved : EMPTY_SERVICE_PROFILE,
    uploads: {
      keyTemplate: saved?.keyTemplate ?? EMPTY_PROFILE.keyTemplate,
      linkExpirySeconds,
      name: saved?.name ?? '',
      ...(saved?.linkFormat ? { linkFormat: saved.linkFormat } : {}),
      ...(saved?.linkTemplate !== undefined ? { linkTemplate: saved.linkTemplate } : {}),
      ...(saved?.photoPrivacy ? { photoPrivacy: saved.photoPrivacy } : {}),
      ...(saved?.imageFormat ? { imageFormat: saved.imageFormat } : {}),
      ...(saved?.imageMaxSize !== undefined ? { imageMaxSize: saved.imageMaxSize } : {}),
      ...(saved?.imageQuality !== undefined ? { imageQuality: saved.imageQuality } : {}),
      ...(saved?.editCaptures ? { editCaptures: true } : {}),
    },
    id: saved?.id ?? '',
    secrets: { secretAccessKey: '', sessionToken: '', serviceToken: '' },
    stored: {
      secretAccessKey: saved?.kind === 'keys' && Boolean(summary?.hasSecret),
      sessionToken: saved?.kind === 'keys' && Boolean(summary?.hasSessionToken),
      serviceToken: saved?.kind === 'presign-service' && saved.serviceAuth !== 'none' && Boolean(summary?.hasSecret),
    },
    customExpiry: !isPresetExpiry(linkExpirySeconds),
    expiryAmount: String(amount),
    expiryUnit: unit,
    errors: {},
    status: null,
    busy: false,
  };
}

/** What Save and Test connection send: the chosen kind's fields, the shared ones and the typed secrets. */
export function draftOf(state: EditorState): ProfileDraft {
  const { id, uploads, secrets } = state;
  return state.kind === 'presign-service'
    ? { ...state.service, ...uploads, id, serviceToken: secrets.serviceToken }
    : { ...state.keys, ...uploads, id, secretAccessKey: secrets.secretAccessKey, sessionToken: secrets.sessionToken };
}

/**
 * What Save would be refused for, found in the page before the browser is
 * asked for access: a typo in the bucket or region must never prompt for a
 * host that cannot be right. The background's own checks (`normalizeDraft`,
 * `validateDraft`), run on what this page knows: which secrets are stored,
 * and the other profiles' names. The background runs them again, since it
 * trusts no page. Answers as the background would, so the form shows it the
 * same way; `null` when the draft can be sent.
 */
export function refusalInPage(state: EditorState, profiles: readonly Pick<Profile, 'id' | 'name'>[]): SaveReport | null {
  const { draft, trimmed } = normalizeDraft(draftOf(state));
  const hasSavedSecret = state.kind === 'presign-service' ? state.stored.serviceToken : state.stored.secretAccessKey;
  const otherNames = profiles.filter((p) => p.id !== draft.id).map((p) => p.name);
  const errors = validateDraft(draft, { hasSavedSecret, otherNames });
  return Object.keys(errors).length ? { saved: false, id: '', errors, trimmed, needsAccess: [] } : null;
}

/**
 * Test connection's first step, run in the page for the fields that need no
 * secret: a bucket, region, endpoint or service address that cannot be right
 * is refused before the browser is asked for access to a host it names. The
 * secrets stay the background's to judge: it fills in the saved ones the page
 * never sees. `null` when the background should be asked.
 */
export function testRefusalInPage(state: EditorState): (ConnectionReport & TeamConnectionReport) | null {
  const { draft } = normalizeDraft(draftOf(state));
  const errors = validateDraft(draft, { hasSavedSecret: true });
  const blocking = connectionBlockingFields(draft).find((f) => errors[f] && !(SECRET_FIELDS as readonly string[]).includes(f));
  if (!blocking) return null;
  const message = errors[blocking]!;
  return { ok: false, message, error: userError('InvalidSettings', message) };
}

/** A profile's fields without the absent ones, in one order: two profiles with the same fields give the same text. */
function canonical(profile: object): string {
  return JSON.stringify(
    Object.entries(profile)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/**
 * Whether the form holds exactly the saved profile: no field changed, no
 * secret typed. Only then is a check of the bucket a check of that profile.
 */
export function unchangedSince(state: EditorState, saved: Profile | null): boolean {
  if (!saved || state.id !== saved.id || state.kind !== saved.kind) return false;
  if (Object.values(state.secrets).some(Boolean)) return false;
  const { profile } = splitDraft(normalizeDraft(draftOf(state)).draft);
  return canonical(profile) === canonical(saved);
}

/** The link mode the form shows: a presign service only makes signed links. */
export function linkModeIn(state: EditorState): LinkMode {
  return state.kind === 'keys' ? linkModeOf(state.keys) : 'presigned';
}

function withField(state: EditorState, field: EditableField, value: unknown): EditorState {
  const errors = { ...state.errors, [field]: undefined };
  if ((SECRET_FIELDS as readonly string[]).includes(field)) return { ...state, secrets: { ...state.secrets, [field]: value }, errors };
  if ((UPLOAD_FIELDS as readonly string[]).includes(field)) return { ...state, uploads: { ...state.uploads, [field]: value }, errors };
  // Only the chosen kind's fields are on screen, so a field typed belongs to that kind.
  return state.kind === 'presign-service'
    ? { ...state, service: { ...state.service, [field]: value }, errors }
    : { ...state, keys: { ...state.keys, [field]: value }, errors };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'kind':
      return { ...state, kind: action.kind, errors: {}, status: null };
    case 'set':
      return withField(state, action.field, action.value);
    case 'expiryChoice':
      return action.value === 'custom'
        ? withField({ ...state, customExpiry: true }, 'linkExpirySeconds', joinExpiry(Number(state.expiryAmount), state.expiryUnit))
        : withField({ ...state, customExpiry: false }, 'linkExpirySeconds', Number(action.value));
    case 'expiryAmount':
      return withField({ ...state, expiryAmount: action.text }, 'linkExpirySeconds', joinExpiry(Number(action.text), state.expiryUnit));
    case 'expiryUnit':
      return withField({ ...state, expiryUnit: action.unit }, 'linkExpirySeconds', joinExpiry(Number(state.expiryAmount), action.unit));
    case 'asking':
      return { ...state, status: null };
    case 'testing':
      return { ...state, busy: true, status: { tone: 'info', text: t('editor_testing') } };
    case 'saving':
      return { ...state, busy: true };
    case 'idle':
      return { ...state, busy: false };
    case 'testRefused': {
      const hosts = hostsOf(action.origins);
      const text = action.sent.kind === 'presign-service' ? t('editor_testNeedsServiceAccess', { hosts }) : t('editor_testNeedsBucketAccess', { hosts });
      return { ...state, status: { tone: 'bad', text } };
    }
    case 'tested': {
      const next = tested(state, action.sent, action.report);
      return action.note && next.status ? { ...next, status: { ...next.status, note: action.note } } : next;
    }
    case 'saved':
      return saved(state, action.sent, action.report);
    case 'granted': {
      const hosts = hostsOf(action.origins);
      const text =
        action.after === 'test'
          ? t('editor_grantedAfterTest', { hosts })
          : state.kind === 'presign-service'
            ? t('editor_grantedHosts', { hosts })
            : t('editor_grantedBucket');
      return { ...state, status: { tone: 'good', text } };
    }
    case 'grantRefused': {
      const text = state.kind === 'presign-service' ? t('editor_grantRefusedHosts', { hosts: hostsOf(action.origins) }) : t('editor_grantRefusedBucket');
      return { ...state, status: { tone: 'bad', text, grant: action.origins, after: action.after } };
    }
    case 'regionChosen':
      // Not a correction of a refused field: the bucket told us, so a refusal from Save stays until Save again.
      return { ...state, keys: { ...state.keys, region: action.region } };
    case 'regionSet':
      return { ...state, status: { tone: 'info', text: t('editor_regionSet', { region: action.region }) } };
  }
}

function tested(state: EditorState, sent: ProfileDraft, report: ConnectionReport & TeamConnectionReport): EditorState {
  if (sent.kind === 'presign-service') {
    const { s3Origin, region } = report;
    const service = s3Origin ? { ...state.service, endpoint: s3Origin, forcePathStyle: true, region: region ?? state.service.region } : state.service;
    const grant = report.needsAccess?.length ? report.needsAccess : undefined;
    return { ...state, service, status: { tone: report.ok ? 'good' : 'bad', text: report.message, ...(grant ? { grant, after: 'test' as const } : {}) } };
  }
  const useRegion = report.detectedRegion && report.detectedRegion !== sent.region ? report.detectedRegion : undefined;
  return { ...state, status: { tone: report.ok ? 'good' : 'bad', text: report.message, ...(useRegion ? { useRegion } : {}) } };
}

function saved(state: EditorState, sent: ProfileDraft, report: SaveReport): EditorState {
  const refused = { ...state, errors: report.errors };
  if (report.locked) return { ...refused, status: { tone: 'bad', text: t('editor_notSavedLocked') } };
  if (!report.saved) return { ...refused, status: { tone: 'bad', text: t('editor_notSavedInvalid') } };

  const notes: string[] = [];
  const next: EditorState = { ...refused, id: report.id };
  // An empty name is saved as the bucket's (or the service's host): show the name the popup will use.
  if (!sent.name) next.uploads = { ...next.uploads, name: sent.kind === 'presign-service' ? hostOf(sent.serviceUrl) : sent.bucket };
  if (sent.kind === 'presign-service') {
    const keep = sent.serviceAuth !== 'none' && !report.tokenDropped && (Boolean(sent.serviceToken) || state.stored.serviceToken);
    // The background keeps one kind of credential: saving the service dropped any saved keys.
    // It also dropped the saved token if the service's address, header or way of sending changed.
    next.stored = { secretAccessKey: false, sessionToken: false, serviceToken: keep };
    next.secrets = { ...next.secrets, serviceToken: '' };
    if (report.tokenDropped) next.errors = { ...next.errors, serviceToken: t('team_tokenAgain') };
    if (report.s3Origin) {
      next.service = { ...next.service, endpoint: report.s3Origin, forcePathStyle: true };
      notes.push(t('editor_savedS3Host', { host: hostOf(report.s3Origin) }));
    }
  } else {
    const typedSecret = Boolean(sent.secretAccessKey);
    next.stored = {
      secretAccessKey: typedSecret || state.stored.secretAccessKey,
      // A new secret key without a token replaces the saved token too; a token alone joins the saved key.
      sessionToken: typedSecret ? Boolean(sent.sessionToken) : Boolean(sent.sessionToken) || state.stored.sessionToken,
      serviceToken: false,
    };
    next.secrets = { ...next.secrets, secretAccessKey: '', sessionToken: '' };
    if (report.detectedRegion) {
      next.keys = { ...next.keys, region: report.detectedRegion };
      notes.push(t('common_detectedRegion', { region: report.detectedRegion }));
    }
  }
  const trimmed = report.trimmed.map((f) => FIELD_LABELS[f] ?? f);
  if (trimmed.length) notes.push(t('editor_savedTrimmed', { fields: trimmed.join(', ') }));
  if (report.needsAccess.length)
    notes.push(sent.kind === 'presign-service' ? t('editor_savedNeedsHosts', { hosts: hostsOf(report.needsAccess) }) : t('editor_savedNeedsBucket'));
  // Last: what the user must do next.
  if (report.tokenDropped) notes.push(t('editor_savedTokenDropped'));
  next.status = {
    tone: report.needsAccess.length || report.tokenDropped ? 'bad' : 'good',
    text: [t('editor_saved'), ...notes].join(' '),
    ...(report.needsAccess.length ? { grant: report.needsAccess, after: 'save' as const } : {}),
  };
  return next;
}

/** Problems shown as the user types, before Save (Save's own answer wins). */
export function liveProblems(state: EditorState): FieldErrors {
  const live: FieldErrors = {};
  const { uploads, keys } = state;
  const template = validateKeyTemplate(uploads.keyTemplate);
  if (template) live.keyTemplate = template;
  if (state.customExpiry) {
    const amount = Number(state.expiryAmount);
    const problem =
      !state.expiryAmount.trim() || !Number.isFinite(amount) || amount <= 0
        ? t('editor_expiryAmount')
        : !Number.isInteger(uploads.linkExpirySeconds)
          ? t('editor_expiryWhole')
          : validateLinkExpiry(uploads.linkExpirySeconds);
    if (problem) live.linkExpirySeconds = problem;
  }
  if (linkModeIn(state) === 'custom') {
    const problem = validateLinkBaseUrl(keys.linkBaseUrl ?? '');
    // Not while the field is still empty and untouched by Save: an empty form is not a mistake yet.
    if (problem && (keys.linkBaseUrl || state.errors.linkBaseUrl)) live.linkBaseUrl = problem;
  }
  return live;
}
