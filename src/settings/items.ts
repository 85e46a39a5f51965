import { storage } from 'wxt/utils/storage';
import type { Profile, Secrets } from './profile';

/** The profile as version 1 stored it: keys only, no `kind`. */
export type ProfileV1 = Omit<Extract<Profile, { kind: 'keys' }>, 'kind'>;

/**
 * Numbered migrations of the stored profile; each is tested in
 * test/unit/settings-migration.test.ts. WXT runs them when the item is first
 * read after an update, and records the version under `profile$` (`{ v: 2 }`).
 */
export const profileMigrations = {
  /** v2: profiles gained a kind (own keys or a presign service); every v1 profile is one with keys. */
  2: (v1: ProfileV1 | null): Profile | null => (v1 ? { ...v1, kind: 'keys' } : v1),
};

/**
 * Every stored setting, declared once. Secrets live apart from the profile so
 * that nothing that reads the profile (any extension page) touches them, and
 * only in `local:` — never `sync:`, which would copy keys to other machines.
 * Bump `version` and add a numbered migration when a shape changes.
 */
export const profileItem = storage.defineItem<Profile | null>('local:profile', {
  fallback: null,
  version: 2,
  migrations: profileMigrations,
});

/**
 * Read only by the background. Version 1 still: the presign service's token
 * is an optional field, so v1 values are valid as they are.
 */
export const secretsItem = storage.defineItem<Secrets | null>('local:secrets', {
  fallback: null,
  version: 1,
});
