/** Datasets and mini-batch iteration: TensorDataset, DataLoader, trainTestSplit. */
import { Generator, Tensor, randperm, stack } from '@tensorgrad/core';
import { indexTensor, shapeStr, checkOptions, describeValue, expectBoolean, expectGenerator, expectNumber } from '../util.js';

/** Anything indexable by position. `getBatch`, when present, returns a whole mini-batch at once (much faster than `get`). */
export interface Dataset<T = Tensor[]> {
  readonly length: number;
  get(index: number): T;
  getBatch?(indices: Int32Array): T;
}

/** Rows of tensors that share their first dimension: item i is `[t0[i], t1[i], ...]` (like torch.utils.data.TensorDataset). */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.ndim === 0) throw new Error(`TensorDataset: argument ${i} must be a Tensor with at least one dimension`);
    });
    const n = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new Error(`TensorDataset: all tensors need the same first dimension, got ${tensors.map((t) => shapeStr(t.shape)).join(', ')}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new Error(`TensorDataset.get: index ${describeValue(index)} out of range [0, ${this.length})`);
    return this.tensors.map((t) => t.indexSelect(0, [index]).squeeze(0));
  }

  getBatch(indices: Int32Array): Tensor[] {
    if (!(indices instanceof Int32Array)) throw new Error(`TensorDataset.getBatch: indices must be an Int32Array, got ${describeValue(indices)}`);
    const idx = indexTensor(indices, [indices.length]);
    return this.tensors.map((t) => t.indexSelect(0, idx));
  }
}

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the order at the start of every pass (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of a private generator for the shuffles; a run with the same seed sees the same batches. */
  seed?: number;
  /** Generator for the shuffles (instead of `seed`); default: core's default generator. */
  generator?: Generator;
}

/**
 * Iterates over a dataset in mini-batches: `for (const [x, y] of loader)`. Each pass (each `for ... of`) draws a new order
 * when shuffling, so epochs differ while a seeded run stays reproducible. Batches of a dataset without `getBatch` are
 * assembled by stacking its items.
 */
export class DataLoader<T extends Tensor[] = Tensor[]> implements Iterable<T> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;

  constructor(readonly dataset: Dataset<T>, options: DataLoaderOptions = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, seed, generator } = checkOptions(options, ['batchSize', 'shuffle', 'dropLast', 'seed', 'generator'], 'DataLoader');
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function') {
      throw new Error(`DataLoader: dataset must have a length and a get(index) method, got ${describeValue(dataset)}`);
    }
    if (dataset.getBatch !== undefined && typeof dataset.getBatch !== 'function') throw new Error(`DataLoader: dataset.getBatch must be a function when present, got ${describeValue(dataset.getBatch)}`);
    datasetLength(dataset);
    expectNumber(batchSize, 'DataLoader', 'batchSize', { integer: true, min: 1 });
    expectBoolean(shuffle, 'DataLoader', 'shuffle');
    expectBoolean(dropLast, 'DataLoader', 'dropLast');
    if (seed !== undefined) expectNumber(seed, 'DataLoader', 'seed', { finite: true });
    expectGenerator(generator, 'DataLoader');
    if (seed !== undefined && generator !== undefined) throw new Error('DataLoader: pass either seed or generator, not both');
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = seed !== undefined ? new Generator(seed) : generator;
  }

  /** Number of batches per pass. */
  get length(): number {
    const n = datasetLength(this.dataset);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<T> {
    const n = datasetLength(this.dataset);
    const order = this.shuffle ? (randperm(n, { generator: this.generator }).data as Int32Array) : Int32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n);
      if (this.dropLast && end - start < this.batchSize) break;
      yield this.fetch(order.subarray(start, end));
    }
  }

  /** One batch: the dataset's getBatch, or its items stacked; both are checked to be arrays of tensors. */
  private fetch(indices: Int32Array): T {
    if (this.dataset.getBatch) return checkItem(this.dataset.getBatch(indices), `dataset.getBatch([${indices.length} indices])`) as T;
    const items = Array.from(indices, (i) => checkItem(this.dataset.get(i), `dataset.get(${i})`));
    const arity = items[0].length;
    items.forEach((item, j) => {
      if (item.length !== arity) {
        throw new Error(`DataLoader: dataset.get(${indices[j]}) returned ${item.length} tensors but dataset.get(${indices[0]}) returned ${arity}; every item needs the same number`);
      }
    });
    return items[0].map((_, k) => {
      const shape = items[0][k].shape;
      items.forEach((item, j) => {
        if (item[k].shape.length !== shape.length || item[k].shape.some((d, a) => d !== shape[a])) {
          throw new Error(`DataLoader: tensor ${k} of dataset.get(${indices[j]}) has shape ${shapeStr(item[k].shape)} but that of dataset.get(${indices[0]}) has ${shapeStr(shape)}; items must stack`);
        }
      });
      return stack(items.map((item) => item[k]));
    }) as T;
  }
}

/** The dataset's length, which must be a non-negative integer (checked on every use: it is often a getter). */
function datasetLength(dataset: Dataset<unknown>): number {
  const n: unknown = dataset.length;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`DataLoader: dataset.length must be a non-negative integer, got ${describeValue(n)}`);
  return n;
}

/** An item or batch from a dataset: a non-empty array of tensors. */
function checkItem(item: unknown, what: string): Tensor[] {
  if (!Array.isArray(item) || item.length === 0 || !item.every((t) => t instanceof Tensor)) {
    throw new Error(`DataLoader: ${what} must return a non-empty array of Tensors, got ${describeValue(item)}`);
  }
  return item;
}

export interface SplitOptions {
  /** Fraction in (0, 1) or number of samples that go to the test part (default 0.25). */
  testSize?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0), so a split is reproducible. */
  seed?: number;
}

/**
 * Splits tensors that share their first dimension into train and test rows, like sklearn's train_test_split:
 * `const [xTrain, xTest, yTrain, yTest] = trainTestSplit([x, y], { testSize: 0.2, seed: 0 })`.
 */
export function trainTestSplit(tensors: Tensor[], options: SplitOptions = {}): Tensor[] {
  const { testSize = 0.25, shuffle = true, seed = 0 } = checkOptions(options, ['testSize', 'shuffle', 'seed'], 'trainTestSplit');
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`trainTestSplit: expected a non-empty array of tensors, got ${describeValue(tensors)}`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor) || t.ndim === 0) throw new Error(`trainTestSplit: tensors[${i}] must be a Tensor with at least one dimension, got ${describeValue(t)}`);
  });
  expectNumber(testSize, 'trainTestSplit', 'testSize', { finite: true });
  expectBoolean(shuffle, 'trainTestSplit', 'shuffle');
  expectNumber(seed, 'trainTestSplit', 'seed', { finite: true });
  const n = tensors[0].shape[0];
  if (tensors.some((t) => t.shape[0] !== n)) {
    throw new Error(`trainTestSplit: all tensors need the same first dimension, got ${tensors.map((t) => shapeStr(t.shape)).join(', ')}`);
  }
  const nTest = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(nTest) || nTest <= 0 || nTest >= n) {
    throw new Error(`trainTestSplit: testSize must be a fraction in (0, 1) or an integer in [1, ${n - 1}] for ${n} samples, got ${testSize}`);
  }
  const order = shuffle ? (randperm(n, { generator: new Generator(seed) }).data as Int32Array) : Int32Array.from({ length: n }, (_, i) => i);
  const trainIdx = indexTensor(order.slice(0, n - nTest), [n - nTest]);
  const testIdx = indexTensor(order.slice(n - nTest), [nTest]);
  return tensors.flatMap((t) => [t.indexSelect(0, trainIdx), t.indexSelect(0, testIdx)]);
}
