/** Activation functions as modules, so they can sit in a Sequential. Each is a thin wrapper over a core op or a composite. */
import { Tensor } from '@tensorgrad/core';
import { Module } from '../module.js';
import { expectTensor, checkOptions, describeValue, expectNumber } from '../util.js';

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    expectTensor(x, 'Identity');
    return x;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    expectTensor(x, 'ReLU');
    return x.relu();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    expectTensor(x, 'Tanh');
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    expectTensor(x, 'Sigmoid');
    return x.sigmoid();
  }
}

/** max(0, x) + negativeSlope·min(0, x). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    expectNumber(negativeSlope, 'LeakyReLU', 'negativeSlope', { finite: true });
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'LeakyReLU');
    return x.leakyRelu(this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x·Φ(x) with the exact normal CDF, or PyTorch's tanh approximation with `{ approximate: 'tanh' }`. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    const { approximate = 'none' } = checkOptions(options, ['approximate'], 'GELU');
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
    this.approximate = approximate;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'GELU');
    return x.gelu({ approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): core's `gelu(x, { approximate: 'tanh' })`. */
export function geluTanh(x: Tensor): Tensor {
  expectTensor(x, 'geluTanh');
  return x.gelu({ approximate: 'tanh' });
}

/** SiLU (swish): x·σ(x), core's `silu`. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    expectTensor(x, 'SiLU');
    return x.silu();
  }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
    expectNumber(dim, 'Softmax', 'dim', { integer: true });
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Softmax');
    return x.softmax(this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
    expectNumber(dim, 'LogSoftmax', 'dim', { integer: true });
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'LogSoftmax');
    return x.logSoftmax(this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
