import { createServer } from 'node:http';

/** A loopback site that serves one HTML page at `/` (404 elsewhere), for tests that capture a page. */
export interface OnePageSite {
  pageUrl: string;
  stop(): Promise<void>;
}

export async function serveOnePage(html: string): Promise<OnePageSite> {
  const server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    pageUrl: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
