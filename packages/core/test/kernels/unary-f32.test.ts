import { unaryWasmF32 } from '../../src/kernels/wasm/unary-f32';
import { UNARY_F32_OPS, type UnaryF32Op } from '../../src/kernels/wasm/unary-f32-simd';
import { Generator } from '../../src/random';

/** Exact references in float64; the kernels must match their float32 rounding to within one float32 ulp. */
const REFERENCE: Record<UnaryF32Op, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  sqrt: Math.sqrt,
};

const SPECIAL = [
  0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-30, -1e-30, 1e-7, -1e-7, 0.04, -0.04, 0.5, -0.5, 1, -1,
  8.6, 9.1, 9.2, -9.2, 20, -20, 88.7, 88.8, 89.5, -87.3, -103.3, -103.9, -104.5, -200, 200, 3.4e38, -3.4e38,
];

/** Distance in float32 ulps (of the reference) between `got` and the float32 rounding of `exact`. */
function ulpError(got: number, exact: number): number {
  const want = Math.fround(exact);
  if (Object.is(got, want)) return 0;
  if (Number.isNaN(want) || Number.isNaN(got) || !Number.isFinite(want) || !Number.isFinite(got)) return Infinity;
  return Math.abs(got - want) / Math.max(Math.abs(want) * 2 ** -23, 2 ** -149);
}

function check(op: UnaryF32Op, x: Float32Array): void {
  const out = new Float32Array(x.length);
  expect(unaryWasmF32(op, x, out)).toBe(true);
  let worst = 0, at = 0;
  for (let i = 0; i < x.length; i++) {
    const e = ulpError(out[i], REFERENCE[op](x[i]));
    if (e > worst) [worst, at] = [e, x[i]];
  }
  if (worst > 1) throw new Error(`${op}: ${worst} ulp from the float32-rounded reference at x = ${at}`);
}

describe('float32 SIMD exp / tanh / sigmoid / sqrt', () => {
  for (const op of UNARY_F32_OPS) {
    test(`${op}: special values are exact (signed zeros, ±∞, NaN, saturation, subnormals)`, () => {
      const x = Float32Array.from(SPECIAL);
      const out = new Float32Array(x.length);
      expect(unaryWasmF32(op, x, out)).toBe(true);
      const want = Array.from(x, (v) => Math.fround(REFERENCE[op](v)));
      expect(Array.from(out)).toEqual(want);
      for (let i = 0; i < x.length; i++) expect(Object.is(out[i], want[i])).toBe(true);
    });

    test(`${op}: within one float32 ulp on a dense sweep of the whole active range and on random inputs`, () => {
      const n = 300_001;
      const sweep = new Float32Array(n);
      for (let i = 0; i < n; i++) sweep[i] = -110 + (220 * i) / (n - 1);
      check(op, sweep);
      const g = new Generator(21);
      const random = new Float32Array(100_003);
      // Log-uniform magnitudes from 1e-8 to 1e2 with random signs reach the small-argument regime too.
      for (let i = 0; i < random.length; i++) random[i] = (g.random() < 0.5 ? -1 : 1) * 10 ** (g.random() * 10 - 8);
      check(op, random);
    });
  }

  test('odd lengths, in-place use and empty input', () => {
    for (const n of [0, 1, 2, 3, 5, 7, 1001]) {
      const x = Float32Array.from({ length: n }, (_, i) => (i - n / 2) / 7);
      const want = Array.from(x, (v) => Math.fround(Math.tanh(v)));
      const padded = new Float32Array(n + 2).fill(42);
      expect(unaryWasmF32('tanh', x, padded.subarray(1, n + 1))).toBe(true);
      expect(Array.from(padded.subarray(1, n + 1))).toEqual(want);
      expect([padded[0], padded[n + 1]]).toEqual([42, 42]);
      expect(unaryWasmF32('tanh', x, x)).toBe(true);
      expect(Array.from(x)).toEqual(want);
    }
  });
});
