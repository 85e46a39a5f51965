import { it } from 'vitest';
import { launchExtension } from '../support/extension';
import { startBlocksSite } from '../support/blocks-site';
declare const chrome: any;
it('scratch', async () => {
  const site = await startBlocksSite();
  for (const dpr of [2]) {
    const ext = await launchExtension({ hostOrigins: ['<all_urls>'], ...(dpr ? { extraArgs: ['--force-device-scale-factor=2'], deviceScaleFactor: 2 } : {}) });
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(site.pageUrl);
    await page.bringToFront();
    const t0 = Date.now();
    await page.evaluate(() => devicePixelRatio);
    console.log('dpr', dpr, 'move plain', Date.now() - t0);
    const pending = ext.worker.evaluate(async (pageUrl) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return (globalThis as any).__s3dropListeners.menu({ menuItemId: 'save-region', pageUrl, frameId: 0, editable: false }, tab);
    }, page.url());
    void pending.catch(() => {});
    await page.waitForFunction(() => document.querySelector('s3drop-region'));
    const t1 = Date.now();
    await Promise.race([page.mouse.move(80, 80), new Promise((r) => setTimeout(r, 5000))]);
    console.log('dpr', dpr, 'move overlay', Date.now() - t1);
    const step = async (name: string, f: () => Promise<unknown>) => { const t = Date.now(); const r = await Promise.race([f().then(() => 'ok'), new Promise((r) => setTimeout(() => r('TIMEOUT'), 5000))]); console.log('dpr step', name, r, Date.now() - t); };
    await step('down', () => page.mouse.down());
    await step('move', () => page.mouse.move(300, 200, { steps: 8 }));
    await step('up', () => page.mouse.up());
    await page.screenshot({ path: '/tmp/region-base/dbg.png' });
    const t2 = Date.now();
    await Promise.race([page.keyboard.press('Escape'), new Promise((r) => setTimeout(r, 5000))]);
    console.log('dpr', dpr, 'esc', Date.now() - t2, await Promise.race([pending, new Promise((r) => setTimeout(() => r('pending'), 3000))]));
    await ext.close();
  }
  await site.stop();
}, 120000);
