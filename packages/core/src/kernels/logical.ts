/** Elementwise truth tests with 0/1 results (tensorgrad has no bool dtype; int32 0/1 plays its part, as in comparisons). */
import type { Storage } from './types.js';

export function nonzeroK(x: Storage, out: Storage): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0; // NaN !== 0: NaN counts as true, as in PyTorch
}

export function isnanK(x: Storage, out: Storage): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== x[i] ? 1 : 0;
}

export function isfiniteK(x: Storage, out: Storage): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] - x[i] === 0 ? 1 : 0; // inf - inf and NaN - NaN are NaN
}
