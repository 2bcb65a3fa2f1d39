/**
 * Multi-head attention (torch.nn.MultiheadAttention). Parameters and state-dict names are PyTorch's, so the fields are
 * snake_case (`in_proj_weight`, `out_proj`, …): the walk names parameters after fields, and these names are what a
 * PyTorch checkpoint holds. The attention itself is core's `scaledDotProductAttention` (one fused op), or
 * `attentionWeights` followed by dropout and a matmul when the weights are asked for.
 */
import {
  Tensor, attentionWeights, concat, full, linear, scaledDotProductAttention, tensor, where, zeros, type DType, type Generator,
} from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { dropout } from '../functional.js';
import { constant, xavierNormal, xavierUniform } from '../init.js';
import { describeValue, expectBoolean, expectDType, expectGenerator, expectTensor, floatOf, rejectUnknownOptions, shapeStr } from '../util.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights (training only). Default 0. */
  dropout?: number;
  /** Biases in the input and output projections. Default true. */
  bias?: boolean;
  /** Learned key and value vectors appended to the keys and values (PyTorch's add_bias_kv). Default false. */
  addBiasKV?: boolean;
  /** Appends a zero key and value (PyTorch's add_zero_attn). Default false. */
  addZeroAttn?: boolean;
  /** Feature sizes of key and value (default embedDim); when either differs, q/k/v get separate projection weights. */
  kdim?: number | null;
  vdim?: number | null;
  /** Inputs and output are [N, L, E] instead of PyTorch's default [L, N, E]. Default false. */
  batchFirst?: boolean;
  dtype?: DType;
  /** Generator for the initial weights and the dropout masks. */
  generator?: Generator;
}

export interface MultiheadAttentionForwardOptions {
  /**
   * [L, S] or [N·numHeads, L, S]. int32: **1 = blocked** (PyTorch's boolean attn_mask, True = not allowed; note that
   * core's scaledDotProductAttention uses the opposite, True = attend, as PyTorch does). float: added to the scores.
   */
  attnMask?: Tensor | null;
  /** [N, S] ([S] unbatched). int32: 1 = padding, ignored; float: added to the scores. */
  keyPaddingMask?: Tensor | null;
  /**
   * Causal attention. Alone it needs no mask (PyTorch ≥ 2.0 requires attnMask as well and treats isCausal as a hint);
   * with attnMask, attnMask is used as given.
   */
  isCausal?: boolean;
  /** Return the attention weights (default true, as PyTorch); false takes the fused path and returns null weights. */
  needWeights?: boolean;
  /** Average the returned weights over heads ([N, L, S]) or not ([N, numHeads, L, S]). Default true. */
  averageAttnWeights?: boolean;
}

const FORWARD_KEYS = ['attnMask', 'keyPaddingMask', 'isCausal', 'needWeights', 'averageAttnWeights'];
const OPTION_KEYS = ['dropout', 'bias', 'addBiasKV', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst', 'dtype', 'generator'];

/** A mask as this layer reads it: 'blocked' (int32, 1 = blocked) or 'additive' (float, added to the scores). */
interface MaskPart {
  kind: 'blocked' | 'additive';
  tensor: Tensor;
}

function readMask(where: string, name: string, m: Tensor): MaskPart {
  if (m.dtype === 'int32') {
    const d = m.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 0 && d[i] !== 1) throw new Error(`${where}: an int32 ${name} must hold 0 and 1 (1 = blocked), got ${d[i]} at flat index ${i}`);
    }
    return { kind: 'blocked', tensor: m };
  }
  let ones = false, other = false;
  for (let i = 0; i < m.data.length && !other; i++) {
    if (m.data[i] === 1) ones = true;
    else if (m.data[i] !== 0) other = true;
  }
  if (ones && !other) {
    throw new Error(`${where}: ${name} is a ${m.dtype} tensor of only 0s and 1s. A float mask is added to the scores (0 keeps, -Infinity blocks); ` +
      `for a boolean mask (1 = blocked, like PyTorch's True) pass it as int32: ${name}.to('int32')`);
  }
  return { kind: 'additive', tensor: m };
}

/** The int32 [L, S] causal mask in this layer's convention: 1 above the diagonal (blocked). */
function causalBlocked(L: number, S: number): Tensor {
  const data = new Int32Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) data[i * S + j] = 1;
  return tensor(data, { dtype: 'int32', shape: [L, S] });
}

/**
 * Merges the parts (each broadcastable to [N, H, L, S]) into one mask in core's attention convention: int32 with
 * 1 = attend when every part is boolean, else one additive float mask in `dtype`.
 */
function mergeMasks(parts: MaskPart[], dtype: 'float32' | 'float64'): Tensor | null {
  if (parts.length === 0) return null;
  if (parts.every((p) => p.kind === 'blocked')) {
    let blocked = parts[0].tensor;
    for (const p of parts.slice(1)) blocked = blocked.maximum(p.tensor);
    return blocked.eq(0).to('int32');
  }
  const minusInf = full([], -Infinity, { dtype }), zero = zeros([], { dtype });
  let sum: Tensor | null = null;
  for (const p of parts) {
    const a = p.kind === 'blocked' ? where(p.tensor, minusInf, zero) : p.tensor.to(dtype);
    sum = sum === null ? a : sum.add(a);
  }
  return sum;
}

/**
 * Multi-head attention as torch.nn.MultiheadAttention (1.13): `forward(query, key, value, options)` returns
 * `[output, weights | null]`. Inputs are [L, N, E] (or [N, L, E] with batchFirst, or unbatched [L, E]); key and value
 * [S, N, kdim/vdim]. Parameters: `in_proj_weight [3E, E]` (xavier-uniform) and `in_proj_bias [3E]` (zeros), or
 * `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim/vdim differ from embedDim; `out_proj` a Linear(E, E) with
 * a zero bias; `bias_k`, `bias_v [1, 1, E]` with addBiasKV.
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  /* eslint-disable @typescript-eslint/naming-convention -- PyTorch's state-dict names */
  in_proj_weight: Tensor | null = null;
  q_proj_weight: Tensor | null = null;
  k_proj_weight: Tensor | null = null;
  v_proj_weight: Tensor | null = null;
  in_proj_bias: Tensor | null = null;
  bias_k: Tensor | null = null;
  bias_v: Tensor | null = null;
  out_proj: Linear;
  /* eslint-enable @typescript-eslint/naming-convention */
  private readonly generator: Generator | undefined;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const where = 'MultiheadAttention';
    rejectUnknownOptions(where, options, OPTION_KEYS);
    const { dropout: p = 0, bias = true, addBiasKV = false, addZeroAttn = false, batchFirst = false, dtype = 'float32', generator } = options;
    for (const [name, v] of [['bias', bias], ['addBiasKV', addBiasKV], ['addZeroAttn', addZeroAttn], ['batchFirst', batchFirst]] as const) expectBoolean(v, where, name);
    expectDType(dtype, where, 'dtype', { float: true });
    expectGenerator(generator, where);
    for (const [name, v] of [['embedDim', embedDim], ['numHeads', numHeads]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${name} must be a positive integer, got ${v}`);
    }
    if (embedDim % numHeads !== 0) throw new Error(`${where}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${where}: dropout must be in [0, 1], got ${describeValue(p)}`);
    const kdim = options.kdim ?? embedDim, vdim = options.vdim ?? embedDim;
    for (const [name, v] of [['kdim', kdim], ['vdim', vdim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${name} must be a positive integer, got ${v}`);
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = kdim;
    this.vdim = vdim;
    this.dropout = p;
    this.batchFirst = batchFirst;
    this.addZeroAttn = addZeroAttn;
    this.generator = generator;
    const init = { generator };
    if (kdim === embedDim && vdim === embedDim) {
      this.in_proj_weight = parameter(xavierUniform(zeros([3 * embedDim, embedDim], { dtype }), 1, init));
    } else {
      this.q_proj_weight = parameter(xavierUniform(zeros([embedDim, embedDim], { dtype }), 1, init));
      this.k_proj_weight = parameter(xavierUniform(zeros([embedDim, kdim], { dtype }), 1, init));
      this.v_proj_weight = parameter(xavierUniform(zeros([embedDim, vdim], { dtype }), 1, init));
    }
    this.in_proj_bias = bias ? parameter(zeros([3 * embedDim], { dtype })) : null;
    if (addBiasKV) {
      this.bias_k = parameter(xavierNormal(zeros([1, 1, embedDim], { dtype }), 1, init));
      this.bias_v = parameter(xavierNormal(zeros([1, 1, embedDim], { dtype }), 1, init));
    }
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype, generator });
    if (this.out_proj.bias) constant(this.out_proj.bias, 0);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const where = 'MultiheadAttention';
    rejectUnknownOptions(`${where}.forward`, options, FORWARD_KEYS);
    const { needWeights = true, averageAttnWeights = true, isCausal = false } = options;
    expectTensor(query, where, 'query');
    expectTensor(key, where, 'key');
    expectTensor(value, where, 'value');
    const E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2) throw new Error(`${where}: query must be 2-D (unbatched) or 3-D (batched), got ${shapeStr(query.shape)}`);
    const rank = batched ? 3 : 2;
    if (key.ndim !== rank || value.ndim !== rank) {
      throw new Error(`${where}: for ${rank}-D query, expected ${rank}-D key and value, got key ${shapeStr(key.shape)} and value ${shapeStr(value.shape)}`);
    }
    // To [N, len, features].
    const toBatchFirst = (t: Tensor) => (!batched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    // Self-attention passes one tensor three times: move it once.
    const q0 = toBatchFirst(query);
    const k0 = key === query ? q0 : toBatchFirst(key);
    const v0 = value === key ? k0 : value === query ? q0 : toBatchFirst(value);
    const [N, L] = q0.shape, S = k0.shape[1];
    if (q0.shape[2] !== E) throw new Error(`${where}: query ${shapeStr(query.shape)} must have ${E} features (embedDim)`);
    if (k0.shape[2] !== this.kdim) throw new Error(`${where}: key ${shapeStr(key.shape)} must have ${this.kdim} features (kdim)`);
    if (v0.shape[2] !== this.vdim) throw new Error(`${where}: value ${shapeStr(value.shape)} must have ${this.vdim} features (vdim)`);
    if (k0.shape[0] !== N || v0.shape[0] !== N) throw new Error(`${where}: query, key and value must have the same batch size, got ${shapeStr(query.shape)}, ${shapeStr(key.shape)}, ${shapeStr(value.shape)}`);
    if (v0.shape[1] !== S) throw new Error(`${where}: key ${shapeStr(key.shape)} and value ${shapeStr(value.shape)} must have the same sequence length`);
    const dtype = floatOf(q0);

    // Projections, fused where the inputs are the same tensor (self-attention), as PyTorch's _in_projection_packed.
    let q: Tensor, k: Tensor, v: Tensor;
    const b = this.in_proj_bias;
    const bq = b?.slice([[0, E]]) ?? null, bk = b?.slice([[E, 2 * E]]) ?? null, bv = b?.slice([[2 * E, 3 * E]]) ?? null;
    if (this.in_proj_weight) {
      const w = this.in_proj_weight;
      if (query === key && key === value) {
        [q, k, v] = linear(q0, w, b).chunk(3, -1);
      } else if (key === value) {
        q = linear(q0, w.slice([[0, E]]), bq);
        [k, v] = linear(k0, w.slice([[E, 3 * E]]), b?.slice([[E, 3 * E]]) ?? null).chunk(2, -1);
      } else {
        q = linear(q0, w.slice([[0, E]]), bq);
        k = linear(k0, w.slice([[E, 2 * E]]), bk);
        v = linear(v0, w.slice([[2 * E, 3 * E]]), bv);
      }
    } else {
      q = linear(q0, this.q_proj_weight as Tensor, bq);
      k = linear(k0, this.k_proj_weight as Tensor, bk);
      v = linear(v0, this.v_proj_weight as Tensor, bv);
    }

    // Masks, each shaped to broadcast against [N, H, L, S'].
    const parts: MaskPart[] = [];
    const am = options.attnMask ?? null;
    if (am !== null) {
      expectTensor(am, where, 'attnMask');
      if (am.ndim === 2) {
        if (am.shape[0] !== L || am.shape[1] !== S) throw new Error(`${where}: the 2-D attnMask is ${shapeStr(am.shape)}, but should be [${L}, ${S}]`);
        parts.push(readMask(where, 'attnMask', am));
      } else if (am.ndim === 3) {
        if (am.shape[0] !== N * H || am.shape[1] !== L || am.shape[2] !== S) throw new Error(`${where}: the 3-D attnMask is ${shapeStr(am.shape)}, but should be [${N * H}, ${L}, ${S}] ([N·numHeads, L, S])`);
        const part = readMask(where, 'attnMask', am);
        parts.push({ kind: part.kind, tensor: am.reshape([N, H, L, S]) });
      } else {
        throw new Error(`${where}: attnMask must be 2-D or 3-D, got ${shapeStr(am.shape)}`);
      }
    } else if (isCausal && (options.keyPaddingMask || this.bias_k || this.addZeroAttn)) {
      // Combined with other masks the causal one must exist as a tensor; alone it stays implicit (isCausal below).
      parts.push({ kind: 'blocked', tensor: causalBlocked(L, S) });
    }
    const kpm = options.keyPaddingMask ?? null;
    if (kpm !== null) {
      expectTensor(kpm, where, 'keyPaddingMask');
      const want = batched ? [N, S] : [S];
      if (kpm.ndim !== want.length || kpm.shape.some((d, i) => d !== want[i])) {
        throw new Error(`${where}: keyPaddingMask is ${shapeStr(kpm.shape)}, but should be ${shapeStr(want)}`);
      }
      const part = readMask(where, 'keyPaddingMask', kpm);
      parts.push({ kind: part.kind, tensor: kpm.reshape([N, 1, 1, S]) });
    }

    // Learned bias key/value and the zero attention slot: one more key, never masked.
    const extend = (t: Tensor, extra: Tensor) => concat([t, extra], 1);
    if (this.bias_k && this.bias_v) {
      k = extend(k, this.bias_k.expand([N, 1, E]));
      v = extend(v, this.bias_v.expand([N, 1, E]));
    }
    // [N, len, E] → [N, H, len, headDim]
    const heads = (t: Tensor) => t.reshape([N, t.shape[1], H, hd]).transpose(1, 2);
    let kh = heads(k), vh = heads(v);
    const qh = heads(q);
    if (this.addZeroAttn) {
      kh = concat([kh, zeros([N, H, 1, hd], { dtype })], 2);
      vh = concat([vh, zeros([N, H, 1, hd], { dtype })], 2);
    }
    const extra = kh.shape[2] - S;
    const padded = parts.map((p) => ({ kind: p.kind, tensor: extra > 0 ? p.tensor.pad([0, extra], 0) : p.tensor }));
    const mask = mergeMasks(padded, dtype);
    const causal = isCausal && mask === null;

    const p = this.training ? this.dropout : 0;
    let out: Tensor, weights: Tensor | null = null;
    if (needWeights) {
      weights = attentionWeights(qh, kh, { attnMask: mask, isCausal: causal });
      weights = dropout(weights, p, p > 0, { generator: this.generator });
      out = weights.matmul(vh);
    } else {
      out = scaledDotProductAttention(qh, kh, vh, { attnMask: mask, isCausal: causal, dropoutP: p, generator: this.generator });
    }
    let y = this.out_proj.forward(out.transpose(1, 2).reshape([N, L, E]));
    y = !batched ? y.squeeze(0) : this.batchFirst ? y : y.transpose(0, 1);
    if (weights !== null) {
      if (averageAttnWeights) weights = weights.mean(1);
      if (!batched) weights = weights.squeeze(0);
    }
    return [y, weights];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}` +
      (this.kdim !== this.embedDim || this.vdim !== this.embedDim ? `, kdim=${this.kdim}, vdim=${this.vdim}` : '');
  }
}
