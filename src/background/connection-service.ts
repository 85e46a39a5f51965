/** Test connection: one harmless request with the form as it stands, and the saved secrets where the form leaves them empty. */
import type { UserError } from '../result';
import { connectionOf, expiredToken, LOCKED } from '../destination/connection';
import type { ProtocolHandlers } from '../messaging/protocol';
import { testConnection } from '../s3/connection-test';
import { hostPermissionOrigins } from '../s3/endpoint';
import { describeFailure } from '../s3/errors';
import { type Profile, type ProfileDraft, type ProfileField, type PresignServiceDraft, type Secrets } from '../settings/profile';
import { normalizeDraft, splitDraft, validateDraft } from '../settings/profile-kinds';
import { findProfile } from '../settings/profile-store';
import { LockedError } from '../secrets/keeper';
import { serviceAccessMissing } from '../team/errors';
import { originPattern, savedTokenApplies } from '../team/service-url';
import { testPresignService, type TeamConnectionReport } from '../team/team-signer';
import { t } from '../i18n/t';
import type { ServiceDeps } from './service-deps';

/** Fields without which Test connection cannot ask anything, in the order they are reported. */
const KEYS_BLOCKING = ['accessKeyId', 'secretAccessKey', 'bucket', 'endpoint', 'region'] as const satisfies readonly ProfileField[];
const TEAM_BLOCKING = ['serviceUrl', 'serviceAuth', 'serviceAuthHeader', 'serviceToken', 'bucket', 'keyTemplate'] as const satisfies readonly ProfileField[];

/**
 * The saved token for a presign-service draft, when it may go where the
 * draft sends it (`savedTokenApplies`); `dropped` when one is saved but the
 * draft's origin, header or way of sending changed.
 */
export function carriedToken(before: Profile | null, draft: PresignServiceDraft, saved: Secrets | null): { token: string; dropped: boolean } {
  const token = saved?.serviceToken ?? '';
  if (!token || draft.serviceAuth === 'none') return { token: '', dropped: false };
  if (before?.kind === 'presign-service' && savedTokenApplies(before, draft)) return { token, dropped: false };
  return { token: '', dropped: !draft.serviceToken };
}

export function createConnectionTest(deps: ServiceDeps): ProtocolHandlers['testConnection'] {
  /** A profile's saved secrets; locked counts as none (the page says "unlock to test"). */
  async function savedSecrets(id: string): Promise<Secrets | null> {
    if (!id) return null;
    return deps.secrets.get(id).catch((err) => {
      if (err instanceof LockedError) return null;
      throw err;
    });
  }

  async function draftWithSavedSecrets(draft: ProfileDraft): Promise<{ draft: ProfileDraft; tokenDropped: boolean }> {
    const saved = await savedSecrets(draft.id);
    if (draft.kind === 'presign-service') {
      const carried = carriedToken(draft.id ? findProfile(await deps.loadProfiles(), draft.id) : null, normalizeDraft(draft).draft as PresignServiceDraft, saved);
      return { draft: { ...draft, serviceToken: draft.serviceToken || carried.token }, tokenDropped: carried.dropped };
    }
    return {
      draft: {
        ...draft,
        secretAccessKey: draft.secretAccessKey || saved?.secretAccessKey || '',
        sessionToken: draft.sessionToken || saved?.sessionToken || '',
      },
      tokenDropped: false,
    };
  }

  return async function test(input): Promise<TeamConnectionReport> {
      const withSaved = await draftWithSavedSecrets(input);
      const { draft } = normalizeDraft(withSaved.draft);
      const errors = validateDraft(draft, { hasSavedSecret: false });
      const blocking = (draft.kind === 'presign-service' ? TEAM_BLOCKING : KEYS_BLOCKING).find((f) => errors[f]);
      if (blocking) {
        const locked = (await deps.secrets.status()).locked && draft.id && (blocking === 'secretAccessKey' || blocking === 'serviceToken');
        const message = blocking === 'serviceToken' && withSaved.tokenDropped ? t('team_tokenAgain') : errors[blocking]!;
        const error: UserError = locked ? LOCKED : { code: 'InvalidSettings', message, transient: false };
        return { ok: false, message: error.message, error };
      }
      const { profile, secrets } = splitDraft(draft);
      if (profile.kind === 'presign-service') {
        if (!(await deps.hasHostPermission([originPattern(profile.serviceUrl)]))) {
          const error = serviceAccessMissing(profile);
          return { ok: false, message: error.message, error, needsAccess: [originPattern(profile.serviceUrl)] };
        }
        return testPresignService(deps, profile, profile.serviceAuth === 'none' ? '' : secrets.serviceToken ?? '');
      }
      const expired = expiredToken(profile, deps.now());
      if (expired) return { ok: false, message: expired.message, error: expired };
      if (!(await deps.hasHostPermission(hostPermissionOrigins(profile)))) {
        const error = describeFailure(
          { code: 'HostPermissionMissing' },
          { operation: 'connect', bucket: profile.bucket, region: profile.region, endpoint: profile.endpoint },
        );
        return { ok: false, message: error.message, error };
      }
      return testConnection(connectionOf(profile, { secretAccessKey: secrets.secretAccessKey ?? '', sessionToken: secrets.sessionToken ?? '' }), deps.fetch);
    };
}
