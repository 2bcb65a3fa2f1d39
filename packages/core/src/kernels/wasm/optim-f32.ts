/**
 * Runs the float32 SIMD optimizer kernels (optim-f32-simd.ts) on JS typed arrays, one chunk at a time: a chunk of
 * each array is copied into its slot of the module's memory, updated there and copied back. The module's memory never
 * grows past its OPTIM_SLOTS chunks, whatever the parameter's size.
 */
import { buildOptimF32Module, OPTIM_CHUNK, type OptimKernelSpec } from './optim-f32-simd.js';
import { lazyWasmInstance, type WasmMemory } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildOptimF32Module, 'optimizers');

/** Per kernel: its export, which slots are copied back, and a reusable argument list (count first, then scalars). */
interface Prepared {
  fn: (...args: number[]) => void;
  written: number[];
  args: number[];
}
const prepared = new Map<string, Prepared>();

/**
 * Applies `spec`'s kernel to `arrays` (all of one length, in the order of spec.slots) with `scalars` (in the order of
 * spec.scalars). Returns false without touching anything when the SIMD module cannot run (no SIMD support, or still
 * compiling).
 */
export function runOptimF32(spec: OptimKernelSpec, arrays: readonly Float32Array[], scalars: readonly number[]): boolean {
  const inst = instance();
  if (inst === null) return false;
  let p = prepared.get(spec.name);
  if (p === undefined) {
    p = { fn: inst.exports[spec.name] as Prepared['fn'], written: spec.written.map((s) => spec.slots.indexOf(s)), args: new Array<number>(1 + spec.scalars.length) };
    prepared.set(spec.name, p);
  }
  const heap = new Float32Array((inst.exports.memory as WasmMemory).buffer);
  for (let k = 0; k < scalars.length; k++) p.args[k + 1] = scalars[k];
  const n = arrays[0].length;
  for (let start = 0; start < n; start += OPTIM_CHUNK) {
    const len = Math.min(OPTIM_CHUNK, n - start);
    for (let k = 0; k < arrays.length; k++) heap.set(len === n ? arrays[k] : arrays[k].subarray(start, start + len), k * OPTIM_CHUNK);
    // Lanes past `len` in the last group of four hold stale values; their results are never copied out.
    p.args[0] = (len + 3) & ~3;
    p.fn.apply(null, p.args);
    for (const k of p.written) arrays[k].set(heap.subarray(k * OPTIM_CHUNK, k * OPTIM_CHUNK + len), start);
  }
  return true;
}
