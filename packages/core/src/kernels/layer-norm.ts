/**
 * LayerNorm forward over rows of a contiguous [rows, n] array: each row's mean and reciprocal standard deviation in one
 * pass, then the normalised (and optionally scaled and shifted) row in a second.
 */
import type { FloatArray } from './types.js';

/**
 * out = (x − mean)·rstd·w + b per row, with rstd = 1/√(var + eps) and the biased variance, as PyTorch. The statistics
 * are accumulated in double precision from sums shifted by the row's first element, so one pass stays accurate when the
 * mean is large next to the spread. `mean` and `rstd` receive one value per row.
 */
export function layerNormK(
  x: FloatArray, rows: number, n: number, eps: number, w: FloatArray | null, b: FloatArray | null,
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
): void {
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
