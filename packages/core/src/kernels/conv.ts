/**
 * Convolution kernels, lowered to `gemm` by im2col. A convolution is described by one geometry in two spatial
 * dimensions (a 1-D convolution has h = kh = oh = 1); the three kernels below are the three faces of the same
 * bilinear map y = conv(x, w):
 *
 * - `convForward`   y  = conv(x, w) (+ bias per output channel)
 * - `convInputGrad` x̄  = convᵀ(ȳ, w), the adjoint in x (this is also the transposed convolution)
 * - `convWeightGrad` w̄ = the adjoint in w, from x and ȳ
 *
 * For a chunk of samples and one group, im2col unrolls the receptive fields into a matrix col [K, nb·P] (K = input
 * channels per group · kh · kw, P = oh · ow, columns ordered sample-major), so that y = W · col, x̄ = col2im(Wᵀ · ȳ) and
 * w̄ = ȳ · colᵀ are single gemm calls over the whole chunk. Scratch matrices are reused across calls and grown on
 * demand; the chunk size keeps col below COL_BUDGET elements however large the batch.
 *
 * float32 runs in the WebAssembly conv module (conv-wasm.ts), which unfolds inside the memory its SIMD gemm reads;
 * the loops below are the float64 path and the fallback where WebAssembly SIMD is unavailable.
 */
import type { FloatArray } from './types.js';
import { gemm } from './gemm.js';
import { convModule, validRange } from './conv-wasm.js';

/** A convolution's sizes. x is [n, c, h, w], the weight [o, c / groups, kh, kw], y [n, o, oh, ow]. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  /** Stride, padding before the first element (the padding after it is implied by oh/ow), dilation. */
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
}

/** Largest im2col matrix built at once, in elements (8 MiB of float32): bounds memory for large batches (tests pass smaller budgets). */
const COL_BUDGET = 1 << 21;

/** Scratch matrices, one set per float type so the gemm sees operands of one type. */
const scratch32: Float32Array[] = [new Float32Array(0), new Float32Array(0), new Float32Array(0)];
const scratch64: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];

function scratch(like: FloatArray, slot: number, size: number): FloatArray {
  if (like instanceof Float32Array) {
    if (scratch32[slot].length < size) scratch32[slot] = new Float32Array(size);
    return scratch32[slot];
  }
  if (scratch64[slot].length < size) scratch64[slot] = new Float64Array(size);
  return scratch64[slot];
}

const COL = 0, MAT = 1, ACC = 2;

/** Samples per chunk: as many as keep im2col within `budget` elements, at least one. */
function chunkOf(g: ConvGeometry, budget: number): number {
  const k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow;
  return Math.max(1, Math.min(g.n, Math.floor(budget / Math.max(1, k * p))));
}


/**
 * col[(ci, i, j), (b, oy, ox)] = x[n0 + b, group·cg + ci, oy·sh − ph + i·dh, ox·sw − pw + j·dw], 0 outside the input.
 * With `scatter`, the adjoint: x̄ at those positions += col (x̄ is then the destination and col the source).
 */
function unfold(g: ConvGeometry, n0: number, nb: number, group: number, x: FloatArray, col: FloatArray, scatter: boolean): void {
  const { c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw } = g;
  const cg = c / g.groups, p = oh * ow, ncol = nb * p, plane = h * w;
  let row = 0;
  for (let ci = 0; ci < cg; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const xoff = j * dw - pw;
        const [ox0, ox1] = validRange(xoff, sw, w, ow);
        for (let b = 0; b < nb; b++) {
          const xPlane = ((n0 + b) * c + group * cg + ci) * plane;
          let dst = row * ncol + b * p;
          for (let oy = 0; oy < oh; oy++, dst += ow) {
            const iy = oy * sh - ph + i * dh;
            if (iy < 0 || iy >= h) {
              if (!scatter) for (let ox = 0; ox < ow; ox++) col[dst + ox] = 0;
              continue;
            }
            const src = xPlane + iy * w + xoff;
            if (scatter) {
              if (sw === 1) for (let ox = ox0; ox < ox1; ox++) x[src + ox] += col[dst + ox];
              else for (let ox = ox0; ox < ox1; ox++) x[src + ox * sw] += col[dst + ox];
              continue;
            }
            for (let ox = 0; ox < ox0; ox++) col[dst + ox] = 0;
            if (sw === 1) for (let ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox];
            else for (let ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox * sw];
            for (let ox = ox1; ox < ow; ox++) col[dst + ox] = 0;
          }
        }
      }
    }
  }
}

/**
 * Moves the rows of one group between the tensor layout t[n0 + b, group·og + oc, p] and the matrix layout
 * m[oc, b·P + p] used by the gemms (`toMatrix` picks the direction).
 */
function regroup(g: ConvGeometry, n0: number, nb: number, group: number, t: FloatArray, m: FloatArray, toMatrix: boolean): void {
  const og = g.o / g.groups, p = g.oh * g.ow, ncol = nb * p;
  for (let oc = 0; oc < og; oc++) {
    for (let b = 0; b < nb; b++) {
      const ti = ((n0 + b) * g.o + group * og + oc) * p, mi = oc * ncol + b * p;
      if (toMatrix) for (let q = 0; q < p; q++) m[mi + q] = t[ti + q];
      else for (let q = 0; q < p; q++) t[ti + q] = m[mi + q];
    }
  }
}

/** Adds bias[ch] to every element of channel ch of a [n, channels, plane] tensor. */
export function addChannelBias(out: FloatArray, bias: FloatArray, n: number, channels: number, plane: number): void {
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < channels; ch++) {
      const v = bias[ch], base = (b * channels + ch) * plane;
      for (let q = 0; q < plane; q++) out[base + q] += v;
    }
  }
}

/** y = conv(x, w) + bias, written into the fresh (zero) `y`. */
export function convForward(g: ConvGeometry, x: FloatArray, wt: FloatArray, bias: FloatArray | null, y: FloatArray, budget = COL_BUDGET): void {
  const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, chunk = chunkOf(g, budget);
  if (y instanceof Float32Array && convModule()?.forward(g, x as Float32Array, wt as Float32Array, bias as Float32Array | null, y, chunk)) return;
  for (let n0 = 0; n0 < g.n; n0 += chunk) {
    const nb = Math.min(chunk, g.n - n0), ncol = nb * p;
    const col = scratch(y, COL, k * ncol);
    for (let group = 0; group < g.groups; group++) {
      unfold(g, n0, nb, group, x, col, false);
      if (nb === 1) {
        gemm(false, false, og, ncol, k, wt, group * og * k, col, 0, y, (n0 * g.o + group * og) * p);
      } else {
        const mat = scratch(y, MAT, og * ncol);
        gemm(false, false, og, ncol, k, wt, group * og * k, col, 0, mat, 0);
        regroup(g, n0, nb, group, y, mat, false);
      }
    }
  }
  if (bias) addChannelBias(y, bias, g.n, g.o, p);
}

/** x̄ = convᵀ(ȳ, w) (+ bias per input channel, for the transposed convolution), written into the fresh (zero) `dx`. */
export function convInputGrad(g: ConvGeometry, dy: FloatArray, wt: FloatArray, bias: FloatArray | null, dx: FloatArray, budget = COL_BUDGET): void {
  const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, chunk = chunkOf(g, budget);
  if (dx instanceof Float32Array && convModule()?.inputGrad(g, dy as Float32Array, wt as Float32Array, dx, chunk)) {
    if (bias) addChannelBias(dx, bias, g.n, g.c, g.h * g.w);
    return;
  }
  for (let n0 = 0; n0 < g.n; n0 += chunk) {
    const nb = Math.min(chunk, g.n - n0), ncol = nb * p;
    const col = scratch(dx, COL, k * ncol);
    for (let group = 0; group < g.groups; group++) {
      if (nb === 1) {
        gemm(true, false, k, ncol, og, wt, group * og * k, dy, (n0 * g.o + group * og) * p, col, 0);
      } else {
        const mat = scratch(dx, MAT, og * ncol);
        regroup(g, n0, nb, group, dy, mat, true);
        gemm(true, false, k, ncol, og, wt, group * og * k, mat, 0, col, 0);
      }
      unfold(g, n0, nb, group, dx, col, true);
    }
  }
  if (bias) addChannelBias(dx, bias, g.n, g.c, g.h * g.w);
}

/** w̄[o, ci, i, j] = Σ over samples and output positions of ȳ · x at the matching input position, into the fresh `dw`. */
export function convWeightGrad(g: ConvGeometry, x: FloatArray, dy: FloatArray, dw: FloatArray, budget = COL_BUDGET): void {
  const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, chunk = chunkOf(g, budget);
  if (dw instanceof Float32Array && convModule()?.weightGrad(g, x as Float32Array, dy as Float32Array, dw, chunk)) return;
  const single = chunk >= g.n;
  for (let n0 = 0; n0 < g.n; n0 += chunk) {
    const nb = Math.min(chunk, g.n - n0), ncol = nb * p;
    const col = scratch(dw, COL, k * ncol);
    for (let group = 0; group < g.groups; group++) {
      unfold(g, n0, nb, group, x, col, false);
      let mat = dy, matOff = (n0 * g.o + group * og) * p;
      if (nb > 1) {
        mat = scratch(dw, MAT, og * ncol);
        matOff = 0;
        regroup(g, n0, nb, group, dy, mat, true);
      }
      if (single) {
        gemm(false, true, og, k, ncol, mat, matOff, col, 0, dw, group * og * k);
      } else {
        const acc = scratch(dw, ACC, og * k);
        gemm(false, true, og, k, ncol, mat, matOff, col, 0, acc, 0);
        const base = group * og * k;
        for (let q = 0; q < og * k; q++) dw[base + q] += acc[q];
      }
    }
  }
}
