/**
 * The tensorgrad side of every workload, written as a user would: no dispose() anywhere, tensors are freed by the
 * garbage collector.
 */
import { Generator, noGrad, randint, randn, zeros, type Tensor } from '@tensorgrad/core';
import type { Runner } from './harness.js';
import { chainOp, CHAIN_CONSTANTS, MLP } from './workloads.js';

const generator = new Generator(0);

export function matmul(n: number): Promise<Runner> {
  const a = randn([n, n], { generator }), b = randn([n, n], { generator });
  return Promise.resolve({ run: () => { a.matmul(b); } });
}

/**
 * The W2 model with PyTorch's layout (weight [out, in], y = x·Wᵀ + b), softmax cross-entropy as
 * −mean(logSoftmax(logits)[label]) and Adam written with core ops under noGrad.
 */
export class Mlp {
  readonly params: Tensor[] = [];
  private readonly m: Tensor[] = [];
  private readonly v: Tensor[] = [];
  private t = 0;

  constructor() {
    const dims = [MLP.inputs, ...MLP.hidden, MLP.classes];
    for (let l = 0; l + 1 < dims.length; l++) {
      const w = randn([dims[l + 1], dims[l]], { generator }).mul(Math.sqrt(2 / dims[l]));
      w.requiresGrad = true;
      this.params.push(w, zeros([dims[l + 1]], { requiresGrad: true }));
    }
    for (const p of this.params) {
      this.m.push(zeros(p.shape));
      this.v.push(zeros(p.shape));
    }
  }

  loss(x: Tensor, labels: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.params.length; i += 2) {
      h = h.matmul(this.params[i].transpose(0, 1)).add(this.params[i + 1]);
      if (i + 2 < this.params.length) h = h.relu();
    }
    return h.logSoftmax(-1).gather(1, labels).mean().neg();
  }

  step(x: Tensor, labels: Tensor): Tensor {
    for (const p of this.params) p.grad = null;
    const loss = this.loss(x, labels);
    loss.backward();
    this.t++;
    const [beta1, beta2, eps, lr] = [0.9, 0.999, 1e-8, MLP.learningRate];
    const c1 = 1 - beta1 ** this.t, c2 = 1 - beta2 ** this.t;
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad as Tensor;
        this.m[i].assign(this.m[i].mul(beta1).add(g.mul(1 - beta1)));
        this.v[i].assign(this.v[i].mul(beta2).add(g.square().mul(1 - beta2)));
        p.assign(p.sub(this.m[i].div(c1).div(this.v[i].div(c2).sqrt().add(eps)).mul(lr)));
      });
    });
    return loss;
  }
}

export function mlpBatch(): { x: Tensor; labels: Tensor } {
  return {
    x: randn([MLP.batch, MLP.inputs], { generator }),
    labels: randint(0, MLP.classes, [MLP.batch, 1], { generator }),
  };
}

export function mlpStep(): Promise<Runner> {
  const model = new Mlp();
  const { x, labels } = mlpBatch();
  return Promise.resolve({ run: () => { model.step(x, labels); } });
}

function chain(x: Tensor, length: number): Tensor {
  let y = x;
  for (let i = 0; i < length; i++) {
    const op = chainOp(i);
    y = op === 'add' ? y.add(CHAIN_CONSTANTS.add) : op === 'mul' ? y.mul(CHAIN_CONSTANTS.mul) : y.tanh();
  }
  return y.sum();
}

/** W3: forward and backward of the chain; one iteration is the whole chain. */
export function smallOps(length: number, size: number): Promise<Runner> {
  const x = randn([size], { generator, requiresGrad: true });
  return Promise.resolve({
    run: () => {
      x.grad = null;
      chain(x, length).backward();
    },
  });
}

/** W5: the chain is built untimed; only backward() is timed. */
export function deepBackward(length: number, size: number): Promise<Runner> {
  const x = randn([size], { generator, requiresGrad: true });
  return Promise.resolve({
    run: () => {
      x.grad = null;
      const y = chain(x, length);
      const t0 = performance.now();
      y.backward();
      return (performance.now() - t0) / 1000;
    },
  });
}

export function fusedElementwise(size: number): Promise<Runner> {
  const a = randn([size], { generator }), b = randn([size], { generator }), c = randn([size], { generator });
  return Promise.resolve({ run: () => { a.mul(b).add(c).tanh(); } });
}
