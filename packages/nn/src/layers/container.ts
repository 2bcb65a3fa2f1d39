/** Containers: Sequential (modules applied in order) and MLP (a Sequential of Linear layers and activations). */
import { Tensor, type DType, type Generator } from '@tensorgrad/core';
import { Module } from '../module.js';
import { GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './activation.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { BatchNorm1d, LayerNorm } from './normalization.js';
import { checkOptions, describeValue, expectBoolean, expectDType, expectGenerator, expectTensor } from '../util.js';

/**
 * Applies its modules in order. They are stored as the fields `0`, `1`, …, so their parameters are named `0.weight`,
 * `1.bias`, … as in PyTorch, and `seq[0]` or `seq.at(-1)` reach them.
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.append(m));
  }

  get length(): number {
    let n = 0;
    while (this[n] instanceof Module) n++;
    return n;
  }

  /** The i-th module; negative i counts from the end. */
  at(i: number): Module {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`Sequential.at: index ${i} out of range for ${n} module(s)`);
    return this[j];
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new Error(`Sequential: every element must be a Module, got ${describeValue(m)} at position ${this.length}`);
    this[this.length] = m;
    return this;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Sequential');
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'leakyRelu' | 'softmax' | 'identity';

export interface MLPOptions {
  /** Activation after each hidden Linear: a name or a factory returning a fresh module. Default 'relu'. */
  activation?: ActivationName | (() => Module);
  /** Activation after the last Linear (e.g. 'sigmoid'); default none, so the MLP outputs logits. */
  outputActivation?: ActivationName | (() => Module) | null;
  /** Dropout probability after each hidden activation; 0 (default) adds no Dropout layers. */
  dropout?: number;
  /** Normalisation between each hidden Linear and its activation: 'batch' (BatchNorm1d), 'layer' (LayerNorm) or null. */
  norm?: 'batch' | 'layer' | null;
  /** Bias in every Linear (default true). */
  bias?: boolean;
  dtype?: DType;
  /** Generator for initial weights and dropout masks. */
  generator?: Generator;
}

function makeActivation(a: ActivationName | (() => Module)): Module {
  if (typeof a === 'function') {
    const m = a();
    if (!(m instanceof Module)) throw new Error('MLP: an activation factory must return a Module');
    return m;
  }
  switch (a) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'gelu': return new GELU();
    case 'leakyRelu': return new LeakyReLU();
    case 'softmax': return new Softmax(-1);
    case 'identity': return new Identity();
    default: throw new Error(`MLP: unknown activation ${describeValue(a)} (expected relu, tanh, sigmoid, gelu, leakyRelu, softmax, identity or a factory)`);
  }
}

/**
 * Multi-layer perceptron: `new MLP([2, 16, 16, 1])` is Linear(2,16), ReLU, Linear(16,16), ReLU, Linear(16,1). Per hidden
 * layer the order is Linear, norm (optional), activation, Dropout (optional). A Sequential, so names are `0.weight`, ….
 */
export class MLP extends Sequential {
  readonly sizes: number[];

  constructor(sizes: number[], options: MLPOptions = {}) {
    super();
    const { activation = 'relu', outputActivation = null, dropout = 0, norm = null, bias = true, dtype = 'float32', generator } =
      checkOptions(options, ['activation', 'outputActivation', 'dropout', 'norm', 'bias', 'dtype', 'generator'], 'MLP');
    expectBoolean(bias, 'MLP', 'bias');
    expectDType(dtype, 'MLP', 'dtype', { float: true });
    expectGenerator(generator, 'MLP');
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
      throw new Error(`MLP: sizes must list at least 2 positive integers (input, ..., output), got ${describeValue(sizes)}`);
    }
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new Error(`MLP: dropout must be in [0, 1), got ${describeValue(dropout)}`);
    if (norm !== null && norm !== 'batch' && norm !== 'layer') throw new Error(`MLP: norm must be 'batch', 'layer' or null, got ${describeValue(norm)}`);
    // Activations are made for every hidden layer; check them once, up front, so a bad one fails before any layer is built.
    for (const a of [activation, outputActivation]) if (a !== null && typeof a !== 'function') makeActivation(a);
    this.sizes = [...sizes];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.append(new Linear(sizes[i], sizes[i + 1], { bias, dtype, generator }));
      const hidden = i + 2 < sizes.length;
      if (hidden) {
        if (norm === 'batch') this.append(new BatchNorm1d(sizes[i + 1], { dtype }));
        if (norm === 'layer') this.append(new LayerNorm(sizes[i + 1], { dtype }));
        this.append(makeActivation(activation));
        if (dropout > 0) this.append(new Dropout(dropout, { generator }));
      } else if (outputActivation !== null) {
        this.append(makeActivation(outputActivation));
      }
    }
  }
}
