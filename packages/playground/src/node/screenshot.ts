/**
 * Takes the screenshot the README and docs/playground.md show: the playground after it has learned the spiral.
 * `node dist/node/screenshot.js [out.png] [#fragment]` builds the page, serves it, trains in headless Chromium
 * until the test loss is below 0.03 (or 60 s pass) and saves the page's main area as a PNG.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPlayground, PACKAGE_DIR } from './build.js';
import { launchBrowser } from './browser.js';
import { serveFolder } from './serve.js';

/** The defaults, on the spiral, with the test points shown. */
export const SCREENSHOT_CONFIG = '#dataset=spiral&speed=30&showTest=1';

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(PACKAGE_DIR, '../../docs/images/playground-spiral.png'));
  const hash = process.argv[3] ?? SCREENSHOT_CONFIG;
  const outdir = mkdtempSync(join(tmpdir(), 'tensorgrad-playground-'));
  await buildPlayground({ outdir });
  const server = await serveFolder(outdir, { port: 0 });
  const browser = await launchBrowser({ width: 1320, height: 900 });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}${hash}`);
    await page.waitForSelector('[data-testid=op-graph] svg');
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => {
      const readout = (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } | null } }).document.querySelector('[data-testid=test-loss]');
      return Number(readout?.dataset.value || 1) < 0.03;
    }, undefined, { timeout: 60_000, polling: 100 });
    await page.click('[data-testid=play]');
    await page.waitForTimeout(300);
    const stage = page.locator('#stage');
    const box = (await stage.boundingBox())!;
    const toolbar = (await page.locator('.toolbar').boundingBox())!;
    await page.screenshot({ path: out, fullPage: true, clip: { x: box.x, y: toolbar.y, width: box.width, height: box.y + box.height - toolbar.y } });
    console.log(`Saved ${out} at epoch ${await page.textContent('[data-testid=epoch]')}, test loss ${await page.textContent('[data-testid=test-loss]')}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
