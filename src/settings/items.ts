import { storage } from 'wxt/utils/storage';
import { type Profile, type Secrets } from './profile';
import { defaultProfileName } from './profile-kinds';
import type { ProfileStore } from './profile-store';
import type { SessionKey, StoredSecrets } from '../secrets/keeper';

/** The profile as version 1 stored it: keys only, no `kind`, no id or name. */
export type ProfileV1 = Omit<Extract<Profile, { kind: 'keys' }>, 'kind' | 'id' | 'name'>;
/** Version 2: one profile of either kind, no id or name. */
export type ProfileV2 = (Omit<Extract<Profile, { kind: 'keys' }>, 'id' | 'name'> | Omit<Extract<Profile, { kind: 'presign-service' }>, 'id' | 'name'>);

/**
 * The id the single profile of versions 1–2 gets. Fixed, not random: the
 * profile and the secrets are separate items migrated separately, and both
 * migrations must name the same profile.
 */
export const MIGRATED_PROFILE_ID = 'default';

/**
 * Numbered migrations of the stored profiles; each is tested in
 * test/unit/settings-migration.test.ts. WXT runs them when the item is first
 * read after an update, and records the version under `profile$`.
 */
export const profileMigrations = {
  /** v2: profiles gained a kind (own keys or a presign service); every v1 profile is one with keys. */
  2: (v1: ProfileV1 | null): ProfileV2 | null => (v1 ? { ...v1, kind: 'keys' } : v1),
  /** v3: several named profiles and a default; the one profile of v2 becomes the default. */
  3: (v2: ProfileV2 | null): ProfileStore => {
    if (!v2) return { profiles: [], defaultId: null };
    const profile = { ...v2, id: MIGRATED_PROFILE_ID, name: defaultProfileName(v2) } as Profile;
    return { profiles: [profile], defaultId: MIGRATED_PROFILE_ID };
  },
};

export const secretsMigrations = {
  /** v2: secrets by profile id, optionally sealed under a passphrase; v1's belong to the migrated profile. */
  2: (v1: Secrets | null): StoredSecrets | null =>
    v1 ? { encryption: 'none', byProfile: { [MIGRATED_PROFILE_ID]: v1 } } : v1,
};

/**
 * Every stored setting, declared once. Secrets live apart from the profiles
 * so that nothing that reads the profiles (any extension page) touches them,
 * and only in `local:` — never `sync:`, which would copy keys to other
 * machines. Bump `version` and add a numbered migration when a shape changes.
 *
 * The key is still `profile` (singular): WXT migrates within one key, and
 * moving to another would need an unversioned copy step.
 */
export const profilesItem = storage.defineItem<ProfileStore>('local:profile', {
  fallback: { profiles: [], defaultId: null },
  version: 3,
  migrations: profileMigrations,
});

/** Read only by the background. */
export const secretsItem = storage.defineItem<StoredSecrets | null>('local:secrets', {
  fallback: null,
  version: 2,
  migrations: secretsMigrations,
});

/** Security settings that are not secret. */
export interface SecuritySettings {
  /** Lock a passphrase-sealed vault after this many idle minutes; 0: only when the browser closes. */
  lockAfterMinutes: number;
}

export const DEFAULT_LOCK_AFTER_MINUTES = 30;

export const securityItem = storage.defineItem<SecuritySettings>('local:security', {
  fallback: { lockAfterMinutes: DEFAULT_LOCK_AFTER_MINUTES },
  version: 1,
});

/**
 * The vault key while unlocked. `storage.session` lives in memory, is cleared
 * when the browser closes, and Chrome keeps it from content scripts.
 */
export const vaultSessionItem = storage.defineItem<SessionKey | null>('session:vaultKey', {
  fallback: null,
  version: 1,
});
