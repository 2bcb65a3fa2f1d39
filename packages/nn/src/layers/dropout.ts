/** Dropout regularisation. */
import { Tensor, type Generator } from '@tensorgrad/core';
import { Module } from '../module.js';
import { dropout } from '../functional.js';
import { expectTensor } from '../util.js';

/**
 * In training, zeroes each element with probability p and scales the survivors by 1/(1-p) so the expected output equals
 * the input; in eval mode it is the identity. The mask comes from `generator` (default: core's default generator), so a
 * seeded run drops the same elements every time.
 */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, { generator }: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability p must be in [0, 1], got ${p}`);
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
