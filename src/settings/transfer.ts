import {
  FIELD_LABELS,
  MAX_PROFILE_NAME_LENGTH,
  type Profile,
  type ProfileField,
} from './profile';
import { fieldsOfKind, isProfileKind, normalizeDraft, validateDraft } from './profile-kinds';
import { uniqueName } from './profile-store';
import { formatBytes } from '../upload/speed';
import { t } from '../i18n/t';

/** Optional fields that hold numbers (the others, when present, are strings). */
const NUMBER_FIELDS = new Set<string>(['multipartThresholdMiB', 'autoDeleteDays', 'imageMaxSize', 'imageQuality']);
/** Optional fields that hold true or false. */
const BOOLEAN_FIELDS = new Set<string>(['editCaptures']);

/** What an export file says it is, so an import can refuse anything else. */
export const EXPORT_FORMAT = 's3-drop-profiles';
export const EXPORT_VERSION = 1;

/**
 * The largest file Import reads. An export is about 400 bytes per profile
 * (a few kB for a dozen), so 1 MB holds some 2 500 profiles: more than anyone
 * keeps, while a photo, video or archive picked by mistake (MBs to GBs) is
 * refused from its size alone, before the page reads it into memory and sends
 * it to the background.
 */
export const MAX_IMPORT_BYTES = 1_000_000;

/** A sentence when a file is too large to be a profile export, or `null`; reads only its size. */
export function importSizeProblem(file: { name: string; size: number }): string | null {
  if (file.size <= MAX_IMPORT_BYTES) return null;
  return t('import_tooLarge', { file: file.name, size: formatBytes(file.size), max: formatBytes(MAX_IMPORT_BYTES) });
}

/** Fields an export never carries, and an import never takes: secrets stay in the browser that has them. */
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken', 'serviceToken'] as const;

export interface ProfileExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** Without ids (each browser gives its own) and without secrets. */
  profiles: Omit<Profile, 'id'>[];
}

/** The profiles as a JSON file's text. Profiles hold no secrets; any stray secret field is dropped anyway. */
export function exportProfiles(profiles: readonly Profile[], now: Date): string {
  const out: ProfileExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    profiles: profiles.map((p) => {
      const { id: _id, ...rest } = p;
      const copy: Record<string, unknown> = { ...rest };
      for (const field of SECRET_FIELDS) delete copy[field];
      return copy as Omit<Profile, 'id'>;
    }),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export interface ParsedImport {
  /** Ready to store once given ids; names made unique against `takenNames` and each other. */
  profiles: Omit<Profile, 'id'>[];
  /** One sentence per problem; when there are any, nothing should be imported. */
  problems: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads an export file. Every profile is checked with the options page's own
 * validation (secrets aside: an import has none); known fields only, so a
 * hand-edited file cannot smuggle anything else into storage.
 */
export function parseImport(text: string, takenNames: readonly string[]): ParsedImport {
  // The page checks the file's size before reading it; this holds for any other sender of the text.
  const bytes = new TextEncoder().encode(text).byteLength;
  const tooLarge = importSizeProblem({ name: t('import_thisFile'), size: bytes });
  if (tooLarge) return { profiles: [], problems: [tooLarge] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { profiles: [], problems: [t('import_notJson')] };
  }
  if (!isRecord(data) || data.format !== EXPORT_FORMAT || !Array.isArray(data.profiles))
    return { profiles: [], problems: [t('import_notExport')] };
  if (typeof data.version !== 'number') return { profiles: [], problems: [t('import_notExport')] };
  if (data.version > EXPORT_VERSION) return { profiles: [], problems: [t('import_newerVersion')] };
  if (!data.profiles.length) return { profiles: [], problems: [t('import_empty')] };

  const problems: string[] = [];
  const profiles: Omit<Profile, 'id'>[] = [];
  const taken = [...takenNames];
  data.profiles.forEach((raw, index) => {
    const label =
      isRecord(raw) && typeof raw.name === 'string' && raw.name
        ? t('import_profileNamed', { number: index + 1, name: raw.name })
        : t('import_profile', { number: index + 1 });
    if (!isRecord(raw)) {
      problems.push(t('import_notAProfile', { profile: label }));
      return;
    }
    if (raw.kind !== undefined && !isProfileKind(raw.kind)) {
      problems.push(t('import_unknownKind', { profile: label, kind: String(raw.kind) }));
      return;
    }
    // A profile from before profiles had kinds has keys.
    const shape = fieldsOfKind(raw.kind ?? 'keys');
    const template: Record<string, unknown> = { ...shape.empty };
    const picked: Record<string, unknown> = { ...template };
    const typeErrors: string[] = [];
    // Fields the kind has only sometimes.
    const optional = new Set<string>(shape.optional);
    for (const field of [...Object.keys(template), ...optional]) {
      if (field === 'id' || !(field in raw)) continue;
      const expected = field in template ? typeof template[field] : NUMBER_FIELDS.has(field) ? 'number' : BOOLEAN_FIELDS.has(field) ? 'boolean' : 'string';
      if (typeof raw[field] !== expected) typeErrors.push(t('import_wrongType', { field: FIELD_LABELS[field as ProfileField] ?? field, type: expected }));
      else picked[field] = raw[field];
    }
    if (typeErrors.length) {
      problems.push(t('import_wrongTypes', { profile: label, problems: typeErrors.join('; ') }));
      return;
    }
    const { draft } = normalizeDraft(picked as unknown as Profile);
    const unique = uniqueName(draft.name, taken);
    // A clashing long name gets shortened to leave room for " copy 99".
    draft.name = unique.length <= MAX_PROFILE_NAME_LENGTH ? unique : uniqueName(draft.name.slice(0, MAX_PROFILE_NAME_LENGTH - 8), taken);
    const errors = validateDraft(draft, { hasSavedSecret: true });
    const fields = Object.entries(errors) as [ProfileField, string][];
    if (fields.length) {
      problems.push(
        t('import_invalid', { profile: label, problems: fields.map(([f, m]) => t('import_fieldProblem', { field: FIELD_LABELS[f] ?? f, problem: m })).join(' ') }),
      );
      return;
    }
    taken.push(draft.name);
    const { id: _id, ...profile } = draft as Profile;
    profiles.push(profile);
  });
  return { profiles, problems };
}
