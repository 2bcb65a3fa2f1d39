/** Data utilities: TensorDataset, DataLoader, trainTestSplit, oneHot, StandardScaler, synthetic datasets (MNIST moved to @tensorgrad/data). */
import { Generator, Tensor, arange, tensor } from '@tensorgrad/core';
import {
  DataLoader, StandardScaler, TensorDataset, blobs, circles, moons, oneHot, polynomialRegression, spirals, standardize, trainTestSplit, xor,
  type Dataset,
} from '../src/index.js';

const rows = (t: Tensor) => t.toArray() as number[][];

describe('TensorDataset and DataLoader', () => {
  const x = arange(10).reshape([10, 1]);
  const y = arange(10).mul(10);
  const ds = new TensorDataset(x, y);

  test('items and errors', () => {
    expect(ds.length).toBe(10);
    const [xi, yi] = ds.get(3);
    expect(xi.toArray()).toEqual([3]);
    expect(yi.item()).toBe(30);
    expect(() => ds.get(10)).toThrow('TensorDataset.get: index 10 out of range [0, 10)');
    expect(() => new TensorDataset(x, arange(9))).toThrow('TensorDataset: all tensors need the same first dimension, got [10, 1], [9]');
  });

  test('batches in order, with and without dropLast', () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect([...loader].map(([bx]) => bx.shape)).toEqual([[4, 1], [4, 1], [2, 1]]);
    expect(rows([...loader][2][0])).toEqual([[8], [9]]);
    const dropping = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect([...dropping]).toHaveLength(2);
  });

  test('seeded shuffle: a permutation each epoch, different between epochs, same between runs', () => {
    const epoch = (l: DataLoader) => [...l].flatMap(([bx, by]) => {
      expect(Array.from(by.data)).toEqual(Array.from(bx.data, (v) => v * 10));
      return Array.from(bx.data);
    });
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 });
    const e1 = epoch(a);
    const e2 = epoch(a);
    expect([...e1].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    expect(e1).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 });
    expect(epoch(b)).toEqual(e1);
    expect(epoch(b)).toEqual(e2);
  });

  test('generic datasets are collated by stacking', () => {
    const squares: Dataset = { length: 5, get: (i) => [tensor([i, i * i])] };
    const batches = [...new DataLoader(squares, { batchSize: 2 })];
    expect(batches.map(([b]) => b.toArray())).toEqual([[[0, 0], [1, 1]], [[2, 4], [3, 9]], [[4, 16]]]);
  });

  test('option errors', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be an integer >= 1, got 0');
    expect(() => new DataLoader(ds, { seed: 1, generator: new Generator(1) })).toThrow('DataLoader: pass either seed or generator, not both');
  });
});

describe('trainTestSplit', () => {
  test('splits rows consistently across tensors, seeded, by fraction or count', () => {
    const x = arange(20).reshape([10, 2]);
    const y = arange(10);
    const [xTrain, xTest, yTrain, yTest] = trainTestSplit([x, y], { testSize: 0.3, seed: 3 });
    expect(xTrain.shape).toEqual([7, 2]);
    expect(xTest.shape).toEqual([3, 2]);
    expect(Array.from(xTrain.data).filter((_, i) => i % 2 === 0)).toEqual(Array.from(yTrain.data, (v) => 2 * v));
    expect([...Array.from(yTrain.data), ...Array.from(yTest.data)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const again = trainTestSplit([x, y], { testSize: 3, seed: 3 });
    expect(again[3].toArray()).toEqual(yTest.toArray());
    expect(trainTestSplit([y], { testSize: 2, shuffle: false })[1].toArray()).toEqual([8, 9]);
    expect(() => trainTestSplit([y], { testSize: 10 })).toThrow('trainTestSplit: testSize must be a fraction in (0, 1) or an integer in [1, 9] for 10 samples, got 10');
  });
});

describe('oneHot and standardize', () => {
  test('oneHot', () => {
    expect(oneHot([2, 0, 1]).toArray()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(oneHot(tensor([[1], [0]], { dtype: 'int32' }), 3).shape).toEqual([2, 1, 3]);
    expect(() => oneHot([0, 3], 3)).toThrow('oneHot: index 3 at flat position 1 is out of range [0, 3)');
  });

  test('StandardScaler fits on train, transforms anything, inverts; constant columns do not divide by 0', () => {
    const train = tensor([[1, 5, 7], [3, 5, 8], [5, 5, 9]]);
    const scaler = new StandardScaler().fit(train);
    expect(Array.from((scaler.mean as Tensor).data)).toEqual([3, 5, 8]);
    const z = scaler.transform(train);
    const sd = Math.sqrt(8 / 3);
    expect(rows(z).map((r) => r.map((v) => Math.round(v * 1e5) / 1e5))).toEqual([[-2 / sd, 0, -Math.sqrt(1.5)], [0, 0, 0], [2 / sd, 0, Math.sqrt(1.5)]].map((r) => r.map((v) => Math.round(v * 1e5) / 1e5)));
    expect(rows(scaler.inverseTransform(z)).flat().map((v) => Math.round(v * 1e4) / 1e4)).toEqual([1, 5, 7, 3, 5, 8, 5, 5, 9]);
    const [a, b] = standardize(train, tensor([[3, 5, 8]]));
    expect(a.shape).toEqual([3, 3]);
    expect(Array.from(b.data)).toEqual([0, 0, 0]);
    expect(() => scaler.transform(tensor([[1, 2]]))).toThrow('StandardScaler.transform: expected [N, 3] (the shape fitted on), got [1, 2]');
    expect(() => new StandardScaler().transform(train)).toThrow('StandardScaler.transform: call fit() first');
  });
});

describe('synthetic datasets', () => {
  test('xor: the four corners', () => {
    const { x, y } = xor();
    expect(x.toArray()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(Array.from(y.data)).toEqual([0, 1, 1, 0]);
    expect(y.dtype).toBe('int32');
    expect(xor({ samplesPerCorner: 5, noise: 0.1 }).x.shape).toEqual([20, 2]);
  });

  test('moons, circles, spirals, blobs: shapes, balanced labels, seeded, and geometry', () => {
    const count = (y: Tensor, c: number) => Array.from(y.data).filter((v) => v === c).length;
    const m = moons({ n: 101, noise: 0, seed: 2 });
    expect(m.x.shape).toEqual([101, 2]);
    expect([count(m.y, 0), count(m.y, 1)]).toEqual([50, 51]);
    rows(m.x).forEach(([a, b], i) => {
      // Without noise the upper moon is the unit half circle, the lower one its copy shifted by (1, -0.5).
      const [cx, cy] = m.y.data[i] === 0 ? [0, 0] : [1, 0.5];
      expect(Math.hypot(a - cx, b - cy)).toBeCloseTo(1, 5);
    });
    expect(moons({ seed: 4 }).x.toArray()).toEqual(moons({ seed: 4 }).x.toArray());
    expect(moons({ seed: 4 }).x.toArray()).not.toEqual(moons({ seed: 5 }).x.toArray());
    const c = circles({ n: 40, noise: 0, factor: 0.3 });
    rows(c.x).forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(c.y.data[i] === 0 ? 1 : 0.3, 5));
    const s = spirals({ nPerClass: 50, classes: 3 });
    expect(s.x.shape).toEqual([150, 2]);
    expect([0, 1, 2].map((k) => count(s.y, k))).toEqual([50, 50, 50]);
    // Without noise and shuffling, point i of arm c sits at radius i/(n-1) and angle c·sweep + sweep·i/(n-1).
    const turned = spirals({ nPerClass: 5, classes: 2, noise: 0, sweep: 3 * Math.PI, shuffle: false });
    rows(turned.x).forEach(([u, v], j) => {
      const [c, i] = [Math.floor(j / 5), j % 5];
      const t = 3 * Math.PI * (c + i / 4);
      expect(u).toBeCloseTo((i / 4) * Math.sin(t), 5);
      expect(v).toBeCloseTo((i / 4) * Math.cos(t), 5);
    });
    expect(spirals({ seed: 3 }).x.toArray()).toEqual(spirals({ seed: 3, sweep: 4 }).x.toArray());
    expect(() => spirals({ sweep: 0 })).toThrow('spirals: sweep must be a positive number of radians, got 0');
    const b = blobs({ n: 300, centers: [[0, 0], [10, 10]], clusterStd: 0.5 });
    rows(b.x).forEach(([u, v], i) => expect(Math.hypot(u - 10 * b.y.data[i], v - 10 * b.y.data[i])).toBeLessThan(3));
    expect(blobs({ centers: 4, nFeatures: 3 }).x.shape).toEqual([300, 3]);
    expect(() => moons({ noise: -1 })).toThrow('moons: noise must be a finite number >= 0, got -1');
  });

  test('polynomialRegression: y is the polynomial plus noise of the requested size', () => {
    const { x, y, clean } = polynomialRegression({ n: 2000, coefficients: [1, 0, 2], noise: 0.2, seed: 1 });
    rows(x).forEach(([v], i) => expect(clean.data[i]).toBeCloseTo(1 + 2 * v * v, 5));
    const residual = Array.from(y.data, (v, i) => v - clean.data[i]);
    const sd = Math.sqrt(residual.reduce((a, r) => a + r * r, 0) / residual.length);
    expect(sd).toBeCloseTo(0.2, 1);
  });
});
