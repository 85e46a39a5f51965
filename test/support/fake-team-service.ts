import { createService } from '../../src/background/service';
import type { FetchLike } from '../../src/s3/region';
import { destinationOpener, fakeServiceDeps, fakeSettings, type FakeServiceDeps, type FakeSettings } from './fake-settings';

/** The team's presign service in the unit tests. */
export const TEAM_SERVICE = 'https://files.example.com';
/** The S3 bucket its URLs point at. */
export const TEAM_S3 = 'https://team-bucket.s3.eu-west-1.amazonaws.com';

/**
 * When the fake service signs (its URLs' X-Amz-Date) and the clock of
 * `fakeTeamService`: a link's expiry is read from the URL, so a test's own
 * NOW must be this instant for the expiries it expects to add up.
 */
export const SIGNED_AT = new Date('2024-03-05T07:08:09Z');

const amzDate = SIGNED_AT.toISOString().replace(/[-:]|\.\d{3}/g, '');

/** A URL as boto3 signs it, for this key (method-agnostic): what the fake service answers. */
export function s3Url(key: string, expires = 300, origin = TEAM_S3): string {
  return `${origin}/${key.split('/').map(encodeURIComponent).join('/')}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F${amzDate.slice(0, 8)}%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=${amzDate}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=f00d`;
}

/** One request the extension sent, as the fake saw it (a JSON body parsed). */
export interface ServiceCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
}

/** S3's answer for a key it does not hold: what the connection test's probe of a fresh key gets. */
export const noSuchKey = (): Response =>
  new Response('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', { status: 404 });

export interface PresignServiceOptions {
  /** The service's answer instead of `{ url }`: a refusal, its own headers, a bare string. */
  service?: (call: ServiceCall) => Response;
  /** S3's answer to any request not for the service; without it such a request fails the test. */
  s3?: (call: ServiceCall) => Response;
  /** The longest link the service signs, in seconds, as a service that caps links does; none when omitted. */
  maxExpirySeconds?: number;
}

/** A request as the fakes record it: method, URL, headers, and a JSON body parsed. */
export function callOf(input: string, init?: RequestInit): ServiceCall {
  return {
    method: init?.method ?? 'GET',
    url: new URL(input),
    headers: { ...(init?.headers as Record<string, string>) },
    ...(typeof init?.body === 'string' ? { body: JSON.parse(init.body) } : {}),
  };
}

/**
 * The team's presign service as the only network: records every request,
 * and answers `{ url }` signed for the key (`object_name`) and expiry
 * (`expiration`) it was asked for, so a test sees what S3 Drop asked and
 * what it made of the answer.
 */
export function presignServiceFetch(options: PresignServiceOptions = {}): { calls: ServiceCall[]; fetch: FetchLike } {
  const calls: ServiceCall[] = [];
  const fetch: FetchLike = async (input, init) => {
    const call = callOf(input, init);
    const { url } = call;
    calls.push(call);
    if (url.origin === TEAM_SERVICE) {
      if (options.service) return options.service(call);
      const expires = Math.min(options.maxExpirySeconds ?? Infinity, Number(url.searchParams.get('expiration')));
      return Response.json({ url: s3Url(url.searchParams.get('object_name')!, expires) });
    }
    if (options.s3) return options.s3(call);
    throw new Error(`unexpected fetch of ${url.href}`);
  };
  return { calls, fetch };
}

export interface FakeTeamOptions extends PresignServiceOptions {
  /** Origin patterns the extension may reach; every origin when omitted. */
  granted?: string[] | 'all';
  /** New profiles' ids; uuid-1, uuid-2, … when omitted. */
  uuid?: () => string;
}

/** What `fakeTeamService` hands back: the settings to seed, the requests sent, and the service and destinations to drive. */
export interface FakeTeam extends FakeServiceDeps {
  settings: FakeSettings;
  calls: ServiceCall[];
  service: ReturnType<typeof createService>;
  open: ReturnType<typeof destinationOpener>;
}

/**
 * The background service and the destinations over in-memory settings (real
 * keeper, real vault), with the fake presign service as the only network
 * and only the `granted` origins reachable, for tests of presign-service
 * profiles without a server.
 */
export function fakeTeamService(options: FakeTeamOptions = {}): FakeTeam {
  const settings = fakeSettings();
  const { calls, fetch } = presignServiceFetch(options);
  const fake = fakeServiceDeps(settings, { fetch, now: () => SIGNED_AT, granted: options.granted, uuid: options.uuid });
  return { settings, calls, ...fake, service: createService(fake.deps), open: destinationOpener(fake.deps) };
}
