/**
 * Strided copy: the one kernel behind permute, expand, slice, pad, concat and their backward scatters.
 * Reads `src` at `srcOff + Σ idx[d]·srcStrides[d]` and writes `dst` at `dstOff + Σ idx[d]·dstStrides[d]`
 * for every index of `shape`.
 */
import type { Storage } from './types.js';
import { forEachRow } from './binary.js';
import { stridedCopyWasm } from './wasm/copy.js';

/** Rows at least this long are copied with TypedArray.set; shorter ones by a loop (a subarray per row costs more). */
const SET_MIN = 64;

export function stridedCopy(
  src: Storage, srcOff: number, srcStrides: number[], shape: readonly number[],
  dst: Storage, dstOff: number, dstStrides: number[],
): void {
  if (shape.length === 0) {
    dst[dstOff] = src[srcOff];
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
  // float32 and int32 copies that fit the module's memory run in WebAssembly (see wasm/copy-simd.ts).
  if (stridedCopyWasm(src, srcOff, ss, dims, dst, dstOff, ds)) return;
  if (dims.length <= 4 && len < SET_MIN) return copy4(src, srcOff, ss, dims, dst, dstOff, ds);
  forEachRow(dims, [ss, ds], (off) => {
    let si = srcOff + off[0], di = dstOff + off[1];
    if (sl === 1 && dl === 1 && len >= SET_MIN) dst.set(src.subarray(si, si + len) as ArrayLike<number>, di);
    else for (let i = 0; i < len; i++, si += sl, di += dl) dst[di] = src[si];
  });
}

/**
 * The common case of a transpose (attention heads, a matrix transpose): at most four merged dimensions and short
 * rows, as plain nested loops. A callback per row (forEachRow) would cost more than copying the row.
 */
function copy4(src: Storage, srcOff: number, ss: number[], dims: number[], dst: Storage, dstOff: number, ds: number[]): void {
  const pad = 4 - dims.length;
  const [n0, n1, n2, n3] = [...new Array<number>(pad).fill(1), ...dims];
  const [s0, s1, s2, s3] = [...new Array<number>(pad).fill(0), ...ss];
  const [d0, d1, d2, d3] = [...new Array<number>(pad).fill(0), ...ds];
  for (let a = 0; a < n0; a++) {
    for (let b = 0; b < n1; b++) {
      for (let c = 0; c < n2; c++) {
        let si = srcOff + a * s0 + b * s1 + c * s2, di = dstOff + a * d0 + b * d1 + c * d2;
        for (let k = 0; k < n3; k++, si += s3, di += d3) dst[di] = src[si];
      }
    }
  }
}
