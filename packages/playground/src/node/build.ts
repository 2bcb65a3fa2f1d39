/**
 * Builds the page into a folder of static files: index.html, style.css, playground.js (the page's thread) and
 * worker.js (training, with the ESM builds of @tensorgrad/core and @tensorgrad/nn that users install, so esbuild
 * can drop everything the playground does not use). `node dist/node/build.js [outdir]` builds and prints the sizes.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The package folder (this file is src/node/build.ts, or dist/node/build.js once compiled). */
export const PACKAGE_DIR = resolve(__dirname, '../..');
/** Where `pnpm playground` builds the page and serves it from. */
export const DEFAULT_OUTDIR = join(PACKAGE_DIR, 'dist/web');

/** Options of `buildPlayground`. */
export interface BuildOptions {
  outdir?: string;
  /** Minify the scripts and the stylesheet (default true). */
  minify?: boolean;
}

/** One built file and its size. */
export interface BuiltFile {
  file: string;
  bytes: number;
  /** Size after gzip -9, roughly what a server sends. */
  gzipBytes: number;
}

/** Builds the page into `outdir` (created if needed) and returns the size of each file. */
export async function buildPlayground({ outdir = DEFAULT_OUTDIR, minify = true }: BuildOptions = {}): Promise<BuiltFile[]> {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { playground: join(PACKAGE_DIR, 'src/web/main.ts'), worker: join(PACKAGE_DIR, 'src/web/worker.ts'), style: join(PACKAGE_DIR, 'static/style.css') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(PACKAGE_DIR, 'static/index.html'), join(outdir, 'index.html'));
  return ['index.html', 'style.css', 'playground.js', 'worker.js'].map((file) => {
    const bytes = readFileSync(join(outdir, file));
    return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

/** A table of file sizes in KB, with a total row. */
export function formatSizes(files: readonly BuiltFile[]): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
  const total = files.reduce((t, f) => ({ bytes: t.bytes + f.bytes, gzipBytes: t.gzipBytes + f.gzipBytes }), { bytes: 0, gzipBytes: 0 });
  return [
    `${'file'.padEnd(14)}${'minified'.padStart(9)}${'gzip'.padStart(10)}`,
    ...[...files, { file: 'total', ...total }].map((f) => `${f.file.padEnd(14)}${kb(f.bytes)} ${kb(f.gzipBytes)}`),
  ].join('\n');
}

if (require.main === module) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUTDIR;
  buildPlayground({ outdir }).then(
    (files) => console.log(`Built the playground into ${outdir}\n${formatSizes(files)}`),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
