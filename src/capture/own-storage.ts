import { bucketOrigin, regionProbeUrl, serviceEndpoint } from '../s3/endpoint';
import type { Profile } from '../settings/profile';

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
 * Every host where the user's own files live, which a page's redirect may not
 * lead S3 Drop to read from (see `guardedRead`): for each profile with keys,
 * the bucket's host as requests address it (virtual-hosted
 * `bucket.s3.region.amazonaws.com`), the endpoint's own host (path-style
 * `s3.region.amazonaws.com/bucket` reaches the same bucket) and the host asked
 * for the bucket's region; for each presign-service profile, the service and
 * the S3 host its URLs point at. Without ports: host permissions have none.
 */
export function ownStorageHosts(profiles: readonly Profile[]): string[] {
  const hosts = new Set<string>();
  const add = (url: string | URL | undefined) => {
    const key = url ? hostKey(url) : null;
    if (key) hosts.add(key);
  };
  for (const profile of profiles) {
    if (profile.kind === 'presign-service') {
      add(profile.serviceUrl);
      add(profile.endpoint);
      continue;
    }
    if (!profile.bucket) continue;
    try {
      add(bucketOrigin(profile));
      add(serviceEndpoint(profile));
      add(regionProbeUrl(profile));
    } catch {
      /* an endpoint that is not a URL: nothing is stored there */
    }
  }
  return [...hosts];
}
