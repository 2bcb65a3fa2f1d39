/** init.*: gains, fans, distributions (bounds and moments), seeding, in-place and no-grad behaviour. */
import { Generator, Tensor, isGradEnabled, zeros } from '@tensorgrad/core';
import { init } from '../src/index.js';

const stats = (t: Tensor) => {
  const v = Array.from(t.data);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, std: Math.sqrt(variance), max: Math.max(...v.map(Math.abs)) };
};

describe('calculateGain and fans', () => {
  test.each([
    ['linear', undefined, 1], ['sigmoid', undefined, 1], ['conv2d', undefined, 1], ['tanh', undefined, 5 / 3], ['relu', undefined, Math.SQRT2],
    ['leakyRelu', undefined, Math.sqrt(2 / (1 + 0.01 ** 2))], ['leakyRelu', Math.sqrt(5), Math.sqrt(1 / 3)], ['selu', undefined, 0.75],
  ] as const)('%s(%s) = %f', (name, param, gain) => {
    expect(init.calculateGain(name, param)).toBeCloseTo(gain, 12);
  });

  test('unknown nonlinearity and 1-d fans throw', () => {
    expect(() => init.calculateGain('swish' as never)).toThrow('calculateGain: unsupported nonlinearity "swish"');
    expect(init.calculateFans(zeros([4, 3, 5]))).toEqual({ fanIn: 15, fanOut: 20 });
    expect(() => init.xavierUniform_(zeros([5]))).toThrow('xavierUniform_: fan in and fan out need a tensor with at least 2 dimensions, got shape [5]');
  });
});

describe('initialisers', () => {
  const big = () => zeros([200, 300], { requiresGrad: true });

  test('uniform and normal fill in place with the requested moments, under noGrad', () => {
    const t = big();
    expect(init.uniform_(t, -2, 4, { generator: new Generator(0) })).toBe(t);
    const u = stats(t);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.std).toBeCloseTo(6 / Math.sqrt(12), 1);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-2);
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(isGradEnabled()).toBe(true);
    const n = stats(init.normal_(big(), 3, 0.5, { generator: new Generator(0) }));
    expect(n.mean).toBeCloseTo(3, 2);
    expect(n.std).toBeCloseTo(0.5, 2);
  });

  test('xavier and kaiming bounds / stds follow the formulas (fanIn 300, fanOut 200)', () => {
    const g = new Generator(1);
    const xu = stats(init.xavierUniform_(big(), 2, { generator: g }));
    const xb = 2 * Math.sqrt(6 / 500);
    expect(xu.max).toBeLessThanOrEqual(xb);
    expect(xu.max).toBeGreaterThan(0.99 * xb);
    expect(stats(init.xavierNormal_(big(), 1, { generator: g })).std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    const ku = stats(init.kaimingUniform_(big(), { generator: g }));
    const kb = Math.SQRT2 * Math.sqrt(3 / 300);
    expect(ku.max).toBeLessThanOrEqual(kb);
    expect(ku.max).toBeGreaterThan(0.99 * kb);
    expect(stats(init.kaimingNormal_(big(), { mode: 'fanOut', nonlinearity: 'relu', generator: g })).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(200), 3);
    expect(stats(init.kaimingUniform_(big(), { a: Math.sqrt(5), generator: g })).max).toBeLessThanOrEqual(1 / Math.sqrt(300));
    expect(() => init.kaimingNormal_(big(), { mode: 'fan_in' as never })).toThrow('kaimingNormal_: mode must be \'fanIn\' or \'fanOut\', got "fan_in"');
  });

  test('constant, zeros, ones; seeded generators repeat', () => {
    expect(Array.from(init.constant_(zeros([3]), 2.5).data)).toEqual([2.5, 2.5, 2.5]);
    expect(Array.from(init.ones_(zeros([2])).data)).toEqual([1, 1]);
    expect(Array.from(init.zeros_(init.ones_(zeros([2]))).data)).toEqual([0, 0]);
    const a = init.kaimingNormal_(zeros([3, 3]), { generator: new Generator(4) });
    const b = init.kaimingNormal_(zeros([3, 3]), { generator: new Generator(4) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(() => init.uniform_(zeros([2]), 1, 0)).toThrow('uniform_: expected a <= b, got a=1, b=0');
    expect(() => init.normal_(zeros([2]), 0, -1)).toThrow('normal_: std must be a finite number >= 0, got -1');
  });
});

describe('names', () => {
  test('in-place initialisers end in an underscore; the old names are deprecated aliases of the same functions', () => {
    const pairs: [unknown, unknown][] = [
      [init.uniform, init.uniform_], [init.normal, init.normal_], [init.constant, init.constant_], [init.zeros, init.zeros_],
      [init.ones, init.ones_], [init.xavierUniform, init.xavierUniform_], [init.xavierNormal, init.xavierNormal_],
      [init.kaimingUniform, init.kaimingUniform_], [init.kaimingNormal, init.kaimingNormal_],
    ];
    for (const [old, current] of pairs) expect(old).toBe(current);
    expect(Array.from(init.ones(zeros([2])).data)).toEqual([1, 1]);
  });

  test('bad targets and options are refused by name', () => {
    expect(() => init.normal_(zeros([2], { dtype: 'int32' }))).toThrow('normal_: needs a float32 or float64 tensor, got int32');
    expect(() => init.uniform_([1, 2] as never)).toThrow('uniform_: the tensor to fill must be a Tensor, got [1, 2]');
    expect(() => init.kaimingUniform_(zeros([2, 2]), { generater: new Generator(0) } as never)).toThrow("kaimingUniform_: unknown option 'generater'");
    expect(() => init.xavierNormal_(zeros([2, 2]), 1, { seed: 0 } as never)).toThrow("xavierNormal_: unknown option 'seed'");
    expect(() => init.constant_(zeros([2], { dtype: 'int32' }), 0.5)).toThrow(/^constant_: fill: 0.5 cannot be stored in an int32 tensor/);
  });
});
