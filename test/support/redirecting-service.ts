import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request as a server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A "presign service" that answers every request with a redirect to another
 * origin (another port on 127.0.0.1), and that other origin: a server that
 * records every request's headers and, if ever reached, answers like a
 * presign service would, so a client that followed the redirect would seem
 * to work. Both owned by the test, on loopback.
 */
export interface RedirectingService {
  /** The service URL to configure, e.g. `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** The origin the redirect points at. */
  elsewhere: string;
  /** The redirect status it answers with (307 unless changed). */
  status: number;
  /** What the service itself received. */
  served: SeenRequest[];
  /** What reached the other origin: must stay empty. */
  recorded: SeenRequest[];
  stop(): Promise<void>;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    });
  });
}

const seen = (req: IncomingMessage): SeenRequest => ({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });

export async function startRedirectingService(): Promise<RedirectingService> {
  const recorded: SeenRequest[] = [];
  const served: SeenRequest[] = [];
  const other = await listen((req, res) => {
    recorded.push(seen(req));
    req.resume();
    const url = `${other.origin}/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240305%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240305T070809Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=f00d`;
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' }).end(JSON.stringify({ url }));
  });
  const service: RedirectingService = {
    baseUrl: '',
    elsewhere: other.origin,
    status: 307,
    served,
    recorded,
    stop: async () => {
      await Promise.all(
        [main.server, other.server].map(
          (s) =>
            new Promise<void>((done) => {
              s.close(() => done());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
  const main = await listen((req, res) => {
    served.push(seen(req));
    req.resume();
    res.writeHead(service.status, { location: `${other.origin}${req.url ?? '/'}`, 'content-length': '0' }).end();
  });
  service.baseUrl = main.origin;
  return service;
}
