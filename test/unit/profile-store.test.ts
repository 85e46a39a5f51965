import { describe, expect, it } from 'vitest';
import { EMPTY_PROFILE, type Profile } from '../../src/settings/profile';
import {
  duplicateProfile,
  EMPTY_STORE,
  findProfile,
  otherNames,
  putProfile,
  removeProfile,
  setDefaultProfile,
  uniqueName,
  type ProfileStore,
} from '../../src/settings/profile-store';

const profile = (id: string, name = id, over: Partial<Profile> = {}): Profile =>
  ({ ...EMPTY_PROFILE, accessKeyId: `AKIA${id.toUpperCase()}`, bucket: `bucket-${id}`, region: 'eu-west-1', id, name, ...over }) as Profile;

const store = (ids: string[], defaultId: string | null = ids[0] ?? null): ProfileStore => ({
  profiles: ids.map((id) => profile(id)),
  defaultId,
});

const ids = (s: ProfileStore) => s.profiles.map((p) => p.id);

describe('putProfile', () => {
  it('the first profile becomes the default', () => {
    const s = putProfile(EMPTY_STORE, profile('a'));
    expect(s).toEqual({ profiles: [profile('a')], defaultId: 'a' });
  });

  it('adds later profiles at the end and keeps the default', () => {
    const s = putProfile(putProfile(putProfile(EMPTY_STORE, profile('a')), profile('b')), profile('c'));
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    expect(s.defaultId).toBe('a');
  });

  it('replaces a profile with the same id in place, keeping the order and the default', () => {
    const s = store(['a', 'b', 'c'], 'c');
    const changed = profile('b', 'renamed', { bucket: 'other-bucket' });
    const next = putProfile(s, changed);
    expect(ids(next)).toEqual(['a', 'b', 'c']);
    expect(next.profiles[1]).toEqual(changed);
    expect(next.defaultId).toBe('c');
  });

  it('does not change the store it was given', () => {
    const s = store(['a']);
    const copy = structuredClone(s);
    putProfile(s, profile('b'));
    putProfile(s, profile('a', 'renamed'));
    expect(s).toEqual(copy);
  });

  it('repairs a default that points at nothing by making the put profile the default', () => {
    const s = { profiles: [profile('a')], defaultId: 'gone' };
    expect(putProfile(s, profile('b')).defaultId).toBe('b');
  });
});

describe('removeProfile', () => {
  it('removes a profile that is not the default; the default stays', () => {
    const next = removeProfile(store(['a', 'b', 'c'], 'a'), 'b');
    expect(ids(next)).toEqual(['a', 'c']);
    expect(next.defaultId).toBe('a');
  });

  it('removing the default moves the default to the first profile left', () => {
    expect(removeProfile(store(['a', 'b', 'c'], 'b'), 'b')).toEqual({ profiles: [profile('a'), profile('c')], defaultId: 'a' });
    expect(removeProfile(store(['a', 'b', 'c'], 'a'), 'a').defaultId).toBe('b');
  });

  it('removing the last profile leaves defaultId null', () => {
    expect(removeProfile(store(['a']), 'a')).toEqual({ profiles: [], defaultId: null });
  });

  it('an unknown id changes nothing', () => {
    const s = store(['a', 'b'], 'b');
    expect(removeProfile(s, 'zzz')).toEqual(s);
  });
});

describe('setDefaultProfile', () => {
  it('makes a known profile the default', () => {
    expect(setDefaultProfile(store(['a', 'b']), 'b').defaultId).toBe('b');
  });

  it('an unknown id is a no-op (the same store back)', () => {
    const s = store(['a', 'b']);
    expect(setDefaultProfile(s, 'zzz')).toBe(s);
    expect(setDefaultProfile(EMPTY_STORE, 'a')).toEqual({ profiles: [], defaultId: null });
  });
});

describe('uniqueName', () => {
  it('keeps a free name', () => {
    expect(uniqueName('work', [])).toBe('work');
    expect(uniqueName('work', ['home', 'work copy'])).toBe('work');
  });

  it('adds " copy", then " copy 2", " copy 3"…', () => {
    expect(uniqueName('work', ['work'])).toBe('work copy');
    expect(uniqueName('work', ['work', 'work copy'])).toBe('work copy 2');
    expect(uniqueName('work', ['work', 'work copy', 'work copy 2'])).toBe('work copy 3');
    expect(uniqueName('work', ['work', 'work copy 2'])).toBe('work copy');
  });

  it('compares case-insensitively and keeps the base as written', () => {
    expect(uniqueName('work', ['WORK'])).toBe('work copy');
    expect(uniqueName('Work', ['work', 'WORK COPY'])).toBe('Work copy 2');
  });
});

describe('duplicateProfile', () => {
  it('places the copy right after the original, under a new id and a " copy" name', () => {
    const s = store(['a', 'b', 'c'], 'c');
    const result = duplicateProfile(s, 'b', 'new-id');
    expect(result).not.toBeNull();
    expect(result!.copy).toEqual({ ...profile('b'), id: 'new-id', name: 'b copy' });
    expect(ids(result!.store)).toEqual(['a', 'b', 'new-id', 'c']);
    expect(result!.store.defaultId).toBe('c');
    // The original is untouched.
    expect(result!.store.profiles[1]).toEqual(profile('b'));
    expect(s.profiles).toHaveLength(3);
  });

  it('numbers further copies', () => {
    let s = store(['w']);
    s = { ...s, profiles: [profile('w', 'work')] };
    const first = duplicateProfile(s, 'w', 'w1')!;
    const second = duplicateProfile(first.store, 'w', 'w2')!;
    expect(first.copy.name).toBe('work copy');
    expect(second.copy.name).toBe('work copy 2');
    expect(second.store.profiles.map((p) => p.name)).toEqual(['work', 'work copy 2', 'work copy']);
  });

  it('an unknown id gives null', () => {
    expect(duplicateProfile(store(['a']), 'zzz', 'new-id')).toBeNull();
  });

  it('copies the last profile to the end', () => {
    expect(ids(duplicateProfile(store(['a', 'b']), 'b', 'x')!.store)).toEqual(['a', 'b', 'x']);
  });
});

describe('findProfile', () => {
  it('finds by id', () => {
    expect(findProfile(store(['a', 'b']), 'b')).toEqual(profile('b'));
  });

  it('no id (undefined, null or empty) means the default', () => {
    const s = store(['a', 'b'], 'b');
    expect(findProfile(s)?.id).toBe('b');
    expect(findProfile(s, null)?.id).toBe('b');
    expect(findProfile(s, '')?.id).toBe('b');
  });

  it('an unknown id is null, not the default', () => {
    expect(findProfile(store(['a', 'b']), 'zzz')).toBeNull();
  });

  it('an empty store has no default', () => {
    expect(findProfile(EMPTY_STORE)).toBeNull();
  });
});

describe('otherNames', () => {
  it('lists every name but the profile\'s own', () => {
    const s: ProfileStore = { profiles: [profile('a', 'Work'), profile('b', 'Home'), profile('c', 'Backup')], defaultId: 'a' };
    expect(otherNames(s, 'b')).toEqual(['Work', 'Backup']);
  });

  it('a new profile (empty id) is compared with all of them', () => {
    const s: ProfileStore = { profiles: [profile('a', 'Work'), profile('b', 'Home')], defaultId: 'a' };
    expect(otherNames(s, '')).toEqual(['Work', 'Home']);
  });
});
