import type { Profile } from '../settings/profile';
import { storageUrls } from '../settings/profile-kinds';

/** `https://host` of a URL, without port or path: what a host permission covers. */
function hostKey(url: string | URL): string | null {
  try {
    const { protocol, hostname } = new URL(url);
    return `${protocol}//${hostname}`;
  } catch {
    return null;
  }
}

/**
 * Every host where the user's own files live (each profile's `storageUrls`),
 * which a page's redirect may not lead S3 Drop to read from (see
 * `guardedRead`). Without ports: host permissions have none.
 */
export function ownStorageHosts(profiles: readonly Profile[]): string[] {
  const hosts = new Set<string>();
  const add = (url: string | URL) => {
    const key = hostKey(url);
    if (key) hosts.add(key);
  };
  for (const profile of profiles) for (const url of storageUrls(profile)) add(url);
  return [...hosts];
}
