/** Triangles of matrices and masked fills: copies that leave chosen elements zero or set them to a value. */
import type { Storage } from './types.js';
import { broadcastStrides, type Shape } from '../shape.js';
import { forEachRow } from './binary.js';

/**
 * Copies the lower (j - i ≤ diagonal) or upper (j - i ≥ diagonal) triangle of each [rows, cols] matrix of `x` into
 * `out`, which must be zero-filled: only whole row segments are copied, nothing is tested per element.
 */
export function triangleK(x: Storage, out: Storage, batch: number, rows: number, cols: number, diagonal: number, lower: boolean): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < rows; i++) {
      const start = lower ? 0 : Math.min(Math.max(i + diagonal, 0), cols);
      const stop = lower ? Math.min(Math.max(i + diagonal + 1, 0), cols) : cols;
      if (stop <= start) continue;
      const row = (b * rows + i) * cols;
      out.set(x.subarray(row + start, row + stop) as ArrayLike<number>, row + start);
    }
  }
}

/** Sets out[i] = value wherever `mask`, read with broadcast strides to `outShape`, is non-zero (NaN counts as set). */
export function maskedFillK(mask: Storage, maskShape: Shape, out: Storage, outShape: Shape, value: number): void {
  if (out.length === 0) return;
  const nd = outShape.length;
  if (nd === 0) {
    if (mask[0] !== 0) out[0] = value;
    return;
  }
  const sm = broadcastStrides(maskShape, outShape);
  const len = outShape[nd - 1], ms = sm[nd - 1];
  let oi = 0;
  forEachRow(outShape, [sm], (off) => {
    let mi = off[0];
    for (let i = 0; i < len; i++, mi += ms) if (mask[mi] !== 0) out[oi + i] = value;
    oi += len;
  });
}
