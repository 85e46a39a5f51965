import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/s3/client';
import { presignShareLink, presignUpload } from '../../src/s3/presign';
import { measuredRow, placeholderRow, summarize, type Row } from '../lib/report';

/** Debian's interpreter: `python3` on PATH may be another one, without boto3. */
export const SYSTEM_PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export interface PresignServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export interface PresignOptions {
  rounds: number;
  /** URLs per round, Node side. */
  nodeBatch: number;
  /** URLs per round, boto3 side (it is slower; rounds last about as long). */
  botoBatch: number;
  log: (line: string) => void;
}

const BODY = new Uint8Array(1024).fill(7);
const TYPE = 'application/octet-stream';

/** Node: the signing module the background uses, with a client from createS3Client. */
function nodeSigners(client: S3Client, bucket: string) {
  return {
    put: (i: number) =>
      presignUpload(client, { bucket, key: `bench/${i}/file.bin`, contentType: TYPE, contentLength: BODY.length }),
    get: (i: number) =>
      presignShareLink(client, { bucket, key: `bench/${i}/file.bin`, fileName: 'file.bin', contentType: TYPE, expiresIn: 3600 }),
  };
}

async function nodePerSecond(sign: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await sign(i);
  return n / ((performance.now() - start) / 1000);
}

/** boto3 in Debian's Python, driven line by line so start-up is never timed. */
class Boto3 {
  private lines: AsyncIterator<string>;
  private constructor(private child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static available(): string | null {
    const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import boto3'], { encoding: 'utf8' });
    if (probe.error) return `${SYSTEM_PYTHON} not found`;
    if (probe.status !== 0) return `boto3 missing for ${SYSTEM_PYTHON} (apt-get install -y python3-boto3)`;
    return null;
  }

  static async start(server: PresignServer): Promise<Boto3> {
    const child = spawn(SYSTEM_PYTHON, [join(import.meta.dirname, '..', 'boto3_presign.py')], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const boto = new Boto3(child);
    const hello = await boto.read().catch((e: Error) => {
      throw new Error(`${e.message}\n${stderr}`);
    });
    if (hello.error) throw new Error(String(hello.error));
    await boto.ask({ op: 'init', ...server });
    return boto;
  }

  private async read(): Promise<Record<string, unknown>> {
    const next = await this.lines.next();
    if (next.done) throw new Error('boto3 helper exited');
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  async ask(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    const reply = await this.read();
    if (reply.error) throw new Error(`boto3 helper: ${String(reply.error)}`);
    return reply;
  }

  stop(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

/** Both signers' URLs must be ones the strict server accepts, or the race means nothing. */
async function checkAccepted(label: string, put: string, get: string): Promise<void> {
  const res = await fetch(put, { method: 'PUT', body: BODY, headers: { 'content-type': TYPE } });
  if (res.status !== 200) throw new Error(`${label}: the strict server refused its PUT URL (${res.status}): ${await res.text()}`);
  const got = await fetch(get);
  const bytes = new Uint8Array(await got.arrayBuffer());
  if (got.status !== 200 || bytes.length !== BODY.length) throw new Error(`${label}: the strict server refused its GET URL (${got.status})`);
}

const rows = {
  put: { id: 'presign-put', name: '1a Presign PUT, URLs/s (Node)', ratioOf: 'S3 Drop / boto3', budget: { op: '>=', value: 5 } },
  get: { id: 'presign-get', name: '1b Presign GET, URLs/s (Node)', ratioOf: 'S3 Drop / boto3', budget: { op: '>=', value: 5 } },
} as const;

export async function presignRows(server: PresignServer | null, opts: PresignOptions): Promise<Row[]> {
  // Without a server the URLs are signed for a made-up endpoint and not checked.
  const target: PresignServer = server ?? {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    accessKeyId: 'test:tester',
    secretAccessKey: 'testing',
    bucket: 'bench',
  };
  const client = createS3Client({
    bucket: target.bucket,
    region: target.region,
    endpoint: target.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
  });
  const node = nodeSigners(client, target.bucket);
  const botoMissing = Boto3.available();
  const boto = botoMissing ? null : await Boto3.start(target);
  try {
    if (server) {
      await checkAccepted('S3 Drop', (await node.put(0)).url, (await node.get(0)).url);
      if (boto) {
        const sample = await boto.ask({ op: 'sample' });
        await checkAccepted('boto3', String(sample.put), String(sample.get));
      }
      opts.log('presign: the strict server accepts both signers’ PUT and GET URLs');
    }
    // Warm-up, then rounds that alternate the two signers so load on the machine hits both alike.
    await nodePerSecond(node.put, 500);
    await nodePerSecond(node.get, 500);
    const samples = { put: { node: [] as number[], boto: [] as number[] }, get: { node: [] as number[], boto: [] as number[] } };
    for (let r = 0; r < opts.rounds; r++) {
      for (const op of ['put', 'get'] as const) {
        samples[op].node.push(await nodePerSecond(node[op], opts.nodeBatch));
        if (boto) samples[op].boto.push(Number((await boto.ask({ op, n: opts.botoBatch })).perSecond));
      }
      opts.log(
        `presign: round ${r + 1}/${opts.rounds}: PUT ${Math.round(samples.put.node.at(-1)!)}/s` +
          (boto ? ` vs boto3 ${Math.round(samples.put.boto.at(-1)!)}/s` : '') +
          `, GET ${Math.round(samples.get.node.at(-1)!)}/s` +
          (boto ? ` vs boto3 ${Math.round(samples.get.boto.at(-1)!)}/s` : ''),
      );
    }
    return (['put', 'get'] as const).map((op) => {
      const figure = summarize(samples[op].node, 'URL/s');
      if (!boto) return { ...measuredRow({ ...rows[op], note: `baseline skipped: ${botoMissing}` }, figure, null, null) };
      const baseline = { ...summarize(samples[op].boto, 'URL/s'), label: 'boto3' };
      return measuredRow(rows[op], figure, baseline, figure.median / baseline.median);
    });
  } catch (err) {
    return (['put', 'get'] as const).map((op) => placeholderRow(rows[op], 'error', (err as Error).message));
  } finally {
    boto?.stop();
    client.destroy();
  }
}
