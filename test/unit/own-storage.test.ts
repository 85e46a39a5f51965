import { describe, expect, it } from 'vitest';
import { ownStorageHosts } from '../../src/capture/own-storage';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type Profile } from '../../src/settings/profile';

const keys = (over: Partial<typeof EMPTY_PROFILE>): Profile => ({ ...EMPTY_PROFILE, id: 'k', name: 'k', accessKeyId: 'AKIA', ...over });
const team = (over: Partial<typeof EMPTY_SERVICE_PROFILE>): Profile => ({ ...EMPTY_SERVICE_PROFILE, id: 't', name: 't', ...over });

/** Where a page's redirect may not lead an image read: every host the user's files are reachable at. */
describe('ownStorageHosts', () => {
  it.each([
    [
      'AWS, virtual-hosted: the bucket’s host, the regional endpoint (path-style reaches the same bucket), the region probe',
      keys({ bucket: 'photos', region: 'eu-west-1' }),
      ['https://photos.s3.eu-west-1.amazonaws.com', 'https://s3.eu-west-1.amazonaws.com', 'https://photos.s3.amazonaws.com'],
    ],
    [
      'AWS, a bucket name with dots (always path-style)',
      keys({ bucket: 'my.photos', region: 'us-east-2' }),
      ['https://s3.us-east-2.amazonaws.com', 'https://s3.amazonaws.com'],
    ],
    ['AWS, forced path-style', keys({ bucket: 'photos', region: 'ap-south-1', forcePathStyle: true }), ['https://s3.ap-south-1.amazonaws.com', 'https://s3.amazonaws.com']],
    [
      'an S3-compatible endpoint, path-style, on a port (host permissions carry none)',
      keys({ bucket: 'drop', region: 'garage', endpoint: 'http://nas.local:3900', forcePathStyle: true }),
      ['http://nas.local'],
    ],
    [
      'an S3-compatible endpoint, virtual-hosted',
      keys({ bucket: 'drop', region: 'auto', endpoint: 'https://minio.example.com' }),
      ['https://drop.minio.example.com', 'https://minio.example.com'],
    ],
    [
      'a team’s presign service: the service, and the S3 host its URLs point at',
      team({ serviceUrl: 'https://presign.corp.example/', endpoint: 'https://s3.eu-central-1.amazonaws.com' }),
      ['https://presign.corp.example', 'https://s3.eu-central-1.amazonaws.com'],
    ],
    ['a team’s presign service not asked yet', team({ serviceUrl: 'http://127.0.0.1:8000' }), ['http://127.0.0.1']],
    ['a profile without a bucket yet', keys({ bucket: '' }), []],
    ['an endpoint that is not a URL', keys({ bucket: 'b', endpoint: 'not a url' }), []],
  ])('%s', (_label, profile, expected) => {
    expect(ownStorageHosts([profile]).sort()).toEqual([...expected].sort());
  });

  it('covers every profile, each host once', () => {
    const hosts = ownStorageHosts([
      keys({ id: '1', bucket: 'a', region: 'eu-west-1' }),
      keys({ id: '2', bucket: 'b', region: 'eu-west-1' }),
      team({ serviceUrl: 'https://presign.example' }),
    ]);
    expect(hosts.sort()).toEqual(
      [
        'https://a.s3.eu-west-1.amazonaws.com',
        'https://b.s3.eu-west-1.amazonaws.com',
        'https://s3.eu-west-1.amazonaws.com',
        'https://a.s3.amazonaws.com',
        'https://b.s3.amazonaws.com',
        'https://presign.example',
      ].sort(),
    );
  });
});
