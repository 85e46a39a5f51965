import { t } from '../i18n/t';
import type { Profile } from './profile';

/**
 * Every profile, in the order the user sees them, and which one uploads go to
 * unless the user picks another. Pure values: the background reads, changes
 * and writes the whole store in one `storage.local.set`, so a crash never
 * leaves half a change.
 */
export interface ProfileStore {
  profiles: Profile[];
  /** Always one of `profiles` when there are any; `null` only when there are none. */
  defaultId: string | null;
}

export const EMPTY_STORE: ProfileStore = { profiles: [], defaultId: null };

/** The profile with this id; no id means the default. */
export function findProfile(store: ProfileStore, id?: string | null): Profile | null {
  const wanted = id || store.defaultId;
  return store.profiles.find((p) => p.id === wanted) ?? null;
}

/** Adds the profile, or replaces the one with its id in place. The first profile becomes the default. */
export function putProfile(store: ProfileStore, profile: Profile): ProfileStore {
  const exists = store.profiles.some((p) => p.id === profile.id);
  const profiles = exists ? store.profiles.map((p) => (p.id === profile.id ? profile : p)) : [...store.profiles, profile];
  return { profiles, defaultId: store.defaultId && profiles.some((p) => p.id === store.defaultId) ? store.defaultId : profile.id };
}

/** Removes a profile; if it was the default, the first one left takes over. */
export function removeProfile(store: ProfileStore, id: string): ProfileStore {
  const profiles = store.profiles.filter((p) => p.id !== id);
  const defaultId = store.defaultId !== id && profiles.some((p) => p.id === store.defaultId) ? store.defaultId : (profiles[0]?.id ?? null);
  return { profiles, defaultId };
}

export function setDefaultProfile(store: ProfileStore, id: string): ProfileStore {
  return store.profiles.some((p) => p.id === id) ? { ...store, defaultId: id } : store;
}

/** "work", "work copy", "work copy 2"…: the first name no other profile has (case-insensitive). */
export function uniqueName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  if (!lower.has(base.toLowerCase())) return base;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? t('profile_copyName', { name: base }) : t('profile_copyNameNumbered', { name: base, number: n });
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}

/** A copy of a profile under a new id and name, placed right after it. */
export function duplicateProfile(store: ProfileStore, id: string, newId: string): { store: ProfileStore; copy: Profile } | null {
  const original = findProfile(store, id);
  if (!original) return null;
  const copy: Profile = { ...original, id: newId, name: uniqueName(original.name, store.profiles.map((p) => p.name)) };
  const at = store.profiles.indexOf(original) + 1;
  return { store: { ...store, profiles: [...store.profiles.slice(0, at), copy, ...store.profiles.slice(at)] }, copy };
}

/** Names of every profile but this one, for "name already taken" checks. */
export function otherNames(store: ProfileStore, id: string): string[] {
  return store.profiles.filter((p) => p.id !== id).map((p) => p.name);
}
