/**
 * General matrix multiply on row-major typed arrays: out = op(A) · op(B), where op(X) is X or Xᵀ.
 * A is stored as [m, k] (or [k, m] when transA), B as [k, n] (or [n, k] when transB), out as [m, n] and is overwritten.
 * Transposed operands are read in place, so backward matmuls never copy a transpose.
 *
 * Dispatch by work (m·n·k multiply-adds) and dtype: tiny products run a direct loop (gemmSmall), float32 products
 * run the WebAssembly SIMD kernel (gemm-wasm.ts) when the engine has SIMD, and everything else the packed JS kernel
 * (gemmTiled). The thresholds are the measured crossovers, see docs/performance.md.
 */
import type { FloatArray } from './types.js';
import { gemmSmall, gemmTiled } from './gemm-js.js';
import { gemmBatchedWasmF32, gemmWasmF32 } from './gemm-wasm.js';

/**
 * Crossovers measured on Node 20 (x64), in multiply-adds m·n·k: the SIMD kernel beats JS from about 6³ (copying into
 * wasm memory dominates below), the packed JS kernel beats the direct loop from about 4³ except for matrix-vector
 * products, where packing a whole operand for a single row or column never pays.
 */
const WASM_WORK = 256;
const SMALL_WORK = 64;

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOff: number, b: FloatArray, bOff: number, out: FloatArray, oOff: number,
): void {
  const work = m * n * k;
  if (work >= WASM_WORK && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array &&
      gemmWasmF32(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff)) return;
  if (work < SMALL_WORK || m === 1 || n === 1) gemmSmall(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff);
  else gemmTiled(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff);
}

/**
 * A batch of products with the same shapes: out[i·m·n…] = op(A at aOffs[i])·op(B at bOffs[i]). Small float32 products
 * go to the SIMD kernel in one call (operands copied into wasm memory once); everything else runs `gemm` per element.
 */
export function gemmBatched(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOffs: Int32Array, b: FloatArray, bOffs: Int32Array, out: FloatArray,
): void {
  const count = aOffs.length;
  if (count > 1 && m * n * k >= WASM_WORK && m * n * k < BATCH_WORK && a instanceof Float32Array && b instanceof Float32Array &&
      out instanceof Float32Array && gemmBatchedWasmF32(transA, transB, m, n, k, a, aOffs, b, bOffs, out, 0)) return;
  for (let i = 0; i < count; i++) gemm(transA, transB, m, n, k, a, aOffs[i], b, bOffs[i], out, i * m * n);
}

/** Products from this size on are large enough to pay their own copies (and may use the second thread). */
const BATCH_WORK = 1 << 18;
