/**
 * The background's side of every upload, whatever its source: one request
 * starts it (the profile is read once; the answer carries the key, the PUT
 * URL or the multipart plan), one finishes it (the parts joined, the share
 * link, the history). In between, more part URLs when a large file needs them.
 */
import { userError, type Result } from '../result';
import { t } from '../i18n/t';
import type { Destination, ShareLink } from '../destination/destination';
import { planKey, type KeyPlanDeps } from '../keys/plan-key';
import type { RecentUpload } from '../history/recent';
import type { UploadHandlers } from '../messaging/protocol';
import { formatLink } from '../links/link-format';
import { autoDeleteDate } from '../s3/auto-delete';
import { linkExpiryRefusal } from '../s3/expiry';
import { effectiveContentType } from '../s3/presign';
import type { PartSpec } from '../s3/multipart';
import { MAX_OBJECT_SIZE, partRange, planParts, preferredPartSize } from '../upload/part-plan';
import type { ResumeRequest, TransferPlan, UploadStart, UploadTicket } from '../upload/ticket';
import { DEFAULT_PHOTO_PRIVACY } from '../privacy/report';
import { chooseImages, imageChoiceErrors } from '../images/choice';

/** S3's limit for one PUT. Larger files need multipart. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** Part URLs signed with the start, so the first parts need no further request. */
export const FIRST_PART_BATCH = 16;

export interface UploadServiceDeps extends KeyPlanDeps {
  /** The destination of a profile (default: the default profile). */
  open(profileId?: string): Promise<Result<Destination>>;
  /** Adds a stored upload to the history. */
  record(upload: RecentUpload): Promise<void>;
  /** Makes sure the upload runner is running (Chrome: the offscreen document). */
  ensureRunner(): Promise<void>;
  /** The part size to prefer for a file of this size; default `preferredPartSize` (measured on real servers, see part-plan.ts). */
  partSize?(fileSize: number): number;
  /** The runner has nothing to do (Chrome: its document may close); absent where the runner has no document of its own. */
  runnerIdle?(): Promise<void>;
}

function multipartGone(): Result<never> {
  // Only reachable if the profile changed kind between start and finish.
  return { ok: false, error: userError('InvalidSettings', t('upload_profileChanged')) };
}

/** The ticket for an upload begun before a restart, with its destination; refused when the profile is gone or now uploads elsewhere. */
async function reopenJournaled(deps: UploadServiceDeps, request: ResumeRequest): Promise<Result<{ destination: Destination; ticket: UploadTicket }>> {
  const opened = await deps.open(request.profileId);
  if (!opened.ok)
    return opened.error.code === 'NoSuchProfile' || opened.error.code === 'NotConfigured'
      ? { ok: false, error: userError('NoSuchProfile', t('resume_profileGone', { name: request.name })) }
      : opened;
  const destination = opened.value;
  // The key and upload ID belong to that bucket: another bucket (or a profile that can no longer upload in parts) cannot take them.
  if (destination.profileId !== request.profileId) return { ok: false, error: userError('NoSuchProfile', t('resume_profileGone', { name: request.name })) };
  if (destination.bucket !== request.bucket || !destination.multipart)
    return { ok: false, error: userError('InvalidSettings', t('resume_profileMoved', { name: request.name })) };
  const ticket: UploadTicket = {
    id: request.id,
    profileId: request.profileId,
    key: request.key,
    contentType: effectiveContentType(request.contentType),
    size: request.size,
    uploadId: request.uploadId,
  };
  return { ok: true, value: { destination, ticket } };
}

export function createUploadHandlers(deps: UploadServiceDeps): UploadHandlers {
  /** The destination a ticket was made for: the same profile, read again (the worker keeps nothing between calls). */
  const reopen = (ticket: UploadTicket) => deps.open(ticket.profileId);

  return {
    ensureRunner: () => deps.ensureRunner(),
    runnerIdle: async () => {
      await deps.runnerIdle?.();
    },

    // The profile decides, the bytes' holder does it: see FileTreatment. Opening reads no secret.
    async fileTreatment(request) {
      const opened = await deps.open(request.profileId);
      if (!opened.ok) return opened;
      // The popup's choice for this upload replaces the profile's, once it is checked like a profile's fields would be.
      const chosen = chooseImages(opened.value.images, request.images);
      if (!chosen.ok) {
        const why = Object.values(imageChoiceErrors(chosen.problems)).join(' ');
        return { ok: false, error: userError('InvalidSettings', t('upload_imageChoiceInvalid', { why })) };
      }
      const { images } = chosen;
      return { ok: true, value: { photoPrivacy: opened.value.photoPrivacy ?? DEFAULT_PHOTO_PRIVACY, ...(images ? { images } : {}) } };
    },

    async startUpload(request): Promise<Result<UploadStart>> {
      const opened = await deps.open(request.profileId);
      if (!opened.ok) return opened;
      const destination = opened.value;
      const multipart = destination.multipart;
      if (request.size > MAX_OBJECT_SIZE) return { ok: false, error: userError('EntityTooLarge', t('upload_tooLargeForS3', { name: request.name })) };
      if (!multipart && request.size > MAX_SINGLE_PUT_BYTES)
        return { ok: false, error: userError('EntityTooLarge', t('upload_tooLargeForOnePut', { name: request.name })) };
      const plan = await planKey(destination, request, deps);
      if (!plan.ok) return plan;
      const checksum = destination.checksum;
      const ticket: UploadTicket = {
        id: deps.uuid(),
        profileId: destination.profileId,
        key: plan.value.key,
        contentType: effectiveContentType(request.type),
        size: request.size,
        ...(plan.value.ifNoneMatch ? { ifNoneMatch: true } : {}),
        ...(request.download ? { downloadAs: request.name } : {}),
      };
      let transfer: TransferPlan;
      if (multipart && request.size > destination.multipartThreshold) {
        const created = await multipart.create({ key: ticket.key, contentType: ticket.contentType });
        if (!created.ok) return created;
        const { uploadId } = created.value;
        const parts = planParts(request.size, { preferredPartSize: (deps.partSize ?? preferredPartSize)(request.size) });
        const first: PartSpec[] = [];
        // With checksums each part URL is signed with the part's MD5, which only the runner knows once it has read
        // the part: then none are signed ahead.
        if (!checksum)
          for (let n = 1; n <= Math.min(FIRST_PART_BATCH, parts.partCount); n++) first.push({ partNumber: n, size: partRange(parts, n).size });
        const signed = first.length ? await multipart.signParts({ key: ticket.key, uploadId, parts: first }) : { ok: true as const, value: [] };
        if (!signed.ok) {
          await multipart.abort({ key: ticket.key, uploadId });
          return signed;
        }
        ticket.uploadId = uploadId;
        transfer = { kind: 'multipart', uploadId, partSize: parts.partSize, parts: signed.value };
      } else {
        if (checksum && request.md5) ticket.md5 = request.md5;
        const put = await destination.signPut(ticket);
        if (!put.ok) return put;
        transfer = { kind: 'single', put: put.value };
      }
      return { ok: true, value: { ticket, transfer, context: destination.transferContext, ...(checksum ? { checksum } : {}) } };
    },

    async signPut(ticket) {
      const opened = await reopen(ticket);
      return opened.ok ? opened.value.signPut(ticket) : opened;
    },

    async signParts({ ticket, parts }) {
      const opened = await reopen(ticket);
      if (!opened.ok) return opened;
      const multipart = opened.value.multipart;
      if (!multipart || !ticket.uploadId) return multipartGone();
      return multipart.signParts({ key: ticket.key, uploadId: ticket.uploadId, parts });
    },

    async abortUpload(ticket) {
      // A single PUT has nothing to throw away: no profile read to say so.
      if (!ticket.uploadId) return { ok: true, value: null };
      const opened = await reopen(ticket);
      if (!opened.ok) return opened;
      const multipart = opened.value.multipart;
      if (!multipart) return multipartGone();
      return multipart.abort({ key: ticket.key, uploadId: ticket.uploadId });
    },

    async resumeUpload(request) {
      const reopened = await reopenJournaled(deps, request);
      if (!reopened.ok) return reopened;
      const { destination, ticket } = reopened.value;
      // No URLs yet: the runner first asks which parts the bucket has, then signs only the others (with their MD5,
      // like any upload's parts).
      const checksum = destination.checksum;
      return {
        ok: true,
        value: {
          ticket,
          transfer: { kind: 'multipart', uploadId: request.uploadId, partSize: request.partSize, parts: [] },
          context: destination.transferContext,
          ...(checksum ? { checksum } : {}),
        },
      };
    },

    async listParts(ticket) {
      const opened = await reopen(ticket);
      if (!opened.ok) return opened;
      const multipart = opened.value.multipart;
      if (!multipart || !ticket.uploadId) return multipartGone();
      return multipart.list({ key: ticket.key, uploadId: ticket.uploadId });
    },

    async discardUpload(request) {
      const reopened = await reopenJournaled(deps, request);
      if (!reopened.ok) return reopened;
      return reopened.value.destination.multipart!.abort({ key: request.key, uploadId: request.uploadId });
    },

    async finishUpload(request) {
      const { ticket } = request;
      const opened = await reopen(ticket);
      if (!opened.ok) return opened;
      const destination = opened.value;
      if (ticket.uploadId) {
        if (!destination.multipart) return multipartGone();
        const joined = await destination.multipart.complete({ key: ticket.key, uploadId: ticket.uploadId, parts: request.parts ?? [], size: ticket.size });
        if (!joined.ok) return joined;
      }
      // A page's choice of expiry is checked here, as `freshLink` does.
      const refused = linkExpiryRefusal(request.expiresIn);
      const link: Result<ShareLink> = refused
        ? { ok: false, error: refused }
        : await destination.shareLink({
            key: ticket.key,
            fileName: request.name,
            contentType: ticket.contentType,
            ...(request.expiresIn !== undefined ? { expiresIn: request.expiresIn } : {}),
          });
      const at = deps.now().getTime();
      // The runner says every part (or the PUT) went with its MD5, which this destination signs and its server checks.
      const verified = request.checksummed && destination.checksum && destination.checksumVerified ? (true as const) : undefined;
      const deletesAt = destination.autoDeleteDays ? autoDeleteDate(at, destination.autoDeleteDays) : undefined;
      // The object is stored whatever happens to its link: the history keeps it, and can sign a link later.
      await deps.record({
        id: ticket.id,
        source: request.source,
        name: request.name,
        size: ticket.size,
        type: ticket.contentType,
        status: 'done',
        at,
        key: ticket.key,
        profileId: ticket.profileId,
        ...(link.ok && link.value.expiresAt !== undefined ? { linkExpiresAt: link.value.expiresAt } : {}),
        ...(deletesAt ? { deletesAt } : {}),
        ...(request.pageUrl ? { pageUrl: request.pageUrl } : {}),
        ...(verified ? { verified } : {}),
      });
      if (!link.ok) return link;
      const { lifetimeSeconds, ...signed } = link.value;
      const copyText = formatLink(destination.linkText, { url: signed.url, name: request.name, type: ticket.contentType, key: ticket.key });
      return {
        ok: true,
        value: {
          link: signed,
          copyText,
          ...(lifetimeSeconds !== undefined ? { lifetimeSeconds } : {}),
          ...(deletesAt ? { deletesAt } : {}),
          ...(verified ? { verified } : {}),
        },
      };
    },
  };
}
