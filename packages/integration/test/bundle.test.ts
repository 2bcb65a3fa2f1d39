/**
 * The browser budget: a page that trains an MLP with @tensorgrad/core + @tensorgrad/nn, bundled as a web developer would
 * (esbuild, minified, ESM for browsers), is at most 60 KB gzipped, carries none of @tensorgrad/data's datasets, and still
 * trains. A core-only page is measured too. Bundles the built packages (run `pnpm run build` first): the `import`
 * condition, dist/esm. esbuild runs as a child process (its JS API refuses jest's sandboxed typed arrays).
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { gzipSync } from 'zlib';

const root = resolve(__dirname, '..', '..', '..');
const esbuild = join(dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
/**
 * The issue's budget. Op declarations are marked pure (`/* @__PURE__ *\/ defineOp(…)`), so ops no Tensor method and no
 * used op refers to (convolutions, pooling, attention, einsum, …) and their WebAssembly kernels drop out of pages that
 * do not call them.
 */
const BUDGET = 60 * 1024;
/**
 * The whole library as single files (every op, layer and optimizer; nothing can be dropped) is not what the budget is
 * about, but it should not grow unnoticed either: a ceiling with room for this round's ops and layers.
 */
const FULL_CEILING = 110 * 1024;

interface Bundle {
  code: string;
  gzip: number;
  inputs: string[];
  file: string;
}

let out: string;
beforeAll(() => {
  for (const p of ['core', 'nn']) {
    if (!existsSync(join(root, 'packages', p, 'dist', 'esm', 'index.js'))) throw new Error("run 'pnpm run build' first");
  }
  out = mkdtempSync(join(tmpdir(), 'tensorgrad-bundle-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bundle(entry: string): Bundle {
  const file = join(out, entry.replace(/\.ts$/, '.mjs'));
  const meta = `${file}.meta.json`;
  execFileSync(esbuild, [
    join(__dirname, 'fixtures', 'page', entry), '--bundle', '--minify', '--format=esm', '--platform=browser', '--target=es2022',
    `--outfile=${file}`, `--metafile=${meta}`, '--log-level=warning',
  ]);
  const code = readFileSync(file, 'utf8');
  const inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  return { code, gzip: gzipSync(code, { level: 9 }).length, inputs, file };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

test('core + nn: an MLP training page bundles to at most 60 KB gzipped, without datasets, and trains', () => {
  const page = bundle('train-mlp.ts');
  process.stdout.write(`bundle size, MLP page (core + nn): ${kb(page.code.length)} minified, ${kb(page.gzip)} gzipped\n`);
  expect(page.gzip).toBeLessThanOrEqual(BUDGET);
  // Built from the ESM builds, and nothing of @tensorgrad/data (MNIST digits, names lists) or Node's file system.
  expect(page.inputs.some((f) => f.includes('packages/nn/dist/esm/'))).toBe(true);
  expect(page.inputs.some((f) => f.includes('packages/core/dist/esm/'))).toBe(true);
  expect(page.inputs.filter((f) => /packages\/data\/|mnist|@stdlib|node:/.test(f))).toEqual([]);
  expect(page.code).not.toMatch(/aarika|digits\/0\.json/);
  const result = JSON.parse(execFileSync(process.execPath, [page.file], { encoding: 'utf8' })) as { accuracy: number; kernels: object };
  // backendInfo() reports the kernel families the bundle contains: an MLP page never convolves, so that module (and its
  // entry) is left out; the activations' table reaches GELU, and MLP's options reach LayerNorm.
  const simd = (families: string[]): Record<string, string> => Object.fromEntries(families.map((f) => [f, 'wasm-simd']));
  expect(result).toEqual({ accuracy: 1, kernels: simd(['matmul', 'unary', 'elementwise', 'copy', 'gelu', 'layerNorm', 'optimizers']) });
});

test('core alone: the autograd page bundles and computes the same gradients', () => {
  const page = bundle('autograd.ts');
  process.stdout.write(`bundle size, autograd page (core): ${kb(page.code.length)} minified, ${kb(page.gzip)} gzipped\n`);
  expect(page.gzip).toBeLessThanOrEqual(BUDGET);
  expect(page.inputs.some((f) => f.includes('packages/nn/'))).toBe(false);
  const result = JSON.parse(execFileSync(process.execPath, [page.file], { encoding: 'utf8' })) as { loss: number; dw: number[]; gradcheck: boolean };
  // y = tanh(x·w), loss = mean(y²) with x = [[1, 2], [3, 4]], w = [0.5, -1]: x·w = [-1.5, -2.5].
  const t = [Math.tanh(-1.5), Math.tanh(-2.5)];
  expect(result.loss).toBeCloseTo((t[0] ** 2 + t[1] ** 2) / 2, 6);
  const dy = t.map((v) => v * (1 - v * v)); // d(mean y²)/d(x·w) = y · (1 − y²) for two elements
  expect(result.dw[0]).toBeCloseTo(dy[0] * 1 + dy[1] * 3, 5);
  expect(result.dw[1]).toBeCloseTo(dy[0] * 2 + dy[1] * 4, 5);
  expect(result.gradcheck).toBe(true);
});

test('the shipped single-file browser bundles hold no datasets either, and stay under their own ceiling', () => {
  const nn = readFileSync(join(root, 'packages', 'nn', 'dist', 'tensorgrad-nn.mjs'), 'utf8');
  const core = readFileSync(join(root, 'packages', 'core', 'dist', 'tensorgrad-core.mjs'), 'utf8');
  process.stdout.write(`shipped bundles, gzipped: tensorgrad-core.mjs ${kb(gzipSync(core, { level: 9 }).length)}, tensorgrad-nn.mjs ${kb(gzipSync(nn, { level: 9 }).length)}\n`);
  expect(nn).toMatch(/from"@tensorgrad\/core"/);
  expect(nn).not.toMatch(/mnist|aarika/);
  expect(gzipSync(core, { level: 9 }).length + gzipSync(nn, { level: 9 }).length).toBeLessThanOrEqual(FULL_CEILING);
});
