/**
 * Attention. `scaledDotProductAttention` is one primitive: its kernel (kernels/attention.ts) computes scores, a masked
 * softmax, dropout and the product with v in blocks of query rows, never building a [L, S] mask for `isCausal`, and it
 * saves the softmax weights (and the dropout mask) for a vjp written with tensor ops. `attentionWeights` is the softmax
 * part alone (what MultiheadAttention returns with needWeights). In both vjps the saved weights enter as an
 * `attentionWeights` node of q and k, so gradients of gradients are exact.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { attentionK, type AttentionMask } from '../kernels/attention.js';
import type { FloatArray } from '../kernels/types.js';
import { defaultGenerator, Generator } from '../random.js';
import { broadcastPair, broadcastStrides, broadcastsTo, fmtShape, sizeOf, type Shape } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { mm } from './matmul.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';

export interface AttentionWeightsOptions {
  /**
   * A mask broadcastable to [..., L, S]. int32: 1 = attend, 0 = blocked (PyTorch's boolean mask, True = attend).
   * float: added to the scores (0 keeps, −Infinity blocks; differentiable). There is no bool dtype, so a float mask of
   * only 0s and 1s is rejected as ambiguous: convert it with `.to('int32')`.
   */
  attnMask?: Tensor | null;
  /** Row i attends keys j ≤ i only (top-left aligned, as PyTorch); no mask tensor is built. Not with attnMask. */
  isCausal?: boolean;
  /** Multiplies q·kᵀ; default 1/√E. */
  scale?: number | null;
}

export interface ScaledDotProductAttentionOptions extends AttentionWeightsOptions {
  /** Probability of zeroing each attention weight (survivors scaled by 1/(1 − p)); default 0. Apply it in training only. */
  dropoutP?: number;
  /** Source of the dropout mask (default: core's default generator). */
  generator?: Generator;
}

interface Plan {
  batch: Shape;
  L: number;
  S: number;
  E: number;
  Ev: number;
  scale: number;
  causal: boolean;
  /** The float additive mask as a differentiable input (cast to q's dtype), or null. */
  additive: Tensor | null;
  mask: AttentionMask | null;
  qOffsets: Int32Array;
  kOffsets: Int32Array;
  vOffsets: Int32Array | null;
}

/**
 * For each entry of `batch` (row-major), the element offset Σ index·stride given per-dimension `strides` (0 where a
 * tensor broadcasts), times `mat` (the size of one matrix) for operands stored as whole matrices.
 */
function batchOffsets(strides: readonly number[], batch: Shape, mat = 1): Int32Array {
  const nb = sizeOf(batch);
  const out = new Int32Array(nb);
  const idx = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < nb; i++) {
    let o = 0;
    for (let d = 0; d < batch.length; d++) o += idx[d] * strides[d];
    out[i] = o * mat;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Validates the operands and options of `fn` and works out shapes, offsets and the mask's layout. */
function plan(fn: string, q: Tensor, k: Tensor, v: Tensor | null, opts: ScaledDotProductAttentionOptions, known: readonly string[]): Plan {
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${describeValue(opts)}`);
  checkOptionKeys(opts, known, fn);
  const named: [string, Tensor | null][] = [['query', q], ['key', k], ['value', v]];
  for (const [name, t] of named) {
    if (t === null && name === 'value') continue;
    if (!(t instanceof Tensor)) throw new Error(`${fn}: ${name} must be a Tensor, got ${describeValue(t)}`);
    if (t.ndim < 2) throw new Error(`${fn}: ${name} must have at least 2 dimensions ([..., length, features]), got shape ${fmtShape(t.shape)}`);
    if (t.dtype === 'int32') throw new Error(`${fn}: ${name} must be float32 or float64, got int32`);
    if (t.dtype !== q.dtype) throw new Error(`${fn}: query is ${q.dtype} but ${name} is ${t.dtype}`);
  }
  const L = q.shape[q.ndim - 2], E = q.shape[q.ndim - 1], S = k.shape[k.ndim - 2];
  if (k.shape[k.ndim - 1] !== E) throw new Error(`${fn}: query ${fmtShape(q.shape)} and key ${fmtShape(k.shape)} must have the same last dimension`);
  if (v && v.shape[v.ndim - 2] !== S) throw new Error(`${fn}: key ${fmtShape(k.shape)} and value ${fmtShape(v.shape)} must have the same length (dimension -2)`);
  let batch = broadcastPair(q.shape.slice(0, -2), k.shape.slice(0, -2), `${fn} (batch dimensions of query and key)`);
  if (v) batch = broadcastPair(batch, v.shape.slice(0, -2), `${fn} (batch dimensions of query, key and value)`);
  const Ev = v ? v.shape[v.ndim - 1] : 0;

  const causal = opts.isCausal ?? false;
  if (typeof causal !== 'boolean') throw new Error(`${fn}: isCausal must be a boolean, got ${describeValue(causal)}`);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new Error(`${fn}: scale must be a finite number, got ${describeValue(scale)}`);

  const m = opts.attnMask ?? null;
  let mask: AttentionMask | null = null, additive: Tensor | null = null;
  if (m !== null) {
    if (causal) throw new Error(`${fn}: pass either attnMask or isCausal, not both (fold the causal mask into attnMask)`);
    if (!(m instanceof Tensor)) throw new Error(`${fn}: attnMask must be a Tensor, got ${describeValue(m)}`);
    const full = [...batch, L, S];
    if (!broadcastsTo(m.shape, full)) throw new Error(`${fn}: attnMask of shape ${fmtShape(m.shape)} does not broadcast to the scores' shape ${fmtShape(full)}`);
    const boolean = m.dtype === 'int32';
    const d = m.data;
    if (boolean) {
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== 0 && d[i] !== 1) throw new Error(`${fn}: an int32 attnMask must hold 0 (blocked) and 1 (attend), got ${d[i]} at flat index ${i}`);
      }
    } else {
      let ones = false, other = false;
      for (let i = 0; i < d.length && !other; i++) {
        if (d[i] === 1) ones = true;
        else if (d[i] !== 0) other = true;
      }
      if (ones && !other) {
        throw new Error(`${fn}: attnMask is a ${m.dtype} tensor of only 0s and 1s. A float mask is added to the scores (0 keeps, -Infinity blocks); ` +
          `for a boolean mask (1 = attend, 0 = blocked) pass it as int32: attnMask.to('int32')`);
      }
      additive = m.dtype === q.dtype ? m : cast(m, q.dtype);
    }
    const src = additive ?? m;
    const strides = broadcastStrides(src.shape, full);
    const nd = full.length;
    mask = { data: src.data, boolean, offsets: batchOffsets(strides, batch), rowStride: strides[nd - 2], colStride: strides[nd - 1] };
  }
  return {
    batch, L, S, E, Ev, scale, causal, additive, mask,
    qOffsets: batchOffsets(broadcastStrides(q.shape.slice(0, -2), batch), batch, L * E),
    kOffsets: batchOffsets(broadcastStrides(k.shape.slice(0, -2), batch), batch, S * E),
    vOffsets: v ? batchOffsets(broadcastStrides(v.shape.slice(0, -2), batch), batch, S * Ev) : null,
  };
}

/**
 * The softmax weights `weights` (computed by the kernel) as a function of q, k and the additive mask: the output of
 * attentionWeights, and the way both vjps read the saved weights so that their own derivatives are right.
 */
function weightsNode(weights: Tensor, q: Tensor, k: Tensor, additive: Tensor | null, scale: number): Tensor {
  const inputs = additive ? [q, k, additive] : [q, k];
  return record('attentionWeights', weights._view(weights.shape), inputs, (g, needs) =>
    weightsVjp(weightsNode(weights, q, k, additive, scale), g, q, k, scale, needs), [weights, q, k]);
}

/**
 * Gradients w.r.t. q, k and the additive mask from `g`, the gradient w.r.t. the weights `w`: the softmax backward
 * dS = w ⊙ (g − Σⱼ g ⊙ w), then dq = dS·k·scale, dk = dSᵀ·q·scale, dmask = dS (matmuls with transpose flags).
 */
function weightsVjp(w: Tensor, g: Tensor, q: Tensor, k: Tensor, scale: number, needs: readonly boolean[]): (Tensor | null)[] {
  const ds = mul(w, sub(g, sum(mul(g, w), -1, true)));
  return [needs[0] ? mm(ds, k, false, false).mul(scale) : null, needs[1] ? mm(ds, q, true, false).mul(scale) : null, needs[2] ? ds : null];
}

/**
 * softmax(q·kᵀ·scale + mask) over the keys, [..., L, S]: the attention weights alone. Rows where every key is blocked
 * are all zero (PyTorch ≥ 2.5's scaled_dot_product_attention convention; torch 1.13 gives NaN there).
 */
export const attentionWeights = /* @__PURE__ */ defineOp({
  name: 'attentionWeights', family: 'nn', differentiable: true, primitive: true,
  summary: 'softmax(q·kᵀ·scale + mask) over keys, [..., L, S]; masks and isCausal as scaledDotProductAttention; fully blocked rows are 0',
  grad: 'q: dS·k·scale, k: dSᵀ·q·scale, float mask: dS, with dS = out ⊙ (g − Σ g ⊙ out)',
}, (query: Tensor, key: Tensor, options: AttentionWeightsOptions = {}): Tensor => {
  const p = plan('attentionWeights', query, key, null, options, ['attnMask', 'isCausal', 'scale']);
  const weights = Tensor.empty([...p.batch, p.L, p.S], query.dtype);
  attentionK({
    batch: sizeOf(p.batch), L: p.L, S: p.S, E: p.E, Ev: 0, q: query.data as FloatArray, k: key.data as FloatArray, v: null,
    qOffsets: p.qOffsets, kOffsets: p.kOffsets, vOffsets: null, mask: p.mask, causal: p.causal, scale: p.scale,
    dropoutP: 0, generator: null, weights: weights.data as FloatArray, keep: null, out: null,
  });
  return weightsNode(weights, query, key, p.additive, p.scale);
});

/**
 * Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v, as PyTorch's F.scaled_dot_product_attention: query
 * [..., L, E], key [..., S, E], value [..., S, Ev] (batch dimensions broadcast) give [..., L, Ev]. One primitive with a
 * fused kernel; see AttentionWeightsOptions for masks. Rows with every key blocked give 0 (not NaN), with zero gradients.
 * The dropout keep mask is drawn as `generator.random() ≥ dropoutP` for every score in row-major order.
 */
export const scaledDotProductAttention = /* @__PURE__ */ defineOp({
  name: 'scaledDotProductAttention', family: 'nn', differentiable: true, primitive: true,
  summary: 'softmax(q·kᵀ·scale + mask)·v with optional isCausal, dropout; fused kernel, no [L, S] causal mask built',
  grad: 'v: Aᵀ·g; q, k, float mask: as attentionWeights with upstream (g·vᵀ) ⊙ dropout mask; A = weights ⊙ dropout mask',
}, (query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor => {
  const fn = 'scaledDotProductAttention';
  const p = plan(fn, query, key, value, options, ['attnMask', 'isCausal', 'scale', 'dropoutP', 'generator']);
  const dropoutP = options.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new Error(`${fn}: dropoutP must be a number in [0, 1], got ${describeValue(dropoutP)}`);
  const generator = options.generator ?? defaultGenerator;
  if (!(generator instanceof Generator)) throw new Error(`${fn}: generator must be a Generator, got ${describeValue(generator)}`);
  const scoreShape = [...p.batch, p.L, p.S];
  const weights = Tensor.empty(scoreShape, query.dtype);
  const keep = dropoutP > 0 ? Tensor.empty(scoreShape, query.dtype) : null;
  const out = Tensor.empty([...p.batch, p.L, p.Ev], query.dtype);
  attentionK({
    batch: sizeOf(p.batch), L: p.L, S: p.S, E: p.E, Ev: p.Ev, q: query.data as FloatArray, k: key.data as FloatArray, v: value.data as FloatArray,
    qOffsets: p.qOffsets, kOffsets: p.kOffsets, vOffsets: p.vOffsets, mask: p.mask, causal: p.causal, scale: p.scale,
    dropoutP, generator, weights: weights.data as FloatArray, keep: keep && (keep.data as FloatArray), out: out.data as FloatArray,
  });
  const { additive, scale } = p;
  const inputs = additive ? [query, key, value, additive] : [query, key, value];
  return record(fn, out, inputs, (g, needs) => {
    const w = weightsNode(weights, query, key, additive, scale);
    const a = keep ? mul(w, keep) : w;
    const dv = needs[2] ? mm(a, g, true, false) : null;
    const needMask = additive !== null && needs[3];
    if (!needs[0] && !needs[1] && !needMask) return [null, null, dv, null];
    let dw = mm(g, value, false, true);
    if (keep) dw = mul(dw, keep);
    const [dq, dk, dmask] = weightsVjp(w, dw, query, key, scale, [needs[0], needs[1], needMask]);
    return [dq, dk, dv, dmask];
  }, keep ? [query, key, value, weights, keep] : [query, key, value, weights]);
});
