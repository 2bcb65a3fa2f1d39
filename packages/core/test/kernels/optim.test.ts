/**
 * Fused optimizer kernels: the float32 WebAssembly SIMD kernels must equal the plain-JS float32 kernels bit for bit
 * (same operations, same order, IEEE float32), on every variant, across chunk boundaries, tails that are not a multiple
 * of four, and special values; the float64 JS kernels must agree with the rules written as separate tensor ops (the
 * reference nn keeps behind `fused: false`); and the public fused*Step_ functions validate before they write.
 */
import * as K from '../../src/kernels/optim';
import { runOptimF32 } from '../../src/kernels/wasm/optim-f32';
import { adagradSpec, adamSpec, OPTIM_CHUNK, rmspropSpec, sgdSpec, type OptimKernelSpec } from '../../src/kernels/wasm/optim-f32-simd';
import { fusedAdagradStep_, fusedAdamStep_, fusedRmspropStep_, fusedSgdStep_ } from '../../src/ops/optim';
import { Generator } from '../../src/random';
import { noGrad } from '../../src/autograd/grad-mode';
import { tensor, zeros, zerosLike } from '../../src/creation';
import type { Tensor } from '../../src/tensor';

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-40, -3e-39, 1.17e-38, 1e-20, -1e-7, 0.5, -2, 3e38, -3e38, 65504, 1];
const SIZES = [1, 3, 4, 5, 31, 33, OPTIM_CHUNK, 2 * OPTIM_CHUNK + 3];

/** Random values with a sprinkling of special ones; state arrays that must be non-negative get absolute values. */
function values(n: number, g: Generator, nonNegative = false, special = true): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = special && g.random() < 0.1 ? SPECIAL[Math.floor(g.random() * SPECIAL.length)] : g.normal() * (g.random() < 0.5 ? 1e-3 : 1);
    out[i] = nonNegative ? Math.abs(v) : v;
  }
  return out;
}


function expectSameBits(name: string, got: Float32Array, want: Float32Array): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${name}[${i}]: SIMD gave ${got[i]}, JS gave ${want[i]}`);
  }
}

/**
 * Runs the SIMD kernel and the JS kernel on copies of the same arrays and compares every written array. Scalars are
 * given by name and passed in the spec's order (the JS kernel rounds them to float32 as the SIMD one receives them).
 */
function compare(spec: OptimKernelSpec, arrays: Record<string, Float32Array>, named: Record<string, number>, js: (a: Record<string, Float32Array>, s: number[]) => void): void {
  const scalars = spec.scalars.map((k) => {
    if (!(k in named)) throw new Error(`test is missing scalar ${k}`);
    return named[k];
  });
  const simd = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, v.slice()]));
  const plain = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, v.slice()]));
  expect(runOptimF32(spec, spec.slots.map((k) => simd[k]), scalars)).toBe(true);
  js(plain, scalars);
  for (const name of spec.written) expectSameBits(`${spec.name} ${name}`, simd[name], plain[name]);
  expectSameBits(`${spec.name} grad (read only)`, simd.grad, arrays.grad);
}

describe('float32 SIMD optimizer kernels equal the float32 JS kernels bit for bit', () => {
  const g = new Generator(7);
  for (const amsgrad of [false, true]) {
    for (const l2 of [false, true]) {
      test(`Adam amsgrad=${amsgrad} l2=${l2}`, () => {
        for (const n of SIZES) {
          const a = { param: values(n, g), grad: values(n, g), expAvg: values(n, g), expAvgSq: values(n, g, true), ...(amsgrad ? { maxExpAvgSq: values(n, g, true) } : {}) };
          const s = { gradScale: -1, weightDecay: l2 ? 0.01 : 0, paramScale: 0.9999, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** 3), eps: 1e-8, negStepSize: -1e-3 / (1 - 0.9 ** 3) };
          compare(adamSpec({ amsgrad, l2 }), a, s, (p, o) => K.adamK(p.param, p.grad, p.expAvg, p.expAvgSq, p.maxExpAvgSq ?? null, l2, o));
        }
      });
    }
  }
  for (const momentum of ['none', 'first', 'running'] as const) {
    for (const nesterov of momentum === 'none' ? [false] : [false, true]) {
      for (const l2 of [false, true]) {
        test(`SGD momentum=${momentum} nesterov=${nesterov} l2=${l2}`, () => {
          for (const n of SIZES) {
            const a = { param: values(n, g), grad: values(n, g), ...(momentum !== 'none' ? { momentumBuffer: values(n, g) } : {}) };
            const s = { gradScale: 1, weightDecay: l2 ? 1e-4 : 0, momentum: 0.9, oneMinusDampening: 0.75, negLr: -0.1 };
            compare(sgdSpec({ momentum, nesterov, l2 }), a, s, (p, o) => K.sgdK(p.param, p.grad, p.momentumBuffer ?? null, momentum === 'first', nesterov, l2, o));
          }
        });
      }
    }
  }
  for (const centered of [false, true]) {
    for (const momentum of [false, true]) {
      for (const l2 of [false, true]) {
        test(`RMSprop centered=${centered} momentum=${momentum} l2=${l2}`, () => {
          for (const n of SIZES) {
            const a = {
              param: values(n, g), grad: values(n, g), squareAvg: values(n, g, true),
              ...(centered ? { gradAvg: values(n, g) } : {}), ...(momentum ? { momentumBuffer: values(n, g) } : {}),
            };
            const s = { gradScale: -1, weightDecay: l2 ? 0.05 : 0, alpha: 0.99, oneMinusAlpha: 0.01, eps: 1e-8, momentum: 0.5, negLr: -0.01 };
            compare(rmspropSpec({ centered, momentum, l2 }), a, s, (p, o) => K.rmspropK(p.param, p.grad, p.squareAvg, p.gradAvg ?? null, p.momentumBuffer ?? null, l2, o));
          }
        });
      }
    }
  }
  for (const l2 of [false, true]) {
    test(`Adagrad l2=${l2}`, () => {
      for (const n of SIZES) {
        const a = { param: values(n, g), grad: values(n, g), sum: values(n, g, true) };
        const s = { gradScale: 1, weightDecay: l2 ? 0.1 : 0, eps: 1e-10, negClr: -0.01 / 1.3 };
        compare(adagradSpec({ l2 }), a, s, (p, o) => K.adagradK(p.param, p.grad, p.sum, l2, o));
      }
    });
  }
});

/** The rules written as separate tensor ops in float64, as nn's `fused: false` runs them. */
const reference = {
  adam(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, o: { lr: number; beta1: number; beta2: number; eps: number; step: number; weightDecay: number; decoupled: boolean; maximize: boolean }) {
    let d = o.maximize ? grad.neg() : grad;
    if (o.weightDecay && !o.decoupled) d = d.add(p.mul(o.weightDecay));
    if (o.weightDecay && o.decoupled) p.mul_(1 - o.lr * o.weightDecay);
    m.lerp_(d, 1 - o.beta1);
    v.mul_(o.beta2).addcmul_(d, d, 1 - o.beta2);
    const second = vmax ? vmax.assign(vmax.maximum(v)) : v;
    p.addcdiv_(m, second.sqrt().div(Math.sqrt(1 - o.beta2 ** o.step)).add(o.eps), -o.lr / (1 - o.beta1 ** o.step));
  },
};

describe('float64 fused steps agree with the tensor-op rules', () => {
  const close = (got: Tensor, want: Tensor): void => {
    for (let i = 0; i < want.size; i++) expect(got.data[i]).toBeCloseTo(want.data[i], 13);
  };
  const g = new Generator(3);
  const randT = (n: number, nonNegative = false): Tensor => tensor(Float64Array.from(values(n, g, nonNegative, false)), { dtype: 'float64' });

  test.each([
    ['Adam', false, false, 0], ['Adam L2', false, false, 0.1], ['AdamW', true, false, 0.1], ['AMSGrad maximize', false, true, 0],
  ] as const)('%s over 5 steps', (_name, decoupled, amsgrad, weightDecay) => {
    const n = 37;
    const p = randT(n), p2 = p.clone(), m = zerosLike(p), v = zerosLike(p), m2 = zerosLike(p), v2 = zerosLike(p);
    const vmax = amsgrad ? zerosLike(p) : null, vmax2 = amsgrad ? zerosLike(p) : null;
    for (let step = 1; step <= 5; step++) {
      const grad = randT(n);
      const o = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, step, weightDecay, maximize: amsgrad };
      fusedAdamStep_(p, grad, m, v, vmax, { ...o, decoupledWeightDecay: decoupled });
      reference.adam(p2, grad, m2, v2, vmax2, { ...o, decoupled });
    }
    close(p, p2);
    close(m, m2);
    close(v, v2);
  });

  test('SGD with Nesterov momentum and weight decay, first step seeding the buffer', () => {
    const p = randT(9), p2 = p.clone(), buf = zerosLike(p);
    let buf2: Tensor | null = null;
    for (let step = 1; step <= 4; step++) {
      const grad = randT(9);
      fusedSgdStep_(p, grad, buf, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, firstStep: step === 1 });
      const d = grad.add(p2.mul(0.01));
      buf2 = buf2 === null ? d.clone() : buf2.mul(0.9).add(d);
      p2.sub_(d.add(buf2.mul(0.9)), 0.1);
    }
    close(p, p2);
    close(buf, buf2 as Tensor);
  });

  test('RMSprop centered with momentum', () => {
    const p = randT(11), p2 = p.clone(), sq = zerosLike(p), ga = zerosLike(p), buf = zerosLike(p);
    let sq2 = zerosLike(p), ga2 = zerosLike(p), buf2 = zerosLike(p);
    for (let step = 1; step <= 4; step++) {
      const grad = randT(11);
      fusedRmspropStep_(p, grad, sq, ga, buf, { lr: 0.01, alpha: 0.9, eps: 1e-8, momentum: 0.5 });
      sq2 = sq2.mul(0.9).add(grad.square().mul(0.1));
      ga2 = ga2.mul(0.9).add(grad.mul(0.1));
      buf2 = buf2.mul(0.5).add(grad.div(sq2.sub(ga2.square()).sqrt().add(1e-8)));
      p2.sub_(buf2, 0.01);
    }
    close(p, p2);
    close(buf, buf2);
  });

  test('Adagrad with lr decay', () => {
    const p = randT(7), p2 = p.clone(), sum = zerosLike(p);
    let sum2 = zerosLike(p);
    for (let step = 1; step <= 4; step++) {
      const grad = randT(7);
      fusedAdagradStep_(p, grad, sum, { lr: 0.1, eps: 1e-10, step, lrDecay: 0.2 });
      sum2 = sum2.add(grad.square());
      p2.sub_(grad.div(sum2.sqrt().add(1e-10)), 0.1 / (1 + (step - 1) * 0.2));
    }
    close(p, p2);
  });
});

describe('fused*Step_ check their arguments before writing anything', () => {
  const setup = () => ({ p: tensor([1, 2, 3]), g: tensor([0.1, 0.2, 0.3]), m: zeros([3]), v: zeros([3]) });
  const adam = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 };

  test.each([
    ['a shape mismatch', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, zeros([4]), t.v, null, adam), /fusedAdamStep_: expAvg has shape \[4\] but param has shape \[3\]/],
    ['a dtype mismatch', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, t.m, zeros([3], { dtype: 'float64' }), null, adam), /expAvgSq has dtype float64 but param has dtype float32/],
    ['shared storage', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, t.m, t.m.detach(), null, adam), /expAvgSq and expAvg share storage/],
    ['an unknown option', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, t.m, t.v, null, { ...adam, betas: [0.9, 0.99] } as never), /fusedAdamStep_: unknown option 'betas'/],
    ['a step of 0', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, t.m, t.v, null, { ...adam, step: 0 }), /step must be a positive integer/],
    ['beta1 = 1', (t: ReturnType<typeof setup>) => fusedAdamStep_(t.p, t.g, t.m, t.v, null, { ...adam, beta1: 1 }), /beta1 and beta2 must be in \[0, 1\)/],
    ['a NaN lr', (t: ReturnType<typeof setup>) => fusedSgdStep_(t.p, t.g, null, { lr: NaN }), /fusedSgdStep_: lr must be a finite number >= 0, got NaN/],
    ['momentum without a buffer', (t: ReturnType<typeof setup>) => fusedSgdStep_(t.p, t.g, null, { lr: 0.1, momentum: 0.9 }), /a momentumBuffer is needed exactly when momentum is non-zero/],
    ['an int32 sum', (t: ReturnType<typeof setup>) => fusedAdagradStep_(t.p, t.g, zeros([3], { dtype: 'int32' }), { lr: 0.1, eps: 1e-10, step: 1 }), /sum must be a float tensor, got int32/],
    ['a buffer for momentum 0', (t: ReturnType<typeof setup>) => fusedRmspropStep_(t.p, t.g, t.m, null, t.v, { lr: 0.1, alpha: 0.9, eps: 1e-8 }), /needed exactly when momentum > 0/],
  ])('%s throws and changes nothing', (_name, call, message) => {
    const t = setup();
    const before = [t.p, t.g, t.m, t.v].map((x) => [Array.from(x.data), x.version]);
    expect(() => call(t)).toThrow(message);
    expect([t.p, t.g, t.m, t.v].map((x) => [Array.from(x.data), x.version])).toEqual(before);
  });

  test('a leaf that requires grad is updated only under noGrad', () => {
    const p = tensor([1, 2, 3], { requiresGrad: true });
    const g = tensor([1, 1, 1]), m = zeros([3]), v = zeros([3]);
    expect(() => fusedAdamStep_(p, g, m, v, null, adam)).toThrow(/fusedAdamStep_: in-place update of a leaf tensor that requires grad/);
    noGrad(() => fusedAdamStep_(p, g, m, v, null, adam));
    // The first Adam step moves every coordinate by lr in the direction opposite to the gradient's sign.
    [0.9, 1.9, 2.9].forEach((want, i) => expect(p.data[i]).toBeCloseTo(want, 6));
  });

  test('updated tensors get a new version; the gradient does not', () => {
    const t = setup();
    fusedAdamStep_(t.p, t.g, t.m, t.v, null, adam);
    expect([t.p.version, t.g.version, t.m.version, t.v.version]).toEqual([1, 0, 1, 1]);
  });
});
