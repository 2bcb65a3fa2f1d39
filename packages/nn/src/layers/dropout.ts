/** Dropout regularisation: element-wise (Dropout) and channel-wise (Dropout2d). */
import { Tensor, rand, type Generator } from '@tensorgrad/core';
import { Module } from '../module.js';
import { dropout } from '../functional.js';
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
    return dropout(x, this.p, this.training, { generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * Channel-wise dropout for images (torch.nn.Dropout2d): in training, each channel of each sample of [N, C, H, W] (or
 * [C, H, W]) is zeroed as a whole with probability p and the kept channels are scaled by 1/(1−p); in eval mode it is
 * the identity. Neighbouring pixels are strongly correlated, so dropping single pixels regularises convolutional
 * feature maps little; dropping whole maps does.
 */
export class Dropout2d extends Module {
  private readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    const { generator } = checkOptions(options, ['generator'], 'Dropout2d');
    expectNumber(p, 'Dropout2d', 'probability p', { min: 0, max: 1 });
    expectGenerator(generator, 'Dropout2d');
    this.generator = generator;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Dropout2d');
    if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`Dropout2d: expected input [N, C, H, W] or [C, H, W], got [${x.shape.join(', ')}]`);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    const maskShape = x.shape.map((d, i) => (i < x.ndim - 2 ? d : 1));
    const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
    // The mask is int32 0/1 (a comparison); cast to x's float dtype so the scale is not rounded to float32 for float64 x.
    const keep = rand(maskShape, { dtype, generator: this.generator }).ge(this.p).to(dtype);
    return x.mul(keep.mul(1 / (1 - this.p)));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
