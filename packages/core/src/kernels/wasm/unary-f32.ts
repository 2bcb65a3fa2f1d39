/**
 * Runs the float32 SIMD exp/tanh/sigmoid/sqrt kernels (unary-f32-simd.ts) on JS typed arrays, one chunk at a time:
 * a chunk of the input is copied into the module's memory, transformed in place and copied out. Copies cost ~0.2 ns per
 * element against ~10–15 ns for Math.exp / Math.tanh, so this pays from a few hundred elements up. Chunks keep the
 * module's memory at a fixed 64 KiB whatever the tensor's size. float64 stays with the exact Math.* loops.
 */
import { buildUnaryF32Module, type UnaryF32Op } from './unary-f32-simd.js';
import { lazyWasmInstance, reserveWasmMemory, type WasmMemory, type WasmStatus } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildUnaryF32Module);
/** Elements per chunk. */
const CHUNK = 16384;
let heap: Float32Array | null = null;

/** Whether the SIMD module runs ('ready'), is still compiling, or is unavailable here; the first call builds it. */
export function unaryWasmStatus(): WasmStatus {
  return instance.status();
}

/**
 * out[i] = op(x[i]) for float32 arrays of equal length (`out` may be `x`). Returns false without touching `out` when
 * the SIMD module cannot run (no SIMD support, still compiling, or memory cannot grow); callers then use Math.*.
 */
export function unaryWasmF32(op: UnaryF32Op, x: Float32Array, out: Float32Array): boolean {
  const inst = instance();
  if (inst === null) return false;
  const memory = inst.exports.memory as WasmMemory;
  if (!reserveWasmMemory(memory, CHUNK * 4)) return false;
  if (heap === null || heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer);
  const fn = inst.exports[op] as (ptr: number, count: number) => void;
  const n = x.length;
  for (let s = 0; s < n; s += CHUNK) {
    const len = Math.min(CHUNK, n - s);
    heap.set(x.subarray(s, s + len));
    // The kernel works four lanes at a time; the padding lanes hold stale values whose results are never copied out.
    fn(0, (len + 3) & ~3);
    out.set(heap.subarray(0, len), s);
  }
  return true;
}
