/** Storage identity and version counters: a gradient is computed from the values an op saw, or backward throws. */
import { tensor, noGrad, grad, customOp, where, Tensor } from '@tensorgrad/core';

const modifiedError = /modified by an inplace operation: 'mul' saved its input 1 \(shape \[3\]\) at version 0, and it is now at version 1\. Hint: clone\(\) the tensor/;

describe('version counters', () => {
  test('every in-place path counts one change; views and detached tensors share the counter', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const v = x.reshape([4]);
    const d = x.detach();
    expect([x.version, v.version, d.version]).toEqual([0, 0, 0]);
    const ops: ((t: Tensor) => unknown)[] = [
      (t) => t.add_(1), (t) => t.sub_(1), (t) => t.mul_(2), (t) => t.div_(2), (t) => t.addcmul_(t.clone(), t.clone()),
      (t) => t.addcdiv_(t.clone(), t.clone().add(10)), (t) => t.lerp_(t.clone(), 0.5), (t) => t.assign(tensor([[0, 0], [0, 0]])),
      (t) => t.fill(3), (t) => t.zero(),
    ];
    ops.forEach((op, i) => {
      op(d);
      expect([x.version, v.version, d.version]).toEqual([i + 1, i + 1, i + 1]);
    });
    expect(x.clone().version).toBe(0);
  });

  test('an in-place call that fails validation changes neither values nor version', () => {
    const x = tensor([1, 2, 3]);
    expect(() => x.add_(tensor([1, 2]))).toThrow(/add_: operand of shape \[2\] cannot be broadcast/);
    expect(() => x.assign(tensor([[1, 2, 3], [4, 5, 6]]))).toThrow(/assign/);
    expect(() => x.addcmul_(tensor([1, 1, 1]), tensor([1, 2]))).toThrow(/addcmul_/);
    expect(x.version).toBe(0);
    expect(x.toArray()).toEqual([1, 2, 3]);
  });
});

describe('backward refuses values modified after the forward pass', () => {
  test('l = w.mul(x).sum(); x.mul_(10); l.backward() throws naming mul, the shape and both versions', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const l = w.mul(x).sum();
    x.mul_(10);
    expect(() => l.backward()).toThrow(modifiedError);
    expect(w.grad).toBeNull();
  });

  test('y = w.exp(); y.detach().mul_(0); y.sum().backward() throws: exp saved its output', () => {
    const w = tensor([0.5, 1], { requiresGrad: true });
    const y = w.exp();
    y.detach().mul_(0);
    expect(() => y.sum().backward()).toThrow(/'exp' saved its output \(shape \[2\]\) at version 0, and it is now at version 1/);
  });

  test('an SGD-style sub_ on w between forward and backward of a retained graph throws', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 0], [0, 1]]);
    const loss = x.matmul(w).square().sum();
    loss.backward({ retainGraph: true });
    const first = w.grad!.toArray();
    noGrad(() => w.sub_(w.grad!, 0.1));
    expect(() => loss.backward()).toThrow(/'matmul' saved its input 1 \(shape \[2, 2\]\) at version 0, and it is now at version 1/);
    expect(w.grad!.toArray()).toEqual(first);
  });

  test('a modification through a reshape view is seen by the op that saved the original', () => {
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4]]);
    const l = w.reshape([2, 2]).mul(x).sum();
    x.reshape([4]).add_(1);
    expect(() => l.backward()).toThrow(/'mul' saved its input 1/);
  });

  test('ops whose gradient needs only shapes do not object (add, sum, reshape, slice)', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const l = w.add(x).slice([[0, 2]]).sum();
    x.mul_(10);
    l.backward();
    expect(w.grad!.toArray()).toEqual([1, 1, 0]);
  });

  test('modifying a tensor before the forward that uses it is fine', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    noGrad(() => w.mul_(2));
    w.square().sum().backward();
    expect(w.grad!.toArray()).toEqual([4, 8, 12]);
  });

  test('where saves its condition; grad() checks versions too', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const cond = tensor([1, 0]);
    const s = where(cond, a, 0).sum();
    expect(grad(s, a, null, { retainGraph: true })[0].toArray()).toEqual([1, 0]);
    cond.fill(0);
    expect(() => grad(s, a)).toThrow(/'where' saved a tensor it saved \(shape \[2\]\) at version 0, and it is now at version 1/);
  });

  test('a custom op saves its inputs and output', () => {
    const double = customOp({ name: 'double', forward: (x) => x.mul(2), backward: (g) => [g.mul(2)] });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = double(x);
    y.detach().add_(1);
    expect(() => y.sum().backward()).toThrow(/'double' saved its output/);
  });
});

describe('backward is all or nothing', () => {
  test('a vjp that throws leaves every .grad as it was and keeps the graph for a second try', () => {
    let fail = true;
    const flaky = customOp({
      name: 'flaky', forward: (x) => x.mul(3),
      backward: (g) => { if (fail) throw new Error('flaky: not today'); return [g.mul(3)]; },
    });
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([5, 6], { requiresGrad: true });
    a.grad = tensor([10, 10]);
    const loss = flaky(a).add(b.square()).sum();
    expect(() => loss.backward()).toThrow('flaky: not today');
    expect(a.grad!.toArray()).toEqual([10, 10]);
    expect(b.grad).toBeNull();
    fail = false;
    loss.backward();
    expect(a.grad!.toArray()).toEqual([13, 13]);
    expect(b.grad!.toArray()).toEqual([10, 12]);
  });

  test('after a version error nothing was released or accumulated, and a fresh forward trains as usual', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const l = w.mul(x).sum();
    x.mul_(10);
    expect(() => l.backward()).toThrow(/modified by an inplace operation/);
    expect(w.grad).toBeNull();
    expect(l.op).toBe('sum');
    w.mul(x).sum().backward();
    expect(w.grad!.toArray()).toEqual([40, 50, 60]);
  });

  test('backward(gradient) accepts only a Tensor or an options object', () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.square();
    for (const bad of [5, 'x', [2], null, true]) {
      expect(() => y.backward(bad as never)).toThrow(/backward: gradient must be a Tensor of shape \[\]/);
    }
    expect(() => y.backward({ retainGrpah: true } as never)).toThrow(/backward: unknown option 'retainGrpah'/);
    expect(x.grad).toBeNull();
    y.backward({ retainGraph: true });
    y.backward(tensor(1));
    expect(x.grad!.item()).toBe(8);
  });

  test('a hook may not change the gradient dtype or shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.registerHook((g) => g.to('float64'));
    expect(() => x.mul(2).sum().backward()).toThrow(/registerHook: a hook changed the gradient's dtype from float32 to float64/);
    expect(x.grad).toBeNull();
    const y = tensor([1, 2], { requiresGrad: true });
    y.registerHook(() => tensor([1, 2, 3]));
    expect(() => y.mul(2).sum().backward()).toThrow(/registerHook: a hook returned shape \[3\], expected a tensor of shape \[2\]/);
  });
});
