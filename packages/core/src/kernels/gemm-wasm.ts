/**
 * Runs the float32 WebAssembly SIMD matrix multiply (wasm/gemm-f32-simd.ts) on JS typed arrays: operands are copied
 * into the module's linear memory, multiplied there and the result copied back. The copies are O(n²) against the
 * O(n³) product, and they free callers from managing wasm memory.
 *
 * The module is built and compiled on first use. Node compiles it synchronously; where synchronous compilation is
 * refused (browsers limit it on the main thread), compilation continues asynchronously and `gemmWasmF32` reports
 * "not run" until it is ready, so callers fall back to the JS kernels and the API stays synchronous.
 */
import { buildGemmF32Module, GEMM_F32_SHAPE, type GemmF32Shape } from './wasm/gemm-f32-simd.js';
import { lazyWasmInstance, reserveWasmMemory, type WasmInstance, type WasmMemory, type WasmStatus } from './wasm/wasm-runtime.js';

type GemmExport = (
  m: number, n: number, k: number, a: number, aRs: number, aCs: number, b: number, bRs: number, bCs: number,
  c: number, packA: number, packB: number, scratch: number, kcMax: number, mcMax: number,
) => void;

/**
 * Block sizes: a kc×NR panel of B (16 KiB) stays in L1 while an mc×kc block of A (256 KiB) stays in L2. Measured
 * flat (±3%) for kc in 128…512 and mc in 64…256 at n = 256…1024.
 */
export const KC = 256;
export const MC = 256;
/** Pointers are signed i32 inside the module, so everything must sit below 2 GiB. */
const MAX_BYTES = 2 ** 31 - 65536;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** One instance of the gemm module and the JS side of its calling convention. */
export class WasmGemmF32 {
  private readonly memory: WasmMemory;
  private readonly gemmExport: GemmExport;
  private heap: Float32Array;

  constructor(instance: WasmInstance, private readonly shape: GemmF32Shape = GEMM_F32_SHAPE) {
    const exports = instance.exports as unknown as { memory: WasmMemory; gemm: GemmExport };
    this.memory = exports.memory;
    this.gemmExport = exports.gemm;
    this.heap = new Float32Array(this.memory.buffer);
  }

  /** Grows linear memory to at least `bytes`; false if the engine refuses. */
  private reserve(bytes: number): boolean {
    if (!reserveWasmMemory(this.memory, bytes)) return false;
    // Growing detaches the old ArrayBuffer, so views are rebuilt on the new one.
    if (this.heap.buffer !== this.memory.buffer) this.heap = new Float32Array(this.memory.buffer);
    return true;
  }

  /** Same contract as `gemm`; false (with `out` untouched) if the operands do not fit in wasm memory. */
  run(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, aOff: number, b: Float32Array, bOff: number, out: Float32Array, oOff: number,
  ): boolean {
    if (m === 0 || n === 0) return true;
    if (k === 0) {
      out.fill(0, oOff, oOff + m * n);
      return true;
    }
    const { mr, nr } = this.shape;
    const kcMax = Math.min(KC, k);
    const mcMax = Math.min(Math.ceil(MC / mr) * mr, Math.ceil(m / mr) * mr);
    const scratch = 0;
    const packA = align16(mr * nr * 4);
    const packB = packA + align16(mcMax * kcMax * 4);
    const aPtr = packB + align16(kcMax * Math.ceil(n / nr) * nr * 4);
    const bPtr = aPtr + align16(m * k * 4);
    const cPtr = bPtr + align16(k * n * 4);
    const end = cPtr + m * n * 4;
    if (end > MAX_BYTES || !this.reserve(end)) return false;
    const h = this.heap;
    // A and B are contiguous blocks of m·k and k·n floats whichever way they are transposed.
    h.set(a.subarray(aOff, aOff + m * k), aPtr >> 2);
    h.set(b.subarray(bOff, bOff + k * n), bPtr >> 2);
    const aRs = transA ? 4 : k * 4, aCs = transA ? m * 4 : 4; // byte strides of op(A) along rows / columns
    const bRs = transB ? 4 : n * 4, bCs = transB ? k * 4 : 4;
    this.gemmExport(m, n, k, aPtr, aRs, aCs, bPtr, bRs, bCs, cPtr, packA, packB, scratch, kcMax, mcMax);
    out.set(h.subarray(cPtr >> 2, (cPtr >> 2) + m * n), oOff);
    return true;
  }
}

const sharedInstance = lazyWasmInstance(() => buildGemmF32Module());
let shared: WasmGemmF32 | null = null;

function kernel(): WasmGemmF32 | null {
  if (shared === null) {
    const instance = sharedInstance();
    if (instance) shared = new WasmGemmF32(instance);
  }
  return shared;
}

/** Whether the SIMD module runs ('ready'), is still compiling, or is unavailable here; the first call builds it. */
export function wasmGemmStatus(): WasmStatus {
  return sharedInstance.status();
}

/** Whether the SIMD kernel can run now; the first call builds and compiles the module. */
export function wasmGemmAvailable(): boolean {
  return kernel() !== null;
}

/**
 * out[oOff…] = op(A)·op(B) for float32 operands, same contract as `gemm`. Returns false without touching `out` when
 * the SIMD kernel cannot run (no SIMD support, still compiling, or operands too large for wasm memory).
 */
export function gemmWasmF32(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, out: Float32Array, oOff: number,
): boolean {
  const kern = kernel();
  return kern !== null && kern.run(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff);
}
