/** First names from the @stdlib lists: cleaning, counts, order, and the seeded train/dev/test split. */
import { cleanNames, loadNames, trainDevTestSplit } from '@tensorgrad/data';

describe('loadNames', () => {
  test('both lists merged: lowercase a–z only, no duplicates, sorted', async () => {
    const names = await loadNames();
    expect(names).toHaveLength(8403);
    expect(names.slice(0, 3)).toEqual(['aaren', 'aarika', 'aaron']);
    expect(names.at(-1)).toBe('zuzana');
    expect(names.every((n) => /^[a-z]+$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    expect(Math.max(...names.map((n) => n.length))).toBe(13);
    // Hyphenated names ("Anne-Marie") are dropped, not glued together.
    expect(names.includes('helenelizabeth') || names.includes('sheilakathryn')).toBe(false);
    expect(names).toContain('anne');
  });

  test('one list at a time; a name on both lists appears once in the merged list', async () => {
    const [female, male, all] = await Promise.all([loadNames({ list: 'female' }), loadNames({ list: 'male' }), loadNames()]);
    expect([female.length, male.length]).toEqual([4925, 3897]);
    const both = female.filter((n) => male.includes(n));
    expect(both.length).toBeGreaterThan(0);
    expect(all.length).toBe(female.length + male.length - both.length);
    expect(female).toContain('emma');
    expect(male).toContain('oliver');
  });

  test('rejects unknown lists and option keys', async () => {
    await expect(loadNames({ list: 'boys' as never })).rejects.toThrow("loadNames: list must be one of 'female', 'male', 'all', got boys");
    await expect(loadNames({ lists: 'male' } as never)).rejects.toThrow("loadNames: unknown option 'lists' (known: list)");
  });
});

describe('cleanNames', () => {
  test('lowercases, drops anything but a–z, deduplicates and sorts', () => {
    expect(cleanNames(['Mary', 'anna', 'MARY', 'Jo-Ann', "O'Neil", 'Zoë', 'bob', ''])).toEqual(['anna', 'bob', 'mary']);
  });
});

describe('trainDevTestSplit', () => {
  const items = Array.from({ length: 1000 }, (_, i) => i);

  test('80/10/10 by default, every item in exactly one part', () => {
    const { train, dev, test } = trainDevTestSplit(items, { seed: 1 });
    expect([train.length, dev.length, test.length]).toEqual([800, 100, 100]);
    expect([...train, ...dev, ...test].sort((a, b) => a - b)).toEqual(items);
    // Shuffled, not cut in order.
    expect(train.slice(0, 10)).not.toEqual(items.slice(0, 10));
  });

  test('the same seed gives the same split, another seed another one', () => {
    const a = trainDevTestSplit(items, { seed: 7 });
    expect(trainDevTestSplit(items, { seed: 7 })).toEqual(a);
    expect(trainDevTestSplit(items, { seed: 8 }).dev).not.toEqual(a.dev);
    expect(trainDevTestSplit(items).test).toEqual(trainDevTestSplit(items, { seed: 0 }).test);
  });

  test('custom fractions round to whole items; train takes the rest', () => {
    const { train, dev, test } = trainDevTestSplit(['a', 'b', 'c', 'd', 'e', 'f', 'g'], { devFraction: 0.2, testFraction: 0.3, seed: 3 });
    expect([train.length, dev.length, test.length]).toEqual([4, 1, 2]);
    expect(trainDevTestSplit([], {})).toEqual({ train: [], dev: [], test: [] });
    const none = trainDevTestSplit(items, { devFraction: 0, testFraction: 0, seed: 2 });
    expect([none.train.length, none.dev.length, none.test.length]).toEqual([1000, 0, 0]);
  });

  test('the names split used by a character-level model: 6,723 / 840 / 840', async () => {
    const { train, dev, test } = trainDevTestSplit(await loadNames(), { seed: 42 });
    expect([train.length, dev.length, test.length]).toEqual([6723, 840, 840]);
  });

  test('rejects bad fractions, a non-array and unknown option keys', () => {
    expect(() => trainDevTestSplit(items, { devFraction: 1 })).toThrow('trainDevTestSplit: devFraction must be a number in [0, 1), got 1');
    expect(() => trainDevTestSplit(items, { testFraction: -0.1 })).toThrow('trainDevTestSplit: testFraction must be a number in [0, 1), got -0.1');
    expect(() => trainDevTestSplit(items, { devFraction: 0.5, testFraction: 0.5 })).toThrow('trainDevTestSplit: devFraction + testFraction must be below 1, got 0.5 + 0.5');
    expect(() => trainDevTestSplit('abc' as never)).toThrow('trainDevTestSplit: items must be an array, got abc');
    expect(() => trainDevTestSplit(items, { seeds: 1 } as never)).toThrow("trainDevTestSplit: unknown option 'seeds' (known: devFraction, testFraction, seed)");
  });
});
