/**
 * GELU forward and fused backward kernels, exact (x·Φ(x)) and tanh-approximated. float32 arrays of a few hundred
 * elements or more run the SIMD module (wasm/gelu-f32-simd.ts); float64 (and float32 without SIMD) uses these loops,
 * which follow PyTorch's formulas so float64 results agree with PyTorch's to a few ulps.
 */
import type { FloatArray } from './types.js';
import { erf } from './unary.js';
import { geluGradWasmF32, geluWasmF32 } from './wasm/gelu-f32.js';

/** From this length the SIMD kernels (copy in, compute, copy out) beat the scalar loops. */
const WASM_MIN = 256;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** √(2/π), and the cubic coefficient of the tanh approximation. */
const BETA = Math.sqrt(2 / Math.PI);
const KAPPA = 0.044715;

export type GeluApproximate = 'none' | 'tanh';

/** out = gelu(x); `out` may be `x`. */
export function geluK(x: FloatArray, out: FloatArray, approximate: GeluApproximate): void {
  const tanh = approximate === 'tanh';
  if (x instanceof Float32Array && x.length >= WASM_MIN && geluWasmF32(tanh, x, out as Float32Array)) return;
  if (tanh) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = 0.5 * v * (1 + Math.tanh(BETA * (v + KAPPA * v * v * v)));
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v * 0.5 * (1 + erf(v * Math.SQRT1_2));
    }
  }
}

/** out = g · gelu'(x), one pass. */
export function geluGradK(g: FloatArray, x: FloatArray, out: FloatArray, approximate: GeluApproximate): void {
  const tanh = approximate === 'tanh';
  if (x instanceof Float32Array && g instanceof Float32Array && x.length >= WASM_MIN && geluGradWasmF32(tanh, g, x, out as Float32Array)) return;
  if (tanh) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i], v2 = v * v;
      const t = Math.tanh(BETA * (v + KAPPA * v2 * v));
      out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * BETA * (1 + 3 * KAPPA * v2));
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = g[i] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }
}
