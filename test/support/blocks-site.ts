import { serveOnePage, type OnePageSite } from './one-page-site';

/**
 * A page that fits one viewport, with coloured blocks at known places (CSS
 * pixels from the viewport's top left, the page not scrolled), for region
 * captures: a test selects some of them and checks which came out. `dark`
 * gives the same blocks on a dark background, for the overlay's picture.
 */
export const BLOCKS_PAGE = {
  background: '#ffffff',
  darkBackground: '#111418',
  blocks: {
    red: { colour: '#ff0000', left: 100, top: 100, width: 150, height: 100 },
    green: { colour: '#00c000', left: 300, top: 100, width: 150, height: 100 },
    blue: { colour: '#0000ff', left: 100, top: 300, width: 150, height: 100 },
    orange: { colour: '#ffa000', left: 600, top: 400, width: 150, height: 100 },
  },
} as const;

export type BlockName = keyof typeof BLOCKS_PAGE.blocks;

export interface BlocksSite extends OnePageSite {
  darkUrl: string;
}

export async function startBlocksSite(): Promise<BlocksSite> {
  const p = BLOCKS_PAGE;
  const page = (background: string) => `<!doctype html><html><head><title>Blocks</title>
<style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: ${background}; }
  .block { position: absolute; }
  p { position: absolute; left: 100px; top: 560px; margin: 0; font: 16px sans-serif; color: ${background === p.background ? '#333' : '#ccc'}; }
</style></head><body>
${Object.values(p.blocks)
  .map((b) => `<div class="block" style="left:${b.left}px;top:${b.top}px;width:${b.width}px;height:${b.height}px;background:${b.colour}"></div>`)
  .join('\n')}
<p>Four blocks at known places.</p>
</body></html>`;
  const light = await serveOnePage(page(p.background));
  const dark = await serveOnePage(page(p.darkBackground));
  return {
    pageUrl: light.pageUrl,
    darkUrl: dark.pageUrl,
    stop: async () => {
      await Promise.all([light.stop(), dark.stop()]);
    },
  };
}
