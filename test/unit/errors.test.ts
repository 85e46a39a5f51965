import { describe, expect, it } from 'vitest';
import {
  MAPPED_CODES,
  describeFailure,
  failureFromError,
  failureFromResponse,
  isNetworkError,
  type FailureContext,
  type S3Failure,
} from '../../src/s3/errors';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIGNED_URL =
  'https://my-bucket.s3.eu-west-1.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=0123456789abcdef&X-Amz-Security-Token=TOKENSECRET';

const custom: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
const aws: FailureContext = { operation: 'upload', bucket: 'my-bucket', region: 'us-east-1', endpoint: '' };

const DEFAULT_SENTENCE = /refused the request/;

/** A realistic failure for each mapped code, with a message that carries things that must never be shown. */
function realisticFailure(code: (typeof MAPPED_CODES)[number]): S3Failure {
  const leak = ` ${SECRET} ${SIGNED_URL}`;
  switch (code) {
    case 'AuthorizationHeaderMalformed':
    case 'AuthorizationQueryParametersError':
      return {
        code,
        status: 400,
        message: `Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'${leak}`,
        region: 'eu-west-1',
      };
    case 'PermanentRedirect':
      return { code, status: 301, message: `The bucket you are attempting to access must be addressed using the specified endpoint.${leak}`, region: 'eu-west-1' };
    case 'NetworkError':
      return { code, message: `fetch failed${leak}` };
    case 'HostPermissionMissing':
      return { code };
    default:
      return { code, status: 400, message: `Something about ${code}.${leak}` };
  }
}

describe('describeFailure: every mapped code has its own sentence', () => {
  it('MAPPED_CODES is not empty and has no duplicates', () => {
    expect(MAPPED_CODES.length).toBeGreaterThan(10);
    expect(new Set(MAPPED_CODES).size).toBe(MAPPED_CODES.length);
  });

  for (const ctx of [custom, aws]) {
    it.each([...MAPPED_CODES])(`%s (${ctx.endpoint || 'AWS'}) gets a specific sentence without secrets or URLs`, (code) => {
      const error = describeFailure(realisticFailure(code), ctx);
      expect(error.message).not.toMatch(DEFAULT_SENTENCE);
      expect(error.message.length).toBeGreaterThan(20);
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('TOKENSECRET');
      expect(error.message).not.toMatch(/X-Amz-|AKIAEXAMPLE|0123456789abcdef/i);
      expect(error.message).not.toContain('?');
      expect(error.code).toBe(code);
    });
  }

  it('gives different codes different sentences', () => {
    const sentences = MAPPED_CODES.map((code) => describeFailure(realisticFailure(code), custom).message);
    // The three wrong-region codes share one sentence on purpose.
    expect(new Set(sentences).size).toBe(MAPPED_CODES.length - 2);
  });

  it('marks only retryable failures as transient', () => {
    const transient = MAPPED_CODES.filter((code) => describeFailure(realisticFailure(code), custom).transient);
    // BadDigest: the bytes changed on the way; they are read from the file again.
    expect(transient.sort()).toEqual(['BadDigest', 'InternalError', 'NetworkError', 'RequestTimeout', 'SlowDown']);
  });

  it('falls back to a generic sentence with the code, status and message for unknown codes', () => {
    const e = describeFailure({ code: 'KeyTooLongError', status: 400, message: 'Your key is too long' }, custom);
    expect(e.message).toBe('http://127.0.0.1:9000 refused the request (KeyTooLongError, HTTP 400): Your key is too long');
    expect(e.transient).toBe(false);
    expect(describeFailure({ code: 'Http502', status: 502 }, aws)).toMatchObject({
      message: 'AWS S3 refused the request (Http502, HTTP 502)',
      transient: true,
    });
  });

  it('maps HTTP-only replies', () => {
    expect(describeFailure({ code: 'Http404', status: 404 }, custom).message).toMatch(/"my-bucket" was not found at http:\/\/127\.0\.0\.1:9000/);
    expect(describeFailure({ code: 'Http403', status: 403 }, custom).message).toMatch(/HTTP 403.*s3:PutObject/);
    expect(describeFailure({ code: 'Http503', status: 503 }, custom)).toMatchObject({ transient: true });
    expect(describeFailure({ code: 'Http500', status: 500 }, custom)).toMatchObject({ transient: true });
  });
});

describe('wrong region', () => {
  it('reads <Region> from AuthorizationHeaderMalformed', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region \'us-east-1\' is wrong; expecting \'eu-west-1\'</Message><Region>eu-west-1</Region><RequestId>X</RequestId></Error>';
    const f = failureFromResponse(400, body);
    expect(f).toEqual({
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
      region: 'eu-west-1',
    });
    const e = describeFailure(f, aws);
    expect(e.fix).toEqual({ kind: 'use-region', region: 'eu-west-1' });
    expect(e.message).toBe('Bucket "my-bucket" is in region eu-west-1, not us-east-1. Use eu-west-1.');
  });

  it('reads the region from a 301 PermanentRedirect <Endpoint>', () => {
    const body =
      '<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>bucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>bucket</Bucket></Error>';
    const f = failureFromResponse(301, body);
    expect(f.code).toBe('PermanentRedirect');
    expect(f.region).toBe('eu-west-1');
    expect(describeFailure(f, aws).fix).toEqual({ kind: 'use-region', region: 'eu-west-1' });
  });

  it('reads the legacy dash form of an endpoint', () => {
    const f = failureFromResponse(301, '<Error><Code>PermanentRedirect</Code><Endpoint>s3-ap-southeast-2.amazonaws.com</Endpoint></Error>');
    expect(f.region).toBe('ap-southeast-2');
  });

  it('reads the expected region from a Swift-style message', () => {
    const body =
      "<Error><Code>AuthorizationQueryParametersError</Code><Message>Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'</Message></Error>";
    const f = failureFromResponse(400, body);
    expect(f.region).toBe('us-east-1');
    const e = describeFailure(f, { ...custom, region: 'eu-west-1' });
    expect(e.fix).toEqual({ kind: 'use-region', region: 'us-east-1' });
    expect(e.message).toMatch(/in region us-east-1, not eu-west-1/);
  });

  it('reads x-amz-bucket-region from a bodiless reply', () => {
    const f = failureFromResponse(301, '', 'eu-central-1');
    expect(f).toEqual({ code: 'Http301', status: 301, region: 'eu-central-1' });
    expect(describeFailure(f, aws).fix).toEqual({ kind: 'use-region', region: 'eu-central-1' });
  });

  it('prefers <Region> over the header', () => {
    expect(failureFromResponse(400, '<Code>AuthorizationHeaderMalformed</Code><Region>eu-west-3</Region>', 'eu-west-1').region).toBe('eu-west-3');
  });

  it('without a known region, suggests detecting it and offers no fix', () => {
    const e = describeFailure({ code: 'PermanentRedirect', status: 301 }, { ...aws, region: 'eu-west-2' });
    expect(e.fix).toBeUndefined();
    expect(e.message).toMatch(/not in region eu-west-2\. Leave Region empty/);
  });

  it('offers no fix when the reported region is the one already used', () => {
    const e = describeFailure({ code: 'AuthorizationHeaderMalformed', region: 'us-east-1' }, aws);
    expect(e.fix).toBeUndefined();
  });

  it('treats AuthorizationQueryParametersError about something else as a generic failure', () => {
    const f = failureFromResponse(
      400,
      '<Error><Code>AuthorizationQueryParametersError</Code><Message>X-Amz-Expires must be less than a week (in seconds) that is 604800</Message></Error>',
    );
    const e = describeFailure(f, custom);
    expect(e.fix).toBeUndefined();
    expect(e.message).toMatch(/refused the request \(AuthorizationQueryParametersError, HTTP 400\): X-Amz-Expires must be less/);
  });

  it('reads the region header from an SDK error', () => {
    const err = Object.assign(new Error(''), {
      name: 'Http301',
      $metadata: { httpStatusCode: 301 },
      $response: { headers: { 'x-amz-bucket-region': 'sa-east-1' } },
    });
    const f = failureFromError(err);
    expect(f.region).toBe('sa-east-1');
    expect(describeFailure(f, aws).fix).toEqual({ kind: 'use-region', region: 'sa-east-1' });
  });

  it('reads Region and Endpoint fields from an SDK error', () => {
    expect(failureFromError({ name: 'AuthorizationHeaderMalformed', Region: 'eu-north-1', $metadata: { httpStatusCode: 400 } }).region).toBe('eu-north-1');
    expect(failureFromError({ name: 'PermanentRedirect', Endpoint: 'b.s3.us-west-2.amazonaws.com', $metadata: { httpStatusCode: 301 } }).region).toBe(
      'us-west-2',
    );
  });
});

describe('AccessDenied', () => {
  const denied = failureFromResponse(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');

  it('names the permission the operation needs', () => {
    expect(describeFailure(denied, { ...aws, operation: 'upload' }).message).toBe(
      'These keys are not allowed to upload in bucket "my-bucket": the key\'s policy must allow s3:PutObject on arn:aws:s3:::my-bucket/*.',
    );
    const share = describeFailure(denied, { ...aws, operation: 'share' }).message;
    expect(share).toMatch(/s3:GetObject on arn:aws:s3:::my-bucket\/\*/);
    expect(share).not.toMatch(/PutObject/);
    const connect = describeFailure(denied, { ...aws, operation: 'connect' }).message;
    expect(connect).toMatch(/s3:ListBucket on arn:aws:s3:::my-bucket\.$/);
  });

  it("says a resume needs to see the upload's parts, and that Discard still works", () => {
    expect(describeFailure(denied, { ...aws, operation: 'listParts' }).message).toBe(
      'These keys are not allowed to see the parts of an unfinished upload in bucket "my-bucket", so it cannot be resumed: ' +
        "the key's policy must allow s3:ListMultipartUploadParts on arn:aws:s3:::my-bucket/*. Discard still removes the parts.",
    );
  });

  it('turns an expired upload URL into a transient UploadUrlExpired', () => {
    const f = failureFromResponse(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message><Expires>2024-01-01T00:00:00Z</Expires></Error>');
    expect(describeFailure(f, { ...custom, operation: 'upload' })).toMatchObject({ code: 'UploadUrlExpired', transient: true });
  });

  it('turns an expired download link into LinkExpired', () => {
    const f = failureFromResponse(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    const e = describeFailure(f, { ...custom, operation: 'download' });
    expect(e).toMatchObject({ code: 'LinkExpired', transient: false });
    expect(e.message).toMatch(/link has expired/);
  });

  it('a plain access denial is not transient and not an expiry', () => {
    expect(describeFailure(denied, custom)).toMatchObject({ code: 'AccessDenied', transient: false });
  });
});

describe('failureFromError', () => {
  it('reads SDK service errors', () => {
    const err = Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    const f = failureFromError(err);
    expect(f).toEqual({ code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' });
    expect(describeFailure(f, aws).message).toBe(
      'Bucket "my-bucket" does not exist at AWS S3 in us-east-1. Check the name, or create the bucket first.',
    );
    expect(describeFailure(f, custom).message).toBe(
      'Bucket "my-bucket" does not exist at http://127.0.0.1:9000. Check the name, or create the bucket first.',
    );
  });

  it('prefers Code over name', () => {
    expect(failureFromError({ name: 'S3ServiceException', Code: 'SlowDown', $metadata: { httpStatusCode: 503 } }).code).toBe('SlowDown');
  });

  it('names bodiless HEAD errors after the status', () => {
    expect(failureFromError({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })).toEqual({ code: 'Http404', status: 404 });
    expect(failureFromError({ name: 'Forbidden', $metadata: { httpStatusCode: 403 } })).toEqual({ code: 'Http403', status: 403 });
    const moved = failureFromError({ name: '301', $metadata: { httpStatusCode: 301 } });
    expect(moved).toEqual({ code: 'Http301', status: 301 });
    expect(describeFailure(moved, aws).message).toMatch(/is not in region us-east-1/);
    // A NoSuchKey-style name is left alone.
    expect(failureFromError({ name: 'NotFound' }).code).toBe('NotFound');
  });

  it('recognises Node fetch network errors and names the endpoint', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(isNetworkError(err)).toBe(true);
    const f = failureFromError(err);
    expect(f.code).toBe('NetworkError');
    const e = describeFailure(f, { ...custom, endpoint: 'http://127.0.0.1:1' });
    expect(e).toMatchObject({ code: 'NetworkError', transient: true });
    expect(e.message).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:1\./);
    expect(describeFailure(f, aws).message).toMatch(/^Cannot reach AWS S3\./);
  });

  it.each([
    new TypeError('Failed to fetch'),
    new TypeError('NetworkError when attempting to fetch resource.'),
    new TypeError('Load failed'),
    Object.assign(new Error('getaddrinfo ENOTFOUND s3.example.invalid'), { code: 'ENOTFOUND' }),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  ])('recognises %s as a network error', (err) => {
    expect(failureFromError(err).code).toBe('NetworkError');
  });

  it('does not call an HTTP reply a network error', () => {
    const err = Object.assign(new TypeError('fetch failed'), { $metadata: { httpStatusCode: 500 }, name: 'InternalError' });
    expect(isNetworkError(err)).toBe(false);
    expect(failureFromError(err).code).toBe('InternalError');
    expect(isNetworkError(new Error('The bucket is full'))).toBe(false);
    expect(isNetworkError(null)).toBe(false);
    expect(isNetworkError('Failed to fetch')).toBe(false);
  });

  it('survives non-errors', () => {
    expect(failureFromError(undefined)).toEqual({ code: 'Unknown' });
    expect(failureFromError({})).toEqual({ code: 'Unknown' });
  });
});

describe('failureFromResponse', () => {
  it('decodes XML entities in the message, once', () => {
    const f = failureFromResponse(
      400,
      '<Error><Code>InvalidArgument</Code><Message>Can&apos;t use &lt;key&gt; &amp; &quot;x&quot; (&amp;lt; stays)</Message></Error>',
    );
    expect(f.message).toBe('Can\'t use <key> & "x" (&lt; stays)');
  });

  it('falls back to HttpNNN without a body', () => {
    expect(failureFromResponse(503, '')).toEqual({ code: 'Http503', status: 503 });
    expect(failureFromResponse(500, 'not xml at all', null)).toEqual({ code: 'Http500', status: 500 });
  });

  // Go-based servers (MinIO) write ' as &#39;; the region in the message must still be found.
  it('decodes numeric character references (as Go-based servers send them)', () => {
    const f = failureFromResponse(
      400,
      '<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region is wrong; expecting &#39;us-east-1&#39;.</Message></Error>',
    );
    expect(f.message).toBe("The authorization header is malformed; the region is wrong; expecting 'us-east-1'.");
    expect(f.region).toBe('us-east-1');
  });
});

describe('describeFailure for URLs someone else signed', () => {
  it('hands the failure to the context’s own describer, without the describer in the context', async () => {
    const { describeTeamS3Failure } = await import('../../src/team/errors');
    const ctx = { operation: 'upload' as const, bucket: 'b', region: 'us-east-1', endpoint: 'https://s3.example.com' };
    const failure = failureFromResponse(403, '<Error><Code>SignatureDoesNotMatch</Code></Error>');
    const team = describeFailure(failure, { ...ctx, describe: describeTeamS3Failure });
    expect(team.message).toMatch(/presign service/);
    expect(team.message).not.toMatch(/Paste the secret/);
    expect(describeFailure(failure, ctx).message).toMatch(/Paste the secret again/);
  });
});
