import { storage } from 'wxt/utils/storage';
import type { Profile, Secrets } from './profile';

/**
 * Every stored setting, declared once. Secrets live apart from the profile so
 * that nothing that reads the profile (any extension page) touches them, and
 * only in `local:` — never `sync:`, which would copy keys to other machines.
 * Bump `version` and add a numbered migration when a shape changes.
 */
export const profileItem = storage.defineItem<Profile | null>('local:profile', {
  fallback: null,
  version: 1,
});

/** Read only by the background. */
export const secretsItem = storage.defineItem<Secrets | null>('local:secrets', {
  fallback: null,
  version: 1,
});
