/**
 * Strided copy: the one kernel behind permute, expand, slice, pad, concat and their backward scatters.
 * Reads `src` at `srcOff + Σ idx[d]·srcStrides[d]` and writes `dst` at `dstOff + Σ idx[d]·dstStrides[d]`
 * for every index of `shape`; with `accumulate` it adds instead of overwriting.
 */
import type { Storage } from './types.js';
import { forEachRow } from './binary.js';

/** Rows at least this long are copied with TypedArray.set; shorter ones by a loop (a subarray per row costs more). */
const SET_MIN = 64;

export function stridedCopy(
  src: Storage, srcOff: number, srcStrides: number[], shape: readonly number[],
  dst: Storage, dstOff: number, dstStrides: number[], accumulate = false,
): void {
  if (shape.length === 0) {
    dst[dstOff] = accumulate ? dst[dstOff] + src[srcOff] : src[srcOff];
    return;
  }
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return;
  // Merge neighbouring dimensions that are contiguous in both tensors, so rows get as long as the layouts allow
  // (e.g. the head dimension of an attention transpose stays one row, not many).
  const dims = [shape[shape.length - 1]], ss = [srcStrides[shape.length - 1]], ds = [dstStrides[shape.length - 1]];
  for (let d = shape.length - 2; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (srcStrides[d] === ss[0] * dims[0] && dstStrides[d] === ds[0] * dims[0]) dims[0] *= shape[d];
    else {
      dims.unshift(shape[d]);
      ss.unshift(srcStrides[d]);
      ds.unshift(dstStrides[d]);
    }
  }
  const last = dims.length - 1, len = dims[last], sl = ss[last], dl = ds[last];
  forEachRow(dims, [ss, ds], (off) => {
    let si = srcOff + off[0], di = dstOff + off[1];
    if (accumulate) for (let i = 0; i < len; i++, si += sl, di += dl) dst[di] += src[si];
    else if (sl === 1 && dl === 1 && len >= SET_MIN) dst.set(src.subarray(si, si + len) as ArrayLike<number>, di);
    else for (let i = 0; i < len; i++, si += sl, di += dl) dst[di] = src[si];
  });
}
