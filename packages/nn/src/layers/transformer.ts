/**
 * Transformer layers and stacks (torch.nn.TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder,
 * TransformerDecoder). Field names are PyTorch's (`self_attn`, `linear1`, `norm1`, `layers`, …) because they become the
 * state-dict names, so a PyTorch checkpoint loads with `loadStateDict` as it is.
 */
import { Tensor, type DType, type Generator } from '@tensorgrad/core';
import { Module, deepCopy } from '../module.js';
import { describeValue, expectBoolean, expectDType, expectGenerator, expectNumber, expectTensor, rejectUnknownOptions } from '../util.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { ModuleList } from './container.js';
import { MultiheadAttention } from './attention.js';

/** 'relu', 'gelu' (exact), or any function of a tensor (PyTorch accepts a callable too). */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

export interface TransformerLayerOptions {
  /** Width of the feed-forward block. Default 2048. */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (training only). Default 0.1. */
  dropout?: number;
  activation?: TransformerActivation;
  /** eps of every LayerNorm. Default 1e-5. */
  layerNormEps?: number;
  /** Inputs and outputs [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before attention and feed-forward, as GPT-2) instead of post-norm. Default false. */
  normFirst?: boolean;
  /** Biases in every Linear and LayerNorm (PyTorch ≥ 2.1). Default true. */
  bias?: boolean;
  dtype?: DType;
  /** Generator for initial weights and dropout masks. */
  generator?: Generator;
}

const LAYER_KEYS = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias', 'dtype', 'generator'];

interface LayerParts {
  dimFeedforward: number;
  dropout: number;
  activation: TransformerActivation;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
  dtype: DType;
  generator: Generator | undefined;
}

function layerParts(where: string, dModel: number, nhead: number, options: TransformerLayerOptions): LayerParts {
  rejectUnknownOptions(where, options, LAYER_KEYS);
  const { dimFeedforward = 2048, dropout = 0.1, activation = 'relu', layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true, dtype = 'float32', generator } = options;
  for (const [name, v] of [['dModel', dModel], ['nhead', nhead], ['dimFeedforward', dimFeedforward]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${name} must be a positive integer, got ${v}`);
  }
  if (activation !== 'relu' && activation !== 'gelu' && typeof activation !== 'function') {
    throw new Error(`${where}: activation must be 'relu', 'gelu' or a function, got ${describeValue(activation)}`);
  }
  expectNumber(layerNormEps, where, 'layerNormEps', { finite: true, above: 0 });
  expectNumber(dropout, where, 'dropout', { min: 0, max: 1 });
  for (const [name, v] of [['batchFirst', batchFirst], ['normFirst', normFirst], ['bias', bias]] as const) expectBoolean(v, where, name);
  expectDType(dtype, where, 'dtype', { float: true });
  expectGenerator(generator, where);
  return { dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator };
}

function activate(activation: TransformerActivation, x: Tensor): Tensor {
  if (activation === 'relu') return x.relu();
  if (activation === 'gelu') return x.gelu();
  return activation(x);
}

function describeActivation(activation: TransformerActivation): string {
  return typeof activation === 'function' ? (activation.name || 'custom') : activation;
}

export interface TransformerEncoderLayerForwardOptions {
  /** [L, L] or [N·nhead, L, L]; int32 1 = blocked or float added (MultiheadAttention's attnMask). */
  srcMask?: Tensor | null;
  /** [N, L]; int32 1 = padding or float added. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention; srcMask may be omitted (see MultiheadAttention's isCausal). */
  isCausal?: boolean;
}

/**
 * Self-attention then a feed-forward block, each with a residual connection and LayerNorm: post-norm
 * `x = norm1(x + sa(x)); x = norm2(x + ff(x))` by default, pre-norm `x = x + sa(norm1(x)); x = x + ff(norm2(x))` with
 * `normFirst`. ff(x) = linear2(dropout(activation(linear1(x)))). As torch.nn.TransformerEncoderLayer.
 */
export class TransformerEncoderLayer extends Module {
  /* eslint-disable @typescript-eslint/naming-convention -- PyTorch's state-dict names */
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  /* eslint-enable @typescript-eslint/naming-convention */
  readonly normFirst: boolean;
  readonly activation: TransformerActivation;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const o = layerParts('TransformerEncoderLayer', dModel, nhead, options);
    const { dtype, generator, bias } = o;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias, batchFirst: o.batchFirst, dtype, generator });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias, dtype, generator });
    this.dropout = new Dropout(o.dropout, { generator });
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias, dtype, generator });
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(o.dropout, { generator });
    this.dropout2 = new Dropout(o.dropout, { generator });
    this.normFirst = o.normFirst;
    this.activation = o.activation;
  }

  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    rejectUnknownOptions('TransformerEncoderLayer.forward', options, ['srcMask', 'srcKeyPaddingMask', 'isCausal']);
    expectTensor(src, 'TransformerEncoderLayer', 'src');
    const attn = { attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal };
    let x = src;
    if (this.normFirst) {
      x = x.add(this.selfAttention(this.norm1.forward(x), attn));
      x = x.add(this.feedForward(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.selfAttention(x, attn)));
      x = this.norm2.forward(x.add(this.feedForward(x)));
    }
    return x;
  }

  private selfAttention(x: Tensor, attn: { attnMask?: Tensor | null; keyPaddingMask?: Tensor | null; isCausal?: boolean }): Tensor {
    return this.dropout1.forward(this.self_attn.forward(x, x, x, { ...attn, needWeights: false })[0]);
  }

  private feedForward(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(activate(this.activation, this.linear1.forward(x)))));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, activation=${describeActivation(this.activation)}, normFirst=${this.normFirst}`;
  }
}

export interface TransformerDecoderLayerForwardOptions {
  /** Self-attention mask [T, T] or [N·nhead, T, T] (int32 1 = blocked, or float added). */
  tgtMask?: Tensor | null;
  /** Cross-attention mask [T, S] or [N·nhead, T, S]. */
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (tgtMask may be omitted). */
  tgtIsCausal?: boolean;
  /** Causal cross-attention (memoryMask may be omitted). */
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD_KEYS = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'];

/**
 * Self-attention, cross-attention over `memory` (the encoder's output), then a feed-forward block, each with a residual
 * connection and LayerNorm (norm1, norm2, norm3), post- or pre-norm. As torch.nn.TransformerDecoderLayer.
 */
export class TransformerDecoderLayer extends Module {
  /* eslint-disable @typescript-eslint/naming-convention -- PyTorch's state-dict names */
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  /* eslint-enable @typescript-eslint/naming-convention */
  readonly normFirst: boolean;
  readonly activation: TransformerActivation;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const o = layerParts('TransformerDecoderLayer', dModel, nhead, options);
    const { dtype, generator, bias } = o;
    const attention = () => new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias, batchFirst: o.batchFirst, dtype, generator });
    this.self_attn = attention();
    this.multihead_attn = attention();
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias, dtype, generator });
    this.dropout = new Dropout(o.dropout, { generator });
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias, dtype, generator });
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(o.dropout, { generator });
    this.dropout2 = new Dropout(o.dropout, { generator });
    this.dropout3 = new Dropout(o.dropout, { generator });
    this.normFirst = o.normFirst;
    this.activation = o.activation;
  }

  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    rejectUnknownOptions('TransformerDecoderLayer.forward', options, DECODER_FORWARD_KEYS);
    expectTensor(tgt, 'TransformerDecoderLayer', 'tgt');
    expectTensor(memory, 'TransformerDecoderLayer', 'memory');
    const self = { attnMask: options.tgtMask, keyPaddingMask: options.tgtKeyPaddingMask, isCausal: options.tgtIsCausal, needWeights: false };
    const cross = { attnMask: options.memoryMask, keyPaddingMask: options.memoryKeyPaddingMask, isCausal: options.memoryIsCausal, needWeights: false };
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, self)[0]);
    const mha = (x: Tensor) => this.dropout2.forward(this.multihead_attn.forward(x, memory, memory, cross)[0]);
    const ff = (x: Tensor) => this.dropout3.forward(this.linear2.forward(this.dropout.forward(activate(this.activation, this.linear1.forward(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      x = x.add(ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(mha(x)));
      x = this.norm3.forward(x.add(ff(x)));
    }
    return x;
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, activation=${describeActivation(this.activation)}, normFirst=${this.normFirst}`;
  }
}

function checkStack(where: string, layer: unknown, cls: Function, numLayers: number, norm: unknown): void {
  if (!(layer instanceof cls)) throw new Error(`${where}: expected a ${cls.name} to copy, got ${layer === null ? 'null' : typeof layer === 'object' ? (layer as object).constructor.name : typeof layer}`);
  if (!Number.isInteger(numLayers) || numLayers <= 0) throw new Error(`${where}: numLayers must be a positive integer, got ${numLayers}`);
  if (norm !== null && norm !== undefined && !(norm instanceof Module)) throw new Error(`${where}: norm must be a Module or null`);
}

export interface TransformerEncoderForwardOptions {
  /** Passed to every layer as srcMask. */
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/**
 * `numLayers` deep copies of `encoderLayer` (so all start from the same weights, as in PyTorch) applied in turn, then
 * `norm` if given. Parameters are `layers.0.self_attn.in_proj_weight`, …, `norm.weight`.
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, { norm = null }: { norm?: Module | null } = {}) {
    super();
    checkStack('TransformerEncoder', encoderLayer, TransformerEncoderLayer, numLayers, norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(encoderLayer)));
    this.norm = norm;
  }

  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    rejectUnknownOptions('TransformerEncoder.forward', options, ['mask', 'srcKeyPaddingMask', 'isCausal']);
    let x = src;
    for (const layer of this.layers) {
      x = (layer as TransformerEncoderLayer).forward(x, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal });
    }
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** `numLayers` deep copies of `decoderLayer` applied in turn to (tgt, memory), then `norm` if given. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, readonly numLayers: number, { norm = null }: { norm?: Module | null } = {}) {
    super();
    checkStack('TransformerDecoder', decoderLayer, TransformerDecoderLayer, numLayers, norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(decoderLayer)));
    this.norm = norm;
  }

  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    rejectUnknownOptions('TransformerDecoder.forward', options, DECODER_FORWARD_KEYS);
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}
