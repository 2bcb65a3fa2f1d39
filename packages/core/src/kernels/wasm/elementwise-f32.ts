/**
 * Runs the float32 SIMD elementwise kernels (elementwise-f32-simd.ts) on JS typed arrays, chunk by chunk: operands are
 * copied into the module's fixed slots, computed there and the result copied out, so the module's memory stays at its
 * few hundred KiB whatever the tensors' sizes. Every function returns false, having written nothing, when the module
 * cannot run (no SIMD, still compiling) or the operands' layout is not one it handles; callers then run their JS loop.
 */
import { sameShape, sizeOf, type Shape } from '../../shape.js';
import {
  buildElementwiseF32Module, ELEMENTWISE_CHUNK as CHUNK, SLOT, type BinaryF32Op, type GradF32Op, type ReduceF32Op, type UnarySimpleF32Op,
} from './elementwise-f32-simd.js';
import { lazyWasmInstance, type WasmInstance, type WasmMemory } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildElementwiseF32Module, 'elementwise');

/**
 * From this many elements the SIMD kernels (copies included) beat the JS loops; below it the call and copy overhead
 * dominates. Both paths give the same values.
 */
export const SIMD_MIN = 128;
const A = SLOT.A >> 2, B = SLOT.B >> 2, OUT = SLOT.OUT >> 2;

type Fn = (...args: number[]) => void;

interface Module {
  heap: Float32Array;
  /** Exported functions by name, looked up once (a string lookup per call would cost as much as a small op). */
  fn: Readonly<Record<string, Fn>>;
}

let cached: { inst: WasmInstance; module: Module } | null = null;

function module(): Module | null {
  const inst = instance();
  if (inst === null) return null;
  if (cached === null || cached.inst !== inst) {
    const heap = new Float32Array((inst.exports.memory as WasmMemory).buffer);
    const fn: Record<string, Fn> = {};
    for (const [name, value] of Object.entries(inst.exports)) if (typeof value === 'function') fn[name] = value as Fn;
    cached = { inst, module: { heap, fn } };
  }
  return cached.module;
}

/** Copies src[start, start + len) into the heap at `slot` (without a subarray when it is all of src). */
function copyIn(heap: Float32Array, src: Float32Array, start: number, len: number, slot: number): void {
  heap.set(len === src.length ? src : src.subarray(start, start + len), slot);
}

const padded = (n: number): number => (n + 3) & ~3;

/** OUT = name(A, B) chunk by chunk, for operands of the same length. */
function sameLength(m: Module, name: string, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const fn = m.fn[name], heap = m.heap, n = out.length;
  for (let s = 0; s < n; s += CHUNK) {
    const len = Math.min(CHUNK, n - s);
    copyIn(heap, a, s, len, A);
    copyIn(heap, b, s, len, B);
    fn(padded(len));
    out.set(heap.subarray(OUT, OUT + len), s);
  }
}

/** out = a op s (or s op a when reversed) for a float64 scalar s, computed in float64 and rounded once. */
export function scalarF32(op: BinaryF32Op, a: Float32Array, s: number, reversed: boolean, out: Float32Array): boolean {
  const m = module();
  if (m === null) return false;
  const fn = m.fn[`${reversed ? 'rscal' : 'scal'}_${op}`], heap = m.heap, n = out.length;
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    copyIn(heap, a, i, len, A);
    fn(padded(len), s);
    out.set(heap.subarray(OUT, OUT + len), i);
  }
  return true;
}

/**
 * out[k] = full[k] op small[k mod P] (swapped operands when `reversed`): `small` has the output's trailing dimensions
 * and repeats along the leading ones (a bias added to every row). Chunks hold whole periods, so `small` is tiled into
 * its slot once.
 */
function periodic(m: Module, op: BinaryF32Op, full: Float32Array, small: Float32Array, reversed: boolean, out: Float32Array): void {
  const n = out.length, period = small.length, heap = m.heap;
  const fullSlot = reversed ? B : A, smallSlot = reversed ? A : B;
  const fn = m.fn[`bin_${op}`];
  if (period > CHUNK) {
    for (let q = 0; q < n; q += period) {
      for (let s = 0; s < period; s += CHUNK) {
        const len = Math.min(CHUNK, period - s);
        heap.set(full.subarray(q + s, q + s + len), fullSlot);
        heap.set(small.subarray(s, s + len), smallSlot);
        fn(padded(len));
        out.set(heap.subarray(OUT, OUT + len), q + s);
      }
    }
    return;
  }
  const span = Math.floor(CHUNK / period) * period;
  heap.set(small, smallSlot);
  for (let filled = period; filled < span;) {
    const k = Math.min(filled, span - filled);
    heap.copyWithin(smallSlot + filled, smallSlot, smallSlot + k);
    filled += k;
  }
  for (let s = 0; s < n; s += span) {
    const len = Math.min(span, n - s);
    copyIn(heap, full, s, len, fullSlot);
    fn(padded(len));
    out.set(heap.subarray(OUT, OUT + len), s);
  }
}

/** out[k] = full[k] op small[⌊k / width⌋] (swapped when `reversed`): one value of `small` per row of `width` values. */
function repeated(m: Module, op: BinaryF32Op, full: Float32Array, small: Float32Array, width: number, reversed: boolean, out: Float32Array): void {
  const n = out.length, heap = m.heap;
  if (width > CHUNK) {
    const fn = m.fn[`${reversed ? 'rscal' : 'scal'}_${op}`];
    for (let r = 0; r * width < n; r++) {
      for (let s = 0; s < width; s += CHUNK) {
        const len = Math.min(CHUNK, width - s), at = r * width + s;
        heap.set(full.subarray(at, at + len), A);
        fn(padded(len), small[r]);
        out.set(heap.subarray(OUT, OUT + len), at);
      }
    }
    return;
  }
  const fn = m.fn[`${reversed ? 'rrep' : 'rep'}_${op}`];
  const rowsPerChunk = Math.floor(CHUNK / width), span = rowsPerChunk * width;
  for (let s = 0, r = 0; s < n; s += span, r += rowsPerChunk) {
    const len = Math.min(span, n - s), rows = len / width;
    copyIn(heap, full, s, len, A);
    copyIn(heap, small, r, rows, B);
    fn(rows, width);
    out.set(heap.subarray(OUT, OUT + len), s);
  }
}

/** `shape` padded with leading 1s to `rank` dimensions. */
function padShape(shape: Shape, rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/** How `small` (padded to the output's rank) broadcasts against `out`, if it is one of the two layouts handled here. */
function layout(small: Shape, out: Shape): { kind: 'periodic' } | { kind: 'repeated'; width: number } | null {
  const s = padShape(small, out.length);
  let lead = 0;
  while (lead < s.length && s[lead] === 1) lead++;
  let periodic = true;
  for (let d = lead; d < s.length; d++) if (s[d] !== out[d]) periodic = false;
  if (periodic) return { kind: 'periodic' };
  let match = 0;
  while (match < s.length && s[match] === out[match]) match++;
  for (let d = match; d < s.length; d++) if (s[d] !== 1) return null;
  return { kind: 'repeated', width: sizeOf(out.slice(match)) };
}

/**
 * out = a op b with broadcasting, for the layouts training uses most: equal shapes, a single value (scalar), an operand
 * repeating along leading dimensions (`x + bias`), or one value per row (`x - x.max(-1, true)`).
 */
export function binaryF32(op: BinaryF32Op, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, out: Float32Array, outShape: Shape): boolean {
  const m = module();
  if (m === null) return false;
  const n = out.length;
  const aFull = a.length === n && sameShape(aShape, outShape), bFull = b.length === n && sameShape(bShape, outShape);
  if (aFull && bFull) {
    sameLength(m, `bin_${op}`, a, b, out);
    return true;
  }
  if (aFull && b.length === 1) return scalarF32(op, a, b[0], false, out);
  if (bFull && a.length === 1) return scalarF32(op, b, a[0], true, out);
  if (!aFull && !bFull) return false;
  const [full, small, smallShape, reversed] = aFull ? [a, b, bShape, false] : [b, a, aShape, true];
  const l = layout(smallShape, outShape);
  if (l === null) return false;
  if (l.kind === 'periodic') periodic(m, op, full, small, reversed, out);
  // Rows of a few values would cost a call per handful of elements; the JS loop is as fast there.
  else if (l.width >= 8) repeated(m, op, full, small, l.width, reversed, out);
  else return false;
  return true;
}

/** out = op(x), exact in float32 (neg, abs, relu, square, reciprocal). */
export function unarySimpleF32(op: UnarySimpleF32Op, x: Float32Array, out: Float32Array): boolean {
  const m = module();
  if (m === null) return false;
  const fn = m.fn[`un_${op}`], heap = m.heap, n = out.length;
  for (let s = 0; s < n; s += CHUNK) {
    const len = Math.min(CHUNK, n - s);
    copyIn(heap, x, s, len, A);
    fn(padded(len));
    out.set(heap.subarray(OUT, OUT + len), s);
  }
  return true;
}

/** The fused activation gradients: out = g · f'(y), computed like the JS kernels (bit-identical). */
export function gradF32(op: GradF32Op, g: Float32Array, y: Float32Array, out: Float32Array): boolean {
  const m = module();
  if (m === null) return false;
  sameLength(m, `grad_${op}`, g, y, out);
  return true;
}

/**
 * Reduces x viewed as [outer, n, inner] over its middle axis into out ([outer, inner]): sums accumulate in float64
 * (as the JS loops do), max/min propagate NaN.
 */
export function reduceF32(kind: ReduceF32Op, x: Float32Array, outer: number, n: number, inner: number, out: Float32Array): boolean {
  const m = module();
  if (m === null || outer * n * inner === 0) return false;
  const heap = m.heap;
  if (inner === 1) {
    // Contiguous rows of n values: one result per row.
    const fn = m.fn[kind === 'sum' ? 'rowsum' : `row${kind}`];
    const call = (rows: number, len: number, accumulate: boolean, final: boolean): void => {
      if (kind === 'sum') fn(rows, len, +accumulate, +final);
      else fn(rows, len, +accumulate);
    };
    if (n <= CHUNK) {
      const rowsPerChunk = Math.floor(CHUNK / Math.max(n, 1));
      for (let r = 0; r < outer; r += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, outer - r);
        copyIn(heap, x, r * n, rows * n, A);
        call(rows, n, false, true);
        out.set(heap.subarray(OUT, OUT + rows), r);
      }
    } else {
      for (let r = 0; r < outer; r++) {
        for (let s = 0; s < n; s += CHUNK) {
          const len = Math.min(CHUNK, n - s);
          heap.set(x.subarray(r * n + s, r * n + s + len), A);
          call(1, len, s > 0, s + len >= n);
        }
        out[r] = heap[OUT];
      }
    }
    return true;
  }
  // inner > 1: for each outer block, add (or compare) n rows of `inner` values column by column.
  const fn = m.fn[kind === 'sum' ? 'colsum' : `col${kind}`];
  const call = (rows: number, width: number, accumulate: boolean, final: boolean): void => {
    if (kind === 'sum') fn(rows, width, +accumulate, +final);
    else fn(rows, width, +accumulate);
  };
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j0 = 0; j0 < inner; j0 += CHUNK) {
      const width = Math.min(CHUNK, inner - j0);
      const rowsPerChunk = Math.max(1, Math.floor(CHUNK / width));
      for (let r = 0; r < n; r += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, n - r);
        if (width === inner) copyIn(heap, x, base + r * inner, rows * inner, A);
        else for (let k = 0; k < rows; k++) heap.set(x.subarray(base + (r + k) * inner + j0, base + (r + k) * inner + j0 + width), A + k * width);
        call(rows, width, r > 0, r + rows >= n);
      }
      out.set(heap.subarray(OUT, OUT + width), o * inner + j0);
    }
  }
  return true;
}
