/**
 * The destination for a profile that uses a team's presign service: the
 * service signs single PUTs and GETs; S3 Drop holds no bucket keys for it, so
 * it cannot ask whether a key is taken, upload in parts or delete.
 */
import { linkTextOf } from '../links/link-format';
import { imagesOf } from '../images/settings';
import type { Result } from '../result';
import { DEFAULT_MULTIPART_THRESHOLD } from '../upload/part-plan';
import type { PresignServiceDraft, PresignServiceProfile, Profile, Secrets } from '../settings/profile';
import { accessOrigins, normalizeDraft, splitDraft, validateDraft } from '../settings/profile-kinds';
import { serviceAccessMissing } from '../team/errors';
import { originPattern, savedTokenApplies } from '../team/service-url';
import { probeService, signTeamUpload, teamShareLink, testPresignService, withS3Address, type TeamDeps } from '../team/team-signer';
import type { Destination, ProfileStepDeps, ProfileSteps } from './destination';

export interface PresignServiceDeps extends TeamDeps {
  /** The token the service wants (empty when it wants none); read at most once per destination. */
  token(): Promise<Result<string>>;
}

export function presignServiceDestination(profile: PresignServiceProfile, deps: PresignServiceDeps): Destination {
  return {
    profileId: profile.id,
    bucket: profile.bucket,
    keyTemplate: profile.keyTemplate,
    linkText: linkTextOf(profile),
    conditionalWrites: false,
    // Never used (no multipart), but every destination answers it.
    multipartThreshold: DEFAULT_MULTIPART_THRESHOLD,
    ...(profile.photoPrivacy ? { photoPrivacy: profile.photoPrivacy } : {}),
    ...imagesOf(profile),
    transferContext: { bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint, signer: 'service' },
    async signPut(target) {
      const token = await deps.token();
      if (!token.ok) return token;
      // The service cannot sign Content-Disposition or If-None-Match: those are left out.
      return signTeamUpload(deps, profile, token.value, { key: target.key, contentType: target.contentType, size: target.size });
    },
    async shareLink(request) {
      const token = await deps.token();
      if (!token.ok) return token;
      const now = deps.now().getTime();
      const link = await teamShareLink(deps, profile, token.value, request);
      if (!link.ok) return link;
      const { expiresAt } = link.value;
      return { ok: true, value: { ...link.value, ...(expiresAt !== undefined ? { lifetimeSeconds: Math.max(0, Math.round((expiresAt - now) / 1000)) } : {}) } };
    },
  };
}

/**
 * The saved token for a presign-service draft, when it may go where the
 * draft sends it (`savedTokenApplies`); `dropped` when one is saved but the
 * draft's origin, header or way of sending changed.
 */
function carriedToken(before: Profile | null, draft: PresignServiceDraft, saved: Secrets | null): { token: string; dropped: boolean } {
  const token = saved?.serviceToken ?? '';
  if (!token || draft.serviceAuth === 'none') return { token: '', dropped: false };
  if (before?.kind === 'presign-service' && savedTokenApplies(before, draft)) return { token, dropped: false };
  return { token: '', dropped: !draft.serviceToken };
}

/** A presign-service draft split into its profile (typed as its kind) and its secrets. */
function splitService(draft: PresignServiceDraft) {
  const { profile, secrets } = splitDraft(draft);
  return { profile: profile as PresignServiceProfile, secrets };
}

/** Origin patterns among these the browser has not granted. */
async function missing(deps: Pick<ProfileStepDeps, 'hasHostPermission'>, origins: string[]): Promise<string[]> {
  const granted = await Promise.all(origins.map((o) => deps.hasHostPermission([o])));
  return origins.filter((_, i) => !granted[i]);
}

/**
 * A presign service's steps on a draft. Its secrets replace whatever keys the
 * profile held before: in this mode the browser holds no bucket keys for it.
 * A saved token stays only while the service's origin, header and way of
 * sending it stay; otherwise it is dropped (the profile is saved without
 * one, and the page asks for it again), before anything is sent anywhere.
 */
export const presignServiceSteps: ProfileSteps<PresignServiceDraft> = {
  async withSavedSecrets(draft, saved, before) {
    const carried = carriedToken(await before(), normalizeDraft(draft).draft as PresignServiceDraft, saved);
    return { draft: { ...draft, serviceToken: draft.serviceToken || carried.token }, tokenDropped: carried.dropped };
  },

  async save(deps, { draft, trimmed, saved, names, before, id, store }) {
    const carried = carriedToken(before, draft, saved);
    // A dropped token is not a mistake in the form: the profile saves without it, and the page says to type it again.
    const errors = validateDraft(draft, { hasSavedSecret: Boolean(carried.token) || carried.dropped, otherNames: names });
    if (Object.keys(errors).length) return { saved: false, id: '', errors, trimmed, needsAccess: [] };
    const split = splitService(draft);
    let profile = { ...split.profile, id: id() };
    const token = profile.serviceAuth === 'none' ? '' : split.secrets.serviceToken || carried.token;
    // Learn where the service's URLs point, so the S3 host can be asked for now, in the user's click.
    let s3Origin: string | undefined;
    if (await deps.hasHostPermission([originPattern(profile.serviceUrl)])) {
      const probe = await probeService(deps, profile, token);
      if (probe.ok) {
        profile = withS3Address(profile, probe.value.facts);
        s3Origin = probe.value.facts.origin;
      }
    }
    await store(profile, { serviceToken: token });
    return {
      saved: true,
      id: profile.id,
      errors,
      trimmed,
      needsAccess: await missing(deps, accessOrigins(profile)),
      ...(s3Origin ? { s3Origin } : {}),
      ...(carried.dropped ? { tokenDropped: true } : {}),
    };
  },

  async test(deps, draft) {
    const { profile, secrets } = splitService(draft);
    if (!(await deps.hasHostPermission([originPattern(profile.serviceUrl)]))) {
      const error = serviceAccessMissing(profile);
      return { ok: false, message: error.message, error, needsAccess: [originPattern(profile.serviceUrl)] };
    }
    return testPresignService(deps, profile, profile.serviceAuth === 'none' ? '' : secrets.serviceToken ?? '');
  },
};
