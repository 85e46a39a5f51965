import { describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../src/s3/region';
import {
  buildPresignRequest,
  errorDetail,
  parsePresignAnswer,
  PresignServiceError,
  requestAccessUrl,
  requestUploadUrl,
  type PresignFailure,
  type PresignServiceConfig,
} from '../../src/team/presign-client';
import {
  normalizeServiceUrl,
  presignEndpoint,
  validateHeaderName,
  validateServiceUrl,
  validateTokenValue,
} from '../../src/team/service-url';
import { readSignedUrl } from '../../src/team/signed-url';

const TOKEN = 'tok-5ecret-value';
const S3_URL =
  'https://my-bucket.s3.eu-west-1.amazonaws.com/drop/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240305%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240305T070809Z&X-Amz-Expires=300&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature=abc123';
const config = (over: Partial<PresignServiceConfig> = {}): PresignServiceConfig => ({
  baseUrl: 'https://files.example.com',
  auth: 'bearer',
  token: TOKEN,
  bucket: '',
  ...over,
});

function answering(status: number, body: string, headers: Record<string, string> = {}) {
  return vi.fn<FetchLike>(async () => new Response(body, { status, headers }));
}

async function failureOf(promise: Promise<unknown>): Promise<PresignFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PresignServiceError) return err.failure;
    throw err;
  }
  throw new Error('expected a PresignServiceError');
}

describe('what S3 Drop sends', () => {
  it('POST: the fields in the query and as a JSON body, the token as a bearer, no cookies', () => {
    const { url, init } = buildPresignRequest(config({ bucket: 'team-bucket' }), 'POST', {
      objectName: 'drop/2024/a b+c.txt',
      expiration: 300,
      contentType: 'text/plain',
      contentLength: 42,
    });
    expect(url).toBe(
      'https://files.example.com/api/v1/files/presign?bucket_name=team-bucket&object_name=drop%2F2024%2Fa+b%2Bc.txt&expiration=300&content_type=text%2Fplain&content_length=42',
    );
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', cache: 'no-store' });
    expect(init.headers).toEqual({
      accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    });
    expect(JSON.parse(init.body as string)).toEqual({
      bucket_name: 'team-bucket',
      object_name: 'drop/2024/a b+c.txt',
      expiration: 300,
      content_type: 'text/plain',
      content_length: 42,
    });
  });

  it('GET: the query only, no bucket when none is set, no content type', () => {
    const { url, init } = buildPresignRequest(config(), 'GET', { objectName: 'drop/x.txt', expiration: 86400, contentType: 'text/plain' });
    expect(url).toBe('https://files.example.com/api/v1/files/presign?object_name=drop%2Fx.txt&expiration=86400');
    expect(init.body).toBeUndefined();
    expect(init.headers['content-type']).toBeUndefined();
  });

  it('keeps a base path, sends a custom header or no token at all', () => {
    expect(buildPresignRequest(config({ baseUrl: 'https://example.com/team/s3/' }), 'GET', { objectName: 'k', expiration: 1 }).url).toBe(
      'https://example.com/team/s3/api/v1/files/presign?object_name=k&expiration=1',
    );
    const header = buildPresignRequest(config({ auth: 'header', authHeader: 'X-API-Key' }), 'GET', { objectName: 'k', expiration: 1 });
    expect(header.init.headers).toMatchObject({ 'x-api-key': TOKEN });
    expect(header.init.headers.authorization).toBeUndefined();
    const open = buildPresignRequest(config({ auth: 'none' }), 'GET', { objectName: 'k', expiration: 1 });
    expect(Object.keys(open.init.headers)).toEqual(['accept']);
  });

  it('requestUploadUrl and requestAccessUrl use POST and GET', async () => {
    const fetch = answering(200, JSON.stringify(S3_URL), { 'content-type': 'application/json' });
    await requestUploadUrl(fetch, config(), { objectName: 'k', expiration: 300, contentType: 'image/png' });
    await requestAccessUrl(fetch, config(), { objectName: 'k', expiration: 60 });
    expect(fetch.mock.calls.map(([, init]) => init?.method)).toEqual(['POST', 'GET']);
    expect(fetch.mock.calls[0]![1]!.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('what S3 Drop accepts', () => {
  it.each([
    ['a JSON string (the seed returns the URL itself)', JSON.stringify(S3_URL), 'application/json'],
    ['{ "url": … }', JSON.stringify({ url: S3_URL, expires_in: 300 }), 'application/json'],
    ['{ "presigned_url": … }', JSON.stringify({ presigned_url: S3_URL }), 'application/json'],
    ['{ "presignedUrl": … }', JSON.stringify({ presignedUrl: S3_URL }), 'application/json'],
    ['{ "data": { "url": … } }', JSON.stringify({ data: { url: S3_URL } }), 'application/json'],
    ['plain text', `${S3_URL}\n`, 'text/plain'],
    ['plain text in quotes, without a JSON type', `"${S3_URL}"`, 'text/plain'],
    ['JSON sent as text/plain', JSON.stringify({ url: S3_URL }), 'text/plain; charset=utf-8'],
    ['a byte-order mark first', `\uFEFF${JSON.stringify(S3_URL)}`, 'application/json'],
  ])('%s', (_label, body, type) => {
    expect(parsePresignAnswer(body, type)).toEqual({ url: S3_URL, headers: {} });
  });

  it('headers beside the URL are kept, with lower-case names', () => {
    expect(parsePresignAnswer(JSON.stringify({ url: S3_URL, headers: { 'Content-Type': 'text/plain', 'x-amz-acl': 'private', n: 1, bad: {} } }), 'application/json')).toEqual({
      url: S3_URL,
      headers: { 'content-type': 'text/plain', 'x-amz-acl': 'private', n: '1' },
    });
  });

  it.each([
    ['', null, 'empty'],
    ['   \n', 'text/plain', 'empty'],
    ['<!doctype html><html><body>Sign in</body></html>', 'text/html', 'html'],
    ['<html><body>Sign in</body></html>', null, 'html'],
    [JSON.stringify({ url: 'https://b.s3.amazonaws.com/', fields: { key: 'k', policy: 'p' } }), 'application/json', 'post-form'],
    [JSON.stringify({ ok: true }), 'application/json', 'not-a-url'],
    [JSON.stringify({ detail: 'quota exceeded' }), 'application/json', 'not-a-url'],
    ['not a url at all', 'text/plain', 'not-a-url'],
    ['/relative/path?x=1', 'text/plain', 'not-a-url'],
    [JSON.stringify('ftp://files.example.com/x'), 'application/json', 'not-http'],
    [JSON.stringify('javascript:alert(1)'), 'application/json', 'not-http'],
  ])('refuses %j (%s) as %s', (body, type, kind) => {
    expect(parsePresignAnswer(body, type)).toMatchObject({ badAnswer: kind });
  });

  it('quotes a shortened, single-line excerpt of a bad answer', () => {
    const answer = parsePresignAnswer(`{"message":\n"${'x'.repeat(400)}"}`, 'application/json');
    expect('answer' in answer && answer.answer).toMatch(/^\{"message": "x+…$/);
    expect('answer' in answer && answer.answer!.length).toBeLessThanOrEqual(161);
  });
});

describe('what the service said when it refused', () => {
  it.each([
    [401, '{"detail":"invalid token"}', 'PresignServiceRefused', 'invalid token'],
    [403, 'Forbidden', 'PresignServiceRefused', 'Forbidden'],
    [404, '{"detail":"Not Found"}', 'PresignServiceNotFound', 'Not Found'],
    [404, '', 'PresignServiceNotFound', undefined],
    [404, '{"detail":"no such object"}', 'PresignServiceRejected', 'no such object'],
    [405, '{"detail":"Method Not Allowed"}', 'PresignServiceNotFound', 'Method Not Allowed'],
    [400, '{"detail":"object_name must start with \'drop/\'"}', 'PresignServiceRejected', "object_name must start with 'drop/'"],
    [422, '{"detail":[{"loc":["query","bucket_name"],"msg":"field required","type":"value_error.missing"}]}', 'PresignServiceRejected', 'bucket_name: field required'],
    [429, '', 'PresignServiceBusy', undefined],
    [500, 'Internal Server Error', 'PresignServiceError', 'Internal Server Error'],
    [502, '<html><body>Bad Gateway</body></html>', 'PresignServiceError', undefined],
  ])('HTTP %i %j → %s', async (status, body, code, detail) => {
    const failure = await failureOf(requestAccessUrl(answering(status, body), config(), { objectName: 'k', expiration: 60 }));
    expect(failure).toMatchObject({ code, status, method: 'GET', endpoint: 'https://files.example.com/api/v1/files/presign' });
    expect(failure.detail).toBe(detail);
  });

  it('reads the usual error shapes', () => {
    expect(errorDetail('{"error":"invalid_token","error_description":"The token expired"}', 'application/json')).toBe('The token expired');
    expect(errorDetail('{"error":{"message":"nope"}}', 'application/json')).toBe('nope');
    expect(errorDetail('"just a string"', 'application/json')).toBe('just a string');
    expect(errorDetail('{"other":1}', 'application/json')).toBeUndefined();
  });

  it('never repeats the token, even when the service echoes it', async () => {
    const failure = await failureOf(requestUploadUrl(answering(401, `{"detail":"token ${TOKEN} is unknown"}`), config(), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
    expect(failure.detail).toBe('token [token] is unknown');
    const bad = await failureOf(requestUploadUrl(answering(200, `hello ${TOKEN}`), config(), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
    expect(bad.answer).toBe('hello [token]');
  });

  it('no answer at all is Unreachable; a timeout says so', async () => {
    const refused = await failureOf(
      requestAccessUrl(
        async () => {
          throw new TypeError('fetch failed');
        },
        config(),
        { objectName: 'k', expiration: 1 },
      ),
    );
    expect(refused).toMatchObject({ code: 'PresignServiceUnreachable', cause: 'fetch failed' });
    expect(refused.timedOut).toBeUndefined();
    const slow = await failureOf(
      requestAccessUrl(
        (_url, init) =>
          new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))),
        config({ timeoutMs: 20 }),
        { objectName: 'k', expiration: 1 },
      ),
    );
    expect(slow).toMatchObject({ code: 'PresignServiceUnreachable', timedOut: true });
  });

  it('a 2xx answer that is not a URL is a BadAnswer with its excerpt', async () => {
    const failure = await failureOf(requestAccessUrl(answering(200, '{"status":"ok"}', { 'content-type': 'application/json' }), config(), { objectName: 'k', expiration: 1 }));
    expect(failure).toMatchObject({ code: 'PresignServiceBadAnswer', badAnswer: 'not-a-url', answer: '{"status":"ok"}', status: 200 });
  });
});

describe('what a signed URL says about itself', () => {
  it('SigV4: host, region, expiry and signed headers', () => {
    expect(readSignedUrl(S3_URL)).toEqual({
      origin: 'https://my-bucket.s3.eu-west-1.amazonaws.com',
      host: 'my-bucket.s3.eu-west-1.amazonaws.com',
      signature: 'sigv4',
      region: 'eu-west-1',
      expiresAt: Date.UTC(2024, 2, 5, 7, 8, 9) + 300_000,
      signedHeaders: ['content-type', 'host'],
      checksumParameters: [],
    });
  });

  it('SigV2, unsigned, and checksum parameters', () => {
    const v2 = readSignedUrl('http://127.0.0.1:9000/b/k?AWSAccessKeyId=x&Signature=abc&Expires=1700000000');
    expect(v2).toMatchObject({ signature: 'sigv2', expiresAt: 1_700_000_000_000, host: '127.0.0.1:9000' });
    expect(readSignedUrl('https://cdn.example.com/k')).toMatchObject({ signature: 'none', signedHeaders: [] });
    expect(readSignedUrl(`${S3_URL}&x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32`).checksumParameters).toEqual([
      'x-amz-checksum-crc32',
      'x-amz-sdk-checksum-algorithm',
    ]);
  });
});

describe('the service URL', () => {
  it.each([
    [' https://files.example.com/ ', 'https://files.example.com'],
    ['https://files.example.com/api/v1/files/presign', 'https://files.example.com'],
    ['https://example.com/team/api/v1/files/presign/', 'https://example.com/team'],
    ['http://127.0.0.1:8000//', 'http://127.0.0.1:8000'],
  ])('normalizes %j to %j', (input, output) => {
    expect(normalizeServiceUrl(input)).toBe(output);
    expect(validateServiceUrl(output)).toBeNull();
  });

  it('puts the endpoint under the base path', () => {
    expect(presignEndpoint('https://example.com/team').href).toBe('https://example.com/team/api/v1/files/presign');
  });

  it.each([
    ['', /Enter the presign service's URL/],
    ['files.example.com', /full URL/],
    ['ftp://files.example.com', /https:\/\//],
    ['https://user:pw@files.example.com', /token in its own field/],
    ['https://files.example.com/?team=1', /without \?query.*try https:\/\/files\.example\.com\./],
    ['http://files.example.com', /Use https:\/\/ for the presign service/],
  ])('refuses %j', (url, sentence) => {
    expect(validateServiceUrl(url)).toMatch(sentence);
  });

  it.each(['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000', 'https://files.example.com/base'])('accepts %j', (url) => {
    expect(validateServiceUrl(url)).toBeNull();
  });

  it('header names: a token fetch can send', () => {
    expect(validateHeaderName('X-API-Key')).toBeNull();
    expect(validateHeaderName('')).toMatch(/Enter the header name/);
    expect(validateHeaderName('X API Key')).toMatch(/letters, digits and hyphens/);
    expect(validateHeaderName('X-Key:')).toMatch(/letters, digits and hyphens/);
    for (const forbidden of ['Cookie', 'Host', 'content-length', 'Origin', 'Sec-Token', 'Proxy-Authorization', 'Content-Type'])
      expect(validateHeaderName(forbidden)).toMatch(/Browsers do not let extensions set/);
  });

  it('token values: one header line of Latin-1', () => {
    expect(validateTokenValue('abc.DEF-123_~+/=')).toBeNull();
    expect(validateTokenValue('abc\ndef')).toMatch(/line break/);
    expect(validateTokenValue('jeton-été')).toBeNull();
    expect(validateTokenValue('токен')).toMatch(/cannot go in an HTTP header/);
  });
});
