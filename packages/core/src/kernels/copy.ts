/**
 * Strided copy: the one kernel behind permute, expand, slice, pad, concat and their backward scatters.
 * Reads `src` at `srcOff + Σ idx[d]·srcStrides[d]` and writes `dst` at `dstOff + Σ idx[d]·dstStrides[d]`
 * for every index of `shape`.
 */
import type { Storage } from './types.js';
import { forEachRow } from './binary.js';

export function stridedCopy(
  src: Storage, srcOff: number, srcStrides: number[], shape: readonly number[],
  dst: Storage, dstOff: number, dstStrides: number[],
): void {
  const nd = shape.length;
  if (nd === 0) {
    dst[dstOff] = src[srcOff];
    return;
  }
  for (let d = 0; d < nd; d++) if (shape[d] === 0) return;
  const len = shape[nd - 1], ss = srcStrides[nd - 1], ds = dstStrides[nd - 1];
  forEachRow(shape, [srcStrides, dstStrides], (off) => {
    let si = srcOff + off[0], di = dstOff + off[1];
    if (ss === 1 && ds === 1) dst.set(src.subarray(si, si + len) as ArrayLike<number>, di);
    else for (let i = 0; i < len; i++, si += ss, di += ds) dst[di] = src[si];
  });
}
