import type { ProfileSummary, PublicSettings, SecurityStatus } from '../messaging/protocol';
import type { KeeperStatus, SecretPresence } from '../secrets/keeper';
import { type Profile } from './profile';
import { accessOrigins, capabilitiesOf, secretReady, usesSessionToken } from './profile-kinds';
import type { ProfileStore } from './profile-store';

/**
 * What the popup needs to draw itself, written by the background whenever it
 * changes so the popup can show its controls without waiting for the service
 * worker to wake and answer. The same facts `getSettings` answers with, and
 * like them never a secret: only whether one is saved.
 */
export interface SettingsSummary {
  profiles: ProfileSummary[];
  defaultId: string | null;
  security: SecurityStatus & {
    /**
     * When the unlocked vault locks itself for being idle (ms since the
     * epoch), or `null` when it is not unlocked or only closing the browser
     * locks it. The alarm that drops the key can fire late (Chrome: 30 s at
     * the soonest; a sleeping machine: on waking), so a reader checks this
     * itself rather than trust `locked` alone.
     */
    locksAt: number | null;
  };
}

/** What the summary is computed from: the profile store and the secret keeper's answers, read in the background. */
export interface SummaryInput {
  store: ProfileStore;
  presence: Record<string, SecretPresence>;
  status: KeeperStatus;
  lockAfterMinutes: number;
  /** When the unlocked session's key was last used (ms since the epoch); `null` when there is none. */
  lastUsed: number | null;
}

/** One profile as any extension page may know it. */
export function summarizeProfile(profile: Profile, presence: SecretPresence | undefined): ProfileSummary {
  return {
    profile,
    hasSecret: secretReady(profile, Boolean(presence?.credential)),
    hasSessionToken: usesSessionToken(profile) && Boolean(presence?.sessionToken),
    capabilities: capabilitiesOf(profile),
    accessOrigins: accessOrigins(profile),
  };
}

export function summarizeSettings(input: SummaryInput): SettingsSummary {
  const { store, presence, status, lockAfterMinutes, lastUsed } = input;
  const unlockedUntil =
    status.encrypted && !status.locked && lastUsed !== null && lockAfterMinutes > 0 ? lastUsed + lockAfterMinutes * 60_000 : null;
  return {
    profiles: store.profiles.map((p) => summarizeProfile(p, presence[p.id])),
    defaultId: store.defaultId,
    security: { ...status, lockAfterMinutes, locksAt: unlockedUntil },
  };
}

/**
 * The summary as `getSettings(profileId)` answers it: the top-level profile
 * fields describe `profileId` (absent: the default profile). At `now`, a vault
 * past its idle deadline counts as locked, as the keeper counts it.
 */
export function publicSettings(summary: SettingsSummary, profileId: string | undefined, now: number): PublicSettings {
  const { locksAt, ...status } = summary.security;
  const chosen = summary.profiles.find((s) => s.profile.id === (profileId || summary.defaultId)) ?? null;
  return {
    profile: chosen?.profile ?? null,
    hasSecret: chosen?.hasSecret ?? false,
    hasSessionToken: chosen?.hasSessionToken ?? false,
    capabilities: chosen?.capabilities ?? capabilitiesOf(null),
    accessOrigins: chosen?.accessOrigins ?? [],
    profiles: summary.profiles,
    defaultId: summary.defaultId,
    security: { ...status, locked: status.locked || (locksAt !== null && now > locksAt) },
  };
}

/**
 * The profile a view shows after the settings change: the one chosen, while it
 * still exists (another window may delete it), else the default, else none.
 */
export function keptProfileId(settings: Pick<PublicSettings, 'profiles' | 'defaultId'>, current: string): string {
  const exists = (id: string | null) => Boolean(id) && settings.profiles.some((s) => s.profile.id === id);
  if (exists(current)) return current;
  return exists(settings.defaultId) ? settings.defaultId! : '';
}
