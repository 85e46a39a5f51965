import type { Worker } from 'playwright-core';
import type { Boto3, Boto3Server } from '../lib/boto3';
import { browserScript } from '../lib/inject';
import { measuredRow, summarize, type Row } from '../lib/report';
import { SIGNED_FILE } from '../inject/shared';
import type { WorkerSigner } from '../inject/worker-signer';

export interface SigningOptions {
  rounds: number;
  /** Files signed per round in the service worker. */
  workerFiles: number;
  /** Files per round in boto3 (slower; rounds last about as long). */
  botoFiles: number;
  log: (line: string) => void;
}

export const signingDef = {
  id: 'signing',
  name: '1  Signing cost per file (service worker)',
  ratioOf: 'S3 Drop / boto3 (time per file)',
  budget: { op: '<=', value: 1 },
} as const satisfies Pick<Row, 'id' | 'name' | 'ratioOf' | 'budget'>;

type SignerGlobal = { __benchSigner?: WorkerSigner };

/** Both signers' URLs must be ones the strict server accepts, or the race means nothing. */
async function checkAccepted(label: string, urls: { put: string; get: string }): Promise<void> {
  const body = new Uint8Array(SIGNED_FILE.size).fill(7);
  const res = await fetch(urls.put, { method: 'PUT', body, headers: { 'content-type': SIGNED_FILE.type } });
  if (res.status !== 200) throw new Error(`${label}: the strict server refused its PUT URL (${res.status}): ${await res.text()}`);
  const got = await fetch(urls.get);
  const bytes = new Uint8Array(await got.arrayBuffer());
  if (got.status !== 200 || bytes.length !== SIGNED_FILE.size) throw new Error(`${label}: the strict server refused its share link (${got.status})`);
}

/**
 * Row 1: what the background spends signing for one file, one upload URL
 * (`presignUpload`) and one share link (`presignShareLink`), with a client from
 * `createS3Client`, run in the extension's own service worker (the product's
 * modules bundled from src/ and evaluated there over DevTools, since no build
 * exposes its signer). Baseline: boto3 `generate_presigned_url` for the same
 * two URLs, timed inside Python. Rounds alternate the two.
 */
export async function signingRow(worker: Worker, server: Boto3Server, boto: Boto3 | null, botoMissing: string | null, opts: SigningOptions): Promise<Row> {
  const script = browserScript('worker-signer');
  /** The worker may have been stopped and restarted since the last call: bring the signer back if so. */
  const ready = async () => {
    const present = await worker.evaluate(() => Boolean((globalThis as SignerGlobal).__benchSigner));
    if (!present) await worker.evaluate(script);
    await worker.evaluate((conn) => (globalThis as SignerGlobal).__benchSigner!.init(conn), server);
  };
  const inWorker = async (n: number) => {
    await ready();
    return worker.evaluate((n) => (globalThis as SignerGlobal).__benchSigner!.perFile(n), n);
  };

  await ready();
  await checkAccepted('S3 Drop', await worker.evaluate(() => (globalThis as SignerGlobal).__benchSigner!.sample()));
  if (boto) {
    const sample = await boto.ask({ op: 'sample' });
    await checkAccepted('boto3', { put: String(sample.put), get: String(sample.get) });
  }
  opts.log('signing: the strict server accepts both signers’ upload URLs and share links');

  await inWorker(Math.min(200, opts.workerFiles)); // first use: SDK endpoint rules, WebCrypto keys
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 1; r <= opts.rounds; r++) {
    ours.push(await inWorker(opts.workerFiles));
    if (boto) theirs.push(Number((await boto.ask({ op: 'sign', n: opts.botoFiles })).usPerFile));
    opts.log(`signing: round ${r}/${opts.rounds}: service worker ${ours.at(-1)!.toFixed(0)} µs/file${boto ? `, boto3 ${theirs.at(-1)!.toFixed(0)} µs/file` : ''}`);
  }
  const figure = summarize(ours, 'µs');
  const what = `one upload URL + one share link per file, ${opts.workerFiles} files per round in the service worker, one after the other`;
  if (!boto) return measuredRow({ ...signingDef, note: `${what}; baseline skipped: ${botoMissing}` }, figure, null, null);
  const baseline = { ...summarize(theirs, 'µs'), label: 'boto3' };
  return measuredRow({ ...signingDef, note: `${what}; boto3 generate_presigned_url for the same two URLs, timed in Python` }, figure, baseline, figure.median / baseline.median);
}
