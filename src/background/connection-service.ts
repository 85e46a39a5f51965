/** Test connection: one harmless request with the form as it stands, and the saved secrets where the form leaves them empty. */
import { userError, type UserError } from '../result';
import { LOCKED } from '../destination/connection';
import { stepsFor } from '../destination/open';
import type { ProtocolHandlers } from '../messaging/protocol';
import type { Secrets } from '../settings/profile';
import { connectionBlockingFields, normalizeDraft, validateDraft } from '../settings/profile-kinds';
import { findProfile } from '../settings/profile-store';
import { LockedError } from '../secrets/keeper';
import type { TeamConnectionReport } from '../team/team-signer';
import { t } from '../i18n/t';
import type { ServiceDeps } from './service-deps';

export function createConnectionTest(deps: ServiceDeps): ProtocolHandlers['testConnection'] {
  /** A profile's saved secrets; locked counts as none (the page says "unlock to test"). */
  async function savedSecrets(id: string): Promise<Secrets | null> {
    if (!id) return null;
    return deps.secrets.get(id).catch((err) => {
      if (err instanceof LockedError) return null;
      throw err;
    });
  }

  return async function test(input): Promise<TeamConnectionReport> {
    // Normalized to choose the steps: a draft from before profiles had kinds has none.
    const steps = stepsFor(normalizeDraft(input).draft);
    const before = async () => (input.id ? findProfile(await deps.loadProfiles(), input.id) : null);
    const withSaved = await steps.withSavedSecrets(input, await savedSecrets(input.id), before);
    const { draft } = normalizeDraft(withSaved.draft);
    const errors = validateDraft(draft, { hasSavedSecret: false });
    const blocking = connectionBlockingFields(draft).find((f) => errors[f]);
    if (blocking) {
      const locked = (await deps.secrets.status()).locked && draft.id && (blocking === 'secretAccessKey' || blocking === 'serviceToken');
      const message = blocking === 'serviceToken' && withSaved.tokenDropped ? t('team_tokenAgain') : errors[blocking]!;
      const error: UserError = locked ? LOCKED : userError('InvalidSettings', message);
      return { ok: false, message: error.message, error };
    }
    return steps.test(deps, draft);
  };
}
