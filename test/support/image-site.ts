import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ICONS = join(import.meta.dirname, '../../public/icon');

/** A real PNG with a marker appended (decoders ignore trailing bytes), so every image differs. */
function png(size: 16 | 32 | 48 | 128, marker: string): Buffer {
  return Buffer.concat([readFileSync(join(ICONS, `${size}.png`)), Buffer.from(`s3drop-${marker}`)]);
}

export const IMAGES = {
  same: png(48, 'same-origin'),
  cross: png(128, 'cross-origin'),
  cookie: png(32, 'needs-cookie'),
  data: png(16, 'data-url'),
  blob: png(32, 'blob-url'),
  named: png(16, 'content-disposition'),
  /** On a third origin, reached through a redirect. */
  cdn: png(48, 'behind-a-redirect'),
};

/** What a test route answers. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface ImageSite {
  /** The page with every kind of image. */
  pageUrl: string;
  origin: string;
  /** Another origin (other port) serving the cross-origin image. */
  otherOrigin: string;
  /** A third origin, where `${otherOrigin}/img/moved.png` redirects to: a public image elsewhere. */
  cdnOrigin: string;
  /**
   * Adds a route to the other origin (the one a page's cross-origin images come from): a test's photo,
   * an SVG, a redirect. Answers `reply` from then on.
   */
  serve(path: string, reply: Reply): void;
  /** Paths the other origin was asked for, in order. */
  otherRequests: string[];
  stop(): Promise<void>;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    });
  });
}

/**
 * A small site on loopback, owned by the test: a page showing a same-origin
 * image, a cross-origin one, one served only with the page's cookie, a
 * `data:` and a `blob:` image, one whose name comes from Content-Disposition,
 * and one that 404s.
 */
export async function startImageSite(): Promise<ImageSite> {
  const cdn = await listen((req, res) => {
    if (req.url === '/img/cdn.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGES.cdn);
    res.writeHead(404).end();
  });
  const routes = new Map<string, Reply>();
  const otherRequests: string[] = [];
  const other = await listen((req, res) => {
    otherRequests.push(req.url ?? '');
    if (req.url === '/img/cross.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGES.cross);
      return;
    }
    // A page's image that moved to a CDN: a redirect anyone may follow.
    if (req.url === '/img/moved.png') return void res.writeHead(302, { location: `${cdn.origin}/img/cdn.png` }).end();
    const reply = routes.get(req.url ?? '');
    if (reply) return void res.writeHead(reply.status ?? 200, reply.headers ?? {}).end(reply.body ?? '');
    res.writeHead(404).end();
  });
  const site = await listen((req, res) => {
    const url = req.url ?? '/';
    if (url === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': 's3drop_session=letmein; Path=/; SameSite=Lax',
      });
      res.end(`<!doctype html><html><head><title>Images</title></head><body>
<h1>Every kind of image</h1>
<img id="same" alt="same origin" src="/img/same.png">
<img id="cross" alt="cross origin" src="${other.origin}/img/cross.png">
<img id="cookie" alt="needs a cookie" src="/img/cookie.png">
<img id="data" alt="data url" src="data:image/png;base64,${IMAGES.data.toString('base64')}">
<img id="blob" alt="blob url">
<img id="named" alt="named by the server" src="/img/download?id=7">
<img id="missing" alt="missing" src="/img/missing.png">
<script>
  const bytes = Uint8Array.from(atob('${IMAGES.blob.toString('base64')}'), (c) => c.charCodeAt(0));
  document.getElementById('blob').src = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
</script>
</body></html>`);
      return;
    }
    if (url === '/busy') {
      // A busy page: every pixel of the viewport a different, random colour, so its screenshot cannot compress.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Busy</title><style>html,body{margin:0;overflow:hidden}canvas{display:block}</style></head><body>
<canvas id="noise"></canvas>
<script>
  const canvas = document.getElementById('noise');
  const draw = () => {
    const w = Math.round(innerWidth * devicePixelRatio), h = Math.round(innerHeight * devicePixelRatio);
    canvas.width = w; canvas.height = h;
    canvas.style.width = innerWidth + 'px'; canvas.style.height = innerHeight + 'px';
    const ctx = canvas.getContext('2d');
    const pixels = ctx.createImageData(w, h);
    const words = new Uint32Array(pixels.data.buffer);
    for (let i = 0; i < words.length; i += 16384) crypto.getRandomValues(words.subarray(i, i + 16384));
    for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
    ctx.putImageData(pixels, 0, 0);
    document.body.dataset.drawn = w + 'x' + h;
  };
  addEventListener('resize', draw);
  draw();
</script></body></html>`);
      return;
    }
    if (url.startsWith('/blank/')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Blank</title><body></body>');
    if (url === '/img/same.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGES.same);
    if (url === '/img/cookie.png') {
      if (!/s3drop_session=letmein/.test(req.headers.cookie ?? '')) return void res.writeHead(403).end('no cookie, no image');
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGES.cookie);
    }
    if (url.startsWith('/img/download'))
      return void res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename*=UTF-8''caf%C3%A9%20menu.png` })
        .end(IMAGES.named);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  return {
    pageUrl: `${site.origin}/`,
    origin: site.origin,
    otherOrigin: other.origin,
    cdnOrigin: cdn.origin,
    serve: (path, reply) => void routes.set(path, reply),
    otherRequests,
    stop: async () => {
      await Promise.all([site.server, other.server, cdn.server].map((s) => new Promise((r) => s.close(() => r(null)))));
    },
  };
}
