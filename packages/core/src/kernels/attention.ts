/**
 * The attention forward kernel: for each batch entry, the scores q·kᵀ·scale (+ an additive mask, or with entries a
 * boolean or causal mask blocks), a row softmax, optional dropout, and the product with v. Work is done in blocks of
 * query rows, so under a causal mask the key columns a block can never see are neither multiplied nor exponentiated,
 * and no [L, S] mask is ever built. Operands are contiguous typed arrays; batch broadcasting arrives as per-entry offsets.
 */
import type { Generator } from '../random.js';
import type { FloatArray, Storage } from './types.js';
import { gemm, gemmBatched } from './gemm.js';
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
  if (a.L <= BLOCK_ROWS && a.batch > 1) return attentionBatched(a);
  const { L, S, E, Ev, q, k, v, causal, out } = a;
  const rows = Math.min(BLOCK_ROWS, Math.max(L, 1));
  const scratch = (q instanceof Float32Array ? new Float32Array(rows * S) : new Float64Array(rows * S)) as FloatArray;
  const rowScale = new Float64Array(rows);
  for (let b = 0; b < a.batch; b++) {
    const qo = a.qOffsets[b], ko = a.kOffsets[b];
    for (let r0 = 0; r0 < L; r0 += rows) {
      const m = Math.min(rows, L - r0);
      // Columns any row of this block may attend: under the causal mask, up to the block's last row.
      const n = causal ? Math.min(S, r0 + m) : S;
      if (n === 0) continue;
      gemm(false, true, m, n, E, q, qo + r0 * E, k, ko, scratch, 0);
      prepareRows(a, scratch, 0, m, n, b, r0);
      expK(scratch.subarray(0, m * n) as FloatArray, scratch.subarray(0, m * n) as FloatArray);
      normalizeRows(a, scratch, 0, m, n, b, r0, rowScale, 0);
      if (v && out && a.vOffsets) {
        // The product with the unnormalised exponentials, then each output row scaled by its 1/Σ: Ev multiplications
        // per row instead of a pass over the n scores.
        const o0 = (b * L + r0) * Ev;
        gemm(false, false, m, Ev, n, scratch, 0, v, a.vOffsets[b], out, o0);
        scaleRows(out, o0, m, Ev, rowScale, 0);
      }
    }
  }
}

/**
 * Queries of at most one block per batch entry (a GPT's short sequences): the same steps for all entries at once,
 * with the two products as batched gemms (small float32 products copied into wasm memory once, not per entry).
 */
function attentionBatched(a: AttentionArgs): void {
  const { L, S, E, Ev, q, k, v, causal, out } = a;
  const n = causal ? Math.min(S, L) : S, count = a.batch, per = L * n;
  if (n === 0 || L === 0) return;
  const scratch = (q instanceof Float32Array ? new Float32Array(count * per) : new Float64Array(count * per)) as FloatArray;
  const rowScale = new Float64Array(count * L);
  gemmBatched(false, true, L, n, E, q, a.qOffsets, k, a.kOffsets, scratch);
  for (let b = 0; b < count; b++) prepareRows(a, scratch, b * per, L, n, b, 0);
  expK(scratch, scratch);
  for (let b = 0; b < count; b++) normalizeRows(a, scratch, b * per, L, n, b, 0, rowScale, b * L);
  if (v && out && a.vOffsets) {
    const sOffs = new Int32Array(count);
    for (let b = 0; b < count; b++) sOffs[b] = b * per;
    gemmBatched(false, false, L, Ev, n, scratch, sOffs, v, a.vOffsets, out);
    scaleRows(out, 0, count * L, Ev, rowScale, 0);
  }
}

/**
 * Rows r0 … r0 + m − 1 of entry b, held at `base` of scratch as m rows of n scores: scale, mask (−∞ for blocked and
 * causally hidden columns) and subtract each row's max, ready for exp.
 */
function prepareRows(a: AttentionArgs, scratch: FloatArray, base: number, m: number, n: number, b: number, r0: number): void {
  const { mask, causal, scale } = a;
  const mo = mask ? mask.offsets[b] : 0;
  for (let i = 0; i < m; i++) {
    const row = base + i * n, lim = causal ? Math.min(n, r0 + i + 1) : n;
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
}

/**
 * After exp: each row's weights (into `weights`, normalised), its 1/Σ (into rowScale at rsOff + i), and with dropout
 * the keep mask, drawn for all S columns of the row in order and applied to the exponentials left in scratch.
 */
function normalizeRows(
  a: AttentionArgs, scratch: FloatArray, base: number, m: number, n: number, b: number, r0: number, rowScale: Float64Array, rsOff: number,
): void {
  const { L, S, weights, keep } = a;
  const keepScale = a.dropoutP < 1 ? 1 / (1 - a.dropoutP) : 0;
  const wo = b * L * S;
  for (let i = 0; i < m; i++) {
    const row = base + i * n, wrow = wo + (r0 + i) * S;
    let total = 0;
    for (let j = 0; j < n; j++) total += scratch[row + j];
    const inv = total > 0 ? 1 / total : 0;
    rowScale[rsOff + i] = inv;
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
}

/** out rows o0 … (m rows of Ev) times their 1/Σ. */
function scaleRows(out: FloatArray, o0: number, m: number, Ev: number, rowScale: Float64Array, rsOff: number): void {
  for (let i = 0; i < m; i++) {
    const inv = rowScale[rsOff + i];
    for (let c = o0 + i * Ev; c < o0 + (i + 1) * Ev; c++) out[c] *= inv;
  }
}
