import type { FetchLike } from '../s3/region';
import type { ProfileStore } from '../settings/profile-store';
import type { SecretKeeper } from '../secrets/keeper';

/** What the background needs from the browser; injected so the service is tested without one. */
export interface ServiceDeps {
  loadProfiles(): Promise<ProfileStore>;
  /** One write of the whole store. */
  saveProfiles(store: ProfileStore): Promise<void>;
  /** The only holder of secrets (sealed under a passphrase or not). */
  secrets: SecretKeeper;
  lockAfterMinutes(): Promise<number>;
  setLockAfterMinutes(minutes: number): Promise<void>;
  /** Whether the extension may send requests to all of these origin patterns. */
  hasHostPermission(origins: string[]): Promise<boolean>;
  fetch: FetchLike;
  now(): Date;
  uuid(): string;
  /** `{shortid}` in key templates; default 8 random base-62 characters. */
  shortId?(): string;
}
