import { createServer } from 'node:http';

export interface NoiseSite {
  /** A page whose whole viewport is a canvas of random colours. */
  pageUrl: string;
  stop(): Promise<void>;
}

/**
 * A busy page, the worst case for a screenshot: every pixel a random opaque
 * colour, so the PNG cannot compress (about 3 bytes per pixel: ~3 MB at
 * 1280×800). The canvas is drawn before the load event, at the viewport's
 * size in device pixels, so a capture after load sees it whole.
 */
export async function startNoiseSite(): Promise<NoiseSite> {
  const html = `<!doctype html><html><head><title>Noise</title>
<style>html, body { margin: 0; overflow: hidden; } canvas { display: block; width: 100vw; height: 100vh; }</style>
</head><body><canvas id="noise"></canvas>
<script>
  const canvas = document.getElementById('noise');
  canvas.width = Math.round(innerWidth * devicePixelRatio);
  canvas.height = Math.round(innerHeight * devicePixelRatio);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(canvas.width, canvas.height);
  // getRandomValues fills at most 64 KiB per call.
  for (let i = 0; i < image.data.length; i += 65536) crypto.getRandomValues(image.data.subarray(i, i + 65536));
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  ctx.putImageData(image, 0, 0);
</script></body></html>`;
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
