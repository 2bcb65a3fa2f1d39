/** Dropout regularisation. */
import { Tensor, rand, type Generator } from '@tensorgrad/core';
import { Module } from '../module.js';
import { expectTensor, checkOptions, expectGenerator, expectNumber } from '../util.js';

/**
 * In training, zeroes each element with probability p and scales the survivors by 1/(1-p) so the expected output equals
 * the input; in eval mode it is the identity. The mask comes from `generator` (default: core's default generator), so a
 * seeded run drops the same elements every time.
 */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    const { generator } = checkOptions(options, ['generator'], 'Dropout');
    expectNumber(p, 'Dropout', 'probability p', { min: 0, max: 1 });
    expectGenerator(generator, 'Dropout');
    this.generator = generator;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Dropout');
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
    // The mask is int32 0/1 (a comparison); cast to x's float dtype so the scale is not rounded to float32 for float64 x.
    const keep = rand(x.shape, { dtype, generator: this.generator }).ge(this.p).to(dtype);
    return x.mul(keep.mul(1 / (1 - this.p)));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
