/**
 * `pnpm --filter @tensorgrad/benchmarks run bench:conv`: conv2d forward + backward at the two convolution shapes of
 * the LeNet of the CNN row (batch 64) against the matrix products it lowers to, run through the same gemm as tensor matmuls:
 * y = W·col with W [out, in·k²] and col [in·k², batch·positions], backward to W (and to col where the conv's input
 * needs a gradient, as for the second layer). Both sides do the same multiply-adds, so equal GFLOP/s means the
 * convolution costs nothing beyond its matrix products. Interleaved repetitions, medians, and the fastest decile of
 * single iterations (less sensitive to other load on a shared machine); --quick for fewer.
 */
import { Generator, conv2d, randn, type Tensor } from '@tensorgrad/core';
import { formatTable, measureInterleaved, type Implementation, type Runner } from './harness.js';
import { CNN } from './workloads.js';

const generator = new Generator(1);

interface Layer {
  name: string;
  cin: number;
  cout: number;
  size: number;
  /** Whether the layer's input needs a gradient (not for the first layer, whose input is the data). */
  inputGrad: boolean;
}

const [c0, c1, c2] = CNN.channels, k = CNN.kernel;
const LAYERS: Layer[] = [
  { name: `conv1 ${c0}→${c1} ${k}×${k} on ${CNN.image}²`, cin: c0, cout: c1, size: CNN.image, inputGrad: false },
  { name: `conv2 ${c1}→${c2} ${k}×${k} on ${(CNN.image - k + 1) / 2}²`, cin: c1, cout: c2, size: (CNN.image - k + 1) / 2, inputGrad: true },
];

function clear(...ts: Tensor[]): void {
  for (const t of ts) t.grad = null;
}

function conv(layer: Layer, bias: boolean): Promise<Runner> {
  const out = layer.size - k + 1;
  const x = randn([CNN.batch, layer.cin, layer.size, layer.size], { generator, requiresGrad: layer.inputGrad });
  const w = randn([layer.cout, layer.cin, k, k], { generator, requiresGrad: true });
  const b = bias ? randn([layer.cout], { generator, requiresGrad: true }) : null;
  const g = randn([CNN.batch, layer.cout, out, out], { generator });
  return Promise.resolve({
    run: () => {
      clear(x, w, ...(b ? [b] : []));
      conv2d(x, w, b).backward(g);
    },
  });
}

function matmul(layer: Layer): Promise<Runner> {
  const out = layer.size - k + 1, depth = layer.cin * k * k, cols = CNN.batch * out * out;
  const w = randn([layer.cout, depth], { generator, requiresGrad: true });
  const col = randn([depth, cols], { generator, requiresGrad: layer.inputGrad });
  const g = randn([layer.cout, cols], { generator });
  return Promise.resolve({
    run: () => {
      clear(w, col);
      w.matmul(col).backward(g);
    },
  });
}

/** Multiply-adds ×2 of forward, weight gradient and (if needed) input gradient. */
function flops(layer: Layer): number {
  const out = layer.size - k + 1;
  return 2 * layer.cout * layer.cin * k * k * CNN.batch * out * out * (layer.inputGrad ? 3 : 2);
}

/**
 * The 10th percentile of single-iteration times, the runners taking turns one iteration at a time: on a loaded machine
 * medians mostly measure the other processes, while the fast decile is close to what the code costs.
 */
async function fastDecile(impls: readonly Implementation[], iterations: number): Promise<number[]> {
  const runners = await Promise.all(impls.map((i) => i.setup()));
  const times: number[][] = runners.map(() => []);
  for (let it = 0; it < iterations; it++) {
    runners.forEach((r, k) => {
      const t0 = performance.now();
      (r.run as () => void)();
      times[k].push((performance.now() - t0) / 1000);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(0.1 * (t.length - 1))]);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const opts = quick ? { rounds: 5, minSeconds: 0.1, warmup: 2, warmupSeconds: 0.5 } : { rounds: 15, minSeconds: 0.2, warmup: 3, warmupSeconds: 1 };
  const rows: string[][] = [];
  for (const layer of LAYERS) {
    const impls: Implementation[] = [
      { name: 'conv2d', setup: () => conv(layer, false) },
      { name: 'matmul', setup: () => matmul(layer) },
      { name: 'conv2d + bias', setup: () => conv(layer, true) },
    ];
    const [tc, tm, tb] = (await measureInterleaved(impls, opts)).map((m) => m.median);
    const [fc, fm] = await fastDecile(impls.slice(0, 2), quick ? 100 : 400);
    const rate = (s: number): string => (flops(layer) / s / 1e9).toFixed(1);
    rows.push([layer.name, rate(tc), rate(tm), `${(tm / tc).toFixed(2)}×`, rate(fc), rate(fm), `${(fm / fc).toFixed(2)}×`, rate(tb)]);
  }
  console.log(formatTable([
    'forward + backward, batch 64', 'conv2d GFLOP/s', 'matmul GFLOP/s', 'conv / matmul',
    'conv2d, fast decile', 'matmul, fast decile', 'conv / matmul', 'conv2d + bias',
  ], rows));
  console.log(`\n${process.version}; medians of ${opts.rounds} interleaved rounds, and the fastest decile of ${quick ? 100 : 400} alternating single iterations`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
