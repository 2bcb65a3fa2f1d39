/** Elementwise truth tests with 0/1 results (tensorgrad has no bool dtype; 0/1 floats play its part, as in comparisons). */
import type { FloatArray, Storage } from './types.js';

export function nonzeroK(x: Storage, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0; // NaN !== 0: NaN counts as true, as in PyTorch
}

export function isnanK(x: Storage, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== x[i] ? 1 : 0;
}

export function isfiniteK(x: Storage, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] - x[i] === 0 ? 1 : 0; // inf - inf and NaN - NaN are NaN
}
