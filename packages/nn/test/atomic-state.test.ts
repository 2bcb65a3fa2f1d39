/**
 * All-or-nothing state changes: Module.loadStateDict, Optimizer.loadStateDict, scheduler loadStateDict and step.
 * Each bad input throws an Error that names the call and what failed, and leaves every value exactly as it was.
 */
import { Tensor, tensor, zeros } from '@tensorgrad/core';
import { Adam, BatchNorm1d, LambdaLR, Linear, MLP, Module, RMSprop, SGD, StepLR } from '../src/index.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

function values(m: Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data)]));
}

describe('Module.loadStateDict checks every entry before copying any', () => {
  test('a record with good entries and one bad one changes nothing, and the error lists every problem', () => {
    const mlp = new MLP([2, 3, 1]);
    const before = values(mlp);
    const record = { ...mlp.stateDict() };
    record['0.weight'] = tensor([[9, 9], [9, 9], [9, 9]]);  // valid, but must not be copied
    record['0.bias'] = zeros([3], { dtype: 'int32' });      // integer into a float parameter
    record['2.weight'] = zeros([3, 1]);                     // transposed
    const e = errorOf(() => mlp.loadStateDict(record));
    expect(e.message).toMatch(/^loadStateDict: 2 problem\(s\) loading into MLP, nothing was modified/);
    expect(e.message).toContain("dtype mismatch for '0.bias': the module has float32, the record int32");
    expect(e.message).toContain("shape mismatch for '2.weight': the module has [1, 3], the record has [3, 1]");
    expect(values(mlp)).toEqual(before);
  });

  test('BatchNorm refuses non-finite or negative running statistics; nothing else is loaded either', () => {
    const bn = new BatchNorm1d(2);
    const before = values(bn);
    const good = bn.stateDict();
    for (const [key, value, message] of [
      ['running_var', tensor([1, -0.5]), "'running_var' has -0.5 at flat index 1; BatchNorm's running_var must be finite and >= 0"],
      ['running_var', tensor([NaN, 1]), "'running_var' has NaN at flat index 0"],
      ['running_mean', tensor([0, Infinity]), "'running_mean' has Infinity at flat index 1; BatchNorm's running_mean must be finite"],
      ['num_batches_tracked', tensor(-3, { dtype: 'int32' }), "'num_batches_tracked' has -3"],
    ] as const) {
      const record = { ...good, weight: tensor([5, 5]), [key]: value };
      expect(errorOf(() => bn.loadStateDict(record)).message).toContain(message);
      expect(values(bn)).toEqual(before);
    }
    bn.loadStateDict({ ...good, running_var: tensor([0, 2]) });
    expect(Array.from(bn.running_var!.data)).toEqual([0, 2]);
    // A file saved with the old camelCase names is renamed first, then checked the same way.
    const legacy: Record<string, unknown> = { ...good };
    delete legacy.running_var;
    legacy.runningVar = tensor([1, -2]);
    expect(() => bn.loadStateDict(legacy as never)).toThrow("'running_var' has -2 at flat index 1");
  });

  test('a buffer that is currently a graph node is replaced by a detached copy instead of failing halfway', () => {
    class Tracker extends Module {
      w = new Linear(2, 2);
      declare last: Tensor;
      constructor() {
        super();
        this.registerBuffer('last', zeros([2]));
      }

      forward(x: Tensor): Tensor {
        const y = this.w.forward(x);
        this.last = y.mean(0); // a computation with a graph, stored as the buffer
        return y;
      }
    }
    const m = new Tracker();
    m.forward(tensor([[1, 2], [3, 4]]));
    expect(m.last.isLeaf).toBe(false);
    const record = { ...m.stateDict(), 'w.bias': tensor([7, 8]), last: tensor([0.5, -0.5]) };
    m.loadStateDict(record);
    expect(m.last.isLeaf).toBe(true);
    expect(m.last.requiresGrad).toBe(false);
    expect(Array.from(m.last.data)).toEqual([0.5, -0.5]);
    expect(Array.from(m.w.bias!.data)).toEqual([7, 8]);
  });

  test("own keys only: a record key '__proto__' or 'constructor' is an unexpected key, not a prototype lookup", () => {
    const lin = new Linear(1, 1);
    const record = Object.assign(Object.create(null) as Record<string, Tensor>, lin.stateDict());
    Object.defineProperty(record, '__proto__', { value: zeros([1]), enumerable: true });
    expect(errorOf(() => lin.loadStateDict(record)).message).toContain("unexpected key '__proto__'");
    expect(lin.loadStateDict(record, { strict: false }).unexpectedKeys).toEqual(['__proto__']);
    expect(errorOf(() => lin.loadStateDict({}, { strcit: false } as never)).message).toBe("loadStateDict: unknown option 'strcit' (known: strict)");
  });
});

describe('Optimizer.loadStateDict validates values before changing anything', () => {
  function trained(): { p: Tensor; opt: Adam } {
    const p = tensor([1, -2], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    p.square().sum().backward();
    opt.step();
    return { p, opt };
  }

  test.each([
    ['a negative expAvgSq', (sd: any) => { sd.state[0].expAvgSq = tensor([1, -0.5]); }, /'expAvgSq' has -0.5 at flat index 1; it must be finite and >= 0/],
    ['a NaN first moment', (sd: any) => { sd.state[0].expAvg = tensor([NaN, 0]); }, /'expAvg' has NaN at flat index 0; it must be finite/],
    ['a fractional step count', (sd: any) => { sd.state[0].step = 1.5; }, /'step' must be a non-negative integer, got 1.5/],
    ['a negative step count', (sd: any) => { sd.state[0].step = -1; }, /'step' must be a non-negative integer/],
    ['an infinite lr', (sd: any) => { sd.paramGroups[0].lr = Infinity; }, /lr must be a finite number >= 0, got Infinity/],
    ['a negative lr', (sd: any) => { sd.paramGroups[0].lr = -0.1; }, /lr must be a finite number >= 0, got -0.1/],
  ])('%s', (_name, corrupt, message) => {
    const { opt } = trained();
    const before = opt.stateDict();
    const sd = opt.stateDict();
    corrupt(sd);
    expect(() => opt.loadStateDict(sd)).toThrow(message);
    expect(errorOf(() => opt.loadStateDict(sd)).message).toMatch(/^Adam\.loadStateDict/);
    const after = opt.stateDict();
    expect(after.paramGroups).toEqual(before.paramGroups);
    expect(Array.from((after.state[0].expAvgSq as Tensor).data)).toEqual(Array.from((before.state[0].expAvgSq as Tensor).data));
    expect(after.state[0].step).toBe(before.state[0].step);
  });

  test('RMSprop squareAvg must be non-negative too', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new RMSprop([p]);
    p.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    sd.state[0].squareAvg = tensor([-1, 0]);
    expect(() => opt.loadStateDict(sd)).toThrow(/RMSprop.loadStateDict \(parameter 0\): 'squareAvg' has -1/);
  });
});

describe('schedulers', () => {
  const optimizer = () => new SGD([zeros([1], { requiresGrad: true }), zeros([1], { requiresGrad: true })].map((t) => ({ params: [t] })), { lr: 0.1 });

  test.each([
    ['a NaN base lr', { baseLrs: [NaN, 0.1] }],
    ['a negative base lr', { baseLrs: [0.1, -1] }],
    ['an infinite last lr', { lastLr: [Infinity, 0.1] }],
    ['a fractional epoch', { lastEpoch: 2.5 }],
    ['a negative step count', { stepCount: -1 }],
  ])('loadStateDict refuses %s and changes nothing', (_name, patch) => {
    const s = new StepLR(optimizer(), { stepSize: 2 });
    s.step();
    const before = s.stateDict();
    expect(() => s.loadStateDict({ ...before, ...patch })).toThrow(/^StepLR\.loadStateDict: /);
    expect(s.stateDict()).toEqual(before);
  });

  test('a step whose new rate is invalid throws and leaves lastEpoch, the step count and the rates unchanged', () => {
    const opt = optimizer();
    const s = new LambdaLR(opt, { lrLambda: (epoch) => (epoch === 2 ? NaN : epoch === 3 ? -1 : 1 / (epoch + 1)) });
    s.step();
    const before = { ...s.stateDict() };
    const lrs = opt.paramGroups.map((g) => g.lr);
    expect(() => s.step()).toThrow(/^LambdaLR\.step: computed lr NaN for group 0 at epoch 2; nothing was changed \(lastEpoch stays 1\)/);
    expect(s.stateDict()).toEqual(before);
    expect(s.lastEpoch).toBe(1);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs);
    expect(() => s.step()).toThrow(/computed lr NaN .* epoch 2/); // still epoch 2, not 3
  });

  test('a scheduler whose construction fails leaves the optimizer as it was', () => {
    const opt = optimizer();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/^StepLR: stepSize must be an integer >= 1/);
    expect(() => new LambdaLR(opt, { lrLambda: () => -1 })).toThrow(/^LambdaLR\.step: computed lr -0\.1/);
    expect(() => new StepLR(opt, undefined as never)).toThrow(/^StepLR: expected options/);
    expect(opt.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([[0.1, undefined], [0.1, undefined]]);
  });
});
