import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Debian's interpreter: `python3` on PATH may be another one, without boto3. */
export const SYSTEM_PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export interface Boto3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/**
 * boto3 in Debian's Python (bench/boto3_helper.py), driven line by line so
 * interpreter start-up is never timed: the signer of the common FastAPI +
 * boto3 presign service (row 1's baseline) and `aws s3 cp`'s uploader (row 3b's).
 */
export class Boto3 {
  private lines: AsyncIterator<string>;
  private constructor(private child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Why boto3 cannot run here, or null. */
  static missing(): string | null {
    const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import boto3'], { encoding: 'utf8' });
    if (probe.error) return `${SYSTEM_PYTHON} not found`;
    if (probe.status !== 0) return `boto3 missing for ${SYSTEM_PYTHON} (apt-get install -y python3-boto3)`;
    return null;
  }

  static async start(server: Boto3Server): Promise<Boto3> {
    const child = spawn(SYSTEM_PYTHON, [join(import.meta.dirname, '..', 'boto3_helper.py')], { stdio: 'pipe' });
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

  /** `upload_file` with the default TransferConfig; ms measured inside Python. */
  async uploadFile(path: string, key: string): Promise<number> {
    return Number((await this.ask({ op: 'upload', path, key })).seconds) * 1000;
  }

  stop(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
