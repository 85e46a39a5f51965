/**
 * The reference presign service (test/fixtures/presign-service/app.py) on a
 * free loopback port, in front of an S3 server from ./s3-servers.ts.
 *
 * It runs on Debian's Python (`/usr/bin/python3`, with python3-fastapi,
 * python3-uvicorn and python3-boto3 from apt): `python3` on PATH may be
 * another interpreter without them. PRESIGN_PYTHON overrides the path.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, type S3Server } from './s3-servers';
import { EMPTY_SERVICE_PROFILE, type PresignServiceDraft } from '../../src/settings/profile';

export const PRESIGN_PYTHON = process.env.PRESIGN_PYTHON ?? '/usr/bin/python3';
export const PRESIGN_APP_DIR = resolve(import.meta.dirname, '../fixtures/presign-service');
const PACKAGES = 'python3-fastapi python3-uvicorn python3-boto3';

export interface PresignServiceOptions {
  s3: S3Server;
  /** Allowed buckets; the first is the default when a request names none. */
  bucket: string | string[];
  token: string;
  /** Object names must start with it, e.g. `drop/`. */
  prefix: string;
  /** Also accept the raw token in this header (e.g. `X-API-Key`). */
  tokenHeader?: string;
  /** Cap on upload URL lifetimes, seconds (the service's default is 300). */
  maxUploadExpiry?: number;
  /** Cap on access URL lifetimes, seconds. */
  maxAccessExpiry?: number;
}

export interface PresignService {
  /** e.g. `http://127.0.0.1:PORT`; the presign endpoint is `${baseUrl}/api/v1/files/presign`. */
  baseUrl: string;
  /** The service's log so far (uvicorn's access lines and any traceback). */
  log(): string;
  /** Kills the process by its PID and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

let checked: boolean | undefined;

/** Whether Debian's Python has FastAPI, uvicorn and boto3. */
export function presignPythonInstalled(): boolean {
  checked ??= spawnSync(PRESIGN_PYTHON, ['-c', 'import fastapi, uvicorn, boto3'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  return checked;
}

/**
 * Whether the team-mode tests can run. In CI missing packages are a failure;
 * on a developer machine the tests are skipped with a line saying what to install.
 */
export function presignServiceAvailable(): boolean {
  if (presignPythonInstalled()) return true;
  const message = `the reference presign service needs ${PRESIGN_PYTHON} with FastAPI, uvicorn and boto3 (apt-get install -y ${PACKAGES}).`;
  if (process.env.CI) throw new Error(`CI: ${message}`);
  console.warn(`Skipping team-mode tests: ${message}`);
  return false;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function kill(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        done();
      }
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      done();
    }
  });
}

/** Starts the reference service; resolves once `GET /healthz` answers. */
export async function startPresignService(opts: PresignServiceOptions): Promise<PresignService> {
  if (!presignPythonInstalled()) throw new Error(`${PRESIGN_PYTHON} lacks FastAPI, uvicorn or boto3: apt-get install -y ${PACKAGES}`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 's3drop-presign-'));
  const logPath = join(dir, 'service.log');
  const fd = openSync(logPath, 'a');
  const env: NodeJS.ProcessEnv = {
    // Only what the service needs: no AWS profile or proxy settings from the developer's shell.
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    PYTHONUNBUFFERED: '1',
    PRESIGN_TOKEN: opts.token,
    PRESIGN_BUCKETS: [opts.bucket].flat().join(','),
    PRESIGN_PREFIX: opts.prefix,
    S3_ENDPOINT_URL: opts.s3.endpoint,
    S3_REGION: opts.s3.region,
    S3_ADDRESSING_STYLE: opts.s3.forcePathStyle ? 'path' : 'auto',
    AWS_ACCESS_KEY_ID: opts.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.s3.secretAccessKey,
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(opts.tokenHeader ? { PRESIGN_TOKEN_HEADER: opts.tokenHeader } : {}),
    ...(opts.maxUploadExpiry ? { PRESIGN_MAX_UPLOAD_EXPIRY: String(opts.maxUploadExpiry) } : {}),
    ...(opts.maxAccessExpiry ? { PRESIGN_MAX_ACCESS_EXPIRY: String(opts.maxAccessExpiry) } : {}),
  };
  const args = ['-m', 'uvicorn', 'app:app', '--app-dir', PRESIGN_APP_DIR, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'info'];
  // setpriv --pdeathsig: the kernel kills the service if this process dies without stop().
  const [cmd, argv] = process.platform === 'linux' && spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', PRESIGN_PYTHON, ...args]]
    : [PRESIGN_PYTHON, args];
  const child = spawn(cmd, argv as string[], { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  const exitKill = () => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', exitKill);

  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '(no log)';
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', exitKill);
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = log();
      await stop();
      throw new Error(`the presign service exited (${child.exitCode ?? child.signalCode}):\n${text}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`the presign service did not answer on ${baseUrl} within 30 s:\n${text}`);
    }
    await sleep(100);
  }
  return { baseUrl, log, stop };
}

/**
 * A presign-service profile as the options page sends it for the reference
 * service at `baseUrl`: a bearer token, keys under `drop/`, one-hour links.
 */
export function serviceDraft(baseUrl: string, token: string, over: Partial<PresignServiceDraft> = {}): PresignServiceDraft {
  return {
    ...EMPTY_SERVICE_PROFILE,
    serviceUrl: baseUrl,
    serviceAuth: 'bearer',
    serviceAuthHeader: '',
    serviceToken: token,
    bucket: '',
    region: '',
    endpoint: '',
    forcePathStyle: true,
    keyTemplate: 'drop/{uuid}/{name}',
    linkExpirySeconds: 3600,
    ...over,
  };
}
