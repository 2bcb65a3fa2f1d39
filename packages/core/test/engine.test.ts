/** Tests of the autograd engine itself: graph walking, accumulation, modes, hooks, errors and higher-order gradients. */
import * as tg from '@tensorgrad/core';
import { tensor, noGrad, enableGrad, grad } from '@tensorgrad/core';

const f64 = { dtype: 'float64' as const };

describe('backward basics', () => {
  test('x * x gives 2x', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, -4, 6]);
  });

  test('a node reused on two paths receives the sum of both gradients', () => {
    const x = tensor(3, { requiresGrad: true, ...f64 });
    const y = x.mul(2);
    const z = y.mul(y).add(y.exp()); // dz/dx = (2y + e^y) · 2
    z.backward();
    expect(x.grad!.item()).toBeCloseTo((2 * 6 + Math.exp(6)) * 2, 9);
  });

  test('two backward calls accumulate into .grad; setting grad = null clears it', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    expect(w.grad!.toArray()).toEqual([6, 6]);
    w.grad = null;
    w.mul(5).sum().backward();
    expect(w.grad!.toArray()).toEqual([5, 5]);
  });

  test('leaf gradients are independent tensors even when a vjp passes g through unchanged', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    noGrad(() => a.grad!.fill(0));
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  test('a .grad never shares storage with the caller\'s gradient or with a tensor a hook has seen', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const g = tensor([1, 2, 3, 4]);
    x.reshape([4]).backward(g); // reshape's vjp returns a view of g
    noGrad(() => x.grad!.mul_(10));
    expect(g.toArray()).toEqual([1, 2, 3, 4]);
    const w = tensor([1, 2], { requiresGrad: true });
    const seen: tg.Tensor[] = [];
    w.registerHook((gw) => { seen.push(gw); }); // the hook may keep the gradient it is shown
    w.add(0).sum().backward();
    noGrad(() => w.grad!.fill(0));
    expect(seen[0].toArray()).toEqual([1, 1]);
  });

  test('a non-scalar output needs a gradient of its shape', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/gradient is needed for a non-scalar output of shape \[2, 2\]/);
    expect(() => y.backward(tensor([1, 2]))).toThrow(/gradient has shape \[2\] but the output has shape \[2, 2\]/);
    y.backward(tensor([[1, 0], [0, 1]]));
    expect(x.grad!.toArray()).toEqual([[2, 0], [0, 2]]);
  });

  test('backward on a tensor that needs no grad explains why', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  test('broadcast gradients are summed back to the input shape', () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([10, 20], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[30], [30], [30]]);
    expect(b.grad!.toArray()).toEqual([6, 6]);
  });

  test('inputs that do not require grad get no gradient and no work', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([5, 6]);
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    expect(x.grad!.toArray()).toEqual([5, 6]);
  });
});

describe('accumulation into sums the engine owns', () => {
  // From the third gradient on, the engine adds into the sum it allocated for the second. These check that nothing
  // anyone else holds is written: gradients a vjp hands to two inputs, retained and hooked gradients, root gradients.
  const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  const sumsOf = (parts: number[][]): number[] => parts[0].map((_, i) => parts.reduce((s, p) => s + p[i], 0));

  for (const [dtype, n] of [['float32', 3], ['float32', 1000], ['float64', 7]] as const) {
    test(`a tensor used k times gets the sum of k gradients (${dtype}, ${n} values)`, () => {
      const x = tensor(values(n, 1), { requiresGrad: true, dtype });
      const cs = [2, 3, 4, 5, 6].map((k) => tensor(values(n, k), { dtype }));
      const loss = () => cs.reduce((acc, c) => acc.add(x.mul(c)), x.mul(0)).sum();
      loss().backward();
      const got = x.grad!.toArray() as number[];
      // grad() with createGraph sums with recorded add ops in the same order: the in-place sums must equal them exactly.
      const [ref] = grad(loss(), x, null, { createGraph: true });
      expect(got).toEqual(ref.toArray());
      const want = sumsOf(cs.map((c) => c.toArray() as number[]));
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    });
  }

  test('one gradient given to several inputs (add) is not changed by later accumulation', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, ...f64 });
    const y = x.mul(2).retainGrad();
    const z = y.add(y).retainGrad(); // add's vjp gives z's gradient object to both of its inputs, y and y
    const w = z.add(y).add(y); // y: 2 from z, 1 + 1 from here
    w.sum().backward();
    expect(z.grad!.toArray()).toEqual([1, 1, 1]);
    expect(y.grad!.toArray()).toEqual([4, 4, 4]);
    expect(x.grad!.toArray()).toEqual([8, 8, 8]);
  });

  test('a root gradient and a gradient a hook saw are never written', () => {
    const x = tensor([1, 2], { requiresGrad: true, ...f64 });
    const seen: tg.Tensor[] = [];
    const h = x.mul(1);
    h.registerHook((g) => { seen.push(g); });
    const out = h.add(h).add(h).add(h);
    const g0 = tensor([1, 10], f64);
    out.backward(g0);
    expect(g0.toArray()).toEqual([1, 10]);
    expect(seen[0].toArray()).toEqual([4, 40]);
    expect(x.grad!.toArray()).toEqual([4, 40]);
    // The .grad is a tensor of its own: changing it changes nothing the hook kept.
    x.grad!.mul_(0);
    expect(seen[0].toArray()).toEqual([4, 40]);
  });

  test('a leaf used many times through matmul (an RNN weight) gets the summed gradient', () => {
    const w = tg.randn([6, 6], { requiresGrad: true, generator: new tg.Generator(3), dtype: 'float64' });
    const h0 = tg.randn([2, 6], { generator: new tg.Generator(4), dtype: 'float64' });
    let h = h0;
    for (let t = 0; t < 5; t++) h = h.matmul(w).tanh();
    h.sum().backward();
    const got = w.grad!.toArray() as number[][];
    // Against the same gradient through grad() with createGraph, whose sums are recorded ops (no in-place accumulation).
    let h2 = h0;
    for (let t = 0; t < 5; t++) h2 = h2.matmul(w).tanh();
    const [ref] = grad(h2.sum(), w, null, { createGraph: true });
    const want = ref.toArray() as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 12)));
  });

  test('a second backward accumulates into .grad without changing the first gradient object', () => {
    const x = tensor([1, 2], { requiresGrad: true, ...f64 });
    x.add(x).add(x).sum().backward();
    const first = x.grad!;
    x.add(x).add(x).sum().backward();
    expect(first.toArray()).toEqual([3, 3]);
    expect(x.grad!.toArray()).toEqual([6, 6]);
  });
});

describe('graph lifetime', () => {
  test('the graph is released after backward; a second pass names the op and the fix', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time \(op 'sum'.*retainGraph: true/s);
  });

  test('retainGraph keeps it for another pass', () => {
    const x = tensor([1, 2], { requiresGrad: true, ...f64 });
    const y = x.exp().sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([2 * Math.exp(1), 2 * Math.exp(2)]);
  });

  test('a 200,000-op chain backpropagates without stack overflow', () => {
    const x = tensor(1, { requiresGrad: true, ...f64 });
    let y = x;
    for (let i = 0; i < 200_000; i++) y = y.mul(1.000001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.000001, 200_000), 6);
  });
});

describe('grad modes and detach', () => {
  test('noGrad records nothing; enableGrad re-enables inside it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.op).toBeNull();
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(z.op).toBe('mul');
    expect(tg.isGradEnabled()).toBe(true);
  });

  test('noGrad restores the mode even when fn throws', () => {
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(tg.isGradEnabled()).toBe(true);
  });

  test('detach cuts the graph and shares values', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = x.mul(d).sum(); // d acts as a constant
    y.backward();
    expect(x.grad!.toArray()).toEqual([3, 6]);
  });

  test('requiresGrad can be set only on leaves', () => {
    const x = tensor([1], { requiresGrad: true });
    expect(() => { x.mul(2).requiresGrad = false; }).toThrow(/only be set on leaf tensors.*'mul'/);
    expect(() => { tensor([1], { dtype: 'int32' }).requiresGrad = true; }).toThrow(/int32/);
  });

  test('in-place updates of a leaf that requires grad need noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.assign(tensor([3, 4]))).toThrow(/assign: in-place update .* noGrad/);
    noGrad(() => w.assign(tensor([3, 4])));
    expect(w.toArray()).toEqual([3, 4]);
    expect(() => w.mul(2).fill(0)).toThrow(/produced by 'mul'/);
  });
});

describe('retainGrad and hooks', () => {
  test('retainGrad keeps a non-leaf gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2).retainGrad();
    h.square().sum().backward();
    expect(h.grad!.toArray()).toEqual([4, 8]);
    expect(x.grad!.toArray()).toEqual([8, 16]);
  });

  test('hooks see each gradient, may replace it, and can be removed', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const seen: number[][] = [];
    const handle = h.registerHook((g) => { seen.push(g.toArray() as number[]); return g.mul(10); });
    h.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(x.grad!.toArray()).toEqual([30, 30]);
    handle.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
  });

  test('a hook returning the wrong shape is an error naming both shapes', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.registerHook(() => tensor([1, 2, 3]));
    expect(() => x.mul(2).sum().backward()).toThrow(/shape \[3\], expected a tensor of shape \[2\]/);
  });
});

describe('higher-order gradients', () => {
  test('createGraph gives second derivatives of tanh, sigmoid and exp', () => {
    const x = tensor([0.3, -0.7], { requiresGrad: true, ...f64 });
    for (const [f, d2] of [
      [(t: tg.Tensor) => t.tanh(), (v: number) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
      [(t: tg.Tensor) => t.sigmoid(), (v: number) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s) * (1 - 2 * s); }],
      [(t: tg.Tensor) => t.exp(), (v: number) => Math.exp(v)],
    ] as const) {
      const [g] = grad(f(x).sum(), x, null, { createGraph: true });
      const [h] = grad(g.sum(), x);
      expect(h.toArray()).toEqual([d2(0.3), d2(-0.7)].map((v) => expect.closeTo(v, 12)));
    }
  });

  test('the second derivative of relu is zero, not an unused-input error (as in PyTorch)', () => {
    const x = tensor([-1, 2], { requiresGrad: true, ...f64 });
    const [g] = grad(x.relu().sum(), x, null, { createGraph: true });
    expect(g.toArray()).toEqual([0, 1]);
    expect(grad(g.sum(), x)[0].toArray()).toEqual([0, 0]);
  });

  test('Hessian-vector product of f(x) = Σ x_i² x_j equals H v', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, ...f64 });
    const v = tensor([0.5, -1, 2], f64);
    const f = (t: tg.Tensor) => t.square().sum().mul(t.sum()); // f = (Σx²)(Σx)
    const [g] = grad(f(x), x, null, { createGraph: true });
    const [hv] = grad(g.mul(v).sum(), x);
    // H_ij = 2δ_ij Σx + 2x_i + 2x_j
    const xs = [1, 2, 3], s = 6, vs = [0.5, -1, 2];
    const expected = xs.map((xi, i) => xs.reduce((acc, xj, j) => acc + ((i === j ? 2 * s : 0) + 2 * xi + 2 * xj) * vs[j], 0));
    expect(hv.toArray()).toEqual(expected.map((e) => expect.closeTo(e, 10)));
  });

  test('a gradient penalty trains through the gradient (backward of a createGraph gradient)', () => {
    const w = tensor([0.5, -1.5], { requiresGrad: true, ...f64 });
    const x = tensor([1, 2], { requiresGrad: true, ...f64 });
    const y = w.mul(x).tanh().sum();
    const [gx] = grad(y, x, null, { createGraph: true });
    gx.square().sum().backward();
    expect(w.grad).not.toBeNull();
    const res = tg.gradcheck((ww) => {
      const xx = tensor([1, 2], { requiresGrad: true, ...f64 });
      const [g] = grad(ww.mul(xx).tanh().sum(), xx, null, { createGraph: true });
      return g.square().sum();
    }, [tensor([0.5, -1.5], { requiresGrad: true, ...f64 })]);
    expect(res.ok).toBe(true);
  });

  test('grad() leaves .grad alone and reports unused inputs', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const [ga] = grad(a.mul(2).sum(), a);
    expect(ga.toArray()).toEqual([2, 2]);
    expect(a.grad).toBeNull();
    expect(() => grad(a.mul(2).sum(), [a, b])).toThrow(/input 1 .* was not used/);
    const [gUsed, gUnused] = grad(a.mul(2).sum(), [a, b], null, { allowUnused: true });
    expect(gUsed!.toArray()).toEqual([2, 2]);
    expect(gUnused).toBeNull(); // PyTorch's None
    expect(() => grad(a.mul(2).sum(), a, null, { allowUnsued: true } as never)).toThrow(/^grad: unknown option 'allowUnsued'/);
  });
});

describe('custom ops', () => {
  const cube = tg.customOp({
    name: 'cube',
    forward: (x) => x.mul(x).mul(x),
    backward: (g, [x]) => [g.mul(x.square().mul(3))],
  });

  test('forward, backward and the op name in the graph', () => {
    const x = tensor([1, 2], { requiresGrad: true, ...f64 });
    const y = cube(x);
    expect(y.op).toBe('cube');
    expect(y.toArray()).toEqual([1, 8]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 12]);
    expect(tg.gradgradcheck((t) => cube(t), [tensor([0.5, -1], { requiresGrad: true, ...f64 })]).ok).toBe(true);
  });

  test('a backward returning the wrong number of gradients is an error naming the op', () => {
    const bad = tg.customOp({ name: 'bad', forward: (x) => x.mul(2), backward: () => [] });
    const x = tensor([1], { requiresGrad: true });
    expect(() => bad(x).sum().backward()).toThrow(/bad: backward must return an array with one gradient/);
  });

  test('a vjp gradient of the wrong shape is caught by the engine, naming the op and both shapes', () => {
    const bad = tg.customOp({ name: 'badShape', forward: (x) => x.mul(2), backward: (g) => [g.sum(0)] });
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(() => bad(x).sum().backward()).toThrow(/backward of 'badShape': gradient for input 0 has shape \[2\] but the input has shape \[2, 2\]/);
  });
});

describe('anomaly detection', () => {
  test('names the first op whose forward produced NaN', () => {
    const x = tensor([-1, 1], { requiresGrad: true });
    expect(() => tg.detectAnomaly(() => x.mul(2).log().sum())).toThrow(/forward of 'log' produced NaN at flat index 0/);
    expect(tg.isAnomalyEnabled()).toBe(false);
  });

  test('names the op whose backward produced Inf', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    const y = x.sqrt().sum(); // d sqrt / dx = inf at 0
    expect(() => tg.detectAnomaly(() => y.backward())).toThrow(/backward of 'sqrt' \(gradient for input 0\) produced Infinity/);
  });

  test('without anomaly mode, NaN passes silently like PyTorch', () => {
    expect(Number.isNaN(tensor([-1]).log().item())).toBe(true);
  });
});

describe('toDot', () => {
  test('draws op nodes, leaves and edges', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    a.name = 'a';
    const y = a.mul(tensor([2, 3])).exp().sum();
    const dot = tg.toDot(y);
    expect(dot).toMatch(/^digraph tensorgrad \{/);
    for (const op of ['mul', 'exp', 'sum']) expect(dot).toContain(`label="${op}\\n`);
    expect(dot).toContain('label="a\\n[2]"');
    expect((dot.match(/->/g) ?? []).length).toBe(4); // a→mul, const→mul, mul→exp, exp→sum
  });
});
