import { createServer, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

export interface ThrottleProxy {
  /** http://127.0.0.1:PORT — use it as the S3 endpoint. */
  origin: string;
  /** Request-body bytes per second let through; change it at any time. */
  bytesPerSecond: number;
  close(): Promise<void>;
}

/**
 * A loopback proxy that slows uploads down to a set rate, so a browser test
 * has time to close and reopen the popup mid-upload. Unlike the fault proxy it
 * forwards the `Host` header unchanged: the browser signed its requests for
 * this proxy's address, and the S3 server checks the signature against the
 * Host it receives.
 */
export async function startThrottleProxy(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: ThrottleProxy = { origin: '', bytesPerSecond, close: async () => {} };

  const server = createServer((req, res) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    out.on('error', () => req.socket.destroy());
    req.on('close', () => {
      if (!req.complete) out.destroy();
    });
    // Pace the body: after each chunk, pause long enough to keep to the rate.
    const started = Date.now();
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      const ok = out.write(chunk);
      const due = started + (sent / proxy.bytesPerSecond) * 1000;
      const wait = Math.max(0, due - Date.now());
      if (wait > 0 || !ok) {
        req.pause();
        const resume = () => setTimeout(() => req.resume(), wait);
        if (ok) resume();
        else out.once('drain', resume);
      }
    });
    req.on('end', () => out.end());
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
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
