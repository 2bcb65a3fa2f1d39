/**
 * LayerNorm forward over rows of a contiguous [rows, n] array: each row's mean and reciprocal standard deviation in one
 * pass, then the normalised (and optionally scaled and shifted) row in a second.
 */
import type { FloatArray } from './types.js';
import { layerNormBackwardF32, layerNormF32 } from './wasm/layer-norm-f32.js';

/**
 * out = (x − mean)·rstd·w + b per row, with rstd = 1/√(var + eps) and the biased variance, as PyTorch. The statistics
 * are accumulated in double precision from sums shifted by the row's first element, so one pass stays accurate when the
 * mean is large next to the spread. `mean` and `rstd` receive one value per row.
 */
export function layerNormK(
  x: FloatArray, rows: number, n: number, eps: number, w: FloatArray | null, b: FloatArray | null,
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
): void {
  if (x instanceof Float32Array && out instanceof Float32Array && mean instanceof Float32Array && rstd instanceof Float32Array &&
      (w === null || w instanceof Float32Array) && (b === null || b instanceof Float32Array) &&
      layerNormF32(x, rows, n, eps, w, b, out, mean, rstd)) return;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const shift = x[base];
    let s1 = 0, s2 = 0;
    for (let i = base; i < base + n; i++) {
      const d = x[i] - shift;
      s1 += d;
      s2 += d * d;
    }
    const m1 = s1 / n;
    const variance = Math.max(s2 / n - m1 * m1, 0);
    const mu = shift + m1;
    const rs = 1 / Math.sqrt(variance + eps);
    mean[r] = mu;
    rstd[r] = rs;
    if (w !== null && b !== null) {
      for (let i = 0; i < n; i++) out[base + i] = (x[base + i] - mu) * rs * w[i] + b[i];
    } else if (w !== null) {
      for (let i = 0; i < n; i++) out[base + i] = (x[base + i] - mu) * rs * w[i];
    } else if (b !== null) {
      for (let i = 0; i < n; i++) out[base + i] = (x[base + i] - mu) * rs + b[i];
    } else {
      for (let i = 0; i < n; i++) out[base + i] = (x[base + i] - mu) * rs;
    }
  }
}

/**
 * LayerNorm backward for float32 rows from the forward's saved mean and rstd, in WebAssembly SIMD: with x̂ = (x − mean)·rstd
 * and ĝ = g·w, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row, and over rows dw = Σ g·x̂, db = Σ g (any of the three may
 * be null). Returns false, writing nothing, where the module does not run (no SIMD, a row length not divisible by four);
 * the op then uses its formula in tensor ops, which is faster than a JS loop here.
 */
export function layerNormBackwardF32K(
  g: Float32Array, x: Float32Array, rows: number, n: number, mean: Float32Array, rstd: Float32Array, w: Float32Array | null,
  dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null,
): boolean {
  return layerNormBackwardF32(g, x, rows, n, mean, rstd, w, dx, dw, db);
}
