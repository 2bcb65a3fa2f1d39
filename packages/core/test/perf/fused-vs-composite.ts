/**
 * The fused layerNorm and scaledDotProductAttention against the composites they replace (forward + backward, float32,
 * interleaved rounds; medians and the interquartile range of the per-round ratio). Not a jest test:
 *
 *   npx esbuild packages/core/test/perf/fused-vs-composite.ts --bundle --platform=node --outfile=/tmp/fused.js
 *   node /tmp/fused.js [rounds=20]
 */
import { Generator, randn, scaledDotProductAttention, layerNorm, triu, ones, type Tensor } from '../../src/index';

const rounds = Number(process.argv[2] ?? 20);
const g = new Generator(1);
const leaf = (shape: number[]) => randn(shape, { generator: g }).requiresGrad_();

interface Pair {
  name: string;
  inputs: Tensor[];
  fused: () => Tensor;
  composite: () => Tensor;
}

const x = leaf([4096, 256]), w = leaf([256]), b = leaf([256]);
const [B, H, T, D] = [16, 4, 128, 32];
const q = leaf([B, H, T, D]), k = leaf([B, H, T, D]), v = leaf([B, H, T, D]);
const causal = triu(ones([T, T]), 1).mul(-1e9);
const pairs: Pair[] = [
  {
    name: 'layerNorm [4096, 256]', inputs: [x, w, b],
    fused: () => layerNorm(x, 256, w, b),
    composite: () => {
      const c = x.sub(x.mean(-1, true));
      return c.div(c.square().mean(-1, true).add(1e-5).sqrt()).mul(w).add(b);
    },
  },
  {
    name: `causal attention [${B}, ${H}, ${T}, ${D}]`, inputs: [q, k, v],
    fused: () => scaledDotProductAttention(q, k, v, { isCausal: true }),
    composite: () => q.matmul(k.mT).mul(1 / Math.sqrt(D)).add(causal).softmax(-1).matmul(v),
  },
];

function time(p: Pair, f: () => Tensor): number {
  for (const t of p.inputs) t.grad = null;
  const t0 = performance.now();
  f().sum().backward();
  return performance.now() - t0;
}

const quantile = (xs: number[], qq: number) => [...xs].sort((a, c) => a - c)[Math.floor(qq * (xs.length - 1) + 0.5)];
for (const p of pairs) {
  const fused: number[] = [], comp: number[] = [];
  for (let r = 0; r < 3; r++) { time(p, p.fused); time(p, p.composite); }
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) { fused.push(time(p, p.fused)); comp.push(time(p, p.composite)); }
    else { comp.push(time(p, p.composite)); fused.push(time(p, p.fused)); }
  }
  const ratios = comp.map((c, i) => c / fused[i]);
  console.log(`${p.name}: fused ${quantile(fused, 0.5).toFixed(1)} ms, composite ${quantile(comp, 0.5).toFixed(1)} ms; ` +
    `composite/fused median ${quantile(ratios, 0.5).toFixed(2)} (IQR ${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)})`);
}
