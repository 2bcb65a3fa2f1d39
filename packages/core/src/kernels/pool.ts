/**
 * Pooling and resampling kernels over the last two dimensions of a tensor seen as `planes` images of h × w.
 *
 * - `maxPoolPlanes`: the max of each window and the flat input offset it came from (PyTorch's rule: the first
 *   maximum wins, a NaN always wins).
 * - `separableForward` / `separableAdjoint`: a linear map out[oy, ox] = Σ_a Σ_b wh[a]·ww[b]·x[ih[a], iw[b]] whose
 *   rows and columns each read a short list of taps (AxisTaps). Average pooling, adaptive average pooling and
 *   nearest/bilinear interpolation are all such maps; the adjoint is their gradient.
 */
import type { FloatArray } from './types.js';

/** For each output index along one axis, the input indices it reads and their weights, as compressed rows. */
export interface AxisTaps {
  /** Taps of output index t are ptr[t] … ptr[t + 1] − 1. */
  ptr: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/** Sizes and strides of a max pooling window over an h × w plane. */
export interface PoolWindow {
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/** Per output index along one axis: the first input index of its window inside [0, size), and one past the last. */
function windowRanges(out: number, size: number, k: number, stride: number, pad: number, dilation: number): Int32Array {
  const r = new Int32Array(2 * out);
  for (let t = 0; t < out; t++) {
    let lo = t * stride - pad;
    const hi = Math.min(lo + (k - 1) * dilation + 1, size);
    while (lo < 0) lo += dilation;
    r[2 * t] = lo;
    r[2 * t + 1] = hi;
  }
  return r;
}

/**
 * out[p, oy, ox] = max over the window; offsets[…] = its flat index in x. Returns false (leaving the outputs partly
 * written) when a window holds no input element at all, which only extreme padding/dilation combinations produce.
 */
export function maxPoolPlanes(x: FloatArray, planes: number, g: PoolWindow, out: FloatArray, offsets: Int32Array): boolean {
  const { h, w, oh, ow, dh, dw } = g;
  const rows = windowRanges(oh, h, g.kh, g.sh, g.ph, dh), cols = windowRanges(ow, w, g.kw, g.sw, g.pw, dw);
  for (let t = 0; t < oh; t++) if (rows[2 * t] >= rows[2 * t + 1]) return false;
  for (let t = 0; t < ow; t++) if (cols[2 * t] >= cols[2 * t + 1]) return false;
  const plane = h * w;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * plane;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = rows[2 * oy], iy1 = rows[2 * oy + 1];
      for (let ox = 0; ox < ow; ox++, o++) {
        const ix0 = cols[2 * ox], ix1 = cols[2 * ox + 1];
        // PyTorch's rule: the first maximum wins, a NaN always wins; an all −∞ window points at its first element.
        let best = -Infinity, at = base + iy0 * w + ix0;
        for (let iy = iy0; iy < iy1; iy += dh) {
          const row = base + iy * w;
          for (let ix = ix0; ix < ix1; ix += dw) {
            const v = x[row + ix];
            if (v > best || v !== v) {
              best = v;
              at = row + ix;
            }
          }
        }
        out[o] = best;
        offsets[o] = at;
      }
    }
  }
  return true;
}

/** out[p, oy, ox] = Σ taps of oy Σ taps of ox wh·ww·x[p, ih, iw], for fresh `out` of planes × rows.length−1 × … */
export function separableForward(x: FloatArray, planes: number, h: number, w: number, rows: AxisTaps, cols: AxisTaps, out: FloatArray): void {
  const oh = rows.ptr.length - 1, ow = cols.ptr.length - 1;
  const { ptr: rp, index: ri, weight: rw } = rows, { ptr: cp, index: ci, weight: cw } = cols;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const a0 = rp[oy], a1 = rp[oy + 1];
      for (let ox = 0; ox < ow; ox++, o++) {
        const b0 = cp[ox], b1 = cp[ox + 1];
        let s = 0;
        for (let a = a0; a < a1; a++) {
          const row = base + ri[a] * w;
          let t = 0;
          for (let b = b0; b < b1; b++) t += cw[b] * x[row + ci[b]];
          s += rw[a] * t;
        }
        out[o] = s;
      }
    }
  }
}

/** The adjoint of `separableForward`: dx[p, ih, iw] += wh·ww·g[p, oy, ox] over every tap, into fresh (zero) `dx`. */
export function separableAdjoint(g: FloatArray, planes: number, h: number, w: number, rows: AxisTaps, cols: AxisTaps, dx: FloatArray): void {
  const oh = rows.ptr.length - 1, ow = cols.ptr.length - 1;
  const { ptr: rp, index: ri, weight: rw } = rows, { ptr: cp, index: ci, weight: cw } = cols;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const a0 = rp[oy], a1 = rp[oy + 1];
      for (let ox = 0; ox < ow; ox++, o++) {
        const b0 = cp[ox], b1 = cp[ox + 1], v = g[o];
        for (let a = a0; a < a1; a++) {
          const row = base + ri[a] * w, va = rw[a] * v;
          for (let b = b0; b < b1; b++) dx[row + ci[b]] += cw[b] * va;
        }
      }
    }
  }
}
