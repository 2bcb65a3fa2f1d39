/**
 * The samplers against their distributions: fixed seeds, 10,000+ draws, and a chi-square goodness-of-fit statistic
 * compared with the 0.1% critical value of its degrees of freedom. A correct sampler fails such a test with probability
 * 0.001 for a random seed; with the fixed seeds here the outcome is deterministic, and a wrong distribution (a bias of
 * a few percent in any cell) would exceed the bound by far.
 */
import * as tg from '@tensorgrad/core';
import { tensor, Generator, manualSeed } from '@tensorgrad/core';

/** Upper 0.1% points of the chi-square distribution, by degrees of freedom. */
const CHI2_999: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 9: 27.877, 11: 31.264 };

/** Σ (observed − expected)² / expected over the cells. */
function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((acc, o, i) => acc + (o - expected[i]) ** 2 / expected[i], 0);
}

function counts(values: ArrayLike<number>, cells: number): number[] {
  const c = new Array<number>(cells).fill(0);
  for (let i = 0; i < values.length; i++) c[values[i]]++;
  return c;
}

describe('multinomial', () => {
  test('with replacement: 10,000 draws fit unnormalised weights (chi-square, 3 dof)', () => {
    const w = [1, 2, 3, 4];
    const s = tg.multinomial(tensor(w), 10000, { replacement: true, generator: new Generator(1) });
    expect(s.dtype).toBe('int32');
    expect(s.shape).toEqual([10000]);
    const observed = counts(s.data, 4);
    expect(chiSquare(observed, w.map((x) => (x / 10) * 10000))).toBeLessThan(CHI2_999[3]);
    // The test has power: the same draws are far outside the bound for weights off by two percentage points.
    expect(chiSquare(observed, [0.12, 0.18, 0.3, 0.4].map((x) => x * 10000))).toBeGreaterThan(3 * CHI2_999[3]);
  });

  test('with replacement, 2-D: each row follows its own weights; zero weights are never drawn', () => {
    const probs = tensor([[0.5, 0, 0.25, 0.25], [0, 0, 0, 1], [0.1, 0.1, 0.1, 0.7]], { dtype: 'float64' });
    const s = probs.multinomial(12000, { replacement: true, generator: new Generator(2) });
    expect(s.shape).toEqual([3, 12000]);
    const row = (r: number) => counts(s.data.subarray(r * 12000, (r + 1) * 12000), 4);
    const r0 = row(0);
    expect(r0[1]).toBe(0);
    expect(chiSquare([r0[0], r0[2], r0[3]], [6000, 3000, 3000])).toBeLessThan(CHI2_999[2]);
    expect(row(1)).toEqual([0, 0, 0, 12000]);
    expect(chiSquare(row(2), [1200, 1200, 1200, 8400])).toBeLessThan(CHI2_999[3]);
  });

  test('without replacement: the first draw follows p and the ordered pair follows p_i · p_j / (1 − p_i)', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const rows = 20000;
    const probs = tg.tensor(p).reshape([1, 4]).expand([rows, 4]);
    const s = tg.multinomial(probs, 2, { generator: new Generator(3) });
    expect(s.shape).toEqual([rows, 2]);
    const first = new Array<number>(4).fill(0);
    const pairs = new Array<number>(16).fill(0);
    for (let r = 0; r < rows; r++) {
      const i = s.data[2 * r], j = s.data[2 * r + 1];
      first[i]++;
      pairs[i * 4 + j]++;
    }
    expect([0, 5, 10, 15].map((d) => pairs[d])).toEqual([0, 0, 0, 0]); // never the same category twice
    expect(chiSquare(first, p.map((x) => x * rows))).toBeLessThan(CHI2_999[3]);
    const cells: number[] = [], expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        if (i === j) continue;
        cells.push(pairs[i * 4 + j]);
        expected.push(((p[i] * p[j]) / (1 - p[i])) * rows);
      }
    }
    expect(chiSquare(cells, expected)).toBeLessThan(CHI2_999[11]);
  });

  test('without replacement, all categories: every row is a permutation and zero weights come never', () => {
    const s = tg.multinomial(tensor([[3, 1, 2, 5, 4], [1, 1, 1, 1, 1]]), 5, { generator: new Generator(4) });
    for (let r = 0; r < 2; r++) expect([...s.data.subarray(r * 5, r * 5 + 5)].sort()).toEqual([0, 1, 2, 3, 4]);
    const z = tg.multinomial(tensor([0, 5, 0, 1]), 2, { generator: new Generator(5) });
    expect([...z.data].sort()).toEqual([1, 3]);
  });

  test('is reproducible from a seed and draws from the global generator by default', () => {
    const w = tensor([0.2, 0.3, 0.5]);
    const a = w.multinomial(50, { replacement: true, generator: new Generator(9) });
    const b = w.multinomial(50, { replacement: true, generator: new Generator(9) });
    expect(a.toArray()).toEqual(b.toArray());
    manualSeed(123);
    const c = w.multinomial(3);
    manualSeed(123);
    expect(w.multinomial(3).toArray()).toEqual(c.toArray());
  });

  test('rejects invalid weights, sizes and options, naming the problem', () => {
    const w = tensor([0.5, 0.5]);
    expect(() => tg.multinomial(tensor([0.5, -0.1]), 1)).toThrow('multinomial: weights must be finite and non-negative, got -0.10000000149011612 at index 1 (shape [2])');
    expect(() => tg.multinomial(tensor([[1, 1], [NaN, 1]]), 1)).toThrow('multinomial: weights must be finite and non-negative, got NaN at row 1, index 0 (shape [2, 2])');
    expect(() => tg.multinomial(tensor([1, Infinity]), 1)).toThrow(/got Infinity at index 1/);
    expect(() => tg.multinomial(tensor([[1, 1], [0, 0]]), 1)).toThrow('multinomial: row 1 of probs sums to 0; each row needs a positive, finite total');
    expect(() => tg.multinomial(w, 3)).toThrow('multinomial: cannot draw 3 samples without replacement from 2 categories (shape [2]); pass { replacement: true }');
    expect(() => tg.multinomial(tensor([1, 0, 0]), 2)).toThrow('multinomial: probs has only 1 non-zero weights, too few for 2 samples without replacement');
    expect(() => tg.multinomial(w, 0)).toThrow('multinomial: numSamples must be a positive integer, got 0');
    expect(() => tg.multinomial(tg.ones([2, 2, 2]), 1)).toThrow('multinomial: probs must be 1-D or 2-D, got shape [2, 2, 2]');
    expect(() => tg.multinomial(w, 1, { replace: true } as never)).toThrow("multinomial: unknown option 'replace' (known: replacement, generator)");
    expect(() => tg.multinomial(w, 1, { generator: 3 } as never)).toThrow('multinomial: generator must be a Generator, got 3');
    expect(() => tg.multinomial(tensor([1, 2], { dtype: 'int32' }), 1)).toThrow('multinomial: probs must be float32 or float64, got int32');
  });
});

describe('bernoulli', () => {
  test('10,000 draws per probability fit Binomial counts (chi-square, 3 dof); 0 and 1 are exact', () => {
    const p = [0, 0.1, 0.5, 0.9, 1];
    const n = 10000;
    const probs = tensor(p).reshape([5, 1]).expand([5, n]);
    const s = probs.bernoulli({ generator: new Generator(6) });
    expect(s.dtype).toBe('float32');
    const ones = p.map((_, r) => s.slice([r]).sum().item());
    expect(ones[0]).toBe(0);
    expect(ones[4]).toBe(n);
    // For each inner p, (k − np)² / (np(1 − p)) is the chi-square of the two cells {1, 0}, one dof each.
    const stat = [1, 2, 3].reduce((acc, r) => acc + (ones[r] - n * p[r]) ** 2 / (n * p[r] * (1 - p[r])), 0);
    expect(stat).toBeLessThan(CHI2_999[3]);
  });

  test('checks that probabilities lie in [0, 1] and is reproducible', () => {
    expect(() => tensor([0.5, 1.5]).bernoulli()).toThrow('bernoulli: probabilities must be in [0, 1], got 1.5 at flat index 1 (shape [2])');
    expect(() => tensor([NaN]).bernoulli()).toThrow('bernoulli: probabilities must be in [0, 1], got NaN');
    const p = tg.full([100], 0.3, { dtype: 'float64' });
    expect(tg.bernoulli(p, { generator: new Generator(1) }).toArray()).toEqual(tg.bernoulli(p, { generator: new Generator(1) }).toArray());
    expect(tg.bernoulli(p).dtype).toBe('float64');
  });
});

describe('randLike and randnLike', () => {
  test('randLike is uniform on [0, 1): 10 equal bins of 10,000 draws (chi-square, 9 dof)', () => {
    const like = tg.zeros([100, 100], { dtype: 'float64' });
    const u = tg.randLike(like, { generator: new Generator(7) });
    expect([u.shape, u.dtype]).toEqual([[100, 100], 'float64']);
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    const bins = new Array<number>(10).fill(0);
    for (const v of u.data) bins[Math.floor(v * 10)]++;
    expect(chiSquare(bins, new Array<number>(10).fill(1000))).toBeLessThan(CHI2_999[9]);
  });

  test('randnLike is standard normal: 10 equiprobable bins of 10,000 draws (chi-square, 9 dof)', () => {
    // Deciles of N(0, 1).
    const edges = [-1.2815516, -0.8416212, -0.5244005, -0.2533471, 0, 0.2533471, 0.5244005, 0.8416212, 1.2815516];
    const z = tg.randnLike(tg.zeros([10000]), { generator: new Generator(8) });
    expect(z.dtype).toBe('float32');
    const bins = new Array<number>(10).fill(0);
    for (const v of z.data) bins[edges.filter((e) => v >= e).length]++;
    expect(chiSquare(bins, new Array<number>(10).fill(1000))).toBeLessThan(CHI2_999[9]);
  });

  test('take options, follow the tensor\'s dtype and refuse int32', () => {
    const t = tg.zeros([2, 3], { dtype: 'int32' });
    expect(() => tg.randLike(t)).toThrow("randLike: samples are floats, so dtype int32 is not supported (the tensor has shape [2, 3]); pass { dtype: 'float32' } or use randint");
    expect(tg.randnLike(t, { dtype: 'float32' }).shape).toEqual([2, 3]);
    expect(tg.randLike(tg.ones([2]), { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tg.randLike(tg.ones([2]), { seed: 1 } as never)).toThrow("randLike: unknown option 'seed' (known: dtype, generator, requiresGrad)");
  });
});

test('the temperature + top-k recipe of docs/core.md samples only among the k most likely tokens', () => {
  const logits = tensor([2, -1, 0.5, 3, 0, -2, 1]);
  const generator = new Generator(10);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const [top, idx] = logits.div(0.8).topk(3);
    const pick = top.softmax().multinomial(1, { generator });
    const token = idx.gather(-1, pick);
    expect([token.dtype, token.shape]).toEqual(['int32', [1]]);
    seen.add(token.item());
  }
  expect([...seen].sort()).toEqual([0, 3, 6]);
});
