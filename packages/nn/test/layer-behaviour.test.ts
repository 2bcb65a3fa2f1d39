/** Layer behaviour beyond the PyTorch fixtures: default initialisation, Dropout, BatchNorm modes, structure and errors. */
import { Generator, Tensor, manualSeed, ones, randn, tensor } from '@tensorgrad/core';
import { BatchNorm1d, Dropout, Embedding, Flatten, GELU, LayerNorm, Linear, MLP, Module, ReLU, Sequential, Tanh } from '../src/index.js';

const maxAbs = (t: Tensor) => Math.max(...Array.from(t.data, Math.abs));

describe('Linear', () => {
  test('PyTorch default init: weight and bias in U(-1/√in, 1/√in), filling the range', () => {
    const lin = new Linear(400, 300, { generator: new Generator(1) });
    expect(lin.weight.shape).toEqual([300, 400]);
    expect(lin.bias?.shape).toEqual([300]);
    const bound = 1 / 20;
    expect(maxAbs(lin.weight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(lin.weight)).toBeGreaterThan(0.99 * bound);
    expect(maxAbs(lin.bias as Tensor)).toBeLessThanOrEqual(bound);
    // Uniform on [-b, b] has variance b²/3.
    const w = Array.from(lin.weight.data);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo(bound * bound / 3, 5);
  });

  test('seeded: the same generator seed gives the same weights; the global seed too', () => {
    expect(new Linear(3, 2, { generator: new Generator(5) }).weight.toArray()).toEqual(new Linear(3, 2, { generator: new Generator(5) }).weight.toArray());
    manualSeed(11);
    const a = new Linear(3, 2).weight.toArray();
    manualSeed(11);
    expect(new Linear(3, 2).weight.toArray()).toEqual(a);
  });

  test('errors name the layer and the shapes', () => {
    const lin = new Linear(3, 2);
    expect(() => lin.forward(randn([4, 5]))).toThrow('Linear: expected input [..., 3], got [4, 5] (weight [2, 3])');
    expect(() => lin.forward(tensor(1))).toThrow('Linear: expected input [..., 3], got []');
    expect(() => new Linear(0, 2)).toThrow('Linear: inFeatures must be a positive integer, got 0');
    expect(() => new Linear(2, 1.5)).toThrow('Linear: outFeatures must be a positive integer, got 1.5');
  });
});

describe('Dropout', () => {
  test('training: zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const d = new Dropout(0.25, { generator: new Generator(0) });
    const y = d.forward(ones([100, 100]));
    const values = Array.from(y.data);
    const zeros = values.filter((v) => v === 0).length;
    expect(zeros / values.length).toBeGreaterThan(0.23);
    expect(zeros / values.length).toBeLessThan(0.27);
    expect(values.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  test('eval mode and p = 0 pass the input through; p = 1 drops everything', () => {
    const x = randn([3, 4]);
    const d = new Dropout(0.5);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(Array.from(new Dropout(1).forward(x).data).every((v) => v === 0)).toBe(true);
  });

  test('seeded masks repeat; gradients flow only through kept elements', () => {
    const x = randn([4, 4], { requiresGrad: true });
    const a = new Dropout(0.5, { generator: new Generator(9) }).forward(x);
    const b = new Dropout(0.5, { generator: new Generator(9) }).forward(x);
    expect(a.toArray()).toEqual(b.toArray());
    a.sum().backward();
    const g = Array.from((x.grad as Tensor).data);
    Array.from(a.data).forEach((v, i) => expect(g[i]).toBe(v === 0 ? 0 : 2));
  });

  test('p outside [0, 1] throws', () => {
    expect(() => new Dropout(1.5)).toThrow('Dropout: probability p must be a number in [0, 1], got 1.5');
  });
});

describe('BatchNorm1d', () => {
  test('training normalises each channel to mean 0, variance 1; eval uses the running statistics', () => {
    const bn = new BatchNorm1d(2, { momentum: 1 });
    const x = tensor([[1, 10], [3, 20], [5, 60]]);
    const y = bn.forward(x);
    const col = (t: Tensor, c: number) => [0, 1, 2].map((r) => t.data[r * 2 + c]);
    for (const c of [0, 1]) {
      const v = col(y, c);
      expect(v.reduce((a, b) => a + b) / 3).toBeCloseTo(0, 5);
      expect(v.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 3);
    }
    // momentum 1: running stats are exactly this batch's mean and unbiased variance.
    expect(Array.from((bn.runningMean as Tensor).data)).toEqual([3, 30]);
    expect(Array.from((bn.runningVar as Tensor).data)).toEqual([4, 700]);
    expect((bn.numBatchesTracked as Tensor).item()).toBe(1);
    bn.eval();
    const z = bn.forward(tensor([[5, 30]]));
    expect(z.data[0]).toBeCloseTo(2 / Math.sqrt(4 + 1e-5), 5);
    expect(z.data[1]).toBeCloseTo(0, 6);
    expect((bn.numBatchesTracked as Tensor).item()).toBe(1);
  });

  test('bad inputs throw and leave the running statistics untouched', () => {
    const bn = new BatchNorm1d(3);
    bn.forward(randn([4, 3]));
    const before = bn.stateDict();
    expect(() => bn.forward(randn([4, 2]))).toThrow('BatchNorm1d: expected input [N, 3] or [N, 3, L], got [4, 2]');
    expect(() => bn.forward(randn([3]))).toThrow('BatchNorm1d: expected input [N, 3] or [N, 3, L], got [3]');
    expect(() => bn.forward(randn([1, 3]))).toThrow('BatchNorm1d: expected more than 1 value per channel when training, got input [1, 3]');
    const after = bn.stateDict();
    for (const k of Object.keys(before)) expect(after[k].toArray()).toEqual(before[k].toArray());
    bn.eval();
    expect(bn.forward(randn([1, 3])).shape).toEqual([1, 3]);
  });

  test('option errors', () => {
    expect(() => new BatchNorm1d(0)).toThrow('BatchNorm1d: numFeatures must be a positive integer, got 0');
    expect(() => new BatchNorm1d(2, { momentum: 2 })).toThrow('BatchNorm1d: momentum must be in [0, 1] or null, got 2');
  });
});

describe('LayerNorm, Embedding, Flatten, GELU errors', () => {
  test('LayerNorm checks the trailing shape', () => {
    expect(() => new LayerNorm([2, 3]).forward(randn([4, 3, 2]))).toThrow('LayerNorm: expected input [..., 2, 3], got [4, 3, 2]');
    expect(() => new LayerNorm(0)).toThrow('LayerNorm: normalizedShape must be positive integers, got 0');
  });

  test('Embedding: lookup of any index shape; range errors', () => {
    const emb = new Embedding(4, 2);
    expect(emb.forward([[0, 1, 2], [3, 3, 0]]).shape).toEqual([2, 3, 2]);
    const table = emb.weight.toArray() as number[][];
    expect(emb.forward(new Int32Array([3, 1])).toArray()).toEqual([table[3], table[1]]);
    expect(() => emb.forward([1, 4])).toThrow('Embedding: index 4 out of range [0, 4) at flat position 1 of indices [2]');
    expect(() => emb.forward(tensor([0.5]))).toThrow('Embedding: indices must hold integers, got 0.5');
    const padded = new Embedding(3, 2, { paddingIdx: -1 });
    expect(padded.paddingIdx).toBe(2);
    expect((padded.weight.toArray() as number[][])[2]).toEqual([0, 0]);
  });

  test('Flatten and GELU validate their arguments', () => {
    expect(new Flatten().forward(randn([2, 3, 4])).shape).toEqual([2, 12]);
    expect(() => new Flatten(2, 1).forward(randn([2, 3, 4]))).toThrow('Flatten: startDim=2, endDim=1 invalid for input [2, 3, 4]');
    expect(() => new GELU({ approximate: 'fast' as never })).toThrow('GELU: approximate must be \'none\' or \'tanh\', got "fast"');
  });

  test('non-tensor inputs are rejected by name', () => {
    expect(() => new ReLU().forward([1, 2] as unknown as Tensor)).toThrow('ReLU: input must be a Tensor, got [1, 2]');
  });
});

describe('Sequential and MLP', () => {
  test('Sequential indexing, length, iteration and errors', () => {
    const seq = new Sequential(new Linear(2, 3), new Tanh());
    expect(seq.length).toBe(2);
    expect(seq.at(-1)).toBeInstanceOf(Tanh);
    expect(seq[0]).toBeInstanceOf(Linear);
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh']);
    seq.append(new Linear(3, 1));
    expect(seq.forward(randn([5, 2])).shape).toEqual([5, 1]);
    expect(() => seq.at(3)).toThrow('Sequential.at: index 3 out of range for 3 module(s)');
    expect(() => new Sequential({} as Module)).toThrow('Sequential: every element must be a Module, got an object at position 0');
  });

  test('MLP layout: Linear, norm, activation, dropout per hidden layer; output activation last', () => {
    const layout = (m: MLP) => [...m].map((l) => l.constructor.name);
    expect(layout(new MLP([2, 4, 1]))).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(layout(new MLP([2, 8, 8, 3], { activation: 'gelu', norm: 'batch', dropout: 0.1, outputActivation: 'softmax' }))).toEqual([
      'Linear', 'BatchNorm1d', 'GELU', 'Dropout', 'Linear', 'BatchNorm1d', 'GELU', 'Dropout', 'Linear', 'Softmax',
    ]);
    expect(layout(new MLP([2, 3, 1], { activation: () => new Tanh(), norm: 'layer' }))).toEqual(['Linear', 'LayerNorm', 'Tanh', 'Linear']);
    expect(() => new MLP([3])).toThrow('MLP: sizes must list at least 2 positive integers (input, ..., output), got [3]');
    // A bad activation name is refused even when there is no hidden layer to use it.
    expect(() => new MLP([3, 2], { activation: 'swish' as never })).toThrow('MLP: unknown activation "swish"');
    expect(() => new MLP([3, 2, 1], { activation: 'swish' as never })).toThrow('MLP: unknown activation "swish"');
    expect(() => new MLP([3, 2, 1], { dropout: 1 })).toThrow('MLP: dropout must be in [0, 1), got 1');
  });
});
