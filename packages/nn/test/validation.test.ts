/** nn's argument checks from the engine-integrity issue: data loaders, data generators and option keys. */
import { Tensor, tensor, zeros } from '@tensorgrad/core';
import { BatchNorm1d, DataLoader, Linear, MLP, crossEntropy, mseLoss, moons, oneHot, spirals, trainTestSplit } from '../src/index.js';
import type { Dataset } from '../src/index.js';

function dataset(length: unknown, get: (i: number) => unknown = (i) => [tensor([i])]): Dataset {
  return { length, get } as unknown as Dataset;
}

function drain(loader: DataLoader): Tensor[][] {
  return [...loader];
}

describe('DataLoader checks its dataset', () => {
  test.each([[-1], [NaN], [2.5], [Infinity], ['3'], [undefined]])('a length of %p throws', (length) => {
    expect(() => new DataLoader(dataset(length))).toThrow(/^DataLoader: dataset.length must be a non-negative integer, got /);
  });

  test('a length that turns invalid later is caught when iterating', () => {
    let n = 2;
    const loader = new DataLoader({ get length() { return n; }, get: (i: number) => [tensor([i])] });
    n = -4;
    expect(() => drain(loader)).toThrow('DataLoader: dataset.length must be a non-negative integer, got -4');
    expect(() => loader.length).toThrow(/dataset.length/);
  });

  test.each<[string, (i: number) => unknown, RegExp]>([
    ['a tensor instead of an array', (i) => tensor([i]), /dataset.get\(0\) must return a non-empty array of Tensors, got a float32 Tensor of shape \[1\]/],
    ['an array holding a number', (i) => [tensor([i]), 3], /dataset.get\(0\) must return a non-empty array of Tensors, got \[/],
    ['an empty array', () => [], /dataset.get\(0\) must return a non-empty array of Tensors, got \[\]/],
    ['items of different arity', (i) => (i === 0 ? [tensor([0])] : [tensor([i]), tensor([i])]), /dataset.get\(1\) returned 2 tensors but dataset.get\(0\) returned 1/],
    ['items of different shapes', (i) => [zeros([i + 1])], /tensor 0 of dataset.get\(1\) has shape \[2\] but that of dataset.get\(0\) has \[1\]/],
  ])('get returning %s throws a clear error', (_what, get, message) => {
    const loader = new DataLoader(dataset(2, get), { batchSize: 2 });
    expect(() => drain(loader)).toThrow(message);
  });

  test('getBatch results are checked too, and option keys and values are validated', () => {
    const bad = { length: 2, get: (i: number) => [tensor([i])], getBatch: () => 'nope' } as unknown as Dataset;
    expect(() => drain(new DataLoader(bad))).toThrow('DataLoader: dataset.getBatch([1 indices]) must return a non-empty array of Tensors, got "nope"');
    expect(() => new DataLoader(dataset(2), { batchsize: 2 } as never)).toThrow("DataLoader: unknown option 'batchsize'");
    expect(() => new DataLoader(dataset(2), { shuffle: 'yes' } as never)).toThrow('DataLoader: shuffle must be true or false, got "yes"');
    expect(() => new DataLoader(null as never)).toThrow('DataLoader: dataset must have a length and a get(index) method, got null');
    expect(drain(new DataLoader(dataset(3), { batchSize: 2 })).map(([x]) => x.shape)).toEqual([[2, 1], [1, 1]]);
  });
});

describe('unknown option keys are rejected everywhere options are taken', () => {
  test.each<[string, () => unknown, string]>([
    ['moons', () => moons({ samples: 10 } as never), "moons: unknown option 'samples'"],
    ['spirals', () => spirals({ nPerClass: 10, sead: 1 } as never), "spirals: unknown option 'sead'"],
    ['trainTestSplit', () => trainTestSplit([zeros([4, 1])], { test: 0.5 } as never), "trainTestSplit: unknown option 'test'"],
    ['oneHot', () => oneHot([1, 0], 2, { dtpye: 'float64' } as never), "oneHot: unknown option 'dtpye'"],
    ['Linear', () => new Linear(2, 2, { biass: false } as never), "Linear: unknown option 'biass'"],
    ['BatchNorm1d', () => new BatchNorm1d(2, { momentun: 0.2 } as never), "BatchNorm1d: unknown option 'momentun'"],
    ['MLP', () => new MLP([2, 2], { activations: 'tanh' } as never), "MLP: unknown option 'activations'"],
    ['mseLoss', () => mseLoss(zeros([2]), zeros([2]), { reduce: 'sum' } as never), "mseLoss: unknown option 'reduce'"],
    ['crossEntropy', () => crossEntropy(zeros([2, 3]), [0, 1], { ignore_index: 0 } as never), "crossEntropy: unknown option 'ignore_index'"],
    ['numParameters', () => new Linear(1, 1).numParameters({ trainable: true } as never), "numParameters: unknown option 'trainable'"],
  ])('%s', (_fn, call, message) => {
    expect(call).toThrow(message);
  });

  test('option values are checked under the function\'s own name', () => {
    expect(() => new Linear(2, 2, { dtype: 'float16' as never })).toThrow("Linear: dtype must be 'float32' or 'float64', got \"float16\"");
    expect(() => moons({ noise: Infinity })).toThrow('moons: noise must be a finite number >= 0, got Infinity');
    expect(() => moons({ seed: NaN })).toThrow('moons: seed must be a finite number, got NaN');
    expect(() => mseLoss(zeros([2]), [[1], 2] as never)).toThrow(/^mseLoss: target must be a Tensor, a number or \(nested\) arrays of numbers/);
  });
});
