/**
 * Runs the float32 SIMD GELU kernels (gelu-f32-simd.ts) on JS typed arrays: inputs are copied into the module's memory,
 * transformed in place and copied out, as unary-f32.ts does for exp/tanh/sigmoid.
 */
import { buildGeluF32Module } from './gelu-f32-simd.js';
import { lazyWasmInstance, reserveWasmMemory, type WasmMemory } from './wasm-runtime.js';

const instance = lazyWasmInstance(buildGeluF32Module);
let heap: Float32Array | null = null;

/** The module's memory (at least `floats` long) and its exports, or null when the module cannot run. */
function module(floats: number): { mem: Float32Array; fns: Record<string, unknown> } | null {
  const inst = instance();
  if (inst === null) return null;
  const memory = inst.exports.memory as WasmMemory;
  if (!reserveWasmMemory(memory, floats * 4)) return null;
  if (heap === null || heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer);
  return { mem: heap, fns: inst.exports };
}

/**
 * out[i] = gelu(x[i]) (exact, or the tanh form when `tanh`). Returns false without touching `out` when the SIMD module
 * cannot run; callers then use the scalar loop.
 */
export function geluWasmF32(tanh: boolean, x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  // Four lanes at a time; the padding lanes hold stale values whose results are never copied out.
  const padded = (n + 3) & ~3;
  const m = module(padded);
  if (m === null) return false;
  m.mem.set(x);
  (m.fns[tanh ? 'geluTanh' : 'gelu'] as (p: number, n: number) => void)(0, padded);
  out.set(m.mem.subarray(0, n));
  return true;
}

/** out[i] = g[i]·gelu'(x[i]); false when the SIMD module cannot run. */
export function geluGradWasmF32(tanh: boolean, g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const padded = (n + 3) & ~3;
  const m = module(2 * padded);
  if (m === null) return false;
  m.mem.set(g);
  m.mem.set(x, padded);
  (m.fns[tanh ? 'geluTanhBackward' : 'geluBackward'] as (g: number, x: number, n: number) => void)(0, padded * 4, padded);
  out.set(m.mem.subarray(0, n));
  return true;
}
