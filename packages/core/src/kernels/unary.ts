/**
 * Elementwise unary kernels: plain loops over typed arrays, one per function, so each loop stays monomorphic.
 * `x` and `out` have the same length; `out` may be `x` (in-place use).
 */
import type { FloatArray } from './types.js';
import { unaryWasmF32 } from './wasm/unary-f32.js';
import { gradF32, SIMD_MIN, unarySimpleF32 } from './wasm/elementwise-f32.js';

/**
 * From this length the SIMD float32 kernels (copy in, compute, copy out) beat Math.* loops. They compute in double
 * precision and round once, so results equal Math.fround(Math.*) (see test/kernels/unary-f32.test.ts); float64 always
 * uses Math.*.
 */
const WASM_MIN = 256;

export type UnaryKernel = (x: FloatArray, out: FloatArray) => void;

/** True when the float32 SIMD kernel of `op` computed o = op(x) (same values as the loops below). */
const simple = (op: Parameters<typeof unarySimpleF32>[0], x: FloatArray, o: FloatArray): boolean =>
  x.length >= SIMD_MIN && x instanceof Float32Array && unarySimpleF32(op, x, o as Float32Array);

export const negK: UnaryKernel = (x, o) => {
  if (simple('neg', x, o)) return;
  for (let i = 0; i < x.length; i++) o[i] = -x[i];
};
export const expK: UnaryKernel = (x, o) => {
  if (x instanceof Float32Array && x.length >= WASM_MIN && unaryWasmF32('exp', x, o as Float32Array)) return;
  for (let i = 0; i < x.length; i++) o[i] = Math.exp(x[i]);
};
export const logK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.log(x[i]); };
export const log1pK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.log1p(x[i]); };
export const sqrtK: UnaryKernel = (x, o) => {
  if (x instanceof Float32Array && x.length >= WASM_MIN && unaryWasmF32('sqrt', x, o as Float32Array)) return;
  for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i]);
};
export const absK: UnaryKernel = (x, o) => {
  if (simple('abs', x, o)) return;
  for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i]);
};
export const signK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.sign(x[i]); };
export const sinK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.sin(x[i]); };
export const cosK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.cos(x[i]); };
export const tanhK: UnaryKernel = (x, o) => {
  if (x instanceof Float32Array && x.length >= WASM_MIN && unaryWasmF32('tanh', x, o as Float32Array)) return;
  for (let i = 0; i < x.length; i++) o[i] = Math.tanh(x[i]);
};
/**
 * relu without a data-dependent branch: on activations whose sign is random a compare-and-jump mispredicts half the time
 * (measured 4.4 vs 1.2 ns per element). v·(v > 0) is exact except for v = -∞ (gives NaN, fixed to 0) and NaN (stays
 * NaN, like PyTorch); the fix-up branch is taken only for those, so it predicts well.
 */
export const reluK: UnaryKernel = (x, o) => {
  if (simple('relu', x, o)) return;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const r = v * +(v > 0) + 0; // + 0 turns the -0 of a negative v into 0
    o[i] = r === r ? r : v === v ? 0 : v;
  }
};
export const reciprocalK: UnaryKernel = (x, o) => {
  if (simple('reciprocal', x, o)) return;
  for (let i = 0; i < x.length; i++) o[i] = 1 / x[i];
};
export const squareK: UnaryKernel = (x, o) => {
  if (simple('square', x, o)) return;
  for (let i = 0; i < x.length; i++) o[i] = x[i] * x[i];
};
export const rsqrtK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = 1 / Math.sqrt(x[i]); };

/** silu(x) = x · sigmoid(x), with exp's argument kept non-positive like sigmoidK. */
export const siluK: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) o[i] = v / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      o[i] = (v * e) / (1 + e);
    }
  }
};

export const sigmoidK: UnaryKernel = (x, o) => {
  if (x instanceof Float32Array && x.length >= WASM_MIN && unaryWasmF32('sigmoid', x, o as Float32Array)) return;
  for (let i = 0; i < x.length; i++) {
    // Two branches keep exp's argument non-positive, so neither overflows.
    const v = x[i];
    if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    }
  }
};

/** softplus(x) = log(1 + eˣ), linear above `threshold` like PyTorch (beta = 1). */
export const softplusK: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    o[i] = v > 20 ? v : Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  }
};

/** Branch-free like reluK: the factor is 1 or slope, chosen arithmetically. */
export function leakyReluK(x: FloatArray, o: FloatArray, slope: number): void {
  const d = 1 - slope;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    o[i] = v * (slope + d * +(v > 0));
  }
}

/** int32 → int32 kernels for the ops whose PyTorch result on integers stays integer; they wrap like int32 (|-2³¹| = -2³¹). */
export type IntKernel = (x: Int32Array, out: Int32Array) => void;

export const negIntK: IntKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = -x[i]; };
export const absIntK: IntKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i]); };
export const signIntK: IntKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.sign(x[i]); };
export const reluIntK: IntKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = x[i] > 0 ? x[i] : 0; };
/** Math.imul, because x·x in double loses the low bits above 2⁵³ and would then wrap to the wrong int32. */
export const squareIntK: IntKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = Math.imul(x[i], x[i]); };

/** Works for float and int32 arrays alike (bounds of an int32 clamp are integers). */
export function clampK(x: FloatArray | Int32Array, o: FloatArray | Int32Array, lo: number, hi: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    o[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/**
 * erf to double precision, slowly: for |x| < 3 the series erf(x) = 2/√π·e^(-x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms
 * are all positive (no cancellation); for |x| ≥ 3, 1 - erfc(x) with erfc's continued fraction (modified Lentz). Used
 * directly near 0, where the series needs few terms, and to build the interpolation tables of `erf` below.
 */
export function erfReference(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = ax * ax;
    let term = ax, sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = ax, c = ax, d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = ax + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/*
 * Fast erf on [0.5, 6): one Chebyshev interpolant of degree 10 per interval of width 1/8, its coefficients computed
 * once at load from erfReference at Chebyshev nodes. erf is entire, so on such short intervals the interpolation error
 * is far below double round-off; evaluation is a table lookup and a Clenshaw recurrence (~30 flops).
 */
const ERF_LO = 0.5, ERF_HI = 6, ERF_STEPS_PER_UNIT = 8, ERF_DEG = 10;
const ERF_N = ERF_DEG + 1;
const ERF_TABLE = buildErfTable();

function buildErfTable(): Float64Array {
  const intervals = (ERF_HI - ERF_LO) * ERF_STEPS_PER_UNIT;
  const table = new Float64Array(intervals * ERF_N);
  const values = new Float64Array(ERF_N);
  for (let i = 0; i < intervals; i++) {
    const a = ERF_LO + i / ERF_STEPS_PER_UNIT, b = a + 1 / ERF_STEPS_PER_UNIT;
    for (let j = 0; j < ERF_N; j++) values[j] = erfReference((a + b) / 2 + ((b - a) / 2) * Math.cos((Math.PI * (j + 0.5)) / ERF_N));
    for (let k = 0; k < ERF_N; k++) {
      let s = 0;
      for (let j = 0; j < ERF_N; j++) s += values[j] * Math.cos((Math.PI * k * (j + 0.5)) / ERF_N);
      table[i * ERF_N + k] = ((k === 0 ? 1 : 2) / ERF_N) * s;
    }
  }
  return table;
}

/**
 * erf near 0 (|x| < 0.5) as the first 14 terms of its Taylor series, 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!·(2n+1)), in Horner
 * form in x²: the series alternates with terms falling faster than 4⁻ⁿ/n!, so the first omitted one (< 1e-19 relative)
 * bounds the error. It replaces the reference's convergence loop, ten times slower, where GELU's inputs cluster.
 */
const ERF_TAYLOR = Array.from({ length: 14 }, (_, n) => {
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return ((n % 2 ? -1 : 1) * 2) / Math.sqrt(Math.PI) / (factorial * (2 * n + 1));
});

function erfNearZero(x: number): number {
  const x2 = x * x;
  let p = ERF_TAYLOR[13];
  for (let n = 12; n >= 0; n--) p = p * x2 + ERF_TAYLOR[n];
  return x * p;
}

export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < ERF_LO) return erfNearZero(x);
  if (!(ax >= ERF_LO)) return erfReference(x); // NaN
  if (ax >= ERF_HI) return x > 0 ? 1 : -1;
  const pos = (ax - ERF_LO) * ERF_STEPS_PER_UNIT;
  const i = Math.floor(pos);
  const t = 2 * (pos - i) - 1;
  const base = i * ERF_N;
  let b1 = 0, b2 = 0;
  for (let k = ERF_DEG; k >= 1; k--) {
    const b0 = 2 * t * b1 - b2 + ERF_TABLE[base + k];
    b2 = b1;
    b1 = b0;
  }
  const r = t * b1 - b2 + ERF_TABLE[base];
  return x < 0 ? -r : r;
}

export const erfK: UnaryKernel = (x, o) => { for (let i = 0; i < x.length; i++) o[i] = erf(x[i]); };

/** Fused backward kernels: out = g · f'(…) in one pass, for the hot activations. g and y have the same length. */
export type GradKernel = (g: FloatArray, y: FloatArray, out: FloatArray) => void;

/** True when the float32 SIMD kernel computed the gradient (same values as the loops below). */
const simdGrad = (op: Parameters<typeof gradF32>[0], g: FloatArray, y: FloatArray, o: FloatArray): boolean =>
  g.length >= SIMD_MIN && g instanceof Float32Array && y instanceof Float32Array && gradF32(op, g, y, o as Float32Array);

/** y = tanh(x): g · (1 - y²) */
export const tanhGradK: GradKernel = (g, y, o) => {
  if (simdGrad('tanhGrad', g, y, o)) return;
  for (let i = 0; i < g.length; i++) o[i] = g[i] * (1 - y[i] * y[i]);
};
/** y = sigmoid(x): g · y · (1 - y) */
export const sigmoidGradK: GradKernel = (g, y, o) => {
  if (simdGrad('sigmoidGrad', g, y, o)) return;
  for (let i = 0; i < g.length; i++) o[i] = g[i] * y[i] * (1 - y[i]);
};
/** y = x (relu's input): g · (x > 0), branch-free like reluK; where x ≤ 0 the result is 0 even for g = ±∞ or NaN. */
export const reluGradK: GradKernel = (g, x, o) => {
  if (simdGrad('reluGrad', g, x, o)) return;
  for (let i = 0; i < g.length; i++) {
    const m = +(x[i] > 0);
    const r = g[i] * m + 0;
    o[i] = r === r ? r : m ? r : 0;
  }
};
