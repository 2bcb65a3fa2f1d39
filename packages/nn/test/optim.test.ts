/** Optimizer behaviour beyond the PyTorch trajectories: groups, validation, atomic steps, state dicts. */
import { Tensor, noGrad, tensor, zeros } from '@tensorgrad/core';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../src/optim/index.js';
import type { Optimizer, OptimizerStateDict } from '../src/optim/index.js';
import { makeParams, objective, paramList, snapshot } from './fixtures/optim-problem.js';
import type { Params } from './fixtures/optim-problem.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

function trainSteps(opt: AnyOptimizer, p: Params, steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    objective(p).backward();
    opt.step();
  }
}

/** A state dict with tensors replaced by their shapes and values, for toEqual comparisons. */
function plain(sd: OptimizerStateDict<object>): unknown {
  const state: Record<string, Record<string, unknown>> = {};
  for (const [k, s] of Object.entries(sd.state)) {
    state[k] = Object.fromEntries(Object.entries(s).map(([key, v]) => [key, v instanceof Tensor ? { dtype: v.dtype, shape: v.shape, data: Array.from(v.data) } : v]));
  }
  return { state, paramGroups: sd.paramGroups };
}

const CONFIGS: Array<[string, (params: Params) => AnyOptimizer]> = [
  ['SGD nesterov + weight decay', (p) => new SGD(paramList(p), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['SGD momentum + dampening', (p) => new SGD(paramList(p), { lr: 0.05, momentum: 0.9, dampening: 0.3 })],
  ['Adam amsgrad', (p) => new Adam(paramList(p), { lr: 0.02, amsgrad: true, weightDecay: 0.01 })],
  ['AdamW', (p) => new AdamW(paramList(p), { lr: 0.01 })],
  ['RMSprop centered momentum', (p) => new RMSprop(paramList(p), { lr: 0.005, centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new Adagrad(paramList(p), { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  [
    'Adam param groups',
    (p) => new Adam([{ params: [p.w1, p.b1], lr: 0.03 }, { params: [p.w2, p.b2], betas: [0.5, 0.9] as const }], { lr: 0.01 }),
  ],
];

describe('construction', () => {
  const p = () => makeParams();

  test('fills each group from the defaults and keeps per-group overrides', () => {
    const q = p();
    const opt = new SGD([{ params: [q.w1] }, { params: [q.w2], lr: 0.5, momentum: 0.9 }], { lr: 0.1, weightDecay: 0.01 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01, maximize: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, momentum: 0.9, weightDecay: 0.01 });
    expect(opt.paramGroups[1].params).toEqual([q.w2]);
  });

  test('accepts any iterable of tensors, such as a generator', () => {
    const q = p();
    function* gen(): Generator<Tensor> {
      yield q.w1;
      yield q.b1;
    }
    expect(new Adam(gen()).paramGroups[0].params).toEqual([q.w1, q.b1]);
    expect(new Adam(gen()).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new AdamW(gen()).paramGroups[0].weightDecay).toBe(0.01);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['an empty parameter list', () => new Adam([]), /Adam: got an empty parameter list/],
    ['a misspelt option', () => new SGD(paramList(p()), { lr: 0.1, weight_decay: 0.1 } as never), /SGD: unknown option 'weight_decay'/],
    ['SGD without lr', () => new SGD(paramList(p())), /does not set 'lr' and SGD has no default/],
    ['a negative lr', () => new Adam(paramList(p()), { lr: -1 }), /Adam.addParamGroup \(group 0\): lr must be a finite number >= 0, got -1/],
    ['a NaN lr', () => new RMSprop(paramList(p()), { lr: NaN }), /lr must be a finite number >= 0, got NaN/],
    ['beta2 = 1', () => new Adam(paramList(p()), { betas: [0.9, 1] }), /betas must be in \[0, 1\)/],
    ['nesterov without momentum', () => new SGD(paramList(p()), { lr: 0.1, nesterov: true }), /nesterov momentum requires momentum > 0 and dampening = 0/],
    ['an int32 parameter', () => new SGD([zeros([2], { dtype: 'int32' })], { lr: 0.1 }), /parameter 0 has dtype int32/],
    ['a non-leaf parameter', () => new SGD([tensor([1, 2], { requiresGrad: true }).mul(2)], { lr: 0.1 }), /parameter 0 \(shape \[2\]\) is not a leaf tensor/],
    ['a parameter in two groups', () => { const q = p(); return new SGD([{ params: [q.w1] }, { params: [q.b1, q.w1] }], { lr: 0.1 }); }, /parameter 1 \(shape \[4, 3\]\) appears more than once/],
    ['tensors mixed with groups', () => { const q = p(); return new SGD([q.w1, { params: [q.b1] }] as never, { lr: 0.1 }); }, /all Tensors or all parameter groups/],
    ['a Set of parameters', () => new SGD([{ params: new Set(paramList(p())) }], { lr: 0.1 }), /not a Set/],
    ['a non-tensor parameter', () => new SGD([{ params: [1, 2] as never }], { lr: 0.1 }), /params\[0\] is not a Tensor/],
  ])('rejects %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('addParamGroup adds a group that the next step updates', () => {
    const q = p();
    const opt = new SGD([q.w1], { lr: 0.1 });
    opt.addParamGroup({ params: [q.b2], lr: 1 });
    expect(() => opt.addParamGroup({ params: [q.w1] })).toThrow(/appears more than once/);
    objective(q).backward();
    const before = Array.from(q.b2.data);
    const grad = Array.from(q.b2.grad!.data);
    opt.step();
    expect(Array.from(q.b2.data)).toEqual(before.map((v, i) => Math.fround(v - grad[i])));
  });
});

describe('step', () => {
  test('plain SGD computes param - lr * grad, with lr read from the group at each step', () => {
    const w = tensor([1, -2, 3], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.5 });
    w.grad = tensor([0.5, 0.25, -1]);
    opt.step();
    expect(Array.from(w.data)).toEqual([0.75, -2.125, 3.5]);
    opt.paramGroups[0].lr = 2;
    opt.step();
    expect(Array.from(w.data)).toEqual([-0.25, -2.625, 5.5]);
  });

  test('one Adam step on float64 parameters follows the formula and keeps float64 state', () => {
    const w = tensor([0.5, -1.5], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([w], { lr: 0.1, betas: [0.8, 0.9], eps: 1e-3 });
    w.grad = tensor([2, -0.5], { dtype: 'float64' });
    opt.step();
    // step 1: m = 0.2 g, v = 0.1 g^2, m̂ = g, v̂ = g^2, update = lr * g / (|g| + eps)
    expect(w.data[0]).toBeCloseTo(0.5 - (0.1 * 2) / (2 + 1e-3), 14);
    expect(w.data[1]).toBeCloseTo(-1.5 + (0.1 * 0.5) / (0.5 + 1e-3), 14);
    const state = opt.stateDict().state[0];
    expect(state.step).toBe(1);
    expect((state.expAvg as Tensor).dtype).toBe('float64');
    const expAvgSq = (state.expAvgSq as Tensor).data;
    expect(expAvgSq[0]).toBeCloseTo(0.4, 15);
    expect(expAvgSq[1]).toBeCloseTo(0.025, 15);
  });

  test('parameters whose grad is null are skipped and get no state', () => {
    const q = makeParams(['b1']);
    const opt = new Adam(paramList(q), { lr: 0.01 });
    const b1 = Array.from(q.b1.data);
    trainSteps(opt, q, 3);
    expect(q.b1.grad).toBeNull();
    expect(Array.from(q.b1.data)).toEqual(b1);
    expect(Object.keys(opt.stateDict().state).sort()).toEqual(['0', '2', '3']);
  });

  test('zeroGrad clears gradients, or zeroes them in place when asked', () => {
    const q = makeParams();
    const opt = new SGD(paramList(q), { lr: 0.1 });
    objective(q).backward();
    const g = q.w1.grad!;
    opt.zeroGrad(false);
    expect(q.w1.grad).toBe(g);
    expect(Array.from(g.data).every((v) => v === 0)).toBe(true);
    opt.zeroGrad();
    expect(paramList(q).every((t) => t.grad === null)).toBe(true);
  });

  test('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
    const q = makeParams();
    const opt = new SGD(paramList(q), { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = objective(q);
      l.backward();
      return l.item();
    });
    expect(loss).toBe(objective(makeParams()).item());
    expect(objective(q).item()).toBeLessThan(loss!);
  });

  test.each(CONFIGS)('%s: a gradient of the wrong shape throws and leaves every parameter and state unchanged', (_name, make) => {
    const q = makeParams();
    const opt = make(q);
    trainSteps(opt, q, 3);
    const params = snapshot(paramList(q));
    const state = plain(opt.stateDict());
    objective(q).backward();
    q.b2.grad = zeros([3]); // the last parameter, so a non-atomic step would already have updated the others
    expect(() => opt.step()).toThrow(/gradient of parameter \d in group \d has shape \[3\] but the parameter has shape \[2\]/);
    expect(snapshot(paramList(q))).toEqual(params);
    expect(plain(opt.stateDict())).toEqual(state);
  });

  test('an invalid lr set between steps (e.g. by a buggy schedule) throws before anything changes', () => {
    const q = makeParams();
    const opt = new Adam([{ params: [q.w1, q.b1] }, { params: [q.w2, q.b2] }], { lr: 0.01 });
    trainSteps(opt, q, 2);
    const params = snapshot(paramList(q));
    const state = plain(opt.stateDict());
    objective(q).backward();
    opt.paramGroups[1].lr = NaN;
    expect(() => opt.step()).toThrow(/Adam.step \(group 1\): lr must be a finite number >= 0, got NaN/);
    expect(snapshot(paramList(q))).toEqual(params);
    expect(plain(opt.stateDict())).toMatchObject({ state: (state as { state: unknown }).state });
  });

  test('a gradient of another dtype is rejected', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 1], { dtype: 'float64' });
    expect(() => opt.step()).toThrow(/SGD.step: gradient of parameter 0 in group 0 has dtype float64 but the parameter has dtype float32/);
    expect(Array.from(w.data)).toEqual([1, 2]);
  });
});

describe('stateDict / loadStateDict', () => {
  test.each(CONFIGS)('%s: 25 steps, save, load into a fresh optimizer, 25 more = 50 uninterrupted steps, exactly', (_name, make) => {
    const straight = makeParams();
    trainSteps(make(straight), straight, 50);

    const first = makeParams();
    const opt1 = make(first);
    trainSteps(opt1, first, 25);
    const saved = opt1.stateDict();
    const weights = snapshot(paramList(first));
    trainSteps(opt1, first, 5); // moving on must not alter the saved snapshot

    const resumed = makeParams();
    noGrad(() => paramList(resumed).forEach((t, i) => t.assign(tensor(weights[i], { shape: t.shape }))));
    const opt2 = make(resumed);
    opt2.paramGroups.forEach((g) => (g.lr = 123)); // restored from the state dict
    opt2.loadStateDict(saved);
    expect(opt2.paramGroups.map((g) => g.lr)).toEqual(opt1.paramGroups.map((g) => g.lr));
    trainSteps(opt2, resumed, 25);
    expect(snapshot(paramList(resumed))).toEqual(snapshot(paramList(straight)));
  });

  test('the state dict is PyTorch-shaped: state by parameter index, groups with parameter indices', () => {
    const q = makeParams();
    const opt = new SGD([{ params: [q.w1, q.b1] }, { params: [q.w2, q.b2], momentum: 0.9 }], { lr: 0.1 });
    trainSteps(opt, q, 1);
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0, 1], [2, 3]]);
    expect(sd.paramGroups[1]).toEqual({ lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, params: [2, 3] });
    expect(Object.keys(sd.state).sort()).toEqual(['2', '3']);
    expect((sd.state[2].momentumBuffer as Tensor).shape).toEqual([2, 4]);
  });

  test('state tensors are copied both ways', () => {
    const q = makeParams();
    const opt = new Adam(paramList(q), { lr: 0.01 });
    trainSteps(opt, q, 2);
    const sd = opt.stateDict();
    const expAvg = sd.state[0].expAvg as Tensor;
    const kept = Array.from(expAvg.data);
    trainSteps(opt, q, 1);
    expect(Array.from(expAvg.data)).toEqual(kept);
    opt.loadStateDict(sd);
    expAvg.fill(1000);
    expect(Array.from((opt.stateDict().state[0].expAvg as Tensor).data)).toEqual(kept);
  });

  describe('rejects a mismatched state dict and changes nothing', () => {
    function setup(): { opt: Adam; q: Params; good: OptimizerStateDict<object> } {
      const q = makeParams();
      const opt = new Adam([{ params: [q.w1, q.b1] }, { params: [q.w2, q.b2], lr: 0.02 }], { lr: 0.01, amsgrad: true });
      trainSteps(opt, q, 3);
      return { opt, q, good: opt.stateDict() };
    }
    const edit = (f: (sd: OptimizerStateDict<Record<string, unknown>>) => void) => (sd: OptimizerStateDict<object>) => {
      f(sd as OptimizerStateDict<Record<string, unknown>>);
      return sd;
    };

    test.each<[string, (sd: OptimizerStateDict<object>) => unknown, RegExp]>([
      ['not a state dict', () => ({ weights: [] }), /expected \{ state, paramGroups \}/],
      ['a different number of groups', edit((sd) => sd.paramGroups.pop()), /has 1 parameter groups but the optimizer has 2/],
      ['a group of another size', edit((sd) => sd.paramGroups[1].params.push(9)), /group 1 has 3 parameters in the state dict but 2 in the optimizer/],
      ['a duplicated parameter index', edit((sd) => (sd.paramGroups[1].params[0] = 0)), /parameter index 0 appears more than once/],
      ['state for an unknown parameter', edit((sd) => (sd.state[7] = sd.state[0])), /state for parameter index 7, which no parameter group lists/],
      ['a buffer of the wrong shape', edit((sd) => (sd.state[1].expAvg = zeros([5]))), /\(parameter 1\): 'expAvg' has shape \[5\] but the parameter has shape \[4\]/],
      ['a missing buffer', edit((sd) => delete sd.state[2].maxExpAvgSq), /\(parameter 2\): state lacks 'maxExpAvgSq'/],
      ['another optimizer’s state', edit((sd) => (sd.state[0] = { momentumBuffer: zeros([4, 3]) })), /state lacks 'expAvg'/],
      ['an unknown state key', edit((sd) => (sd.state[0].momentumBuffer = zeros([4, 3]))), /unknown state key 'momentumBuffer'/],
      ['a fractional step', edit((sd) => (sd.state[3].step = 2.5)), /'step' must be a non-negative integer, got 2.5/],
      ['a non-tensor buffer', edit((sd) => (sd.state[3].expAvg = 3)), /'expAvg' must be a Tensor, got 3/],
      ['an unknown group option', edit((sd) => (sd.paramGroups[0].momentum = 0.9)), /group 0 has unknown option 'momentum'/],
      ['a missing group option', edit((sd) => delete sd.paramGroups[0].eps), /group 0 lacks option 'eps'/],
      ['an invalid hyperparameter', edit((sd) => (sd.paramGroups[1].lr = -0.5)), /\(group 1\): lr must be a finite number >= 0, got -0.5/],
    ])('%s', (_what, corrupt, message) => {
      const { opt, q, good } = setup();
      const before = plain(opt.stateDict());
      const params = snapshot(paramList(q));
      expect(() => opt.loadStateDict(corrupt(good) as OptimizerStateDict<never>)).toThrow(message);
      expect(plain(opt.stateDict())).toEqual(before);
      expect(snapshot(paramList(q))).toEqual(params);
    });
  });
});

describe('the in-place contract and the fused kernels', () => {
  type Ctor = (params: Tensor[], fused: boolean) => AnyOptimizer;
  const OPTIMIZERS: Array<[string, Ctor]> = [
    ['SGD', (p, fused) => new SGD(p, { lr: 0.05, fused })],
    ['SGD nesterov + weight decay + maximize', (p, fused) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true, fused })],
    ['SGD momentum + dampening', (p, fused) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.3, fused })],
    ['Adam', (p, fused) => new Adam(p, { lr: 0.01, fused })],
    ['Adam amsgrad + L2', (p, fused) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.01, fused })],
    ['AdamW maximize', (p, fused) => new AdamW(p, { lr: 0.01, maximize: true, fused })],
    ['RMSprop', (p, fused) => new RMSprop(p, { lr: 0.005, fused })],
    ['RMSprop centered momentum + L2', (p, fused) => new RMSprop(p, { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 0.1, fused })],
    ['Adagrad', (p, fused) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01, fused })],
  ];

  /** Parameters large enough for the SIMD kernels (and a 3-element one below their threshold), with fixed gradients per step. */
  function run(make: Ctor, fused: boolean, dtype: 'float32' | 'float64'): { params: Tensor[]; states: unknown } {
    const shapes = [[37, 53], [53], [3]];
    const params = shapes.map((s, k) => tensor(Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + k)), { shape: s, dtype, requiresGrad: true }));
    const opt = make(params, fused);
    for (let step = 0; step < 6; step++) {
      params.forEach((p, k) => { p.grad = tensor(Array.from({ length: p.size }, (_, i) => Math.cos(i * 1.3 + step + k) * 0.1), { shape: p.shape, dtype }); });
      opt.step();
    }
    return { params, states: opt.stateDict().state };
  }

  test.each(OPTIMIZERS)('%s: fused and tensor-op reference agree to rounding (float32 and float64)', (_name, make) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const a = run(make, true, dtype), b = run(make, false, dtype);
      const tol = dtype === 'float32' ? 2e-6 : 1e-14;
      a.params.forEach((p, k) => {
        for (let i = 0; i < p.size; i++) expect(Math.abs(p.data[i] - b.params[k].data[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(p.data[i])));
      });
    }
  });

  test.each(OPTIMIZERS)('%s: parameters and state tensors are updated in place, never replaced', (_name, make) => {
    const p = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const opt = make([p], true);
    const data = p.data;
    p.grad = tensor([[1, -1, 1], [-1, 1, -1]]);
    opt.step();
    const state = opt.stateDict().state[0] ?? {};
    const internal = (opt as unknown as { state: Map<Tensor, Record<string, unknown>> }).state.get(p) ?? {};
    const buffers = Object.values(internal).filter((v): v is Tensor => v instanceof Tensor);
    p.grad = tensor([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    opt.step();
    expect(p.data).toBe(data);
    const after = (opt as unknown as { state: Map<Tensor, Record<string, unknown>> }).state.get(p) ?? {};
    for (const b of buffers) expect(Object.values(after)).toContain(b);
    expect(Object.keys(state).sort()).toEqual(Object.keys(opt.stateDict().state[0] ?? {}).sort());
  });

  test('fused must be a boolean, and is not a per-group option', () => {
    const p = [tensor([1], { requiresGrad: true })];
    expect(() => new Adam(p, { fused: 'yes' as never })).toThrow(/Adam: fused must be a boolean, got yes/);
    expect(() => new SGD([{ params: p, fused: false } as never], { lr: 0.1 })).toThrow(/SGD.addParamGroup: unknown option 'fused'/);
    expect(new RMSprop(p).fused).toBe(true);
    expect(new RMSprop(p, { fused: false }).fused).toBe(false);
  });
});
