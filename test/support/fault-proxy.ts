/**
 * A loopback HTTP proxy that breaks requests on a schedule, for testing how
 * uploads survive a bad network. Owned by the test that starts it: it listens
 * on 127.0.0.1 on a free port and forwards to one S3 endpoint.
 *
 * Presigned URLs are signed for the endpoint's host:port, and S3 checks the
 * `Host` header against the signature. So the client talks to the proxy
 * (`proxy.fetch` rewrites the URL's origin, as if the socket went elsewhere)
 * and the proxy forwards with `Host` set to the endpoint's host: the request
 * S3 sees is byte for byte the one that was signed.
 *
 * A browser cannot be told to send a request elsewhere: there the proxy *is*
 * the endpoint (the profile's endpoint URL), requests are signed for its
 * address, and `keepHost` forwards the `Host` header as received.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Forward, but cut the connection once this many request-body bytes went through (a part dropped mid-way). */
  | { kind: 'drop'; afterBytes: number }
  /** Cut the connection before anything is forwarded (an endpoint that is not there). */
  | { kind: 'reset' }
  /** Read the body, then answer with an S3 error instead of forwarding (not before `notBefore`, epoch ms, if given). */
  | { kind: 'error'; status: number; code: string; message: string; notBefore?: number }
  /** Read the body and never answer: a server that hangs until the client gives up. */
  | { kind: 'stall' }
  /** Wait, then forward. */
  | { kind: 'delay'; ms: number }
  /**
   * Forward, and keep the server's answer from the client: the server acts on
   * the request, the client hears nothing until it gives up (the answer is
   * read and dropped; its status goes to the log as `heldStatus`).
   */
  | { kind: 'hold' }
  /**
   * Forward, with one byte of the request body inverted at this offset (same
   * length, same signed headers): data damaged on the way, which only a
   * checksum of the body can catch.
   */
  | { kind: 'flip'; at: number };

export const SLOW_DOWN: Fault = { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };

export interface ProxiedRequest {
  /** 1-based, in order of arrival. */
  n: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** The request's headers as received (names in lower case): what the client put on the wire. */
  headers: Record<string, string | string[] | undefined>;
}

export interface ProxyLogEntry extends ProxiedRequest {
  fault?: Fault['kind'];
  /** The status sent back, if any reply was sent. */
  status?: number;
  /** When the request arrived and when its reply started (epoch ms). */
  receivedAt: number;
  /** The client's TCP connection, numbered from 1, and whether an earlier request used it (keep-alive). */
  connection?: number;
  reusedConnection?: boolean;
  answeredAt?: number;
  /** `hold`: the status the server answered, which the client never got. */
  heldStatus?: number;
}

export type FaultSchedule = (request: ProxiedRequest) => Fault | undefined;

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The endpoint requests are forwarded to. */
  target: string;
  /** Every request seen, with what was done to it. */
  log: ProxyLogEntry[];
  /** Decides each request's fate; replace it at any time. */
  schedule: FaultSchedule;
  /** `fetch` that sends requests for `target` to the proxy instead. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

const errorXml = (code: string, message: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export interface FaultProxyOptions {
  /** Forward `Host` as the client sent it: for clients that use the proxy's address as their endpoint (a browser). */
  keepHost?: boolean;
}

export async function startFaultProxy(
  target: string,
  schedule: FaultSchedule = () => undefined,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const log: ProxyLogEntry[] = [];
  let count = 0;
  const connections = new WeakMap<Socket, { id: number; requests: number }>();
  let connectionCount = 0;

  const proxy: FaultProxy = {
    origin: '',
    target: upstream.origin,
    log,
    schedule,
    fetch: (input, init) => {
      const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const url = new URL(raw);
      if (url.origin === upstream.origin) {
        const via = new URL(proxy.origin);
        url.protocol = via.protocol;
        url.host = via.host;
      }
      return fetch(url, init);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, dropAfter?: number, hold = false, flipAt?: number) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: options.keepHost ? req.headers.host : upstream.host };
    for (const name of Object.keys(headers)) if (HOP_BY_HOP.has(name)) delete headers[name];
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (reply) => {
      if (hold) {
        entry.heldStatus = reply.statusCode;
        reply.resume();
        return;
      }
      entry.status = reply.statusCode;
      entry.answeredAt = Date.now();
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    out.on('error', () => req.socket.destroy());
    if (dropAfter !== undefined) {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= dropAfter) {
          out.destroy();
          req.socket.destroy();
        }
      });
    }
    if (flipAt !== undefined) {
      let offset = 0;
      req.on('data', (chunk: Buffer) => {
        const i = flipAt - offset;
        if (i >= 0 && i < chunk.length) chunk[i] = chunk[i]! ^ 0xff;
        offset += chunk.length;
      });
    }
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const conn = connections.get(req.socket);
    const entry: ProxyLogEntry = {
      n: ++count,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers },
      receivedAt: Date.now(),
      ...(conn ? { connection: conn.id, reusedConnection: conn.requests++ > 0 } : {}),
    };
    log.push(entry);
    const fault = proxy.schedule(entry);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case undefined:
        return forward(req, res, entry);
      case 'drop':
        return forward(req, res, entry, fault.afterBytes);
      case 'reset':
        req.socket.destroy();
        return;
      case 'error':
        req.resume();
        req.on('end', () => {
          const answer = () => {
            entry.status = fault.status;
            entry.answeredAt = Date.now();
            const body = errorXml(fault.code, fault.message);
            res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
            res.end(body);
          };
          const wait = (fault.notBefore ?? 0) - Date.now();
          if (wait > 0) setTimeout(answer, wait);
          else answer();
        });
        return;
      case 'stall':
        req.resume();
        return;
      case 'delay':
        setTimeout(() => forward(req, res, entry), fault.ms);
        return;
      case 'hold':
        return forward(req, res, entry, undefined, true);
      case 'flip':
        return forward(req, res, entry, undefined, false, fault.at);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    connections.set(socket, { id: ++connectionCount, requests: 0 });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('fault proxy: no address');
  proxy.origin = `http://127.0.0.1:${addr.port}`;
  return proxy;
}
