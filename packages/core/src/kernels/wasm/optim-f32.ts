/**
 * Runs the float32 SIMD optimizer kernels (optim-f32-simd.ts) on JS typed arrays, one chunk at a time: a chunk of
 * each array is copied into its slot of the module's memory, updated there and copied back. The module's memory never
 * grows past its OPTIM_SLOTS chunks, whatever the parameter's size.
 */
import { buildOptimF32Module, OPTIM_CHUNK, type OptimKernelSpec } from './optim-f32-simd.js';
import { lazyWasmInstance, type WasmMemory } from './wasm-runtime.js';

const instance = lazyWasmInstance(buildOptimF32Module);

/**
 * Applies `spec`'s kernel to `arrays` (all of one length, keyed by slot name) with `scalars` (keyed by name). Returns
 * false without touching anything when the SIMD module cannot run (no SIMD support, or still compiling).
 */
export function runOptimF32(spec: OptimKernelSpec, arrays: Readonly<Record<string, Float32Array>>, scalars: Readonly<Record<string, number>>): boolean {
  const inst = instance();
  if (inst === null) return false;
  const fn = inst.exports[spec.name] as (count: number, ...scalars: number[]) => void;
  const heap = new Float32Array((inst.exports.memory as WasmMemory).buffer);
  const slots = spec.slots.map((s) => arrays[s]);
  const written = spec.written.map((s) => spec.slots.indexOf(s));
  const args = spec.scalars.map((s) => scalars[s]);
  const n = slots[0].length;
  for (let start = 0; start < n; start += OPTIM_CHUNK) {
    const len = Math.min(OPTIM_CHUNK, n - start);
    for (let k = 0; k < slots.length; k++) heap.set(slots[k].subarray(start, start + len), k * OPTIM_CHUNK);
    // Lanes past `len` in the last group of four hold stale values; their results are never copied out.
    fn((len + 3) & ~3, ...args);
    for (const k of written) slots[k].set(heap.subarray(k * OPTIM_CHUNK, k * OPTIM_CHUNK + len), start);
  }
  return true;
}
