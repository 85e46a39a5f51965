import type { Handlers, Result, CoreProtocolMap, UploadProtocolMap, PublicSettings } from '../messaging/protocol';
import type { UserError } from '../s3/errors';
import type { RecentUpload } from '../history/recent';
import type { MultipartSigner } from './multipart';
import type { UploadItem } from './queue';
import { unwrapResult } from '../messaging/result';
import { startUploadRunner } from './runner';
import { xhrTransport } from './xhr-transport';
import { describeTeamS3Failure } from '../team/errors';

/** The background messages the runner uses, as direct calls (Firefox) or messages (Chrome's offscreen document). */
export type RunnerBackend = Pick<Handlers<CoreProtocolMap>, 'getSettings' | 'planUpload' | 'signUpload' | 'shareLink' | 'recordUpload'> &
  Pick<Handlers<UploadProtocolMap>, 'multipartCreate' | 'multipartSignParts' | 'multipartComplete' | 'multipartAbort'>;

/** What the session's list keeps of an upload: no upload URL, no secret. */
export function recentFromItem(item: UploadItem, at: number): RecentUpload {
  return {
    id: item.uid,
    source: 'popup',
    name: item.name,
    size: item.size,
    type: item.type,
    status: item.status === 'done' ? 'done' : 'failed',
    at,
    ...(item.key ? { key: item.key } : {}),
    ...(item.link ? { link: item.link } : {}),
    ...(item.linkExpiresAt ? { linkExpiresAt: item.linkExpiresAt } : {}),
    ...(item.copied !== undefined ? { copied: item.copied } : {}),
    ...(item.error ? { error: item.error as UserError } : {}),
    ...(item.profileId ? { profileId: item.profileId } : {}),
  };
}

/** How often a locked runner asks whether the user has unlocked. */
export const UNLOCK_POLL_MS = 1000;

/**
 * Starts the upload runner in this document with XHR (byte progress) and a
 * textarea copy (works unfocused). Each file's profile is read afresh before
 * it starts, so an edit in Options applies to the next file; while the
 * secrets are locked, files wait (Chrome's offscreen document cannot watch
 * storage, so it asks once a second: one small message).
 */
export function hostUploadRunner(backend: RunnerBackend, copy: (text: string) => Promise<boolean> | boolean, options: { unlockPollMs?: number } = {}) {
  let settings: PublicSettings | null = null;
  const pollMs = options.unlockPollMs ?? UNLOCK_POLL_MS;
  const multipart = (target: { key: string; contentType: string; profileId?: string }): MultipartSigner => ({
    create: async () => unwrapResult(await backend.multipartCreate(target)),
    signParts: async (uploadId, parts) => unwrapResult(await backend.multipartSignParts({ ...target, uploadId, parts: [...parts] })),
    complete: async (uploadId, parts) => unwrapResult(await backend.multipartComplete({ ...target, uploadId, parts: [...parts] })),
    abort: async (uploadId) => {
      unwrapResult(await backend.multipartAbort({ ...target, uploadId }));
    },
  });
  const runner = startUploadRunner({
    async prepare(item, signal, waiting) {
      settings = await backend.getSettings(item.profileId);
      // An open presign service needs no secret, so nothing to unlock for it.
      const needsSecrets = () => !(settings?.profile?.kind === 'presign-service' && settings.profile.serviceAuth === 'none');
      while (settings.security.locked && needsSecrets() && !signal.aborted) {
        waiting();
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        settings = await backend.getSettings(item.profileId);
      }
    },
    plan: (file) => backend.planUpload(file),
    sign: (request) => backend.signUpload(request),
    share: (request) => backend.shareLink(request),
    transport: xhrTransport(),
    copy: async (text) => copy(text),
    // A team's presign service signs single PUTs only: then files above 5 GiB are refused with a sentence.
    get multipart() {
      return settings?.capabilities.multipart === false ? undefined : multipart;
    },
    get multipartThreshold() {
      const profile = settings?.profile;
      return profile?.kind === 'keys' && profile.multipartThresholdMiB ? profile.multipartThresholdMiB * 1024 * 1024 : undefined;
    },
    context: () => ({
      operation: 'upload',
      bucket: settings?.profile?.bucket ?? '',
      region: settings?.profile?.region ?? '',
      endpoint: settings?.profile?.endpoint ?? '',
      // S3's refusals of a team service's URLs are the service's to fix, not the user's keys.
      ...(settings?.profile?.kind === 'presign-service' ? { describe: describeTeamS3Failure } : {}),
    }),
    onSettled: (item) => void backend.recordUpload(recentFromItem(item, Date.now())),
  });
  return runner;
}
