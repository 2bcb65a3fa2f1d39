/**
 * Headless Chromium for the browser tests and the screenshot script: Debian's `chromium` (CI installs it with apt),
 * driven by playwright-core, which never downloads a browser of its own. Each launch gets a fresh profile folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The browser binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`No Chromium at ${path}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return path;
}

/** Flags for a quiet, self-contained headless run: no GPU, no sandbox (CI runs as root), no background traffic. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A running headless Chromium with its own profile. */
export interface Browser {
  context: BrowserContext;
  /** Closes the browser and deletes its profile folder. */
  close(): Promise<void>;
}

/** Launches Chromium headless with CHROMIUM_FLAGS, a fresh profile, downloads allowed and the given viewport. */
export async function launchBrowser({ width = 1400, height = 1000 }: { width?: number; height?: number } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tensorgrad-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width, height },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
