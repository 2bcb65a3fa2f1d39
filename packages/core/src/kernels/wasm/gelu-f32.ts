/**
 * Runs the float32 SIMD GELU kernels (gelu-f32-simd.ts) on JS typed arrays: inputs are copied into the module's memory,
 * transformed in place and copied out, as unary-f32.ts does for exp/tanh/sigmoid — but a chunk at a time, so the
 * kernel reads what the copy just wrote from cache rather than from main memory.
 */
import { buildGeluF32Module } from './gelu-f32-simd.js';
import { lazyWasmInstance, reserveWasmMemory, type WasmMemory } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildGeluF32Module, 'gelu');
let heap: Float32Array | null = null;
/** Values per chunk: two inputs of this size (the backward's) stay well inside a core's L2 cache. */
const CHUNK = 8192;

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
  const m = module(Math.min(n, CHUNK) + 4);
  if (m === null) return false;
  const fn = m.fns[tanh ? 'geluTanh' : 'gelu'] as (p: number, n: number) => void;
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    m.mem.set(x.subarray(start, start + len));
    // Four lanes at a time; the padding lanes hold stale values whose results are never copied out.
    fn(0, (len + 3) & ~3);
    out.set(m.mem.subarray(0, len), start);
  }
  return true;
}

/** out[i] = g[i]·gelu'(x[i]); false when the SIMD module cannot run. */
export function geluGradWasmF32(tanh: boolean, g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const m = module(2 * (CHUNK + 4));
  if (m === null) return false;
  const fn = m.fns[tanh ? 'geluTanhBackward' : 'geluBackward'] as (g: number, x: number, n: number) => void;
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    m.mem.set(g.subarray(start, start + len));
    m.mem.set(x.subarray(start, start + len), CHUNK + 4);
    fn(0, (CHUNK + 4) * 4, (len + 3) & ~3);
    out.set(m.mem.subarray(0, len), start);
  }
  return true;
}
