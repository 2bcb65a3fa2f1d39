/**
 * Broadcasting binary kernels. Operands are read through broadcast strides (0 on broadcast dimensions), so no operand
 * is ever materialised at the output's shape. The op switch sits outside each inner loop, never per element.
 *
 * Operands share one dtype (the op promotes them first). With int32 operands and output, Add/Sub/Maximum/Minimum are
 * exact as written (the double result is an integer below 2⁵³ and storing it wraps modulo 2³², like C's int32), while
 * products need IMul/IPow, whose double result could exceed 2⁵³ and lose the low bits. Comparisons write 0/1 into an
 * output of any dtype.
 */
import type { FloatArray, Storage } from './types.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../shape.js';
import { binaryF32, scalarF32, SIMD_MIN } from './wasm/elementwise-f32.js';
import type { BinaryF32Op } from './wasm/elementwise-f32-simd.js';

export enum BinaryCode { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, IMul, IPow }

/** The float32 SIMD kernel of each code (elementwise-f32.ts), by code; pow and the int32 products have none. */
const SIMD_OP: readonly (BinaryF32Op | null)[] = ['add', 'sub', 'mul', 'div', null, 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', null, null];

/** aᵇ for int32 a and non-negative integer b, wrapping like int32 multiplication (square-and-multiply with Math.imul). */
function ipow(a: number, b: number): number {
  let result = 1;
  while (b > 0) {
    if (b & 1) result = Math.imul(result, a);
    a = Math.imul(a, a);
    b >>>= 1;
  }
  return result;
}

function inner(code: BinaryCode, a: Storage, ai: number, as: number, b: Storage, bi: number, bs: number, o: Storage, oi: number, n: number): void {
  switch (code) {
    case BinaryCode.Add: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi]; break;
    case BinaryCode.Sub: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi]; break;
    case BinaryCode.Mul: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi]; break;
    case BinaryCode.Div: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi]; break;
    case BinaryCode.Pow: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.pow(a[ai], b[bi]); break;
    // NaN propagates through maximum/minimum like PyTorch (Math.max/min do that too).
    case BinaryCode.Maximum: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.max(a[ai], b[bi]); break;
    case BinaryCode.Minimum: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.min(a[ai], b[bi]); break;
    case BinaryCode.Eq: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0; break;
    case BinaryCode.Ne: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== b[bi] ? 1 : 0; break;
    case BinaryCode.Lt: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] < b[bi] ? 1 : 0; break;
    case BinaryCode.Le: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] <= b[bi] ? 1 : 0; break;
    case BinaryCode.Gt: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > b[bi] ? 1 : 0; break;
    case BinaryCode.Ge: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] >= b[bi] ? 1 : 0; break;
    case BinaryCode.IMul: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.imul(a[ai], b[bi]); break;
    case BinaryCode.IPow: for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = ipow(a[ai], b[bi]); break;
  }
}

/**
 * Calls `row(offsets…)` once per innermost row of `outShape`, with each operand's element offset for that row.
 * Shared by every broadcasting kernel so multi-index bookkeeping lives in one place.
 */
export function forEachRow(outShape: Shape, strides: number[][], row: (offsets: number[]) => void): void {
  const nd = outShape.length;
  const k = strides.length;
  const offsets = new Array<number>(k).fill(0);
  if (nd <= 1) {
    row(offsets);
    return;
  }
  const idx = new Array<number>(nd - 1).fill(0);
  const rows = sizeOf(outShape.slice(0, nd - 1));
  for (let r = 0; r < rows; r++) {
    row(offsets);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let t = 0; t < k; t++) offsets[t] += strides[t][d];
      if (idx[d] < outShape[d]) break;
      for (let t = 0; t < k; t++) offsets[t] -= strides[t][d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function binaryKernel(code: BinaryCode, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  if (n === 0) return;
  const simd = SIMD_OP[code];
  if (simd && n >= SIMD_MIN && out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array &&
      binaryF32(simd, a, aShape, b, bShape, out, outShape)) return;
  if (a.length === n && b.length === n && sameShape(aShape, bShape)) {
    if (sameShapeKernel(code, a, b, out)) return;
    return inner(code, a, 0, 1, b, 0, 1, out, 0, n);
  }
  if (b.length === 1 && a.length === n) return inner(code, a, 0, 1, b, 0, 0, out, 0, n);
  if (a.length === 1 && b.length === n) return inner(code, a, 0, 0, b, 0, 1, out, 0, n);
  const sa = broadcastStrides(aShape, outShape), sb = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  const len = outShape[last];
  const as = sa[last], bs = sb[last];
  let oi = 0;
  forEachRow(outShape, [sa, sb], (off) => {
    inner(code, a, off[0], as, b, off[1], bs, out, oi, len);
    oi += len;
  });
}

/** out = cond ? a : b, all three broadcast to outShape. */
export function whereKernel(cond: Storage, cShape: Shape, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  if (out.length === 0) return;
  const nd = outShape.length;
  if (nd === 0) {
    out[0] = cond[0] ? a[0] : b[0];
    return;
  }
  const sc = broadcastStrides(cShape, outShape), sa = broadcastStrides(aShape, outShape), sb = broadcastStrides(bShape, outShape);
  const len = outShape[nd - 1];
  const cs = sc[nd - 1], as = sa[nd - 1], bs = sb[nd - 1];
  let oi = 0;
  forEachRow(outShape, [sc, sa, sb], (off) => {
    let ci = off[0], ai = off[1], bi = off[2];
    for (let i = 0; i < len; i++, ci += cs, ai += as, bi += bs) out[oi + i] = cond[ci] ? a[ai] : b[bi];
    oi += len;
  });
}

/** out = a op s for a scalar s, contiguous; a and out are the same float type (one loop per op and array type). */
export function scalarKernel(code: BinaryCode, a: FloatArray, s: number, out: FloatArray): void {
  const n = out.length;
  const simd = SIMD_OP[code];
  if (simd && n >= SIMD_MIN && a instanceof Float32Array && scalarF32(simd, a, s, false, out as Float32Array)) return;
  if (a instanceof Float32Array) {
    const o = out as Float32Array;
    switch (code) {
      case BinaryCode.Add: for (let i = 0; i < n; i++) o[i] = a[i] + s; return;
      case BinaryCode.Sub: for (let i = 0; i < n; i++) o[i] = a[i] - s; return;
      case BinaryCode.Mul: for (let i = 0; i < n; i++) o[i] = a[i] * s; return;
      case BinaryCode.Div: for (let i = 0; i < n; i++) o[i] = a[i] / s; return;
    }
  } else {
    const o = out as Float64Array;
    switch (code) {
      case BinaryCode.Add: for (let i = 0; i < n; i++) o[i] = a[i] + s; return;
      case BinaryCode.Sub: for (let i = 0; i < n; i++) o[i] = a[i] - s; return;
      case BinaryCode.Mul: for (let i = 0; i < n; i++) o[i] = a[i] * s; return;
      case BinaryCode.Div: for (let i = 0; i < n; i++) o[i] = a[i] / s; return;
    }
  }
  throw new Error(`scalarKernel: unsupported op code ${code}`);
}

/** out = a op b elementwise for same-length contiguous operands of one float type; false when it does not apply. */
export function sameShapeKernel(code: BinaryCode, a: Storage, b: Storage, out: Storage): boolean {
  const n = out.length;
  if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
    switch (code) {
      case BinaryCode.Add: for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return true;
      case BinaryCode.Sub: for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return true;
      case BinaryCode.Mul: for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return true;
      case BinaryCode.Div: for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return true;
    }
  } else if (a instanceof Float64Array && b instanceof Float64Array && out instanceof Float64Array) {
    switch (code) {
      case BinaryCode.Add: for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return true;
      case BinaryCode.Sub: for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return true;
      case BinaryCode.Mul: for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return true;
      case BinaryCode.Div: for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return true;
    }
  }
  return false;
}
