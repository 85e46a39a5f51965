/**
 * The one upload pipeline. Every source (picked, dropped and pasted files, a
 * right-clicked image, a screenshot) goes through `runUpload`:
 *
 *   source ─▶ transforms[] ─▶ start (key + URLs) ─▶ transfer ─▶ finish (link, history) ─▶ deliver
 *
 * It runs where the bytes are: the popup's files in the upload runner, a
 * page's image in the background. It never sees a credential: the background
 * answers `start` and `finish` (see src/background/upload-service.ts).
 */
import { ResultError, unwrapResult, userError, type UserError } from '../result';
import { t } from '../i18n/t';
import type { UploadHandlers } from '../messaging/protocol';
import type { FailureContext } from '../s3/errors';
import type { CompletedPart, SignedPart } from '../s3/multipart';
import { S3_ANSWERS_BY_SIGNER } from '../team/errors';
import { uploadMultipart, type MultipartSigner } from './multipart';
import { uploadWithSinglePut } from './single-put';
import type { NewMd5 } from './md5';
import { sdkMd5 } from './md5-sdk';
import { md5Base64 } from './part-hash';
import { DEFAULT_MULTIPART_THRESHOLD } from './part-plan';
import type { FinishRequest, TreatmentRequest, UploadRequest, UploadStart, UploadTicket } from './ticket';
import { fileIdentity, JOURNAL_VERSION, reconcileParts, resumeRequestOf, type JournalEntry } from './journal';
import type { UploadJournal } from './journal-store';
import type { PutTransport } from './transport';
import type { PrivacyReport } from '../privacy/report';
import type { ImageReport } from '../images/decide';

/** A file on its way up: the bytes and what they are called. Transforms take and give one. */
export interface UploadFile {
  body: Blob;
  name: string;
  type: string;
  /** What the privacy stage did to it, when it is a photo (src/privacy/). */
  privacy?: PrivacyReport;
  /** What the image stage did to it, when the profile resizes or converts pictures (src/images/). */
  image?: ImageReport;
}

/**
 * What a transform may need to know about the upload: the profile it goes to (absent: the default), whose choices it asks
 * the background for, and the image choice made for this upload in the popup.
 */
export type TransformContext = TreatmentRequest;

/** One transform stage (strip metadata, resize, convert…): runs before the key is decided. */
export type Transform = (file: UploadFile, signal: AbortSignal, context: TransformContext) => Promise<UploadFile>;

export interface UploadInput extends UploadFile, Omit<UploadRequest, 'name' | 'type' | 'size'> {
  /** Seconds the share link should live; default the profile's. */
  expiresIn?: number;
  /** The popup's image choice for this file, over the profile's (checked by the background). */
  images?: TransformContext['images'];
  /** An upload begun before a restart, to finish with this file (picked again, and matched with the entry). */
  resume?: JournalEntry;
  /** The file's handle from the browser's file picker: journaled with the upload, so Resume can read the file again. */
  handle?: FileSystemFileHandle;
}

/** What the pipeline asks of the background: one start and one finish per file. */
export type UploadBackend = Pick<UploadHandlers, 'startUpload' | 'signPut' | 'signParts' | 'finishUpload' | 'abortUpload'> &
  Partial<Pick<UploadHandlers, 'resumeUpload' | 'listParts'>>;

export interface PipelineDeps {
  backend: UploadBackend;
  transport: PutTransport;
  /** In order (the image stage, then the photo privacy stage, where the bytes are). */
  transforms?: readonly Transform[];
  /** Puts the link on the clipboard; false if the browser refused. */
  copy(text: string): Promise<boolean>;
  /**
   * While the secrets are locked: resolves when it is worth asking again (or
   * when `signal` aborts). Without it a locked vault fails the upload with
   * its sentence.
   */
  whenLocked?(signal: AbortSignal): Promise<void>;
  now?: () => number;
  /**
   * Where multipart uploads are journaled, to resume them after a restart
   * (see journal.ts). Without it, or for a file a transform changed (its bytes
   * could not be matched when picked again), nothing is journaled.
   */
  journal?: UploadJournal;
  /** The MD5 that checksums parts and files (md5.ts); default the SDK's. */
  md5?: NewMd5;
}

export interface PipelineHooks {
  signal?: AbortSignal;
  /** The secrets are locked: the upload waits for the passphrase. */
  onWaiting?(): void;
  /** The background chose the key; bytes start to move. */
  onStarted?(start: UploadStart): void;
  /** Bytes sent so far. */
  onProgress?(loaded: number): void;
}

export type UploadOutcome =
  | {
      status: 'done';
      /** The id of its history entry. */
      id: string;
      /** The profile it went to, resolved (the default when none was named). */
      profileId: string;
      key: string;
      /** The file as stored: its name and size after the transforms (a converted picture's `.webp`, its new size). */
      name: string;
      size: number;
      contentType: string;
      link: string;
      /** Absent for links that never expire. */
      linkExpiresAt?: number;
      lifetimeSeconds?: number;
      /** When the bucket deletes it (Auto-delete); absent: it stays. */
      deletesAt?: number;
      /** What was put on the clipboard: the link in the profile's format. */
      copyText: string;
      copied: boolean;
      /** What the privacy stage did, for a photo. */
      privacy?: PrivacyReport;
      /** What the image stage did, for a picture. */
      image?: ImageReport;
      /** The server verified a checksum of every part (or of the one PUT). */
      verified?: true;
    }
  | { status: 'failed'; key?: string; error: UserError; privacy?: PrivacyReport; image?: ImageReport }
  | { status: 'cancelled' };

/** The context S3's answers to the transfer are read in. */
export function transferContext(start: UploadStart): FailureContext {
  const { signer, ...where } = start.context;
  const describe = S3_ANSWERS_BY_SIGNER[signer];
  return { operation: 'upload', ...where, ...(describe ? { describe } : {}) };
}

/** A multipart signer over the start's first URLs and the background's messages. */
function ticketSigner(backend: UploadBackend, ticket: UploadTicket, first: SignedPart[], now: () => number): MultipartSigner & { joined: CompletedPart[] } {
  const ready = new Map(first.map((p) => [p.partNumber, p]));
  const signer = {
    joined: [] as CompletedPart[],
    create: async () => ({ uploadId: ticket.uploadId! }),
    async signParts(_uploadId: string, parts: readonly { partNumber: number; size: number }[]) {
      const have = parts.map((p) => ready.get(p.partNumber));
      for (const p of parts) ready.delete(p.partNumber);
      // The start's URLs, while they have a while to live; else signed now.
      if (have.every((p) => p && p.expiresAt - now() > 60_000)) return have as SignedPart[];
      return unwrapResult(await backend.signParts({ ticket, parts: [...parts] }));
    },
    // The background joins the parts when the upload finishes (one request for that and the link).
    async complete(_uploadId: string, parts: readonly CompletedPart[]) {
      signer.joined = [...parts];
      return {};
    },
    async abort() {
      unwrapResult(await backend.abortUpload(ticket));
    },
  };
  return signer;
}

function failureOf(err: unknown): UserError {
  return err instanceof ResultError ? err.userError : userError('Unexpected', t('upload_failed', { reason: (err as Error)?.message ?? String(err) }));
}

/** A journal that never stops an upload: a failed write costs the resume, not the upload. */
function journalWriter(journal: UploadJournal) {
  let last: Promise<void> = Promise.resolve();
  const queue = (step: () => Promise<void>) => {
    // In order: a part is added only to an entry that is written.
    last = last.then(step).catch((err) => console.warn('S3 Drop: the upload journal could not be written', err));
    return last;
  };
  return { queue, settled: () => last };
}

/** Runs one file through the pipeline. Never throws: the outcome says how it ended, with a sentence on failure. */
export async function runUpload(input: UploadInput, deps: PipelineDeps, hooks: PipelineHooks = {}): Promise<UploadOutcome> {
  const signal = hooks.signal ?? new AbortController().signal;
  const now = deps.now ?? Date.now;
  let start: UploadStart | undefined;
  let privacy: PrivacyReport | undefined;
  let image: ImageReport | undefined;
  try {
    let file: UploadFile = { body: input.body, name: input.name, type: input.type };
    const context: TransformContext = { ...(input.profileId ? { profileId: input.profileId } : {}), ...(input.images ? { images: input.images } : {}) };
    // A resumed file went through the stages unchanged the first time (only such files are journaled).
    if (!input.resume) for (const transform of deps.transforms ?? []) file = await transform(file, signal, context);
    privacy = file.privacy;
    image = file.image;
    if (signal.aborted) return { status: 'cancelled' };

    const request: UploadRequest = {
      name: file.name,
      type: file.type,
      size: file.body.size,
      source: input.source,
      ...(input.profileId ? { profileId: input.profileId } : {}),
      ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
      ...(input.path ? { path: input.path } : {}),
      ...(input.download ? { download: true } : {}),
    };
    // A file that goes up in one PUT (below the default threshold) is hashed before it starts, so its Content-MD5 is
    // signed with the start; a larger one, if it still goes in one PUT (a profile's higher threshold), after.
    if (request.size <= DEFAULT_MULTIPART_THRESHOLD) request.md5 = await md5Base64(file.body, deps.md5 ?? sdkMd5, signal);
    for (;;) {
      const started = input.resume
        ? ((await deps.backend.resumeUpload?.(resumeRequestOf(input.resume))) ?? { ok: false as const, error: userError('InvalidSettings', t('upload_profileChanged')) })
        : await deps.backend.startUpload(request);
      if (signal.aborted) {
        // Cancelled while the background started it: nothing of it may stay behind.
        if (started.ok && started.value.ticket.uploadId) await deps.backend.abortUpload(started.value.ticket).catch(() => {});
        return { status: 'cancelled' };
      }
      if (started.ok) {
        start = started.value;
        break;
      }
      if (started.error.code !== 'Locked' || !deps.whenLocked) throw new ResultError(started.error);
      hooks.onWaiting?.();
      await deps.whenLocked(signal);
      if (signal.aborted) return { status: 'cancelled' };
    }
    hooks.onStarted?.(start);

    let { ticket } = start;
    const { transfer } = start;
    const where = transferContext(start);
    let parts: CompletedPart[] | undefined;
    /** Removes the upload's journal entry: once it is joined, or thrown away. */
    let forget: (() => Promise<void>) | undefined;
    let checksummed: boolean;
    if (transfer.kind === 'multipart') {
      const signer = ticketSigner(deps.backend, ticket, transfer.parts, now);
      const lastModified = (input.body as Partial<File>).lastModified;
      // Only the picked file's own bytes can be matched when it is picked again.
      const journal = deps.journal && (input.resume || (file.body === input.body && lastModified !== undefined)) ? deps.journal : undefined;
      const writer = journal && journalWriter(journal);
      let resume: { uploadId: string; parts: JournalEntry['parts'] } | undefined;
      if (input.resume) {
        const listed = deps.backend.listParts ? unwrapResult(await deps.backend.listParts(ticket)) : [];
        resume = { uploadId: transfer.uploadId, parts: reconcileParts(input.resume.parts, listed) };
      }
      // Read while the first parts go up: it reads 192 KiB, whatever the size.
      const identity = writer && !input.resume ? fileIdentity(file.body, { name: input.name, lastModified: lastModified! }) : undefined;
      const sent = await uploadMultipart({
        body: file.body,
        signer,
        transport: deps.transport,
        context: where,
        signal,
        partSize: transfer.partSize,
        ...(resume ? { resume } : {}),
        ...(start.checksum === 'md5' ? { checksums: deps.md5 ?? sdkMd5 } : {}),
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
        ...(writer && journal
          ? {
              onCreated: (uploadId: string) =>
                void writer.queue(async () => {
                  const at = now();
                  const entry: JournalEntry = {
                    version: JOURNAL_VERSION,
                    id: ticket.id,
                    profileId: ticket.profileId,
                    bucket: start!.context.bucket,
                    key: ticket.key,
                    uploadId,
                    contentType: ticket.contentType,
                    partSize: transfer.partSize,
                    parts: [],
                    identity: await identity!,
                    name: file.name,
                    createdAt: at,
                    updatedAt: at,
                    ...(input.handle ? { handle: input.handle } : {}),
                  };
                  await journal.put(entry);
                }),
              onPartDone: (part: { partNumber: number; etag: string; size: number; checksum?: string }) =>
                void writer.queue(() => journal.addPart(ticket.id, part, now())),
              // Thrown away on the server: nothing left to resume.
              onCleanup: ({ aborted }: { aborted: boolean }) => {
                if (aborted) void writer.queue(() => journal.remove(ticket.id));
              },
            }
          : {}),
      });
      parts = signer.joined;
      forget = writer && journal ? () => writer.queue(() => journal.remove(ticket.id)) : undefined;
      checksummed = sent.checksummed;
    } else {
      let first: typeof transfer.put | undefined = transfer.put;
      if (start.checksum === 'md5' && !ticket.md5) {
        // Not hashed before the start (larger than the default threshold): hashed now, and the PUT signed with it.
        ticket = { ...ticket, md5: await md5Base64(file.body, deps.md5 ?? sdkMd5, signal) };
        first = undefined;
      }
      checksummed = !!ticket.md5;
      await uploadWithSinglePut({
        body: file.body,
        sign: async () => {
          const put = first ?? unwrapResult(await deps.backend.signPut(ticket));
          first = undefined;
          return put;
        },
        transport: deps.transport,
        context: where,
        signal,
        now,
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      });
    }
    const finish: FinishRequest = {
      ticket,
      name: file.name,
      source: input.source,
      ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
      ...(checksummed ? { checksummed } : {}),
    };
    if (signal.aborted) {
      // Parts not yet joined are thrown away. A single PUT that went through is stored already: it is finished
      // (so the history has it, to delete or share later), but nothing is copied, as the user asked.
      if (parts)
        await deps.backend.abortUpload(ticket).then(
          (r) => (r.ok ? forget?.() : undefined),
          () => {},
        );
      else await deps.backend.finishUpload(finish).catch(() => {});
      return { status: 'cancelled' };
    }

    const finished = unwrapResult(
      await deps.backend.finishUpload({
        ...finish,
        ...(parts ? { parts } : {}),
        ...(input.expiresIn !== undefined ? { expiresIn: input.expiresIn } : {}),
      }),
    );
    // The parts are joined: nothing is left to resume.
    await forget?.();
    // Cancel may be pressed while the link is signed: the user asked for nothing to be copied.
    if (signal.aborted) return { status: 'cancelled' };
    const { link, lifetimeSeconds, deletesAt, copyText, verified } = finished;
    const copied = await deps.copy(copyText).catch(() => false);
    return {
      status: 'done',
      id: ticket.id,
      profileId: ticket.profileId,
      key: ticket.key,
      name: file.name,
      size: file.body.size,
      contentType: ticket.contentType,
      link: link.url,
      copyText,
      ...(link.expiresAt !== undefined ? { linkExpiresAt: link.expiresAt } : {}),
      ...(lifetimeSeconds !== undefined ? { lifetimeSeconds } : {}),
      ...(deletesAt !== undefined ? { deletesAt } : {}),
      copied,
      ...(privacy ? { privacy } : {}),
      ...(image ? { image } : {}),
      ...(verified ? { verified } : {}),
    };
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' };
    return { status: 'failed', ...(start ? { key: start.ticket.key } : {}), error: failureOf(err), ...(privacy ? { privacy } : {}), ...(image ? { image } : {}) };
  }
}
