/**
 * Runs the strided-copy module (copy-simd.ts) on JS typed arrays of 4-byte elements: the source span is copied into the
 * module's fixed memory, rearranged there and the destination span copied back. Returns false, having written nothing,
 * when the module cannot run or the copy is not one it takes (other element types, more than four dimensions, negative
 * strides, spans over a slot); stridedCopy then runs its JS loops.
 */
import type { Storage } from '../types.js';
import { buildCopyModule, COPY_SLOT_ELEMENTS, DST } from './copy-simd.js';
import { lazyWasmInstance, type WasmMemory } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildCopyModule, 'copy');

/** From this many elements the module (two memcpys and a call) beats the JS loops. */
export const COPY_WASM_MIN = 1024;

type Copy = (...args: number[]) => void;
let cached: { buffer: ArrayBuffer; f32: Float32Array; i32: Int32Array; rows: Copy; strided: Copy } | null = null;

/**
 * dst[dstOff + Σ i·ds] = src[srcOff + Σ i·ss] over `dims` (already merged, at most four, the last the row), for src and
 * dst both Float32Array or both Int32Array. Bit for bit.
 */
export function stridedCopyWasm(
  src: Storage, srcOff: number, ss: readonly number[], dims: readonly number[],
  dst: Storage, dstOff: number, ds: readonly number[],
): boolean {
  const f32 = src instanceof Float32Array && dst instanceof Float32Array;
  if (!f32 && !(src instanceof Int32Array && dst instanceof Int32Array)) return false;
  if (dims.length > 4) return false;
  let srcSpan = 1, dstSpan = 1, total = 1;
  for (let d = 0; d < dims.length; d++) {
    if (ss[d] < 0 || ds[d] < 0) return false;
    srcSpan += (dims[d] - 1) * ss[d];
    dstSpan += (dims[d] - 1) * ds[d];
    total *= dims[d];
  }
  if (total < COPY_WASM_MIN || srcSpan > COPY_SLOT_ELEMENTS || dstSpan > COPY_SLOT_ELEMENTS) return false;
  const inst = instance();
  if (inst === null) return false;
  const buffer = (inst.exports.memory as WasmMemory).buffer;
  if (cached === null || cached.buffer !== buffer) {
    cached = {
      buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer),
      rows: inst.exports.copyRows as Copy, strided: inst.exports.copyStrided as Copy,
    };
  }
  const heap = f32 ? cached.f32 : cached.i32, out = DST >> 2;
  heap.set(src.subarray(srcOff, srcOff + srcSpan) as ArrayLike<number>, 0);
  // A destination span with gaps (a slice scattered into a larger tensor) keeps the values between the rows.
  if (dstSpan !== total) heap.set(dst.subarray(dstOff, dstOff + dstSpan) as ArrayLike<number>, out);
  const pad = 4 - dims.length;
  const n = [1, 1, 1, 1], s = [0, 0, 0, 0], t = [0, 0, 0, 0];
  for (let d = 0; d < dims.length; d++) {
    n[pad + d] = dims[d];
    s[pad + d] = ss[d] * 4;
    t[pad + d] = ds[d] * 4;
  }
  const fn = s[3] === 4 && t[3] === 4 ? cached.rows : cached.strided;
  fn(n[0], n[1], n[2], n[3], s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3]);
  dst.set(heap.subarray(out, out + dstSpan) as ArrayLike<number>, dstOff);
  return true;
}
