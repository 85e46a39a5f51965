/**
 * Which lines of the checklist a profile gets. Own keys can ask the bucket
 * anything their permissions allow; a presign service's profile can only
 * observe what the service's URLs do, so it gets those lines and one saying
 * the bucket's settings are the service owner's to check.
 */
import type { Profile } from '../settings/profile';
import { autoDeleteDaysOf, linkModeOf, signerOf } from '../settings/profile-kinds';
import type { UrlSigner } from '../team/errors';
import { CHECK_IDS, type CheckId } from './facts';

/** The lines observed through a presign service: everything else needs the bucket's keys. */
const SERVICE_LINES: readonly CheckId[] = ['service', 'clock', 'probe', 'probeLink', 'bucketSettings'];
/** Lines only a presign service's profile has (own keys check the link within `probe`, and read the settings themselves). */
const SERVICE_ONLY: readonly CheckId[] = ['service', 'probeLink', 'bucketSettings'];

const BY_SIGNER: Record<UrlSigner, (id: CheckId) => boolean> = {
  extension: (id) => !SERVICE_ONLY.includes(id),
  service: (id) => SERVICE_LINES.includes(id),
};

/**
 * The lines a profile gets, in the checklist's order: by who signs, the link
 * lines only in the link modes that make such links, Auto-delete's only when it is on.
 */
export function checksFor(profile: Profile): CheckId[] {
  const mode = linkModeOf(profile);
  const applies: Partial<Record<CheckId, boolean>> = {
    publicLinks: mode === 'public',
    customLinks: mode === 'custom',
    autoDelete: autoDeleteDaysOf(profile) !== undefined,
  };
  return CHECK_IDS.filter(BY_SIGNER[signerOf(profile)]).filter((id) => applies[id] ?? true);
}
