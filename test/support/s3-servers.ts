/**
 * Local S3-compatible servers for integration tests.
 *
 *  - startSwift():  OpenStack Swift (proxy + account + container + object
 *                   servers) with the s3api middleware and tempauth. This is
 *                   the "strict" lane: it verifies SigV4 (header and presigned
 *                   query auth), expiry, clock skew and signed headers.
 *  - startS3rver(): in-process s3rver (lenient, fast, no real auth checks).
 *
 * Every server listens on 127.0.0.1 on a free port picked at start-up and
 * keeps all its state in a fresh temp dir that stop() removes.
 * See test/support/STRICT-LANE-FACTS.md for what the Swift lane enforces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type S3Connection } from '../../src/s3/client';

export interface S3Server {
  kind: 'swift' | 's3rver';
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: true;
  /**
   * Swift only: valid keys without rights on the buckets (a non-admin tempauth
   * user of the same account), for AccessDenied.
   */
  restrictedUser?: { accessKeyId: string; secretAccessKey: string };
  /** Idempotent. For Swift, retries ~15 s on 503 SlowDown while the storage servers come up. */
  createBucket(name: string): Promise<void>;
  /** Kills all child processes by PID (SIGTERM, SIGKILL after 3 s), removes temp dirs. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Buckets to create before the server is returned. */
  buckets?: string[];
}

const REGION = 'us-east-1';
const SWIFT_BINARIES = [
  'swift-proxy-server',
  'swift-account-server',
  'swift-container-server',
  'swift-object-server',
  'swift-ring-builder',
] as const;
const SWIFT_CONF = '/etc/swift/swift.conf';
/**
 * Environment for every Swift process. EVENTLET_NO_GREENDNS skips eventlet's
 * dnspython/httpx import chain (~0.5 s CPU per process); we only use IPs.
 */
const swiftEnv = (): NodeJS.ProcessEnv => ({ ...process.env, EVENTLET_NO_GREENDNS: 'yes', PYTHONUNBUFFERED: '1' });
const SWIFT_CONF_CONTENT = `[swift-hash]
swift_hash_path_prefix = s3drop-test-prefix
swift_hash_path_suffix = s3drop-test-suffix

[storage-policy:0]
name = Policy-0
default = yes
`;

// ---------------------------------------------------------------------------
// helpers

function onPath(bin: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), fsConstants.X_OK);
      return true;
    } catch {
      /* keep looking */
    }
  }
  return false;
}

/** True if all Swift server binaries and swift-ring-builder are on PATH. */
export function swiftInstalled(): boolean {
  return SWIFT_BINARIES.every(onPath);
}

/** The first port of the kernel's range for `listen(0)` (Linux: 32768 unless configured). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 21000 ? low : 32768;
  } catch {
    return 32768;
  }
}

/** Whether 127.0.0.1:port can be bound right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port for a server that binds it itself (Swift, uvicorn), below the
 * kernel's range for `listen(0)`. A port from that range is free only until
 * the next `listen(0)`: another test file's server, started in between,
 * took one from Swift once (its healthcheck answered the other server's
 * 404). Below the range only servers started this way bind, each at a
 * random port checked free.
 */
export async function freePort(): Promise<number> {
  const low = 20000;
  const high = ephemeralLow();
  for (let tries = 0; tries < 100; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** PIDs of every server child still running and temp dirs not yet removed, for the last-resort exit handler. */
const livePids = new Set<number>();
const liveDirs = new Set<string>();
let exitHandlerInstalled = false;
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const dir of liveDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  });
}

function killChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    if (pid !== undefined) livePids.delete(pid);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      livePids.delete(pid);
      resolve();
    };
    child.once('exit', done);
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        done();
      }
    }, 3000);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      done();
    }
  });
}

function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return (
    e?.$metadata?.httpStatusCode === 503 ||
    e?.name === 'SlowDown' ||
    e?.name === 'ServiceUnavailable' ||
    e?.Code === 'SlowDown' ||
    e?.Code === 'ServiceUnavailable'
  );
}

function isAlreadyThere(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists';
}

function makeClient(endpoint: string, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

async function createBucketWithRetry(client: S3Client, name: string, retryMs: number): Promise<void> {
  const deadline = Date.now() + retryMs;
  for (;;) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return;
    } catch (err) {
      if (isAlreadyThere(err)) return;
      if (isRetryable(err) && Date.now() < deadline) {
        await sleep(250);
        continue;
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------
// Swift

function ensureSwiftConf(): void {
  if (existsSync(SWIFT_CONF)) return;
  try {
    mkdirSync('/etc/swift', { recursive: true });
    writeFileSync(SWIFT_CONF, SWIFT_CONF_CONTENT, { flag: 'wx' });
  } catch (err) {
    if (existsSync(SWIFT_CONF)) return; // lost a race with another starter
    throw new Error(
      `Swift needs ${SWIFT_CONF} (the servers read it at import time, before swift_dir is known) ` +
        `and it could not be created: ${(err as Error).message}. Create it as root with:\n${SWIFT_CONF_CONTENT}`,
    );
  }
}

/** The interpreter swift-ring-builder runs with (its shebang), so we import the same swift package. */
function swiftPython(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      const first = readFileSync(join(dir, 'swift-ring-builder'), 'utf8').split('\n', 1)[0] ?? '';
      const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
      if (m?.[1]) return m[1].endsWith('/env') && m[2] ? m[2] : m[1];
    } catch {
      /* keep looking */
    }
  }
  return 'python3';
}

// Equivalent of, per ring X in account/container/object:
//   swift-ring-builder X.builder create 6 1 1
//   swift-ring-builder X.builder add r1z1-127.0.0.1:PORT/d1 100
//   swift-ring-builder X.builder rebalance
// but in ONE Python process: each swift-ring-builder call costs ~0.9 s of
// interpreter + import time, so the 9 CLI calls took ~8 s of our start-up.
const RING_SCRIPT = `
import json, sys
from swift.common.ring import RingBuilder
for name, port in json.loads(sys.argv[1]).items():
    b = RingBuilder(6, 1, 1)
    b.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port,
               'device': 'd1', 'weight': 100, 'meta': ''})
    b.rebalance()
    b.save(name + '.builder')
    b.get_ring().save(name + '.ring.gz')
`;

async function buildRings(dir: string, ports: Record<'account' | 'container' | 'object', number>): Promise<void> {
  const { status, out } = await new Promise<{ status: number | null; out: string }>((resolve) => {
    const child = spawn(swiftPython(), ['-c', RING_SCRIPT, JSON.stringify(ports)], {
      cwd: dir,
      env: swiftEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: null, out: `${out}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code, out });
    });
  });
  const missing = Object.keys(ports).filter((name) => !existsSync(join(dir, `${name}.ring.gz`)));
  if (missing.length) {
    throw new Error(`building the Swift rings failed (exit ${status}); missing ${missing.join(', ')}:\n${out}`);
  }
}

function serverConf(opts: {
  swiftDir: string;
  devices: string;
  port: number;
  user: string;
  app: 'account' | 'container' | 'object';
}): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${opts.port}
workers = 0
user = ${opts.user}
swift_dir = ${opts.swiftDir}
devices = ${opts.devices}
mount_check = false
log_name = ${opts.app}-server
log_level = INFO

[pipeline:main]
pipeline = ${opts.app}-server

[app:${opts.app}-server]
use = egg:swift#${opts.app}
`;
}

function proxyConf(opts: { swiftDir: string; port: number; user: string; memcachePort: number }): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${opts.port}
workers = 0
user = ${opts.user}
swift_dir = ${opts.swiftDir}
log_name = proxy-server
log_level = INFO

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# s3api only answers the CORS *preflight* (cors_preflight_allow_origin below);
# the proxy adds Access-Control-Allow-Origin/-Expose-Headers to the actual
# (successful) responses only for origins allowed here or in container meta.
cors_allow_origin = *

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

# Required: tempauth answers 500 "Memcache required" without a cache in the
# environment. No memcached daemon is needed (misses are tolerated). The port
# is a free one nobody listens on, NOT 11211: a real memcached there would be
# shared by concurrent instances (same account AUTH_test) and leak cached
# account/container info between them.
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${opts.memcachePort}

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = ${REGION}
cors_preflight_allow_origin = *
# AWS limits
max_upload_part_num = 10000
min_segment_size = 5242880
allowable_clock_skew = 900
dns_compliant_bucket_names = true

[filter:tempauth]
use = egg:swift#tempauth
# S3 access key "test:tester", secret "testing"
user_test_tester = testing .admin
# Valid keys with no rights on the admin's buckets: "test:guest" / "guestpass"
user_test_guest = guestpass

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
`;
}

function checkAlive(children: ChildProcess[]): void {
  const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
  if (dead) {
    throw new Error(`a Swift server exited early (${dead.spawnargs.join(' ')}: ${dead.exitCode ?? dead.signalCode})`);
  }
}

async function waitForHealthcheck(url: string, deadline: number, children: ChildProcess[]): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    checkAlive(children);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const body = await res.text();
      if (res.ok) return;
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = String((err as Error).message ?? err);
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${url} (last: ${last})`);
}

async function waitForPort(port: number, deadline: number, children: ChildProcess[]): Promise<void> {
  while (Date.now() < deadline) {
    checkAlive(children);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ port, host: '127.0.0.1' });
      sock.setTimeout(1000);
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
      sock.once('timeout', () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for a Swift storage server on 127.0.0.1:${port}`);
}

/**
 * Starts a throw-away Swift cluster with s3api + tempauth.
 * Keys: test:tester / testing. Region us-east-1, path-style.
 */
export async function startSwift(opts: StartOptions = {}): Promise<S3Server> {
  if (!swiftInstalled()) {
    throw new Error(`Swift is not installed (need ${SWIFT_BINARIES.join(', ')} on PATH; apt-get install swift-proxy swift-account swift-container swift-object)`);
  }
  ensureSwiftConf();
  installExitHandler();

  const root = mkdtempSync(join(tmpdir(), 's3drop-swift-'));
  liveDirs.add(root);
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(killChild));
    rmSync(root, { recursive: true, force: true });
    liveDirs.delete(root);
  };

  try {
    const swiftDir = join(root, 'etc');
    const devices = join(root, 'devices');
    mkdirSync(swiftDir);
    mkdirSync(join(devices, 'd1'), { recursive: true });
    const [proxyPort, accountPort, containerPort, objectPort, memcachePort] = (await distinctFreePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const user = userInfo().username;
    const pdeath = process.platform === 'linux' && onPath('setpriv');

    const spawnServer = (name: string, conf: string): void => {
      const confPath = join(swiftDir, `${name}.conf`);
      writeFileSync(confPath, conf);
      const logPath = join(root, `${name}.log`);
      logs.push(logPath);
      const fd = openSync(logPath, 'a');
      // setpriv --pdeathsig: the kernel SIGKILLs the server when the thread
      // that spawned it dies, even if this process is SIGKILLed (the 'exit'
      // handler cannot run then). It survives Swift's privilege drop because
      // user = the current user (no uid change).
      const [cmd, args] = pdeath
        ? ['setpriv', ['--pdeathsig', 'KILL', '--', `swift-${name}`, confPath, '-v']]
        : [`swift-${name}`, [confPath, '-v']];
      const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: swiftEnv() });
      closeSync(fd);
      // Not keeping the event loop alive: a script that forgets stop() still
      // exits, and the 'exit' handler then kills the servers.
      child.unref();
      child.on('error', (err) => writeFileSync(logPath, `spawn error: ${err.message}\n`, { flag: 'a' }));
      const pid = child.pid;
      if (pid !== undefined) {
        livePids.add(pid);
        child.once('exit', () => livePids.delete(pid));
      }
      children.push(child);
    };

    // Storage servers do not read the rings at start-up (only the proxy
    // does), so they boot while the rings are built; the proxy goes last.
    spawnServer('object-server', serverConf({ swiftDir, devices, port: objectPort, user, app: 'object' }));
    spawnServer('container-server', serverConf({ swiftDir, devices, port: containerPort, user, app: 'container' }));
    spawnServer('account-server', serverConf({ swiftDir, devices, port: accountPort, user, app: 'account' }));
    await buildRings(swiftDir, { account: accountPort, container: containerPort, object: objectPort });
    spawnServer('proxy-server', proxyConf({ swiftDir, port: proxyPort, user, memcachePort }));

    const endpoint = `http://127.0.0.1:${proxyPort}`;
    const deadline = Date.now() + 30_000;
    await Promise.all([
      waitForHealthcheck(`${endpoint}/healthcheck`, deadline, children),
      ...[accountPort, containerPort, objectPort].map((p) => waitForPort(p, deadline, children)),
    ]);

    const accessKeyId = 'test:tester';
    const secretAccessKey = 'testing';
    const client = makeClient(endpoint, accessKeyId, secretAccessKey);
    const server: S3Server = {
      kind: 'swift',
      restrictedUser: { accessKeyId: 'test:guest', secretAccessKey: 'guestpass' },
      endpoint,
      region: REGION,
      accessKeyId,
      secretAccessKey,
      forcePathStyle: true,
      createBucket: (name) => createBucketWithRetry(client, name, 15_000),
      stop: async () => {
        client.destroy();
        await stop();
      },
    };
    for (const b of opts.buckets ?? []) await server.createBucket(b);
    return server;
  } catch (err) {
    const detail = logs.map((l) => `--- ${l} (tail) ---\n${tail(l)}`).join('\n');
    await stop();
    const e = new Error(`startSwift failed: ${(err as Error).message}\n${detail}`);
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// s3rver

/** Starts an in-process s3rver (keys S3RVER / S3RVER). */
export async function startS3rver(opts: StartOptions = {}): Promise<S3Server> {
  // The part of s3rver's API we use.
  type S3rverCtor = new (o: Record<string, unknown>) => {
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  // s3rver is CommonJS without type declarations; require() keeps tsc quiet.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
  const dir = mkdtempSync(join(tmpdir(), 's3drop-s3rver-'));
  installExitHandler();
  liveDirs.add(dir);
  const buckets = opts.buckets ?? [];
  const instance = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  let addr: { address: string; port: number };
  try {
    addr = await instance.run();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const accessKeyId = 'S3RVER';
  const secretAccessKey = 'S3RVER';
  const client = makeClient(endpoint, accessKeyId, secretAccessKey);
  let stopped = false;
  return {
    kind: 's3rver',
    endpoint,
    region: REGION,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    createBucket: (name) => createBucketWithRetry(client, name, 0),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      client.destroy();
      await instance.close();
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** S3 Drop's connection to one bucket of a test server, with its own keys. */
export function connectionTo(server: S3Server, bucket: string): S3Connection {
  return {
    bucket,
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  };
}

/** The keys in a bucket of a test server, as its own keys list them (a test's view of what was uploaded). */
export async function listKeys(server: S3Server, bucket: string): Promise<string[]> {
  const client = createS3Client(connectionTo(server, bucket));
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  } finally {
    client.destroy();
  }
}
