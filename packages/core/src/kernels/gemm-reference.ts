/**
 * The reference matrix multiply: the plain triple loop every fast kernel is tested against. Same contract as `gemm`.
 */
import type { FloatArray } from './types.js';

export function gemmReference(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOff: number, b: FloatArray, bOff: number, out: FloatArray, oOff: number,
): void {
  const ars = transA ? 1 : k, acs = transA ? m : 1; // strides of op(A) rows/cols
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  out.fill(0, oOff, oOff + m * n);
  for (let i = 0; i < m; i++) {
    const oRow = oOff + i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * ars + p * acs];
      const bRow = bOff + p * brs;
      for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j * bcs];
    }
  }
}
