import {
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  FIELD_LABELS,
  MAX_PROFILE_NAME_LENGTH,
  normalizeDraft,
  validateDraft,
  type Profile,
  type ProfileField,
} from './profile';
import { uniqueName } from './profile-store';

/** What an export file says it is, so an import can refuse anything else. */
export const EXPORT_FORMAT = 's3-drop-profiles';
export const EXPORT_VERSION = 1;

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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { profiles: [], problems: ['This file is not JSON. Choose a file made by "Export profiles".'] };
  }
  if (!isRecord(data) || data.format !== EXPORT_FORMAT || !Array.isArray(data.profiles))
    return { profiles: [], problems: ['This file is not an S3 Drop profile export. Choose a file made by "Export profiles".'] };
  if (typeof data.version !== 'number')
    return { profiles: [], problems: ['This file is not an S3 Drop profile export. Choose a file made by "Export profiles".'] };
  if (data.version > EXPORT_VERSION)
    return { profiles: [], problems: ['This export comes from a newer S3 Drop. Update S3 Drop, then import it again.'] };
  if (!data.profiles.length) return { profiles: [], problems: ['This export has no profiles in it.'] };

  const problems: string[] = [];
  const profiles: Omit<Profile, 'id'>[] = [];
  const taken = [...takenNames];
  data.profiles.forEach((raw, index) => {
    const label = `Profile ${index + 1}${isRecord(raw) && typeof raw.name === 'string' && raw.name ? ` ("${raw.name}")` : ''}`;
    if (!isRecord(raw)) {
      problems.push(`${label} is not a profile.`);
      return;
    }
    const template: Record<string, unknown> = raw.kind === 'presign-service' ? { ...EMPTY_SERVICE_PROFILE } : { ...EMPTY_PROFILE };
    if (raw.kind !== undefined && raw.kind !== 'keys' && raw.kind !== 'presign-service') {
      problems.push(`${label}: unknown kind "${String(raw.kind)}".`);
      return;
    }
    const picked: Record<string, unknown> = { ...template };
    const typeErrors: string[] = [];
    // Fields only a keys profile has, and only sometimes.
    const optional = new Set<string>(
      raw.kind === 'presign-service' ? [] : ['multipartThresholdMiB', 'sessionTokenExpiration', 'linkDisposition', 'linkMode', 'linkBaseUrl'],
    );
    for (const field of [...Object.keys(template), ...optional]) {
      if (field === 'id' || !(field in raw)) continue;
      const expected = field in template ? typeof template[field] : field === 'multipartThresholdMiB' ? 'number' : 'string';
      if (typeof raw[field] !== expected) typeErrors.push(`${FIELD_LABELS[field as ProfileField] ?? field} must be a ${expected}`);
      else picked[field] = raw[field];
    }
    if (typeErrors.length) {
      problems.push(`${label}: ${typeErrors.join('; ')}.`);
      return;
    }
    const { draft } = normalizeDraft(picked as unknown as Profile);
    const unique = uniqueName(draft.name, taken);
    // A clashing long name gets shortened to leave room for " copy 99".
    draft.name = unique.length <= MAX_PROFILE_NAME_LENGTH ? unique : uniqueName(draft.name.slice(0, MAX_PROFILE_NAME_LENGTH - 8), taken);
    const errors = validateDraft(draft, { hasSavedSecret: true });
    const fields = Object.entries(errors) as [ProfileField, string][];
    if (fields.length) {
      problems.push(`${label}: ${fields.map(([f, m]) => `${FIELD_LABELS[f] ?? f} — ${m}`).join(' ')}`);
      return;
    }
    taken.push(draft.name);
    const { id: _id, ...profile } = draft as Profile;
    profiles.push(profile);
  });
  return { profiles, problems };
}
