/**
 * The bad inputs named in the engine-integrity issue, one by one: each throws a plain Error naming the function the user
 * called (or works as PyTorch does). The property suite (api.property.test.ts) sweeps every export at random.
 */
import * as tg from '@tensorgrad/core';
import { tensor, zeros } from '@tensorgrad/core';

/** Asserts `fn` throws an Error (not a TypeError/RangeError) whose message starts with `name:` and matches `detail`. */
function throwsNamed(fn: () => unknown, name: string, detail?: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(TypeError);
  expect(error).not.toBeInstanceOf(RangeError);
  expect((error as Error).message.startsWith(`${name}:`)).toBe(true);
  if (detail) expect((error as Error).message).toMatch(detail);
}

describe('shapes and sizes', () => {
  test('NaN, Infinity, negative and fractional sizes throw', () => {
    throwsNamed(() => tg.arange(NaN), 'arange', /end must be a finite number, got NaN/);
    throwsNamed(() => tg.arange(Infinity), 'arange', /finite/);
    throwsNamed(() => zeros([2, NaN]), 'zeros', /dimensions must be non-negative integers, got NaN/);
    throwsNamed(() => tg.ones([Infinity]), 'ones');
    throwsNamed(() => tg.full([-1], 0), 'full');
    throwsNamed(() => tg.randn([1.5]), 'randn');
    throwsNamed(() => tg.eye(2.5), 'eye', /n must be an integer/);
    throwsNamed(() => tg.linspace(0, 1, -2), 'linspace', /steps must be an integer >= 0/);
    throwsNamed(() => zeros('3' as never), 'zeros', /shape must be an array/);
  });

  test('fill values and bounds must be numbers', () => {
    throwsNamed(() => tg.full([2], 'a' as never), 'full', /fill value must be a number, got "a"/);
    throwsNamed(() => tg.full([2], undefined as never), 'full', /got undefined/);
    throwsNamed(() => tensor([1, 2]).clamp('a' as never), 'clamp', /min must be a number, got "a"/);
    throwsNamed(() => tensor([1, 2]).clamp(0, NaN), 'clamp', /max must be a number, got NaN/);
    throwsNamed(() => tensor([1, 2]).leakyRelu('x' as never), 'leakyRelu', /negativeSlope must be a finite number, got "x"/);
    throwsNamed(() => tensor([1, 2]).fill('x' as never), 'fill');
    throwsNamed(() => tensor([1, 2]).pad([1, 1], 'x' as never), 'pad', /value must be a number/);
  });

  test('zeros and ones name themselves, not full', () => {
    throwsNamed(() => zeros([-1]), 'zeros');
    throwsNamed(() => tg.ones([2], { dtype: 'float16' as never }), 'ones', /unknown dtype "float16"/);
    throwsNamed(() => tg.zerosLike(tensor([1]), { dtype: 'x' as never }), 'zerosLike');
  });

  test('a size too large to allocate names the op and the requested shape', () => {
    throwsNamed(() => zeros([1e6, 1e6, 1e6]), 'zeros', /cannot allocate a float32 tensor of shape \[1000000, 1000000, 1000000\]/);
    throwsNamed(() => tensor([1]).expand([1e9, 1e9]), 'expand', /shape \[1000000000, 1000000000\]/);
    throwsNamed(() => tg.broadcastTo(tensor([1]), [1e9, 1e9]), 'broadcastTo', /shape \[1000000000, 1000000000\]/);
    throwsNamed(() => tg.arange(0, 1e17), 'arange', /cannot allocate a float32 tensor of shape \[100000000000000000\]/);
  });
});

describe('axes', () => {
  test('strings, NaN and fractions throw a clear error', () => {
    const x = tensor([[1, 2], [3, 4]]);
    throwsNamed(() => x.sum('a' as never), 'sum', /axis must be an integer or an array of integers, got "a"/);
    throwsNamed(() => x.mean([0, 'b'] as never), 'mean', /axis must be an integer, got "b"/);
    throwsNamed(() => x.max(NaN), 'max', /axis must be an integer, got NaN/);
    throwsNamed(() => x.sum(0.5), 'sum', /got 0.5/);
    throwsNamed(() => x.softmax('x' as never), 'softmax');
    throwsNamed(() => x.argmax('1' as never), 'argmax');
    throwsNamed(() => x.transpose(0, 'x' as never), 'transpose');
    throwsNamed(() => x.sum(0, 'yes' as never), 'sum', /keepdim must be true or false/);
  });

  test('std names itself, not var; matmul reports the 1-D shape the user passed', () => {
    throwsNamed(() => tensor([1, 2]).std(3), 'std', /axis 3 is out of range/);
    throwsNamed(() => tg.std(tensor([1, 2]), 0, false, 'x' as never), 'std', /correction must be a finite number/);
    throwsNamed(() => tensor([1, 2, 3]).matmul(tensor([[1, 2], [3, 4]])), 'matmul', /shapes \[3\] and \[2, 2\] are not aligned \(3 ≠ 2\)/);
    throwsNamed(() => tensor([[1, 2], [3, 4]]).matmul(tensor([1, 2, 3])), 'matmul', /shapes \[2, 2\] and \[3\] are not aligned/);
  });
});

describe('options', () => {
  test('unknown option keys are rejected everywhere options are taken', () => {
    throwsNamed(() => tensor([1], { dtpye: 'float64' } as never), 'tensor', /unknown option 'dtpye'/);
    throwsNamed(() => zeros([1], { requiresgrad: true } as never), 'zeros', /unknown option 'requiresgrad'/);
    throwsNamed(() => tg.randn([1], { seed: 1 } as never), 'randn', /unknown option 'seed'/);
    throwsNamed(() => tg.toDot(tensor([1]), { direction: 'LR' } as never), 'toDot', /unknown option 'direction'/);
    const x = tensor([1.5], { dtype: 'float64', requiresGrad: true });
    throwsNamed(() => tg.gradcheck((a) => a.exp(), [x], { epsilon: 1e-3 } as never), 'gradcheck', /unknown option 'epsilon'/);
    throwsNamed(() => x.exp().backward({ retainGrpah: true } as never), 'backward', /unknown option 'retainGrpah'/);
  });
});

describe('softmax of a 0-d tensor is a single class', () => {
  test('softmax is 1 and logSoftmax 0, with zero gradient, as in PyTorch', () => {
    const x = tensor(3, { dtype: 'float64', requiresGrad: true });
    expect(x.softmax().item()).toBe(1);
    expect(x.softmax(0).shape).toEqual([]);
    expect(tg.logSoftmax(x, -1).item()).toBe(0);
    x.logSoftmax().backward();
    expect(x.grad!.item()).toBe(0);
    throwsNamed(() => x.softmax(1), 'softmax', /axis 1 is out of range/);
  });
});

describe('noGrad and async callbacks', () => {
  test('an async function throws before it runs; a callback returning a promise throws after restoring the mode', async () => {
    const x = tensor([1], { requiresGrad: true });
    let ran = false;
    throwsNamed(() => tg.noGrad((async () => { ran = true; }) as never), 'noGrad', /grad mode cannot follow an await/);
    expect(ran).toBe(false);
    throwsNamed(() => tg.noGrad(() => Promise.resolve(x.mul(2))), 'noGrad', /returned a Promise/);
    expect(tg.isGradEnabled()).toBe(true);
    throwsNamed(() => tg.enableGrad((async () => 1) as never), 'enableGrad');
    // A rejected promise left behind by the refused callback does not surface as an unhandled rejection.
    throwsNamed(() => tg.noGrad(() => Promise.reject(new Error('late'))), 'noGrad');
    await new Promise((r) => setTimeout(r, 10));
    expect(tg.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  });
});

describe('grad(..., { allowUnused: true })', () => {
  test('returns null for an input the outputs do not depend on, as documented', () => {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
    const [ga, gb] = tg.grad(a.square().sum(), [a, b], null, { allowUnused: true });
    expect(ga!.toArray()).toEqual([2, 4]);
    expect(gb).toBeNull();
    throwsNamed(() => tg.grad(a.sum(), 5 as never), 'grad', /inputs must be a Tensor or a non-empty array of Tensors, got 5/);
  });
});
