import { createService, type ServiceDeps } from '../../src/background/service';
import { createUploadHandlers } from '../../src/background/upload-service';
import { s3ClientPool } from '../../src/destination/connection';
import type { Destination } from '../../src/destination/destination';
import { openDestination } from '../../src/destination/open';
import type { RecentUpload } from '../../src/history/recent';
import type { ProtocolHandlers, UploadHandlers } from '../../src/messaging/protocol';
import type { Result } from '../../src/result';
import type { ClientOptions } from '../../src/s3/client';
import { EMPTY_PROFILE, type KeysDraft } from '../../src/settings/profile';
import { expect } from 'vitest';
import { realServiceDeps, type FakeSettings } from './fake-settings';
import type { S3Server } from './s3-servers';

/** The background's parts an integration test talks to, wired as `startBackground` wires them. */
export interface RealBackground {
  /** Settings, profiles, Test connection. */
  service: ProtocolHandlers;
  /** startUpload / signPut / signParts / finishUpload / abortUpload. */
  uploads: UploadHandlers;
  /** A profile's destination (default: the default profile), as the upload and history handlers open it. */
  open(profileId?: string): Promise<Result<Destination>>;
  /** The deps every part was built from (for a test that builds one more part, e.g. the history handlers). */
  deps: ServiceDeps;
}

/**
 * The real background over in-memory settings, against real servers: the
 * same service, destination opener and upload handlers the extension runs,
 * with one S3 client pool shared between them. `record` receives every
 * finished upload (the history recorder in the extension); by default it is
 * dropped.
 */
export function realBackground(
  settings: FakeSettings,
  over: Partial<ServiceDeps> & { record?: (upload: RecentUpload) => Promise<void>; clientOptions?: ClientOptions } = {},
): RealBackground {
  const { record = async () => {}, clientOptions, ...serviceOver } = over;
  const deps = realServiceDeps(settings, serviceOver);
  // `clientOptions`: e.g. a short request timeout, for a test whose server holds an answer back.
  const client = s3ClientPool(clientOptions);
  const open = (profileId?: string) => openDestination({ ...deps, client }, profileId);
  const uploads = createUploadHandlers({
    open,
    record,
    now: deps.now,
    uuid: deps.uuid,
    ...(deps.shortId ? { shortId: deps.shortId } : {}),
    // No runner document in Node: the test moves the bytes itself.
    ensureRunner: async () => {},
  });
  return { service: createService(deps), uploads, open, deps };
}

/** Saves a keys profile for a bucket on a test server through the real service, as the options page does; its id. */
export async function saveServerProfile(
  service: Pick<ProtocolHandlers, 'saveProfile'>,
  s3: S3Server,
  bucket: string,
  over: Partial<KeysDraft> = {},
): Promise<string> {
  const saved = await service.saveProfile({
    ...EMPTY_PROFILE,
    name: 'swift',
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    ...over,
  });
  expect(saved).toMatchObject({ saved: true, errors: {} });
  return saved.id;
}
