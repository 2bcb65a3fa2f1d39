/** Tensor creation, reading, printing, dtypes, seeded randomness and user-error messages of the forward ops. */
import { inspect } from 'node:util';
import * as tg from '@tensorgrad/core';
import { tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, randperm, Generator, manualSeed } from '@tensorgrad/core';

describe('creation', () => {
  test('from numbers, nested arrays and typed arrays', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor([true, false]).toArray()).toEqual([1, 0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
  });

  test('typed-array input is copied, not shared', () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 9;
    expect(t.data[0]).toBe(1);
  });

  test('ragged arrays, bad shapes and unknown dtypes are rejected with the position', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array at index \[1\]: expected 2 elements, got 1/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 elements, which does not fit shape \[2, 2\]/);
    expect(() => zeros([2, -1])).toThrow(/zeros|full/);
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(/tensor: unknown dtype "float16"/);
  });

  test('fills, ranges and eye', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3], { dtype: 'float64' }).data).toEqual(new Float64Array([1, 1, 1]));
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(tg.zerosLike(tensor([[1, 2]], { dtype: 'float64' })).dtype).toBe('float64');
    expect(tg.onesLike(tensor([1, 2])).toArray()).toEqual([1, 1]);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => arange(0, 1, 0)).toThrow(/arange: step must be a non-zero finite number/);
  });

  test('random tensors are reproducible from a seed or a generator', () => {
    manualSeed(42);
    const a = rand([5]).toArray();
    manualSeed(42);
    expect(rand([5]).toArray()).toEqual(a);
    const g1 = new Generator(7), g2 = new Generator(7);
    expect(randn([4], { generator: g1 }).toArray()).toEqual(randn([4], { generator: g2 }).toArray());
    const r = randint(0, 3, [1000], { generator: new Generator(1) });
    expect(r.dtype).toBe('int32');
    expect(Math.min(...r.data)).toBe(0);
    expect(Math.max(...r.data)).toBe(2);
    expect([...randperm(10, { generator: new Generator(3) }).data].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('randn has mean 0 and variance 1; rand is uniform on [0, 1)', () => {
    const n = randn([20000], { dtype: 'float64', generator: new Generator(5) });
    expect(n.mean().item()).toBeCloseTo(0, 1);
    expect(n.var().item()).toBeCloseTo(1, 1);
    const u = rand([20000], { generator: new Generator(6) });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    expect(u.mean().item()).toBeCloseTo(0.5, 1);
  });

  test('generator state round-trips', () => {
    const g = new Generator(11);
    g.normal();
    const state = g.getState();
    const next = [g.random(), g.normal()];
    g.setState(state);
    expect([g.random(), g.normal()]).toEqual(next);
  });
});

describe('printing', () => {
  test('shows values, shape, dtype and grad state', () => {
    const x = tensor([[1, 2.5], [-3, 4]], { requiresGrad: true });
    expect(x.toString()).toBe('tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]], shape=[2, 2], dtype=float32, requiresGrad=true)');
    expect(x.mul(2).toString()).toContain('gradFn=mul');
    expect(inspect(tensor([1, 2]))).toBe('tensor([1., 2.], shape=[2], dtype=float32)');
    expect(tensor([1, 2], { dtype: 'int32' }).toString()).toBe('tensor([1, 2], shape=[2], dtype=int32)');
    expect(tensor([1e-6, 1]).toString()).toContain('1.0000e-6');
    expect(tensor([NaN, Infinity, 0.5]).toString()).toContain('nan');
  });

  test('large tensors are summarised like PyTorch', () => {
    const s = arange(2000).reshape([2, 1000]).toString();
    expect(s).toContain('...');
    expect(s).toContain('1997.');
    expect(s).not.toContain('500.');
    expect(s).toContain('shape=[2, 1000]');
  });
});

describe('dtypes', () => {
  test('float64 wins; int32 stays int32 with integers and becomes float32 with fractions; numbers adopt the tensor dtype', () => {
    const a = tensor([1, 2]), b = tensor([1, 2], { dtype: 'float64' }), i = tensor([1, 2], { dtype: 'int32' });
    expect(a.add(b).dtype).toBe('float64');
    expect(i.mul(2).dtype).toBe('int32');
    expect(i.mul(2.5).dtype).toBe('float32');
    expect(i.div(2).dtype).toBe('float32');
    expect(b.add(1).dtype).toBe('float64');
    expect(a.to('int32').dtype).toBe('int32');
    expect(tensor([1.7, -1.7]).to('int32').toArray()).toEqual([1, -1]);
  });
});

describe('forward values of ops', () => {
  test('elementwise, comparisons and where', () => {
    const x = tensor([-2, 0, 3]);
    expect(x.relu().toArray()).toEqual([0, 0, 3]);
    expect(Object.is(x.relu().data[0], 0)).toBe(true); // not -0
    expect(tensor([-Infinity, Infinity, NaN, -1e-30]).relu().toArray()).toEqual([0, Infinity, NaN, 0]);
    expect(tensor([-Infinity, Infinity, NaN]).leakyRelu(0.5).toArray()).toEqual([-Infinity, Infinity, NaN]);
    const r = tensor([-1, 0, 2, NaN], { requiresGrad: true });
    r.relu().backward(tensor([Infinity, NaN, NaN, 1]));
    expect(r.grad!.toArray()).toEqual([0, 0, NaN, 0]); // where x ≤ 0 (or NaN) the gradient is 0 whatever flows in
    expect(x.leakyRelu(0.5).toArray()).toEqual([-1, 0, 3]);
    expect(x.clamp(-1, 1).toArray()).toEqual([-1, 0, 1]);
    expect(x.abs().toArray()).toEqual([2, 0, 3]);
    expect(x.sign().toArray()).toEqual([-1, 0, 1]);
    expect(x.gt(0).toArray()).toEqual([0, 0, 1]);
    expect(x.le(0).toArray()).toEqual([1, 1, 0]);
    expect(x.eq(tensor([-2, 1, 3])).toArray()).toEqual([1, 0, 1]);
    expect(x.ne(0).toArray()).toEqual([1, 0, 1]);
    expect(tg.where(x.lt(0), 0, x).toArray()).toEqual([0, 0, 3]);
    expect(tensor([1, 4, 9]).sqrt().toArray()).toEqual([1, 2, 3]);
    expect(tensor([100, -100]).sigmoid().toArray()).toEqual([1, expect.closeTo(0, 40)]);
    expect(tensor([1000, -1000], { dtype: 'float64' }).softplus().toArray()).toEqual([1000, 0]);
  });

  test('reductions with axes, keepdim and negative axes', () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]]);
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(-1, true).toArray()).toEqual([[9], [12]]);
    expect(x.max(1).toArray()).toEqual([5, 6]);
    expect(x.min().item()).toBe(1);
    expect(x.argmax(1).toArray()).toEqual([1, 2]);
    expect(x.argmin().item()).toBe(0);
    expect(x.argmax(0, true).shape).toEqual([1, 3]);
    expect(x.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(tensor([1, 2, 3, 4], { dtype: 'float64' }).var().item()).toBeCloseTo(5 / 3, 12);
    expect(tensor([1, 2, 3, 4], { dtype: 'float64' }).var(0, false, 0).item()).toBeCloseTo(1.25, 12);
    expect(x.sum([0, 1]).item()).toBe(21);
  });

  test('max gradient splits evenly between ties', () => {
    const x = tensor([3, 1, 3], { requiresGrad: true });
    x.max().backward();
    expect(x.grad!.toArray()).toEqual([0.5, 0, 0.5]);
  });

  test('softmax and logSoftmax are finite for logits of ±1e4', () => {
    const x = tensor([[1e4, -1e4, 0], [0, 1, 2]], { requiresGrad: true });
    const ls = x.logSoftmax(1);
    expect((ls.toArray() as number[][])[0]).toEqual([0, -2e4, -1e4]);
    const s = x.softmax(1);
    expect([...s.data].every(Number.isFinite)).toBe(true);
    ls.sum().backward();
    expect([...x.grad!.data].every(Number.isFinite)).toBe(true);
    expect(tensor([-Infinity, -Infinity]).logsumexp().item()).toBe(-Infinity);
  });

  test('matmul in every PyTorch form', () => {
    const a = tensor([[1, 2], [3, 4]]), v = tensor([1, -1]);
    expect(a.matmul(a).toArray()).toEqual([[7, 10], [15, 22]]);
    expect(v.matmul(v).item()).toBe(2);
    expect(v.matmul(a).toArray()).toEqual([-2, -2]);
    expect(a.matmul(v).toArray()).toEqual([-1, -1]);
    const batch = tg.stack([a, a.mul(2)]);
    expect(batch.matmul(a).toArray()).toEqual([[[7, 10], [15, 22]], [[14, 20], [30, 44]]]);
    expect(tg.ones([3, 1, 2, 5]).matmul(tg.ones([4, 5, 6])).shape).toEqual([3, 4, 2, 6]);
  });

  test('shape ops', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(x.transpose(0, 1).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.permute([1, 0]).toArray()).toEqual(x.transpose().toArray());
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(tg.zeros([1, 2, 1]).squeeze().shape).toEqual([2]);
    expect(tg.zeros([1, 2, 1]).squeeze(0).shape).toEqual([2, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(tensor([1, 2]).expand([2, -1]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(x.slice([null, [0, 3, 2]]).toArray()).toEqual([[0, 2], [3, 5]]);
    expect(x.slice([-1]).toArray()).toEqual([3, 4, 5]);
    expect(x.narrow(1, 1, 2).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(x.split([1, 2], 1).map((p) => p.shape)).toEqual([[2, 1], [2, 2]]);
    expect(x.split(2, 1).map((p) => p.shape)).toEqual([[2, 2], [2, 1]]);
    expect(tg.concat([x, x], 1).shape).toEqual([2, 6]);
    expect(tg.stack([x, x], -1).shape).toEqual([2, 3, 2]);
    expect(tensor([[1, 2]]).pad([1, 0, 0, 1], 9).toArray()).toEqual([[9, 1, 2], [9, 9, 9]]);
    expect(x.indexSelect(1, [2, 0]).toArray()).toEqual([[2, 0], [5, 3]]);
    expect(x.gather(1, [[2], [0]]).toArray()).toEqual([[2], [3]]);
  });

  test('reshape is a view sharing storage', () => {
    const x = zeros([2, 2]);
    const v = x.reshape([4]);
    tg.noGrad(() => x.fill(3));
    expect(v.toArray()).toEqual([3, 3, 3, 3]);
  });
});

describe('in-place updates', () => {
  test('add_, sub_, mul_, div_, addcmul_, addcdiv_ update storage and broadcast their operand', () => {
    const x = tensor([[1, 2], [3, 4]]);
    x.add_(tensor([10, 20]), 0.5);
    expect(x.toArray()).toEqual([[6, 12], [8, 14]]);
    x.sub_(1).mul_(2).div_(tensor([[2], [1]]));
    expect(x.toArray()).toEqual([[5, 11], [14, 26]]);
    const y = tensor([1, 1], { dtype: 'float64' });
    y.addcmul_(tensor([2, 3]), tensor([4, 5]), 0.5).addcdiv_(tensor([1, 2]), tensor([4, 8]), 2);
    expect(y.toArray()).toEqual([1 + 4 + 0.5, 1 + 7.5 + 0.5]);
    const m = tensor([0, 10]);
    m.lerp_(tensor([10, 0]), 0.25);
    expect(m.toArray()).toEqual([2.5, 7.5]);
  });

  test('they refuse graph tensors, grad-requiring leaves outside noGrad, and mismatched shapes', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/add_: in-place update of a leaf tensor that requires grad .* noGrad/);
    tg.noGrad(() => w.add_(1));
    expect(w.toArray()).toEqual([2, 3]);
    expect(() => w.mul(2).mul_(2)).toThrow(/mul_: cannot modify in place a tensor produced by 'mul'/);
    expect(() => zeros([3, 2]).assign(arange(6).reshape([2, 3]))).toThrow(/assign: operand of shape \[2, 3\] cannot be broadcast to the updated tensor's shape \[3, 2\]/);
    const z = zeros([2, 2], { dtype: 'float64' });
    z.assign(tensor([1, 2]));
    expect(z.toArray()).toEqual([[1, 2], [1, 2]]);
    expect(() => tensor([1, 2]).add_(tensor([1, 2, 3]))).toThrow(/add_: operand of shape \[3\] cannot be broadcast to the updated tensor's shape \[2\]/);
  });
});

describe('errors name the op and the shapes or values', () => {
  const x = zeros([2, 3]);
  test.each([
    ['add', () => x.add(zeros([4])), /add: shapes \[2, 3\] and \[4\] cannot be broadcast/],
    ['matmul', () => x.matmul(zeros([2, 3])), /matmul: shapes \[2, 3\] and \[2, 3\] are not aligned \(3 ≠ 2\)/],
    ['matmul batch', () => zeros([2, 2, 3]).matmul(zeros([3, 3, 1])), /matmul \(batch dimensions\): shapes \[2\] and \[3\]/],
    ['sum axis', () => x.sum(2), /sum: axis 2 is out of range for a tensor of shape \[2, 3\]/],
    ['softmax axis', () => x.softmax(-3), /softmax: axis -3 is out of range/],
    ['reshape', () => x.reshape([4, -1]), /reshape: cannot reshape a tensor of shape \[2, 3\] \(6 elements\) to \[4, -1\]/],
    ['permute', () => x.permute([0, 0]), /permute: repeated dimension/],
    ['expand', () => x.expand([3, 3]), /expand: a tensor of shape \[2, 3\] cannot be expanded to \[3, 3\]/],
    ['slice', () => x.slice([5]), /slice: index 5 is out of range for axis 0 of size 2/],
    ['slice step', () => x.slice([[0, 2, -1]]), /slice: step must be a positive integer/],
    ['indexSelect range', () => x.indexSelect(0, [0, 2]), /indexSelect: index 2 is out of range for an axis of size 2/],
    ['indexSelect integer', () => x.indexSelect(1, [0.5]), /indexSelect: indices must hold integers, got 0.5/],
    ['gather shape', () => x.gather(1, [[0], [1], [2]]), /gather: index of shape \[3, 1\] does not fit input of shape \[2, 3\]/],
    ['concat', () => tg.concat([x, zeros([2, 2])], 0), /concat: tensor 1 has shape \[2, 2\], which does not match \[2, 3\] outside axis 0/],
    ['stack', () => tg.stack([x, zeros([3, 2])]), /stack: tensor 1 has shape \[3, 2\], expected \[2, 3\]/],
    ['split', () => x.split([1, 1, 2], 1), /split: sections \[1, 1, 2\] must be non-negative integers summing to 3/],
    ['pad', () => x.pad([1]), /pad: pads \[1\] must be pairs/],
    ['item', () => x.item(), /item: only a tensor with one element .* shape \[2, 3\]/],
    ['max of empty', () => zeros([0, 2]).max(0), /max: cannot reduce over axis 0 of size 0/],
  ])('%s', (_name, fn, msg) => {
    expect(fn).toThrow(msg);
  });
});
