import { vi } from 'vitest';
import { createUploadHandlers } from '../../src/background/upload-service';
import { LOCKED, NOT_CONFIGURED } from '../../src/destination/connection';
import type { Destination, LinkRequest, PutTarget, ShareLink } from '../../src/destination/destination';
import type { RecentUpload } from '../../src/history/recent';
import type { UploadHandlers } from '../../src/messaging/protocol';
import { userError, type Result } from '../../src/result';
import type { CompletedPart, ListedPart, PartSpec, SignedPart } from '../../src/s3/multipart';
import type { SignedRequest } from '../../src/s3/presign';
import type { UploadRequest } from '../../src/upload/ticket';
import type { UrlSigner } from '../../src/team/errors';
import type { UploadBackend } from '../../src/upload/pipeline';
import { UploadAbortedError, type PutRequest, type PutResponse, type PutTransport } from '../../src/upload/transport';

const MiB = 1024 * 1024;

export const ENDPOINT = 'http://127.0.0.1:9000';
export const BUCKET = 'my-bucket';

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface PutCall {
  url: string;
  body: Blob;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** An in-memory S3: records each PUT, reports progress in two halves, answers 200 with an ETag unless scripted otherwise. */
export class FakeTransport implements PutTransport {
  calls: PutCall[] = [];
  scripts: ((request: PutRequest) => Promise<PutResponse>)[] = [];
  private active = 0;
  maxActive = 0;
  constructor(private readonly log?: string[]) {}

  async put(request: PutRequest): Promise<PutResponse> {
    if (request.signal?.aborted) throw new UploadAbortedError();
    this.log?.push('put');
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.calls.push({ url: request.url, body: request.body, headers: { ...request.headers }, ...(request.signal ? { signal: request.signal } : {}) });
      const script = this.scripts.shift();
      if (script) return await script(request);
      const size = request.body.size;
      request.onProgress?.(Math.floor(size / 2));
      await new Promise((r) => setTimeout(r, 1));
      request.onProgress?.(size);
      return { status: 200, body: '', etag: `"etag-${this.calls.length}"` };
    } finally {
      this.active--;
    }
  }
}

/** What the fake bucket's profiles are, as they are now (each start reads them afresh, as the real background does). */
export interface FakeProfiles {
  /** Profile ids that exist; the first is the default. Empty: nothing set up. */
  ids: string[];
  keyTemplate: string;
  /** The secrets are locked: every signed step answers the "locked" sentence. */
  locked: boolean;
  /** Whether the destination can upload in parts, and above what size it does. */
  multipart: boolean;
  multipartThreshold: number;
  /** Whether the destination can ask if a key is taken (own keys), and signs If-None-Match. */
  keyExists: boolean;
  conditionalWrites: boolean;
  /** Keys already in the bucket. */
  taken: Set<string>;
  signer: UrlSigner;
}

/**
 * A destination over an in-memory bucket at 127.0.0.1:9000, with every call
 * recorded (`vi.fn`, so a test can change one answer), behind the real
 * background upload service (`createUploadHandlers`), whose handlers are
 * what the pipeline sends its messages to: each call is logged by name in
 * `messages`, the way the runner's messages reach the background.
 */
export function fakeUploadBackend(options: { now?: () => number; log?: string[] } = {}) {
  const now = options.now ?? Date.now;
  const log = options.log ?? [];
  const profiles: FakeProfiles = {
    ids: ['default'],
    keyTemplate: 'up/{name}',
    locked: false,
    multipart: false,
    multipartThreshold: 64 * 1024 * 1024,
    keyExists: false,
    conditionalWrites: false,
    taken: new Set(),
    signer: 'extension',
  };
  let signed = 0;
  const gate = <T>(value: () => T): Result<T> => (profiles.locked ? { ok: false, error: LOCKED } : { ok: true, value: value() });
  const url = (key: string, query: string) => `${ENDPOINT}/${BUCKET}/${key}?${query}`;

  const open = vi.fn(async (profileId?: string): Promise<Result<Destination>> => {
    const id = profileId ?? profiles.ids[0];
    if (!id || !profiles.ids.includes(id)) return { ok: false, error: NOT_CONFIGURED };
    return { ok: true, value: destinationOf(id) };
  });
  const signPut = vi.fn(async (_profileId: string, target: PutTarget): Promise<Result<SignedRequest>> =>
    gate(() => ({
      url: url(target.key, `sig=${++signed}`),
      headers: { 'content-type': target.contentType, ...(target.ifNoneMatch ? { 'if-none-match': '*' } : {}) },
      expiresAt: now() + 300_000,
    })),
  );
  const shareLink = vi.fn(async (_profileId: string, request: LinkRequest): Promise<Result<ShareLink>> => {
    const lifetimeSeconds = request.expiresIn ?? 86_400;
    return gate(() => ({ url: url(request.key, 'get'), headers: {}, expiresAt: now() + lifetimeSeconds * 1000, lifetimeSeconds }));
  });
  const keyExists = vi.fn(async (_profileId: string, key: string): Promise<Result<boolean>> => gate(() => profiles.taken.has(key)));
  let uploads = 0;
  const create = vi.fn(async (_profileId: string, _target: { key: string; contentType: string }): Promise<Result<{ uploadId: string }>> =>
    gate(() => ({ uploadId: `mp-${++uploads}` })),
  );
  const signParts = vi.fn(
    async (_profileId: string, target: { key: string; uploadId: string; parts: readonly PartSpec[] }): Promise<Result<SignedPart[]>> =>
      gate(() =>
        target.parts.map((p) => ({
          partNumber: p.partNumber,
          url: url(target.key, `partNumber=${p.partNumber}&uploadId=${target.uploadId}&sig=${++signed}`),
          headers: {},
          // The part engine reads the real clock for a URL's freshness.
          expiresAt: Date.now() + 300_000,
        })),
      ),
  );
  const complete = vi.fn(
    async (_profileId: string, _target: { key: string; uploadId: string; parts: readonly CompletedPart[] }): Promise<Result<{ etag?: string }>> =>
      gate(() => ({ etag: '"joined"' })),
  );
  const abort = vi.fn(async (_profileId: string, _target: { key: string; uploadId: string }): Promise<Result<null>> => gate(() => null));
  /** The parts the bucket holds, per upload ID: a test sets them to play a bucket that has some parts of a resumed upload. */
  const listed = new Map<string, ListedPart[]>();
  const list = vi.fn(async (_profileId: string, target: { key: string; uploadId: string }): Promise<Result<ListedPart[]>> =>
    gate(() => listed.get(target.uploadId) ?? []),
  );

  function destinationOf(profileId: string): Destination {
    return {
      profileId,
      bucket: BUCKET,
      keyTemplate: profiles.keyTemplate,
      linkText: { format: 'url' },
      conditionalWrites: profiles.conditionalWrites,
      multipartThreshold: profiles.multipartThreshold,
      transferContext: { bucket: BUCKET, region: 'us-east-1', endpoint: ENDPOINT, signer: profiles.signer },
      signPut: (target) => signPut(profileId, target),
      shareLink: (request) => shareLink(profileId, request),
      ...(profiles.keyExists ? { keyExists: (key: string) => keyExists(profileId, key) } : {}),
      ...(profiles.multipart
        ? {
            multipart: {
              create: (target) => create(profileId, target),
              signParts: (target) => signParts(profileId, target),
              complete: (target) => complete(profileId, target),
              abort: (target) => abort(profileId, target),
              list: (target) => list(profileId, target),
            },
          }
        : {}),
    };
  }

  const recorded: RecentUpload[] = [];
  const record = vi.fn(async (upload: RecentUpload) => {
    log.push('record');
    recorded.push(structuredClone(upload));
  });
  let ids = 0;
  const handlers = createUploadHandlers({
    // 8 MiB parts, so a test reaches many parts with little memory (the real rule grows them with the file).
    partSize: () => 8 * MiB,
    open,
    record,
    now: () => new Date(now()),
    uuid: () => `uuid-${++ids}`,
    ensureRunner: async () => {},
  });

  const { backend, messages, counts } = messagingBackend(handlers, log);

  return {
    profiles,
    backend,
    messages,
    counts,
    record,
    recorded,
    listed,
    destination: { open, signPut, shareLink, keyExists, create, signParts, complete, abort, list },
  };
}

export type FakeUploadBackend = ReturnType<typeof fakeUploadBackend>;

/**
 * The background's upload handlers as the pipeline reaches them: each call is
 * one message (the runner's, or the background calling itself for a page's
 * image), logged by name in `messages` and in `log`.
 */
export function messagingBackend(handlers: UploadHandlers, log: string[] = []) {
  const messages: string[] = [];
  const sent = (name: keyof UploadBackend) => {
    messages.push(name);
    log.push(name);
  };
  const backend = {
    startUpload: vi.fn((request: Parameters<UploadHandlers['startUpload']>[0]) => (sent('startUpload'), handlers.startUpload(request))),
    signPut: vi.fn((ticket: Parameters<UploadHandlers['signPut']>[0]) => (sent('signPut'), handlers.signPut(ticket))),
    signParts: vi.fn((request: Parameters<UploadHandlers['signParts']>[0]) => (sent('signParts'), handlers.signParts(request))),
    finishUpload: vi.fn((request: Parameters<UploadHandlers['finishUpload']>[0]) => (sent('finishUpload'), handlers.finishUpload(request))),
    abortUpload: vi.fn((ticket: Parameters<UploadHandlers['abortUpload']>[0]) => (sent('abortUpload'), handlers.abortUpload(ticket))),
    resumeUpload: vi.fn((request: Parameters<UploadHandlers['resumeUpload']>[0]) => (sent('resumeUpload'), handlers.resumeUpload(request))),
    listParts: vi.fn((ticket: Parameters<UploadHandlers['listParts']>[0]) => (sent('listParts'), handlers.listParts(ticket))),
  } satisfies UploadBackend;
  /** How many messages of each kind were sent, e.g. `{ startUpload: 1, finishUpload: 1 }`. */
  const counts = () => Object.fromEntries([...new Set(messages)].map((m) => [m, messages.filter((n) => n === m).length]));
  return { backend, messages, counts };
}

/**
 * A backend that records what `startUpload` was asked and refuses it, so a
 * pipeline test ends at the start: for stages, what reaches the start is the point.
 */
export function startOnlyBackend(): { backend: UploadBackend; requests: UploadRequest[] } {
  const requests: UploadRequest[] = [];
  const no = async () => ({ ok: false as const, error: userError('InvalidSettings', 'no') });
  const backend: UploadBackend = {
    startUpload: async (request) => {
      requests.push(request);
      return { ok: false, error: userError('InvalidSettings', 'stop here') };
    },
    signPut: no,
    signParts: no,
    finishUpload: no,
    abortUpload: async () => ({ ok: true, value: null }),
  };
  return { backend, requests };
}
