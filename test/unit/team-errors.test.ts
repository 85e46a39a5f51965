import { describe, expect, it } from 'vitest';
import { describeFailure, type FailureContext } from '../../src/s3/errors';
import { describePresignFailure, describeTeamS3Failure, s3AccessMissing, serviceAccessMissing, TEAM_MAPPED_CODES, type TeamContext } from '../../src/team/errors';
import type { PresignFailure } from '../../src/team/presign-client';

const ctx: TeamContext = { operation: 'upload', serviceUrl: 'https://files.example.com/team', sentToken: true, bucket: '', objectName: 'drop/a.txt' };
const failure = (over: Partial<PresignFailure>): PresignFailure => ({
  code: 'PresignServiceError',
  method: 'POST',
  endpoint: 'https://files.example.com/team/api/v1/files/presign',
  ...over,
});

describe('presign service failures as sentences', () => {
  it('every code has a sentence of its own that names the service', () => {
    const messages = TEAM_MAPPED_CODES.map((code) => describePresignFailure(failure({ code, status: 400 }), ctx));
    for (const [i, error] of messages.entries()) {
      expect(error.code).toBe(TEAM_MAPPED_CODES[i]);
      expect(error.message).toMatch(/presign service at files\.example\.com\/team/i);
      expect(error.message).not.toMatch(/undefined|\[object/);
    }
    expect(new Set(messages.map((m) => m.message)).size).toBe(messages.length);
  });

  it('a refusal is about the token, opens Options, and never quotes what came with it', () => {
    // The client keeps no detail for a 401/403; even one handed in is not repeated.
    const error = describePresignFailure(failure({ code: 'PresignServiceRefused', status: 401, detail: 'token abc-123 revoked' }), ctx);
    expect(error).toEqual({
      code: 'PresignServiceRefused',
      message:
        'The presign service at files.example.com/team refused your token (HTTP 401). Check the token in Options, or ask whoever runs the service for a new one.',
      fix: { kind: 'open-options' },
      transient: false,
    });
    const open = describePresignFailure(failure({ code: 'PresignServiceRefused', status: 403, detail: 'x' }), { ...ctx, sentToken: false });
    expect(open.message).toBe('The presign service at files.example.com/team refused the request (HTTP 403): it wants a token. Choose how to send it in Options.');
  });

  it('a redirect says it was not followed with the token, and what in the Service URL to check', () => {
    // In a browser the status is unknown (opaque redirect); in Node it is there. The sentence is the same.
    for (const status of [undefined, 307]) {
      const error = describePresignFailure(failure({ code: 'PresignServiceRedirected', ...(status ? { status } : {}) }), ctx);
      expect(error).toEqual({
        code: 'PresignServiceRedirected',
        message:
          "The presign service at files.example.com/team answered with a redirect, and S3 Drop does not follow a redirect with your token. Check the Service URL in Options: its https:// or http://, host and path must be the service's own address, not one that forwards elsewhere.",
        fix: { kind: 'open-options' },
        transient: false,
      });
    }
    const open = describePresignFailure(failure({ code: 'PresignServiceRedirected' }), { ...ctx, sentToken: false });
    expect(open.message).toMatch(/answered with a redirect, and S3 Drop does not follow the service's redirects\. Check the Service URL in Options/);
  });

  it('unreachable and server errors are worth retrying; refusals and bad answers are not', () => {
    const transient = TEAM_MAPPED_CODES.filter((code) => describePresignFailure(failure({ code, status: 500 }), ctx).transient);
    expect(transient.sort()).toEqual(['PresignServiceBusy', 'PresignServiceError', 'PresignServiceUnreachable']);
    expect(describePresignFailure(failure({ code: 'PresignServiceUnreachable', timedOut: true }), ctx).message).toMatch(/No answer from .* within 15 seconds/);
  });

  it('a rejection points at what to change', () => {
    const prefix = describePresignFailure(failure({ code: 'PresignServiceRejected', status: 400, detail: "object_name must start with 'drop/'" }), ctx);
    expect(prefix.message).toMatch(/did not accept the request for "drop\/a\.txt" \(HTTP 400: .*\)\. Change the object key template/);
    const bucket = describePresignFailure(failure({ code: 'PresignServiceRejected', status: 422, detail: 'bucket_name: field required' }), ctx);
    expect(bucket.message).toMatch(/It may want a bucket name: enter one in Options\.$/);
    const named = describePresignFailure(failure({ code: 'PresignServiceRejected', status: 400, detail: "bucket_name 'x' is not served here" }), { ...ctx, bucket: 'x' });
    expect(named.message).toMatch(/Check the bucket name in Options\.$/);
  });

  it.each([
    ['html', /a web page, not a URL: often a sign-in page/],
    ['post-form', /POST form .* generate_presigned_url\('put_object'\)/],
    ['empty', /answered HTTP 200 with nothing\. S3 Drop expects a JSON string, \{"url": …\}, \{"presigned_url": …\}, or the URL as plain text\./],
    ['not-http', /"ftp:\/\/x", which is not an http\(s\) URL/],
    ['not-a-url', /answered, but not with a URL: "ftp:\/\/x"\. S3 Drop expects/],
  ] as const)('a bad answer (%s) says what came and what is expected', (badAnswer, sentence) => {
    expect(describePresignFailure(failure({ code: 'PresignServiceBadAnswer', status: 200, badAnswer, answer: 'ftp://x' }), ctx).message).toMatch(sentence);
  });

  it('404 and 405 say what S3 Drop calls', () => {
    expect(describePresignFailure(failure({ code: 'PresignServiceNotFound', status: 404 }), ctx).message).toMatch(/has nothing at \/api\/v1\/files\/presign \(HTTP 404\)\. Check the service URL/);
    expect(describePresignFailure(failure({ code: 'PresignServiceNotFound', status: 405 }), ctx).message).toMatch(/does not take POST at \/api\/v1\/files\/presign \(HTTP 405\)/);
  });

  it('missing access names the host, with the grant-access fix the popup already offers', () => {
    expect(serviceAccessMissing(ctx)).toMatchObject({ code: 'HostPermissionMissing', fix: { kind: 'grant-access' } });
    expect(serviceAccessMissing(ctx).message).toMatch(/presign service at files\.example\.com\/team/);
    expect(s3AccessMissing('bucket.s3.amazonaws.com').message).toMatch(/no access to bucket\.s3\.amazonaws\.com, where the presign service's URLs point/);
  });
});

describe("S3 refusing the service's URLs", () => {
  const s3ctx: FailureContext = { operation: 'upload', bucket: '', region: 'us-east-1', endpoint: 'https://s3.example.com' };

  it('signer problems are for whoever runs the service, not "paste your secret again"', () => {
    for (const code of ['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'ExpiredToken', 'AccessDenied']) {
      const error = describeTeamS3Failure({ code, status: 403, message: 'x' }, s3ctx);
      expect(error.message, code).toMatch(/Tell whoever runs the service\.$/);
      expect(error.message).not.toMatch(/Paste|secret access key/);
    }
    expect(describeTeamS3Failure({ code: 'AuthorizationQueryParametersError', status: 400, region: 'eu-west-1' }, s3ctx).message).toMatch(
      /signed for region us-east-1, but the bucket is in eu-west-1\. The service must create its S3 client for the bucket's region/,
    );
  });

  it('everything else reads as in keys mode (expiry, busy, size, network)', () => {
    for (const f of [
      { code: 'AccessDenied', status: 403, message: 'Request has expired' },
      { code: 'SlowDown', status: 503 },
      { code: 'EntityTooLarge', status: 400 },
      { code: 'NetworkError' },
    ])
      expect(describeTeamS3Failure(f, s3ctx)).toEqual(describeFailure(f, s3ctx));
  });
});
