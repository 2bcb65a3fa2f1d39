/** Flatten and Unflatten: reshaping layers for the step between convolutional and fully connected parts. */
import { Tensor } from '@tensorgrad/core';
import { Module } from '../module.js';
import { describeValue, expectTensor, shapeStr, expectNumber } from '../util.js';

/** Flattens dimensions startDim..endDim into one (default: all but the batch dimension, as in PyTorch's nn.Flatten). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    expectNumber(startDim, 'Flatten', 'startDim', { integer: true });
    expectNumber(endDim, 'Flatten', 'endDim', { integer: true });
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Flatten');
    const start = this.startDim < 0 ? this.startDim + x.ndim : this.startDim;
    const end = this.endDim < 0 ? this.endDim + x.ndim : this.endDim;
    if (start < 0 || end >= x.ndim || start > end) {
      throw new Error(`Flatten: startDim=${this.startDim}, endDim=${this.endDim} invalid for input ${shapeStr(x.shape)}`);
    }
    return x.flatten(start, end);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Splits dimension `dim` into `unflattenedSize` (torch.nn.Unflatten), e.g. `new Unflatten(1, [16, 4, 4])` turns
 * [N, 256] into [N, 16, 4, 4]. One entry may be -1, inferred from the others.
 */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(readonly dim: number, unflattenedSize: number[]) {
    super();
    if (!Number.isInteger(dim)) throw new Error(`Unflatten: dim must be an integer, got ${describeValue(dim)}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || !unflattenedSize.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) ||
        unflattenedSize.filter((d) => d === -1).length > 1) {
      throw new Error(`Unflatten: unflattenedSize must be positive integers (at most one -1), got ${describeValue(unflattenedSize)}`);
    }
    this.unflattenedSize = unflattenedSize.slice();
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Unflatten');
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) throw new Error(`Unflatten: dim ${this.dim} is out of range for input ${shapeStr(x.shape)}`);
    const known = this.unflattenedSize.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const fits = this.unflattenedSize.includes(-1) ? x.shape[d] % known === 0 : x.shape[d] === known;
    if (!fits) throw new Error(`Unflatten: dimension ${this.dim} of input ${shapeStr(x.shape)} has size ${x.shape[d]}, which cannot be split into ${shapeStr(this.unflattenedSize)}`);
    return x.reshape([...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${shapeStr(this.unflattenedSize)}`;
  }
}
