import { createServer, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

/** One request the proxy passed on, as the test sees it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as the browser sent them. */
  url: string;
  /** The whole body went on to the server: it can be answered even while the proxy holds. */
  sent: boolean;
  /** The server's status; absent until it answered. */
  status?: number;
}

export interface ThrottleProxy {
  /** http://127.0.0.1:PORT — use it as the S3 endpoint. */
  origin: string;
  /** Request-body bytes per second let through on each connection (or on all together, with `shared`); change it at any time. */
  bytesPerSecond: number;
  /**
   * Stops passing request bodies on until `release()`: the upload stands
   * still mid-way, however fast or slow the machine, so a test can act
   * "during the upload" without racing it. Requests without a body still pass.
   */
  hold(): void;
  /** Lets held bodies through again, at `bytesPerSecond`. */
  release(): void;
  /** Request-body bytes passed on to the server so far: shows an upload moving with nothing else to watch. */
  readonly forwarded: number;
  /** Every request passed on, in the order they came: shows which parts went up, and when nothing was sent. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback proxy that slows uploads down to a set rate, or holds them, so a
 * browser test has time to close and reopen the popup mid-upload. Unlike the
 * fault proxy it forwards the `Host` header unchanged: the browser signed its
 * requests for this proxy's address, and the S3 server checks the signature
 * against the Host it receives.
 */
export async function startThrottleProxy(
  target: string,
  bytesPerSecond: number,
  options: {
    /**
     * One link for all connections, as a user's uplink is: the rate is for all request bodies together, so one
     * connection alone can use all of it. Without it, each connection gets the rate on its own.
     */
    shared?: boolean;
  } = {},
): Promise<ThrottleProxy> {
  const upstream = new URL(target);
  /** With `shared`: when the link has passed every chunk given to it so far. */
  let linkFreeAt = 0;
  const sockets = new Set<Socket>();
  let held = false;
  /** Bodies paused by `hold()`, resumed by `release()`. */
  const waiting = new Set<() => void>();
  const proxy: { -readonly [K in keyof ThrottleProxy]: ThrottleProxy[K] } = {
    origin: '',
    bytesPerSecond,
    forwarded: 0,
    requests: [],
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const resume of waiting) resume();
      waiting.clear();
    },
    close: async () => {},
  };

  const server = createServer((req, res) => {
    const logged: ProxiedRequest = { method: req.method ?? '', url: req.url ?? '', sent: false };
    (proxy.requests as ProxiedRequest[]).push(logged);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        logged.status = reply.statusCode;
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    out.on('error', () => req.socket.destroy());
    let heldChunk: (() => void) | undefined;
    req.on('close', () => {
      if (heldChunk) waiting.delete(heldChunk);
      if (!req.complete) out.destroy();
    });
    // Pace the body: after each chunk, pause long enough to keep to the rate.
    const started = Date.now();
    let sent = 0;
    /** Passes a chunk on; says whether it paused the body to keep to the rate. */
    const forward = (chunk: Buffer): boolean => {
      sent += chunk.length;
      proxy.forwarded += chunk.length;
      const ok = out.write(chunk);
      const now = Date.now();
      // Shared: each chunk takes its turn on the one link, after every chunk before it.
      if (options.shared) linkFreeAt = Math.max(now, linkFreeAt) + (chunk.length / proxy.bytesPerSecond) * 1000;
      const due = options.shared ? linkFreeAt : started + (sent / proxy.bytesPerSecond) * 1000;
      const wait = Math.max(0, due - now);
      if (wait === 0 && ok) return false;
      req.pause();
      const resume = () => setTimeout(() => req.resume(), wait);
      if (ok) resume();
      else out.once('drain', resume);
      return true;
    };
    req.on('data', (chunk: Buffer) => {
      if (!held) return void forward(chunk);
      // Keep this chunk and read nothing more until released.
      req.pause();
      heldChunk = () => {
        heldChunk = undefined;
        if (!forward(chunk)) req.resume();
      };
      waiting.add(heldChunk);
    });
    req.on('end', () => {
      logged.sent = true;
      out.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      proxy.release();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
