/** Flattening layer. */
import { Tensor } from '@tensorgrad/core';
import { Module } from '../module.js';
import { expectTensor, shapeStr, expectNumber } from '../util.js';

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
