/**
 * Scans along one axis of a contiguous tensor viewed as [outer, n, inner], and the O(n) gradients of products.
 * Running sums and products accumulate in double precision and round once per element (PyTorch's CPU kernels do the
 * same for float32), so a float32 cumsum does not drift with n.
 */
import type { FloatArray } from './types.js';

/** out[r] = x[0] + … + x[r] along the axis (or x[r] + … + x[n-1] when `reverse`). */
export function cumsumK(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number, reverse: boolean): void {
  const acc = new Float64Array(inner);
  const first = reverse ? n - 1 : 0, step = reverse ? -inner : inner;
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    let row = o * n * inner + first * inner;
    for (let r = 0; r < n; r++, row += step) {
      for (let j = 0; j < inner; j++) {
        const s = acc[j] + x[row + j];
        acc[j] = s;
        out[row + j] = s;
      }
    }
  }
}

/** out[r] = x[0] · … · x[r] along the axis. */
export function cumprodK(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(1);
    let row = o * n * inner;
    for (let r = 0; r < n; r++, row += inner) {
      for (let j = 0; j < inner; j++) {
        const p = acc[j] * x[row + j];
        acc[j] = p;
        out[row + j] = p;
      }
    }
  }
}

/**
 * The vjp of cumprod without a division, so zeros in x need no special case:
 * ∂/∂x_k Σ_j g_j·y_j = Σ_{j≥k} g_j Π_{i≤j, i≠k} x_i = P_k · S_k with P_k = Π_{i<k} x_i and S_k = g_k + x_{k+1}·S_{k+1}.
 */
export function cumprodGradK(x: FloatArray, g: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void {
  if (n === 0) return;
  const s = new Float64Array(n * inner), p = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j = 0; j < inner; j++) s[(n - 1) * inner + j] = g[base + (n - 1) * inner + j];
    for (let r = n - 2; r >= 0; r--) {
      const row = r * inner;
      for (let j = 0; j < inner; j++) s[row + j] = g[base + row + j] + x[base + row + inner + j] * s[row + inner + j];
    }
    p.fill(1);
    for (let r = 0; r < n; r++) {
      const row = r * inner;
      for (let j = 0; j < inner; j++) {
        out[base + row + j] = p[j] * s[row + j];
        p[j] *= x[base + row + j];
      }
    }
  }
}

/**
 * The vjp of a product over one axis without a division: out_k = g · Π_{i≠k} x_i, the exclusive prefix product times
 * the exclusive suffix product. `g` has the reduced shape [outer, inner].
 */
export function prodGradK(x: FloatArray, g: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void {
  const prefix = new Float64Array(n * inner), acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    acc.fill(1);
    for (let r = 0; r < n; r++) {
      const row = r * inner;
      for (let j = 0; j < inner; j++) {
        prefix[row + j] = acc[j];
        acc[j] *= x[base + row + j];
      }
    }
    for (let j = 0; j < inner; j++) acc[j] = g[o * inner + j];
    for (let r = n - 1; r >= 0; r--) {
      const row = r * inner;
      for (let j = 0; j < inner; j++) {
        out[base + row + j] = prefix[row + j] * acc[j];
        acc[j] *= x[base + row + j];
      }
    }
  }
}
