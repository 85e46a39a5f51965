import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Modules a file imports at run time (`import type` is erased from the bundle, so it does not count). */
const imports = (path: string) =>
  [...read(path).matchAll(/^\s*import(?!\s+type\b)[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

/** Conventions that keep the secret in the background and the logic testable in Node. */
describe('module boundaries', () => {
  it.each(['src/s3', 'src/upload', 'src/keys', 'src/privacy', 'src/images'])('%s uses no extension API, so it runs in plain Node', (dir) => {
    for (const file of sources(dir)) {
      expect(imports(file).filter((m) => /^(wxt\/browser|webextension-polyfill|#imports)/.test(m)), file).toEqual([]);
      expect(read(file), file).not.toMatch(/\b(browser|chrome)\.(runtime|storage|permissions|tabs)\b/);
    }
  });

  it('only the background reads stored secrets (src/settings/items.ts)', () => {
    const readers = [...sources('src'), ...sources('entrypoints')].filter((file) =>
      imports(file).some((m) => /settings\/items$/.test(m)),
    );
    // The summary publisher watches the secrets item for changes; it reads them only through the keeper it is given.
    expect(readers.map((f) => relative(ROOT, join(ROOT, f))).sort()).toEqual(['src/background/publish-summary.ts', 'src/background/start.ts']);
  });

  it('only the background and its destinations reach the secret keeper and the vault (src/secrets/)', () => {
    const users = [...sources('src'), ...sources('entrypoints')].filter(
      (file) => !file.startsWith('src/secrets/') && imports(file).some((m) => /secrets\/(keeper|vault)$/.test(m)),
    );
    expect(users.length).toBeGreaterThan(0);
    for (const file of users) expect(relative(ROOT, join(ROOT, file)), file).toMatch(/^src\/(background\/|settings\/items|destination\/)/);
    // src/destination opens a profile's secrets to sign for the background: only the background may use it.
    const signers = [...sources('src'), ...sources('entrypoints')].filter(
      (file) => !file.startsWith('src/destination/') && imports(file).some((m) => /destination\/(connection|open|own-keys|presign-service)$/.test(m)),
    );
    expect(signers.length).toBeGreaterThan(0);
    for (const file of signers) expect(relative(ROOT, join(ROOT, file)), file).toMatch(/^src\/background\//);
  });

  it('pages never import the S3 client or the signer: they hold no secret to sign with', () => {
    const pageFiles = [...sources('src/ui'), ...sources('entrypoints/popup'), ...sources('entrypoints/options'), ...sources('entrypoints/uploads')];
    for (const file of pageFiles)
      expect(imports(file).filter((m) => /@aws-sdk|s3\/(client|presign|connection-test|region)$/.test(m)), file).toEqual([]);
  });

  it('only the background defines the history, summary and bucket-check items: defining one runs its migrations there, and only the background writes', () => {
    const users = [...sources('src'), ...sources('entrypoints')].filter((file) =>
      imports(file).some((m) => /(history\/items|settings\/summary-item|bucket-check\/items)$/.test(m)),
    );
    expect(users.length).toBeGreaterThan(0);
    for (const file of users) expect(relative(ROOT, join(ROOT, file)), file).toMatch(/^src\/background\//);
  });

  it('nothing but the kind traits, the destinations, the profile editor and the stored-item migrations asks which kind a profile is', () => {
    // Anything compared with a kind's name, either way round (`profile.kind`, a destructured `kind`, a field that copies it), or a `case` for one.
    const asksKind = /[!=]==?\s*['"](?:keys|presign-service)['"]|['"](?:keys|presign-service)['"]\s*[!=]==?|\bcase\s+['"](?:keys|presign-service)['"]/;
    const allowed = /^src\/(settings\/profile-kinds\.ts|settings\/items\.ts|ui\/profile-editor(\.tsx|\/)|destination\/)/;
    const askers = [...sources('src'), ...sources('entrypoints')].filter((file) => asksKind.test(read(file)));
    // The rule is live: the allowed files do ask.
    expect(askers.filter((file) => allowed.test(file)).length).toBeGreaterThan(0);
    expect(askers.filter((file) => !allowed.test(file))).toEqual([]);
  });

  it('entry points stay thin', () => {
    for (const file of sources('entrypoints')) expect(read(file).split('\n').length, file).toBeLessThan(40);
  });
});
