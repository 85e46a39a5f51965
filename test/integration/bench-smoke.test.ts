import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../support/extension';
import { swiftInstalled } from '../support/s3-servers';

const ROOT = resolve(import.meta.dirname, '../..');

/** The bench needs Swift and Chromium; in CI their absence is a failure, elsewhere a skip. */
function benchCanRun(): boolean {
  const missing = [
    ...(swiftInstalled() ? [] : ['OpenStack Swift (swift-proxy swift-account swift-container swift-object)']),
    ...(existsSync(CHROMIUM) ? [] : [`Chromium at ${CHROMIUM}`]),
  ];
  if (!missing.length) return true;
  if (process.env.CI) throw new Error(`CI: the bench smoke test needs ${missing.join(' and ')}.`);
  console.warn(`Skipping the bench smoke test: install ${missing.join(' and ')}.`);
  return false;
}

/** Every row `npm run bench` prints, in order. */
const ROWS = [
  'signing',
  'upload-default',
  'multipart',
  'multipart-boto3',
  'multipart-memory',
  'multipart-checksums',
  'multipart-checksums-loopback',
  'right-click',
  'bundle-background',
  'bundle-popup',
  'popup-ready',
];

interface BenchRow {
  id: string;
  status: string;
  figure: { median: number; min: number; max: number } | null;
  baseline: { median: number } | null;
  ratio: number | null;
  budget: { op: string; value: number } | null;
  pass: boolean | null;
  note?: string;
}

describe.skipIf(!benchCanRun())('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3drop-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every row and writes numbers (or n/a) for each to the JSON', { timeout: 180_000 }, async () => {
    const json = join(dir, 'quick.json');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn('npx', ['tsx', 'bench/run.ts', '--quick', '--json', json], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    const result = JSON.parse(readFileSync(json, 'utf8')) as { mode: string; rows: BenchRow[] };
    expect(result.mode).toBe('quick');
    expect(result.rows.map((r) => r.id)).toEqual(ROWS);
    for (const row of result.rows) {
      if (row.status === 'n/a') {
        expect(row.figure, row.id).toBeNull();
        expect(row.pass, row.id).toBeNull();
        continue;
      }
      expect(row.status, `${row.id}: ${row.note ?? ''}`).toBe('measured');
      expect(Number.isFinite(row.figure?.median), row.id).toBe(true);
      expect(row.figure!.min, row.id).toBeLessThanOrEqual(row.figure!.max);
      // A ratio wherever there is a baseline (boto3 may be missing on a developer machine), a verdict wherever there is also a budget.
      if (row.baseline) {
        expect(Number.isFinite(row.baseline.median), row.id).toBe(true);
        expect(Number.isFinite(row.ratio), row.id).toBe(true);
        expect(typeof row.pass, row.id).toBe(row.budget ? 'boolean' : 'object');
      }
    }
    // Every browser row has a figure, each with its budget.
    for (const id of ['signing', 'upload-default', 'multipart', 'multipart-boto3', 'multipart-memory', 'multipart-checksums', 'right-click'])
      expect(result.rows.find((r) => r.id === id)?.budget, id).not.toBeNull();
    expect(result.rows.filter((r) => r.status === 'n/a').map((r) => r.id)).toEqual([]);
    // The table is printed too, one line per row.
    for (const name of ['Signing cost', 'File from disk', 'vs curl -T', 'vs boto3 upload_file', 'Multipart, memory', 'Multipart with checksums', 'Right-click', 'Background', 'Popup JS', 'Popup ready'])
      expect(stdout).toContain(name);
  });
});
