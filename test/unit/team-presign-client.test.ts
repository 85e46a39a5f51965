import { describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../src/s3/region';
import {
  buildPresignRequest,
  errorDetail,
  parsePresignAnswer,
  MIN_REDACTABLE_TOKEN,
  PresignServiceError,
  quoteSafely,
  requestAccessUrl,
  requestUploadUrl,
  type PresignFailure,
  type PresignServiceConfig,
} from '../../src/team/presign-client';
import {
  normalizeServiceUrl,
  presignEndpoint,
  savedTokenApplies,
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
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', cache: 'no-store', redirect: 'manual' });
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
    // A refusal's body is never kept: it may echo the token.
    [401, '{"detail":"invalid token"}', 'PresignServiceRefused', undefined],
    [403, 'Forbidden', 'PresignServiceRefused', undefined],
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
    const failure = await failureOf(requestUploadUrl(answering(400, `{"detail":"token ${TOKEN} is not allowed here"}`), config(), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
    expect(failure.detail).toBe('token [token] is not allowed here');
    const bad = await failureOf(requestUploadUrl(answering(200, `hello ${TOKEN}`), config(), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
    expect(bad.answer).toBe('hello [token]');
  });

  it('never quotes the body of a 401 or 403, which may echo the token', async () => {
    for (const status of [401, 403]) {
      const echo = `{"detail":"the key ${TOKEN} was revoked by admin@example.com"}`;
      const failure = await failureOf(requestUploadUrl(answering(status, echo), config({ auth: 'header', authHeader: 'X-API-Key' }), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
      expect(failure).toEqual({ code: 'PresignServiceRefused', status, method: 'POST', endpoint: 'https://files.example.com/api/v1/files/presign' });
      expect(JSON.stringify(failure)).not.toMatch(/revoked|admin@|tok-/);
    }
  });

  it('removes the token before cutting what the service said to 160 characters, so no piece of it survives the cut', async () => {
    // The token starts at character 150: a cut at 160 keeps "tok-5ecret", which redacting afterwards would not find.
    const before = 'x'.repeat(149);
    const text = `${before} ${TOKEN} and then some more words`;
    expect(text.indexOf(TOKEN)).toBe(150);
    const detail = (await failureOf(requestAccessUrl(answering(400, JSON.stringify({ detail: text })), config(), { objectName: 'k', expiration: 1 }))).detail!;
    const answer = (await failureOf(requestAccessUrl(answering(200, JSON.stringify({ message: text })), config(), { objectName: 'k', expiration: 1 }))).answer!;
    const plain = (await failureOf(requestAccessUrl(answering(500, text, { 'content-type': 'text/plain' }), config(), { objectName: 'k', expiration: 1 }))).detail!;
    for (const quoted of [detail, answer, plain]) {
      expect(quoted.length).toBeLessThanOrEqual(161);
      expect(quoted).toMatch(/…$/);
      // No run of 4 or more of the token's characters, anywhere.
      for (let i = 0; i + 4 <= TOKEN.length; i++) expect(quoted).not.toContain(TOKEN.slice(i, i + 4));
    }
    expect(detail).toBe(`${before} [token] and`.slice(0, 160) + '…');
  });

  it('removes the token in the forms a service echoes it: JSON-escaped, \\u-escaped (Python), percent-encoded', async () => {
    const token = 'pa"ss\\wörd/9+ab';
    const quote = quoteSafely(token);
    const pythonJson = '{"detail": "bad key pa\\"ss\\\\w\\u00f6rd/9+ab"}';
    expect(JSON.parse(pythonJson)).toEqual({ detail: `bad key ${token}` });
    const failure = await failureOf(requestAccessUrl(answering(400, pythonJson), config({ token }), { objectName: 'k', expiration: 1 }));
    expect(failure.detail).toBe('bad key [token]');
    // Not JSON after all (a cut-off body): the escaped forms as they stand in the text.
    expect(quote(`${pythonJson.slice(0, -1)} and ${JSON.stringify(token)} and ?t=${encodeURIComponent(token)}`)).toBe(
      '{"detail": "bad key [token]" and "[token]" and ?t=[token]',
    );
  });

  it.each(['a', 'ab', 'abc', 'abcdefg'])('a token too short to remove safely (%j): the service is not quoted at all', async (token) => {
    // "invalid to[token]" would spell out the token: short ones turn up inside ordinary words.
    const words = `{"detail":"object_name ${token} is not allowed"}`;
    for (const [status, code] of [
      [400, 'PresignServiceRejected'],
      // Still told apart from "no such route" by what it said, though it is not quoted.
      [404, 'PresignServiceRejected'],
      [500, 'PresignServiceError'],
    ] as const) {
      const failure = await failureOf(requestAccessUrl(answering(status, words), config({ token }), { objectName: 'k', expiration: 1 }));
      expect(failure).toMatchObject({ code, status });
      expect(failure.detail).toBeUndefined();
    }
    const bad = await failureOf(requestAccessUrl(answering(200, `not a url: ${token}`), config({ token }), { objectName: 'k', expiration: 1 }));
    expect(bad).toMatchObject({ code: 'PresignServiceBadAnswer', badAnswer: 'not-a-url' });
    expect(bad.answer).toBeUndefined();
    const down = await failureOf(
      requestAccessUrl(
        async () => {
          throw new TypeError(`fetch failed near ${token}`);
        },
        config({ token }),
        { objectName: 'k', expiration: 1 },
      ),
    );
    expect(down).toMatchObject({ code: 'PresignServiceUnreachable' });
    expect(down.cause).toBeUndefined();
    // Eight characters and more are removed, and the rest is quoted.
    expect(quoteSafely(`${token}h`.padEnd(MIN_REDACTABLE_TOKEN, 'z'))(`is ${`${token}h`.padEnd(MIN_REDACTABLE_TOKEN, 'z')} ok`)).toBe('is [token] ok');
  });

  it('without a token (an open service), what it says is quoted as it is', async () => {
    const failure = await failureOf(requestAccessUrl(answering(400, '{"detail":"bucket x is not served here"}'), config({ auth: 'none', token: '' }), { objectName: 'k', expiration: 1 }));
    expect(failure.detail).toBe('bucket x is not served here');
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

  it('a redirect is not followed: Node hands back the 3xx, browsers an opaque redirect without status or Location', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const fetch = vi.fn<FetchLike>(async () => new Response(null, { status, headers: { location: 'https://elsewhere.example.net/collect' } }));
      const failure = await failureOf(requestUploadUrl(fetch, config({ auth: 'header', authHeader: 'X-API-Key' }), { objectName: 'k', expiration: 1, contentType: 'a/b' }));
      expect(failure).toEqual({ code: 'PresignServiceRedirected', status, method: 'POST', endpoint: 'https://files.example.com/api/v1/files/presign' });
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(fetch.mock.calls[0]![1]!.redirect).toBe('manual');
    }
    // What `redirect: 'manual'` gives in a browser (Node cannot construct one).
    const opaque = { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), text: async () => '' } as unknown as Response;
    const failure = await failureOf(requestAccessUrl(async () => opaque, config(), { objectName: 'k', expiration: 1 }));
    expect(failure).toEqual({ code: 'PresignServiceRedirected', method: 'GET', endpoint: 'https://files.example.com/api/v1/files/presign' });
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

  it('a saved token applies to the same origin, way of sending and header only', () => {
    const saved = { serviceUrl: 'https://files.example.com/team', serviceAuth: 'header' as const, serviceAuthHeader: 'X-API-Key' };
    expect(savedTokenApplies(saved, saved)).toBe(true);
    expect(savedTokenApplies(saved, { ...saved, serviceUrl: 'https://FILES.example.com:443/other/api/v1/files/presign' })).toBe(true);
    expect(savedTokenApplies(saved, { ...saved, serviceAuthHeader: 'x-api-key ' })).toBe(true);
    for (const next of [
      { ...saved, serviceUrl: 'https://files.example.net/team' },
      { ...saved, serviceUrl: 'https://files.example.com:8443/team' },
      { ...saved, serviceUrl: 'http://files.example.com/team' },
      { ...saved, serviceUrl: 'not a url' },
      { ...saved, serviceAuthHeader: 'X-Token' },
      { ...saved, serviceAuth: 'bearer' as const },
    ])
      expect(savedTokenApplies(saved, next), JSON.stringify(next)).toBe(false);
    // A bearer ignores the header field (the form keeps what was typed there).
    const bearer = { ...saved, serviceAuth: 'bearer' as const };
    expect(savedTokenApplies(bearer, { ...bearer, serviceAuthHeader: 'X-Other' })).toBe(true);
  });

  it('token values: one header line of Latin-1', () => {
    expect(validateTokenValue('abc.DEF-123_~+/=')).toBeNull();
    expect(validateTokenValue('abc\ndef')).toMatch(/line break/);
    expect(validateTokenValue('jeton-été')).toBeNull();
    expect(validateTokenValue('токен')).toMatch(/cannot go in an HTTP header/);
  });
});
