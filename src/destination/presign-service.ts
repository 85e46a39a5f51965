/**
 * The destination for a profile that uses a team's presign service: the
 * service signs single PUTs and GETs; S3 Drop holds no bucket keys for it, so
 * it cannot ask whether a key is taken, upload in parts or delete.
 */
import type { Result } from '../result';
import { DEFAULT_MULTIPART_THRESHOLD } from '../upload/part-plan';
import type { PresignServiceProfile } from '../settings/profile';
import { signTeamUpload, teamShareLink, type TeamDeps } from '../team/team-signer';
import type { Destination } from './destination';

export interface PresignServiceDeps extends TeamDeps {
  /** The token the service wants (empty when it wants none); read at most once per destination. */
  token(): Promise<Result<string>>;
}

export function presignServiceDestination(profile: PresignServiceProfile, deps: PresignServiceDeps): Destination {
  return {
    profileId: profile.id,
    bucket: profile.bucket,
    keyTemplate: profile.keyTemplate,
    conditionalWrites: false,
    // Never used (no multipart), but every destination answers it.
    multipartThreshold: DEFAULT_MULTIPART_THRESHOLD,
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
