/**
 * GELU's cost relative to ReLU's: forward + backward through the public API on 1M float32 values, interleaved
 * (relu, gelu, gelu tanh and the former composite gelu in turn, in a rotating order) so machine noise hits all three alike. Prints per-variant medians
 * and the median and interquartile range of the per-round ratio to ReLU. Not a jest test (no timing assertions run in CI):
 *
 *   npx esbuild packages/core/test/perf/gelu-vs-relu.ts --bundle --platform=node --outfile=/tmp/gelu-vs-relu.js
 *   node /tmp/gelu-vs-relu.js [rounds=40]
 */
import { Generator, randn, type Tensor } from '../../src/index';

const n = 1 << 20;
const rounds = Number(process.argv[2] ?? 40);
const x = randn([n], { generator: new Generator(1) }).requiresGrad_();
const upstream = randn([n], { generator: new Generator(2) });

const variants: Record<string, (t: Tensor) => Tensor> = {
  relu: (t) => t.relu(),
  gelu: (t) => t.gelu(),
  'gelu tanh': (t) => t.gelu({ approximate: 'tanh' }),
  // What gelu was before it became a fused primitive: five ops, each a pass and an array.
  'composite': (t) => t.mul(0.5).mul(t.mul(Math.SQRT1_2).erf().add(1)),
};
const names = Object.keys(variants);

function time(name: string): number {
  x.grad = null;
  const t0 = performance.now();
  variants[name](x).backward(upstream);
  return performance.now() - t0;
}

const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
for (let w = 0; w < 5; w++) for (const k of names) time(k);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < names.length; i++) {
    const k = names[(i + r) % names.length];
    times[k].push(time(k));
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
for (const k of names) {
  const ratios = times[k].map((t, i) => t / times.relu[i]);
  console.log(`${k.padEnd(10)} median ${quantile(times[k], 0.5).toFixed(2)} ms (min ${quantile(times[k], 0).toFixed(2)})` +
    (k === 'relu' ? '' : `  ratio to relu: median ${quantile(ratios, 0.5).toFixed(2)}, IQR ${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`));
}
