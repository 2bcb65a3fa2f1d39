/**
 * The attention forward kernel: for each batch entry, the scores q·kᵀ·scale (+ an additive mask, or with entries a
 * boolean or causal mask blocks), a row softmax, optional dropout, and the product with v. Work is done in blocks of
 * query rows, so under a causal mask the key columns a block can never see are neither multiplied nor exponentiated,
 * and no [L, S] mask is ever built. Operands are contiguous typed arrays; batch broadcasting arrives as per-entry offsets.
 */
import type { Generator } from '../random.js';
import type { FloatArray, Storage } from './types.js';
import { gemm } from './gemm.js';
import { expK } from './unary.js';

/** Query rows per block: enough for the gemm to run at speed, few enough to skip most of a causal mask's zeros. */
const BLOCK_ROWS = 64;

export interface AttentionMask {
  data: Storage;
  /** true: nonzero entries attend and zeros are blocked; false: values are added to the scores. */
  boolean: boolean;
  /** Offset of each batch entry's [L, S] block, and the row and column strides (0 where the mask broadcasts). */
  offsets: Int32Array;
  rowStride: number;
  colStride: number;
}

export interface AttentionArgs {
  /** Batch entries, query rows L, key rows S, query/key width E and value width Ev. */
  batch: number;
  L: number;
  S: number;
  E: number;
  Ev: number;
  q: FloatArray;
  k: FloatArray;
  /** null computes the weights only. */
  v: FloatArray | null;
  /** Element offsets of each batch entry's matrix in q, k and v (broadcast batch dimensions repeat an offset). */
  qOffsets: Int32Array;
  kOffsets: Int32Array;
  vOffsets: Int32Array | null;
  mask: AttentionMask | null;
  /** Row i attends columns j ≤ i only (top-left aligned, as PyTorch's is_causal). */
  causal: boolean;
  scale: number;
  /** Dropout probability and its generator; the keep mask (0 or 1/(1 − p)) is written to `keep`. */
  dropoutP: number;
  generator: Generator | null;
  /** Outputs: the softmax weights [batch, L, S] before dropout, the keep mask (same shape, only with dropout), and
   * the result [batch, L, Ev] (only with v). All zero-filled on entry. */
  weights: FloatArray;
  keep: FloatArray | null;
  out: FloatArray | null;
}

/**
 * Fills `weights` (and `keep`, `out`). A row with no key to attend to (every entry blocked or −∞) gets all-zero weights,
 * so its output is 0 and no NaN reaches the gradients.
 */
export function attentionK(a: AttentionArgs): void {
  const { L, S, E, Ev, q, k, v, mask, causal, scale, weights, keep, out } = a;
  const rows = Math.min(BLOCK_ROWS, Math.max(L, 1));
  const scratch = (q instanceof Float32Array ? new Float32Array(rows * S) : new Float64Array(rows * S)) as FloatArray;
  const keepScale = a.dropoutP < 1 ? 1 / (1 - a.dropoutP) : 0;
  const rowScale = new Float64Array(rows);
  for (let b = 0; b < a.batch; b++) {
    const qo = a.qOffsets[b], ko = a.kOffsets[b], wo = b * L * S;
    const mo = mask ? mask.offsets[b] : 0;
    for (let r0 = 0; r0 < L; r0 += rows) {
      const m = Math.min(rows, L - r0);
      // Columns any row of this block may attend: under the causal mask, up to the block's last row.
      const n = causal ? Math.min(S, r0 + m) : S;
      if (n === 0) continue;
      gemm(false, true, m, n, E, q, qo + r0 * E, k, ko, scratch, 0);
      for (let i = 0; i < m; i++) {
        const row = i * n, lim = causal ? Math.min(n, r0 + i + 1) : n;
        const mrow = mask ? mo + (r0 + i) * mask.rowStride : 0;
        let max = -Infinity;
        if (mask === null) {
          for (let j = 0; j < lim; j++) {
            const v = scratch[row + j] * scale;
            scratch[row + j] = v;
            if (v > max) max = v;
          }
        } else {
          const { data, boolean, colStride } = mask;
          for (let j = 0; j < lim; j++) {
            const mv = data[mrow + j * colStride];
            const v = boolean ? (mv === 0 ? -Infinity : scratch[row + j] * scale) : scratch[row + j] * scale + mv;
            scratch[row + j] = v;
            if (v > max) max = v;
          }
        }
        for (let j = lim; j < n; j++) scratch[row + j] = -Infinity;
        // All blocked: leave −∞ everywhere so exp gives 0 (s − max would be NaN).
        if (max !== -Infinity) for (let j = 0; j < lim; j++) scratch[row + j] -= max;
      }
      expK(scratch.subarray(0, m * n) as FloatArray, scratch.subarray(0, m * n) as FloatArray);
      for (let i = 0; i < m; i++) {
        const row = i * n, wrow = wo + (r0 + i) * S;
        let total = 0;
        for (let j = 0; j < n; j++) total += scratch[row + j];
        const inv = total > 0 ? 1 / total : 0;
        rowScale[i] = inv;
        for (let j = 0; j < n; j++) weights[wrow + j] = scratch[row + j] * inv;
        if (keep) {
          const gen = a.generator as Generator;
          for (let j = 0; j < S; j++) {
            const kv = gen.random() >= a.dropoutP ? keepScale : 0;
            keep[wrow + j] = kv;
            if (j < n) scratch[row + j] *= kv;
          }
        }
      }
      if (v && out && a.vOffsets) {
        // The product with the unnormalised exponentials, then each output row scaled by its 1/Σ: Ev multiplications
        // per row instead of a pass over the n scores.
        const o0 = (b * L + r0) * Ev;
        gemm(false, false, m, Ev, n, scratch, 0, v, a.vOffsets[b], out, o0);
        for (let i = 0; i < m; i++) {
          const inv = rowScale[i];
          for (let c = o0 + i * Ev; c < o0 + (i + 1) * Ev; c++) out[c] *= inv;
        }
      }
    }
  }
}
