import { describe, expect, it, vi } from 'vitest';
import { EMPTY_PROFILE, EMPTY_SERVICE_PROFILE, type KeysProfile, type PresignServiceProfile, type Profile } from '../../src/settings/profile';
import { EXPORT_FORMAT, EXPORT_VERSION, exportProfiles, importSizeProblem, MAX_IMPORT_BYTES, parseImport } from '../../src/settings/transfer';

const NOW = new Date('2024-03-05T07:08:09Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'SESSIONTOKEN/abc+def=';

const work: KeysProfile = {
  ...EMPTY_PROFILE,
  id: 'id-work',
  name: 'work',
  accessKeyId: 'AKIAWORK',
  bucket: 'work-bucket',
  region: 'eu-west-1',
  endpoint: 'https://s3.example.com',
  forcePathStyle: true,
  keyTemplate: 'shots/{yyyy}/{uuid}-{name}',
  linkExpirySeconds: 3600,
  sessionTokenExpiration: '2026-11-25T22:15:00Z',
  multipartThresholdMiB: 128,
};

const team: PresignServiceProfile = {
  ...EMPTY_SERVICE_PROFILE,
  id: 'id-team',
  name: 'team',
  serviceUrl: 'https://files.example.com',
  serviceAuth: 'header',
  serviceAuthHeader: 'X-API-Key',
  bucket: 'team-bucket',
  region: 'us-east-1',
  endpoint: 'https://s3.us-east-1.amazonaws.com',
};

const withoutId = ({ id: _id, ...rest }: Profile) => rest;

/** An export file's text with these raw profile objects. */
const file = (profiles: unknown[], over: Record<string, unknown> = {}) =>
  JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: NOW.toISOString(), profiles, ...over });

const rawKeys = (over: Record<string, unknown> = {}) => {
  const { id: _id, ...rest } = { ...EMPTY_PROFILE, name: 'x', accessKeyId: 'AKIAX', bucket: 'x-bucket', region: 'eu-west-1', ...over };
  return rest;
};

describe('exportProfiles', () => {
  it('writes the format, the version, the time and the profiles without ids', () => {
    const text = exportProfiles([work, team], NOW);
    expect(text.endsWith('}\n')).toBe(true);
    const data = JSON.parse(text);
    expect(data.format).toBe('s3-drop-profiles');
    expect(data.version).toBe(1);
    expect(data.exportedAt).toBe('2024-03-05T07:08:09.000Z');
    expect(data.profiles).toEqual([withoutId(work), withoutId(team)]);
    for (const p of data.profiles) expect(p).not.toHaveProperty('id');
    expect(text).not.toContain('id-work');
    expect(text).not.toContain('id-team');
  });

  it('drops secret fields even when a profile object carries them', () => {
    const leaky = { ...work, secretAccessKey: SECRET, sessionToken: TOKEN, serviceToken: 'team-token-123' } as unknown as Profile;
    const leakyTeam = { ...team, serviceToken: 'team-token-456', secretAccessKey: SECRET } as unknown as Profile;
    const text = exportProfiles([leaky, leakyTeam], NOW);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('team-token-123');
    expect(text).not.toContain('team-token-456');
    for (const p of JSON.parse(text).profiles)
      for (const field of ['secretAccessKey', 'sessionToken', 'serviceToken']) expect(p).not.toHaveProperty(field);
    expect(JSON.parse(text).profiles).toEqual([withoutId(work), withoutId(team)]);
    // …and leaves the caller's objects alone.
    expect((leaky as unknown as Record<string, unknown>).secretAccessKey).toBe(SECRET);
  });

  it('an empty list exports an empty list', () => {
    expect(JSON.parse(exportProfiles([], NOW)).profiles).toEqual([]);
  });
});

describe('parseImport', () => {
  it('round-trips an export: the same profiles, without ids', () => {
    const result = parseImport(exportProfiles([work, team], NOW), []);
    expect(result.problems).toEqual([]);
    expect(result.profiles).toEqual([withoutId(work), withoutId(team)]);
    for (const p of result.profiles) expect(p).not.toHaveProperty('id');
  });

  it('round-trips a profile without the optional fields', () => {
    const plain: KeysProfile = { ...EMPTY_PROFILE, id: 'p', name: 'plain', accessKeyId: 'AKIAPLAIN', bucket: 'plain-bucket' };
    const result = parseImport(exportProfiles([plain], NOW), []);
    expect(result).toEqual({ profiles: [withoutId(plain)], problems: [] });
    expect(result.profiles[0]).not.toHaveProperty('multipartThresholdMiB');
    expect(result.profiles[0]).not.toHaveProperty('sessionTokenExpiration');
  });

  it('renames names already taken, case-insensitively, and names within the file against each other', () => {
    const result = parseImport(exportProfiles([work, { ...team, name: 'WORK' }], NOW), ['Work', 'home']);
    expect(result.problems).toEqual([]);
    expect(result.profiles.map((p) => p.name)).toEqual(['work copy', 'WORK copy 2']);
  });

  it('"work" → "work copy" when "work" exists', () => {
    const result = parseImport(exportProfiles([work], NOW), ['work']);
    expect(result.profiles.map((p) => p.name)).toEqual(['work copy']);
  });

  it('names an unnamed profile after its bucket', () => {
    const result = parseImport(file([rawKeys({ name: '' })]), []);
    expect(result.problems).toEqual([]);
    expect(result.profiles[0]!.name).toBe('x-bucket');
  });

  it('trims pasted spaces and normalizes a presign service like the options page does', () => {
    const { id: _id, ...raw } = { ...team, serviceUrl: ' https://files.example.com/api/v1/files/presign/ ', accessKeyId: 'AKIASTRAY', forcePathStyle: false };
    const result = parseImport(file([{ ...raw, bucket: ' team-bucket ' }]), []);
    expect(result.problems).toEqual([]);
    expect(result.profiles[0]).toMatchObject({
      kind: 'presign-service',
      serviceUrl: 'https://files.example.com',
      accessKeyId: '',
      forcePathStyle: true,
      bucket: 'team-bucket',
    });
  });

  it('ignores unknown fields and secret fields', () => {
    const result = parseImport(file([rawKeys({ evil: 'x', secretAccessKey: 's', sessionToken: 't', serviceToken: 'u', id: 'forced-id' })]), []);
    expect(result.problems).toEqual([]);
    const imported = result.profiles[0]! as unknown as Record<string, unknown>;
    for (const field of ['evil', 'secretAccessKey', 'sessionToken', 'serviceToken', 'id']) expect(imported).not.toHaveProperty(field);
    expect(JSON.stringify(result)).not.toContain('forced-id');
    expect(imported).toEqual(rawKeys());
  });

  it('carries "Edit captures before saving" both ways, for both kinds, and refuses it as text', () => {
    const round = parseImport(exportProfiles([{ ...work, editCaptures: true }, { ...team, editCaptures: true }], NOW), []);
    expect(round.problems).toEqual([]);
    expect(round.profiles.map((p) => p.editCaptures)).toEqual([true, true]);
    const asText = parseImport(file([rawKeys({ editCaptures: 'yes' })]), []);
    expect(asText.profiles).toEqual([]);
    expect(asText.problems).toEqual(['Profile 1 ("x"): Edit captures before saving must be a boolean.']);
  });

  it('a profile without a kind is a keys profile', () => {
    const { kind: _kind, ...raw } = rawKeys();
    const result = parseImport(file([raw]), []);
    expect(result.problems).toEqual([]);
    expect(result.profiles[0]!.kind).toBe('keys');
  });

  describe('refuses', () => {
    it('text that is not JSON', () => {
      expect(parseImport('{"format": "s3-drop-profiles",', [])).toEqual({
        profiles: [],
        problems: ['This file is not JSON. Choose a file made by "Export profiles".'],
      });
    });

    it.each([
      ['another format', file([rawKeys()], { format: 'something-else' })],
      ['no format', JSON.stringify({ version: 1, profiles: [rawKeys()] })],
      ['profiles that are not a list', file([], { profiles: { a: rawKeys() } })],
      ['an array at the top', JSON.stringify([rawKeys()])],
      ['null', 'null'],
    ])('%s', (_label, text) => {
      expect(parseImport(text, [])).toEqual({
        profiles: [],
        problems: ['This file is not an S3 Drop profile export. Choose a file made by "Export profiles".'],
      });
    });

    it('a newer version', () => {
      expect(parseImport(file([rawKeys()], { version: EXPORT_VERSION + 1 }), [])).toEqual({
        profiles: [],
        problems: ['This export comes from a newer S3 Drop. Update S3 Drop, then import it again.'],
      });
    });

    it('an empty list', () => {
      expect(parseImport(file([]), [])).toEqual({ profiles: [], problems: ['This export has no profiles in it.'] });
    });

    it('a bad bucket, naming the profile by number and name and the field by its label', () => {
      const result = parseImport(file([rawKeys({ name: 'fine' }), rawKeys({ bucket: 'Bad_Bucket' })]), []);
      expect(result.problems).toEqual([
        'Profile 2 ("x"): Bucket — A bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.',
      ]);
    });

    it('a bad endpoint', () => {
      const result = parseImport(file([rawKeys({ name: 'fine' }), rawKeys({ endpoint: 'https://s3.example.com/path' })]), []);
      expect(result.problems).toEqual(['Profile 2 ("x"): Endpoint URL — The endpoint is the server only, without a path: try https://s3.example.com.']);
    });

    it('a bad key template', () => {
      const result = parseImport(file([rawKeys({ name: 'fine' }), rawKeys({ keyTemplate: 'uploads/{yyyy}/fixed.png' })]), []);
      expect(result.problems).toEqual([
        'Profile 2 ("x"): Object key template — The key template needs {name} or {uuid} (or {shortid}), or every upload would get the same key.',
      ]);
    });

    it('several bad fields of one profile in one sentence', () => {
      const result = parseImport(file([rawKeys({ bucket: 'Bad_Bucket', linkExpirySeconds: 8 * 24 * 3600 })]), []);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(/^Profile 1 \("x"\): Bucket — .+ Share links expire after — Share links can live at most 7 days/);
    });

    it('a bad session token expiry and multipart threshold', () => {
      const result = parseImport(file([rawKeys({ sessionTokenExpiration: 'tomorrow', multipartThresholdMiB: 1 })]), []);
      expect(result.problems).toEqual([
        'Profile 1 ("x"): Session token expires at — Paste the time as STS prints it (Expiration), e.g. 2026-11-25T22:15:00Z, or leave it empty. Upload in parts above (MiB) — Upload in parts above a whole number of MiB from 5 to 5120 (5 GiB, the most one PUT takes).',
      ]);
    });

    it('fields of the wrong type', () => {
      const result = parseImport(file([rawKeys({ bucket: 42, forcePathStyle: 'yes', linkExpirySeconds: '3600', multipartThresholdMiB: '64' })]), []);
      expect(result.problems).toEqual([
        'Profile 1 ("x"): Bucket must be a string; forcePathStyle must be a boolean; Share links expire after must be a number; Upload in parts above (MiB) must be a number.',
      ]);
      expect(result.profiles).toEqual([]);
    });

    it('an unknown kind', () => {
      const result = parseImport(file([rawKeys({ kind: 'ftp' })]), []);
      expect(result).toEqual({ profiles: [], problems: ['Profile 1 ("x"): unknown kind "ftp".'] });
    });

    it('an entry that is not an object, labelled by number only', () => {
      const result = parseImport(file([rawKeys(), 'just a string', null]), []);
      expect(result.problems).toEqual(['Profile 2 is not a profile.', 'Profile 3 is not a profile.']);
    });

    it('a presign service with a bad service URL and no header name', () => {
      const { id: _id, ...raw } = { ...team, name: 'svc', serviceUrl: 'ftp://files.example.com', serviceAuthHeader: '' };
      const result = parseImport(file([raw]), []);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(/^Profile 1 \("svc"\): Service URL — The service URL must start with https:\/\/\. Header name — /);
    });

    it('reports every bad profile and still lists the good ones, so the caller can refuse all', () => {
      const result = parseImport(file([rawKeys({ name: 'good' }), rawKeys({ name: 'bad', bucket: 'B' }), rawKeys({ name: 'worse', kind: 'x' })]), []);
      expect(result.problems).toHaveLength(2);
      expect(result.problems[0]).toMatch(/^Profile 2 \("bad"\): Bucket — /);
      expect(result.problems[1]).toBe('Profile 3 ("worse"): unknown kind "x".');
    });
  });
});

describe('import size', () => {
  it('refuses a file over 1 MB from its size alone, in a sentence naming the file, its size and the cap', async () => {
    expect(MAX_IMPORT_BYTES).toBe(1_000_000);
    // A phone photo picked by mistake.
    const photo = new File([new Uint8Array(3_481_600)], 'IMG_2043.jpg', { type: 'image/jpeg' });
    const read = vi.spyOn(photo, 'text');
    expect(importSizeProblem(photo)).toBe(
      'IMG_2043.jpg is 3.5 MB, too large to be a profile export (a few kB; at most 1.0 MB). Choose a file made by "Export profiles".',
    );
    expect(read).not.toHaveBeenCalled();
    expect(importSizeProblem({ name: 'x.json', size: MAX_IMPORT_BYTES + 1 })).toMatch(/^x\.json is 1\.0 MB, too large/);
  });

  it('passes a real export, even one of many profiles, and a file exactly at the cap', () => {
    const many = exportProfiles(
      Array.from({ length: 100 }, (_, i) => ({ ...work, id: `id-${i}`, name: `work ${i}` })),
      NOW,
    );
    const size = new TextEncoder().encode(many).byteLength;
    // About 400 bytes a profile: a hundred profiles are a few percent of the cap.
    expect(size).toBeLessThan(MAX_IMPORT_BYTES / 10);
    expect(importSizeProblem(new File([many], 'profiles.json'))).toBeNull();
    expect(importSizeProblem({ name: 'edge.json', size: MAX_IMPORT_BYTES })).toBeNull();
    expect(parseImport(many, []).problems).toEqual([]);
  });

  it('the background refuses text over the cap too (counted in UTF-8 bytes), before parsing it', () => {
    // 400 000 three-byte characters: 1.2 MB of UTF-8 in 400 000 UTF-16 units.
    const big = file([{ ...withoutId(work), name: 'w' }], { padding: '東'.repeat(400_000) });
    expect(parseImport(big, [])).toEqual({
      profiles: [],
      problems: ['This file is 1.2 MB, too large to be a profile export (a few kB; at most 1.0 MB). Choose a file made by "Export profiles".'],
    });
  });
});
