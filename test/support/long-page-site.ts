import { serveOnePage, type OnePageSite } from './one-page-site';

/**
 * A long page with known content, for full-page captures: 4000 CSS pixels
 * tall (five 800-pixel viewports), a sticky header, a fixed badge, coloured
 * blocks at known places (two of them across the places where a 800-pixel
 * viewport's frames meet) and a marker at the very bottom. The left half is
 * colour noise drawn at the device's resolution, so the PNG is as large as a
 * busy real page's (about 3 bytes a pixel there); the right half is white
 * but for the blocks, so their rows can be found exactly.
 */
export const LONG_PAGE = {
  height: 4000,
  header: { colour: '#ff00ff', height: 60 },
  /** Fixed to the viewport at this place; shows in the first frame only. */
  badge: { colour: '#ffff00', left: 1150, top: 700, size: 40 },
  blocks: [
    { colour: '#ff0000', top: 750, height: 100 },
    { colour: '#00c000', top: 1700, height: 100 },
    { colour: '#0000ff', top: 2350, height: 100 },
    { colour: '#ffa000', top: 3300, height: 100 },
  ],
  marker: { colour: '#00ffff', height: 40 },
  /** The blocks, header and marker span these columns (CSS pixels); nothing else is drawn there. */
  plain: { from: 700, to: 1100 },
} as const;

export type LongPageSite = OnePageSite;

export async function startLongPageSite(): Promise<LongPageSite> {
  const p = LONG_PAGE;
  const block = (colour: string, top: number, height: number) =>
    `<div style="position:absolute;left:${p.plain.from - 20}px;width:${p.plain.to - p.plain.from + 40}px;top:${top}px;height:${height}px;background:${colour}"></div>`;
  const html = `<!doctype html><html><head><title>Long page</title>
<style>
  html, body { margin: 0; }
  html { scroll-behavior: smooth; }
  body { position: relative; background: #fff; }
  header { position: sticky; top: 0; height: ${p.header.height}px; background: ${p.header.colour}; z-index: 2; }
  main { height: ${p.height - p.header.height}px; }
  #noise { position: absolute; left: 0; top: 0; width: 640px; height: ${p.height}px; }
  #badge { position: fixed; left: ${p.badge.left}px; top: ${p.badge.top}px; width: ${p.badge.size}px; height: ${p.badge.size}px; background: ${p.badge.colour}; z-index: 3; }
</style></head><body>
<header></header><main></main>
<canvas id="noise"></canvas>
${p.blocks.map((b) => block(b.colour, b.top, b.height)).join('\n')}
${block(p.marker.colour, p.height - p.marker.height, p.marker.height)}
<div id="badge"></div>
<script>
  const canvas = document.getElementById('noise');
  canvas.width = Math.round(640 * devicePixelRatio);
  canvas.height = Math.round(${p.height} * devicePixelRatio);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < image.data.length; i += 65536) crypto.getRandomValues(image.data.subarray(i, i + 65536));
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  ctx.putImageData(image, 0, 0);
  document.body.dataset.drawn = 'yes';
</script></body></html>`;
  return serveOnePage(html);
}
