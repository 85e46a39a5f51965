import { serveOnePage, type OnePageSite } from './one-page-site';

/** A page whose whole viewport is a canvas of random colours. */
export type NoiseSite = OnePageSite;

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
  return serveOnePage(html);
}
