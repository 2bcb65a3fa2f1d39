import { geluGradK, geluK } from '../../src/kernels/gelu';
import { geluGradWasmF32, geluWasmF32 } from '../../src/kernels/wasm/gelu-f32';
import { erfReference } from '../../src/kernels/unary';
import { Generator } from '../../src/random';

/** erfc(s) for s ≥ 0 to ~1e-14 relative: 1 − erf below 2 (no harmful cancellation), a continued fraction above. */
function erfc(s: number): number {
  if (s < 2) return 1 - erfReference(s);
  let f = s, cc = s, d = 0;
  for (let k = 1; k < 2000; k++) {
    const a = k / 2;
    d = 1 / (s + a * d);
    cc = s + a / cc;
    const delta = cc * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-s * s) / Math.sqrt(Math.PI) / f;
}

/** Φ(x) with full relative precision in both tails. */
const Phi = (x: number): number => (x < 0 ? 0.5 * erfc(-x / Math.SQRT2) : 1 - 0.5 * erfc(x / Math.SQRT2));
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const B = Math.sqrt(2 / Math.PI), K = 0.044715;
/** σ(v) without overflow. */
const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/**
 * The float32 kernels compute e^(−x²/2) (exact form) or e^(−2u) (tanh form) from a float32 argument, whose rounding alone
 * costs up to ~6e-8 × the argument in relative error: the tolerance grows with it (4e-6 at x = 0, 2e-5 at x = ±12).
 */
const tolerance = (approximate: 'none' | 'tanh', x: number): number =>
  4e-6 + 2e-7 * (approximate === 'none' ? 0.5 * x * x : Math.abs(2 * B * (x + K * x ** 3)));

const EXACT = {
  none: { f: (x: number) => x * Phi(x), df: (x: number) => Phi(x) + x * phi(x), scale: (x: number) => Math.abs(Phi(x)) + Math.abs(x * phi(x)) },
  tanh: {
    f: (x: number) => x * sigmoid(2 * B * (x + K * x ** 3)),
    df: (x: number) => {
      const s = sigmoid(2 * B * (x + K * x ** 3));
      return s + x * 2 * B * (1 + 3 * K * x * x) * s * (1 - s);
    },
    scale: (x: number) => {
      const s = sigmoid(2 * B * (x + K * x ** 3));
      return s + Math.abs(x * 2 * B * (1 + 3 * K * x * x) * s * (1 - s));
    },
  },
} as const;

/** Inputs: a dense sweep over [−16, 16], random normals, tiny values and the special values. */
function inputs(): Float32Array {
  const out: number[] = [];
  const n = 100_001;
  for (let i = 0; i < n; i++) out.push(-16 + (32 * i) / (n - 1));
  const g = new Generator(5);
  for (let i = 0; i < 20_000; i++) out.push(3 * g.normal());
  for (let i = 0; i < 5_000; i++) out.push(1e-3 * g.normal());
  return Float32Array.from(out);
}

describe.each(['none', 'tanh'] as const)('float32 SIMD gelu (approximate %s)', (approximate) => {
  const ref = EXACT[approximate];
  const x = inputs();
  const tanh = approximate === 'tanh';

  test('forward: relative error ≤ 4e-6 (+ the exponent argument\'s rounding) where |gelu(x)| ≥ 1e-28; tinier results flush to ±0', () => {
    const out = new Float32Array(x.length);
    expect(geluWasmF32(tanh, x, out)).toBe(true);
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      const want = ref.f(x[i]);
      const err = Math.abs(out[i] - want) / Math.max(Math.abs(want), 1e-28) / tolerance(approximate, x[i]);
      if (err > worst) [worst, at] = [err, x[i]];
    }
    if (worst > 1) throw new Error(`error ${worst} × the tolerance at x = ${at}`);
  });

  test('backward: error ≤ the same tolerance × (|Φ| + |x·φ|, the size of the terms gelu\' sums) × |upstream|', () => {
    const g = new Float32Array(x.length).map((_, i) => (i % 3) - 1.5);
    const out = new Float32Array(x.length);
    expect(geluGradWasmF32(tanh, g, x, out)).toBe(true);
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      const err = Math.abs(out[i] - g[i] * ref.df(x[i])) / (Math.abs(g[i]) * Math.max(ref.scale(x[i]), 1e-28)) / tolerance(approximate, x[i]);
      if (err > worst) [worst, at] = [err, x[i]];
    }
    if (worst > 1) throw new Error(`error ${worst} × the tolerance at x = ${at}`);
  });

  test('special values follow PyTorch: gelu(−∞) and every gradient at ±∞ are NaN, NaN propagates, no −0/+0 surprises', () => {
    const sx = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 40, -40, 1e30, -1e30]);
    const big = Math.fround(1e30);
    const out = new Float32Array(sx.length);
    expect(geluWasmF32(tanh, sx, out)).toBe(true);
    expect(Array.from(out.slice(0, 4))).toEqual([Infinity, NaN, NaN, 0]);
    expect(Array.from(out.slice(5))).toEqual([40, -0, big, -0]);
    const dg = new Float32Array(7).fill(1);
    const d = new Float32Array(7);
    expect(geluGradWasmF32(tanh, dg, sx.subarray(0, 7), d)).toBe(true);
    expect(Array.from(d)).toEqual([NaN, NaN, NaN, 0.5, 0.5, 1, 0]);
  });

  test('the dispatching kernels agree with the float64 loops on float32 data, for lengths around the SIMD threshold', () => {
    for (const n of [3, 255, 256, 257, 1031]) {
      const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 6);
      const gs = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
      const y = new Float32Array(n), y64 = new Float64Array(n), d = new Float32Array(n), d64 = new Float64Array(n);
      geluK(xs, y, approximate);
      geluK(Float64Array.from(xs), y64, approximate);
      geluGradK(gs, xs, d, approximate);
      geluGradK(Float64Array.from(gs), Float64Array.from(xs), d64, approximate);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(y[i] - y64[i])).toBeLessThanOrEqual(4e-6 * Math.abs(y64[i]) + 1e-7);
        expect(Math.abs(d[i] - d64[i])).toBeLessThanOrEqual(4e-6 * 2 * Math.abs(gs[i]) + 1e-7);
      }
    }
  });
});
