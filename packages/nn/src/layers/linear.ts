/** Fully connected layer. */
import { Tensor, linear, zeros, type DType, type Generator } from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { uniform_ } from '../init.js';
import { expectTensor, shapeStr, checkOptions, expectBoolean, expectDType, expectGenerator } from '../util.js';

export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  dtype?: DType;
  /** Generator for the initial weights (default: core's default generator). */
  generator?: Generator;
}

/**
 * y = x·Wᵀ + b for inputs [..., inFeatures]. Weight [outFeatures, inFeatures] and bias [outFeatures] start as in PyTorch:
 * kaiming_uniform(a=√5) on the weight, which is U(-1/√in, 1/√in), and the same bound for the bias.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true, dtype = 'float32', generator } = checkOptions(options, ['bias', 'dtype', 'generator'], 'Linear');
    expectBoolean(bias, 'Linear', 'bias');
    expectDType(dtype, 'Linear', 'dtype', { float: true });
    expectGenerator(generator, 'Linear');
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = parameter(uniform_(zeros([outFeatures, inFeatures], { dtype }), -bound, bound, { generator }));
    this.bias = bias ? parameter(uniform_(zeros([outFeatures], { dtype }), -bound, bound, { generator })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Linear');
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear: expected input [..., ${this.inFeatures}], got ${shapeStr(x.shape)} (weight ${shapeStr(this.weight.shape)})`);
    }
    // linear() reads the weight transposed in place, so no [in, out] copy is made on each forward.
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
