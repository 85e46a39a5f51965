import { describe, expect, it } from 'vitest';
import { originPattern } from '../../src/permissions/origin-pattern';
import { bucketOrigin, hostPermissionOrigins, regionProbeUrl, serviceEndpoint, usesPathStyle, type BucketAddress } from '../../src/s3/endpoint';
import {
  validateMultipartThreshold,
  EMPTY_PROFILE,
  EMPTY_SERVICE_PROFILE,
  validateBucketName,
  validateEndpoint,
  type ProfileDraft,
} from '../../src/settings/profile';
import { normalizeDraft, splitDraft, validateDraft } from '../../src/settings/profile-kinds';

const good: ProfileDraft = {
  ...EMPTY_PROFILE,
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'secret-value',
  sessionToken: '',
  bucket: 'my-bucket',
  region: 'eu-west-1',
};

describe('validateDraft', () => {
  it('accepts a complete draft', () => {
    expect(validateDraft(good, { hasSavedSecret: false })).toEqual({});
    expect(validateDraft({ ...good, region: '', endpoint: 'http://127.0.0.1:9000' }, { hasSavedSecret: false })).toEqual({});
  });

  it('asks for the access key and the secret', () => {
    const errors = validateDraft({ ...good, accessKeyId: '', secretAccessKey: '' }, { hasSavedSecret: false });
    expect(errors).toEqual({ accessKeyId: 'Enter the access key ID.', secretAccessKey: 'Enter the secret access key.' });
  });

  it('does not ask for the secret again when one is saved', () => {
    expect(validateDraft({ ...good, secretAccessKey: '' }, { hasSavedSecret: true })).toEqual({});
    const { secretAccessKey: _omitted, ...withoutSecret } = good;
    expect(validateDraft(withoutSecret, { hasSavedSecret: true })).toEqual({});
    expect(validateDraft(withoutSecret, { hasSavedSecret: false }).secretAccessKey).toBe('Enter the secret access key.');
  });

  it.each([
    ['', 'Enter the bucket name.'],
    ['ab', /3 to 63 characters/],
    ['a'.repeat(64), /3 to 63 characters/],
    ['My-Bucket', /lowercase letters/],
    ['my_bucket', /lowercase letters/],
    ['-bucket', /starts and ends with a letter or digit/],
    ['bucket-', /starts and ends with a letter or digit/],
    ['bucket.', /starts and ends/],
    ['my bucket', /lowercase letters/],
    ['192.168.1.1', /IP address/],
  ])('refuses the bucket %j', (bucket, sentence) => {
    const errors = validateDraft({ ...good, bucket }, { hasSavedSecret: false });
    expect(Object.keys(errors)).toEqual(['bucket']);
    expect(errors.bucket).toMatch(sentence);
    expect(validateBucketName(bucket)).toBe(errors.bucket);
  });

  it.each(['abc', 'my-bucket', 'my.dotted.bucket', '123bucket', 'a'.repeat(63)])('accepts the bucket %j', (bucket) => {
    expect(validateBucketName(bucket)).toBeNull();
  });

  it.each(['s3.example.com', 'localhost:9000', 'ftp://s3.example.com', '://nothing'])('refuses the endpoint %j without an http(s) scheme', (endpoint) => {
    const error = validateDraft({ ...good, endpoint }, { hasSavedSecret: false }).endpoint;
    expect(error).toMatch(/https?:\/\//);
    expect(validateEndpoint(endpoint)).toBe(error);
  });

  it.each([
    ['https://s3.example.com/my-bucket', 'https://s3.example.com'],
    ['http://127.0.0.1:9000/bucket/sub', 'http://127.0.0.1:9000'],
    ['https://s3.example.com?x=1', 'https://s3.example.com'],
    ['https://s3.example.com/#frag', 'https://s3.example.com'],
  ])('refuses the endpoint %j and suggests its origin', (endpoint, origin) => {
    expect(validateEndpoint(endpoint)).toBe(`The endpoint is the server only, without a path: try ${origin}.`);
  });

  it.each(['', 'https://s3.example.com', 'https://s3.example.com/', 'http://127.0.0.1:9000', 'http://[::1]:9000'])(
    'accepts the endpoint %j',
    (endpoint) => {
      expect(validateEndpoint(endpoint)).toBeNull();
    },
  );

  it.each(['EU West 1', 'eu west 1', 'Eu-West-1', 'eu_west_1', 'eu-west-1 '])('refuses the region %j', (region) => {
    expect(validateDraft({ ...good, region }, { hasSavedSecret: false }).region).toMatch(/looks like eu-west-1/);
  });

  it.each(['EU West 1', 'eu west 1', 'Eu-West-1', 'eu_west_1'])('names the region %j meant', (region) => {
    expect(validateDraft({ ...good, region }, { hasSavedSecret: false }).region).toMatch(/Did you mean eu-west-1\?$/);
  });

  it.each(['', 'us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'ap-southeast-9'])('accepts the AWS region %j', (region) => {
    expect(validateDraft({ ...good, region }, { hasSavedSecret: false }).region).toBeUndefined();
  });

  it.each(['auto', 'garage', 'us-east-1a', 'minio'])('accepts the free-form region %j of an S3-compatible endpoint', (region) => {
    expect(validateDraft({ ...good, region, endpoint: 'https://s3.example.com' }, { hasSavedSecret: false }).region).toBeUndefined();
  });

  it.each([
    ['eu-west1', 'Did you mean eu-west-1?'],
    ['euwest-1', 'Did you mean eu-west-1?'],
    ['useast1', 'Did you mean us-east-1?'],
    ['garage', 'Leave it empty to detect it, or set the endpoint of your S3-compatible service.'],
  ])('for AWS (no endpoint) refuses the typo %j and says %j', (region, hint) => {
    const message = validateDraft({ ...good, region }, { hasSavedSecret: false }).region;
    expect(message).toContain(`"${region}" is not an AWS region`);
    expect(message).toContain(hint);
  });

  it('refuses a broken key template', () => {
    expect(validateDraft({ ...good, keyTemplate: '/{name}' }, { hasSavedSecret: false })).toEqual({
      keyTemplate: 'The key template must not start with "/".',
    });
    expect(validateDraft({ ...good, keyTemplate: '' }, { hasSavedSecret: false }).keyTemplate).toMatch(/empty/);
  });

  it('refuses link expiries beyond 7 days or below a second', () => {
    expect(validateDraft({ ...good, linkExpirySeconds: 7 * 86400 }, { hasSavedSecret: false })).toEqual({});
    expect(validateDraft({ ...good, linkExpirySeconds: 7 * 86400 + 1 }, { hasSavedSecret: false }).linkExpirySeconds).toMatch(/at most 7 days/);
    expect(validateDraft({ ...good, linkExpirySeconds: 0 }, { hasSavedSecret: false }).linkExpirySeconds).toMatch(/at least 1/);
    expect(validateDraft({ ...good, linkExpirySeconds: 1.5 }, { hasSavedSecret: false }).linkExpirySeconds).toMatch(/whole number/);
  });
});

describe('normalizeDraft', () => {
  it('trims pasted fields and reports which', () => {
    const { draft, trimmed } = normalizeDraft({
      ...good,
      accessKeyId: ' AKIAEXAMPLE\n',
      secretAccessKey: '\tsecret-value ',
      sessionToken: ' token ',
      bucket: 'my-bucket ',
      region: ' eu-west-1',
      endpoint: ' https://s3.example.com/ ',
    });
    expect(trimmed).toEqual(['accessKeyId', 'secretAccessKey', 'sessionToken', 'bucket', 'region', 'endpoint']);
    expect(draft).toMatchObject({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-value',
      sessionToken: 'token',
      bucket: 'my-bucket',
      region: 'eu-west-1',
      endpoint: 'https://s3.example.com',
    });
  });

  it('reports nothing for a clean draft and does not mutate the input', () => {
    const input = { ...good, name: 'work', endpoint: 'https://s3.example.com' };
    const copy = structuredClone(input);
    const { draft, trimmed } = normalizeDraft(input);
    expect(trimmed).toEqual([]);
    expect(draft).toEqual(input);
    expect(input).toEqual(copy);
  });

  it('names an unnamed profile after its bucket, without calling it trimmed or touching the input', () => {
    const input = { ...good, endpoint: 'https://s3.example.com' };
    expect(input.name).toBe('');
    const { draft, trimmed } = normalizeDraft(input);
    expect(trimmed).toEqual([]);
    expect(draft).toEqual({ ...input, name: 'my-bucket' });
    expect(input.name).toBe('');
  });

  it('an unnamed profile without a bucket: the service host, else "My bucket"; a blank name counts as none', () => {
    const service = { ...EMPTY_SERVICE_PROFILE, serviceUrl: 'https://files.example.com/api/v1/files/presign' };
    expect(normalizeDraft(service).draft.name).toBe('files.example.com');
    expect(normalizeDraft({ ...service, bucket: 'team-bucket' }).draft.name).toBe('team-bucket');
    expect(normalizeDraft({ ...service, serviceUrl: '' }).draft.name).toBe('My bucket');
    expect(normalizeDraft({ ...good, bucket: '' }).draft.name).toBe('My bucket');
    const blank = normalizeDraft({ ...good, name: '   ' });
    expect(blank.draft.name).toBe('my-bucket');
    expect(blank.trimmed).toEqual(['name']);
  });

  it('trims a typed name and keeps it', () => {
    const { draft, trimmed } = normalizeDraft({ ...good, name: ' Work bucket ' });
    expect(draft.name).toBe('Work bucket');
    expect(trimmed).toEqual(['name']);
  });

  it('strips trailing slashes from the endpoint without calling it trimmed', () => {
    const { draft, trimmed } = normalizeDraft({ ...good, endpoint: 'http://127.0.0.1:9000//' });
    expect(draft.endpoint).toBe('http://127.0.0.1:9000');
    expect(trimmed).toEqual([]);
    expect(validateEndpoint(draft.endpoint)).toBeNull();
  });

  it('leaves missing secrets missing', () => {
    const { secretAccessKey: _s, sessionToken: _t, ...profileOnly } = good;
    const { draft } = normalizeDraft(profileOnly);
    expect('secretAccessKey' in draft).toBe(false);
  });
});

describe('splitDraft', () => {
  it('keeps the secrets out of the profile', () => {
    const { profile, secrets } = splitDraft({ ...good, secretAccessKey: 'TOPSECRET', sessionToken: 'TOKENVALUE' });
    expect(secrets).toEqual({ secretAccessKey: 'TOPSECRET', sessionToken: 'TOKENVALUE' });
    expect(Object.keys(profile).sort()).toEqual(Object.keys(EMPTY_PROFILE).sort());
    expect(JSON.stringify(profile)).not.toMatch(/TOPSECRET|TOKENVALUE/);
    expect(profile.bucket).toBe('my-bucket');
  });
});

describe('endpoint addressing', () => {
  const aws = (over: Partial<BucketAddress> = {}): BucketAddress => ({
    bucket: 'my-bucket',
    region: 'eu-west-1',
    endpoint: '',
    forcePathStyle: false,
    ...over,
  });

  it('AWS with a region: virtual host', () => {
    const address = aws();
    expect(usesPathStyle(address)).toBe(false);
    expect(serviceEndpoint(address)).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(bucketOrigin(address)).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com');
    expect(hostPermissionOrigins(address)).toEqual(['https://my-bucket.s3.eu-west-1.amazonaws.com/*']);
    expect(regionProbeUrl(address).href).toBe('https://my-bucket.s3.amazonaws.com/');
  });

  it('AWS with a dotted bucket: path style, so TLS still matches', () => {
    const address = aws({ bucket: 'my.dotted.bucket' });
    expect(usesPathStyle(address)).toBe(true);
    expect(bucketOrigin(address)).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(hostPermissionOrigins(address)).toEqual(['https://s3.eu-west-1.amazonaws.com/*']);
    expect(regionProbeUrl(address).href).toBe('https://s3.amazonaws.com/my.dotted.bucket');
  });

  it('AWS without a region: us-east-1 plus the global probe origin', () => {
    const address = aws({ region: '' });
    expect(bucketOrigin(address)).toBe('https://my-bucket.s3.us-east-1.amazonaws.com');
    expect(hostPermissionOrigins(address)).toEqual([
      'https://my-bucket.s3.us-east-1.amazonaws.com/*',
      'https://my-bucket.s3.amazonaws.com/*',
    ]);
    const dotted = aws({ region: '', bucket: 'my.dotted.bucket' });
    expect(hostPermissionOrigins(dotted)).toEqual(['https://s3.us-east-1.amazonaws.com/*', 'https://s3.amazonaws.com/*']);
  });

  it('custom endpoint, path style', () => {
    const address: BucketAddress = { bucket: 'my-bucket', region: '', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true };
    expect(serviceEndpoint(address)).toBe('http://127.0.0.1:9000');
    expect(bucketOrigin(address)).toBe('http://127.0.0.1:9000');
    // No region is fine for a custom endpoint: no global probe origin is asked for.
    expect(hostPermissionOrigins(address)).toEqual(['http://127.0.0.1/*']);
    expect(regionProbeUrl(address).href).toBe('http://127.0.0.1:9000/my-bucket');
  });

  it('custom endpoint, virtual host', () => {
    const address: BucketAddress = { bucket: 'my-bucket', region: 'auto', endpoint: 'https://s3.example.com:8443', forcePathStyle: false };
    expect(bucketOrigin(address)).toBe('https://my-bucket.s3.example.com:8443');
    expect(hostPermissionOrigins(address)).toEqual(['https://my-bucket.s3.example.com/*']);
  });
});

describe('multipart threshold', () => {
  it.each([undefined, 5, 64, 5120])('accepts %s MiB', (mib) => {
    expect(validateMultipartThreshold(mib)).toBeNull();
  });
  it.each([4, 5121, 64.5, Number.NaN])('refuses %s MiB with a sentence naming the range', (mib) => {
    expect(validateMultipartThreshold(mib)).toMatch(/from 5 to 5120/);
  });
});

describe('originPattern', () => {
  it.each([
    ['http://127.0.0.1:9000/bucket/key', 'http://127.0.0.1/*'],
    ['https://minio.example.com:8443', 'https://minio.example.com/*'],
    ['https://s3.eu-west-1.amazonaws.com/', 'https://s3.eu-west-1.amazonaws.com/*'],
    ['http://[::1]:9000/x', 'http://[::1]/*'],
  ])('%s → %s (no port: Firefox patterns cannot have one)', (url, pattern) => {
    expect(originPattern(url)).toBe(pattern);
  });
});
