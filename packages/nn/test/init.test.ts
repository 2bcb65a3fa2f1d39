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
    expect(() => init.calculateGain('swish' as never)).toThrow("calculateGain: unsupported nonlinearity 'swish'");
    expect(init.calculateFans(zeros([4, 3, 5]))).toEqual({ fanIn: 15, fanOut: 20 });
    expect(() => init.xavierUniform(zeros([5]))).toThrow('xavierUniform: fan in and fan out need a tensor with at least 2 dimensions, got shape [5]');
  });
});

describe('initialisers', () => {
  const big = () => zeros([200, 300], { requiresGrad: true });

  test('uniform and normal fill in place with the requested moments, under noGrad', () => {
    const t = big();
    expect(init.uniform(t, -2, 4, { generator: new Generator(0) })).toBe(t);
    const u = stats(t);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.std).toBeCloseTo(6 / Math.sqrt(12), 1);
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-2);
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(isGradEnabled()).toBe(true);
    const n = stats(init.normal(big(), 3, 0.5, { generator: new Generator(0) }));
    expect(n.mean).toBeCloseTo(3, 2);
    expect(n.std).toBeCloseTo(0.5, 2);
  });

  test('xavier and kaiming bounds / stds follow the formulas (fanIn 300, fanOut 200)', () => {
    const g = new Generator(1);
    const xu = stats(init.xavierUniform(big(), 2, { generator: g }));
    const xb = 2 * Math.sqrt(6 / 500);
    expect(xu.max).toBeLessThanOrEqual(xb);
    expect(xu.max).toBeGreaterThan(0.99 * xb);
    expect(stats(init.xavierNormal(big(), 1, { generator: g })).std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    const ku = stats(init.kaimingUniform(big(), { generator: g }));
    const kb = Math.SQRT2 * Math.sqrt(3 / 300);
    expect(ku.max).toBeLessThanOrEqual(kb);
    expect(ku.max).toBeGreaterThan(0.99 * kb);
    expect(stats(init.kaimingNormal(big(), { mode: 'fanOut', nonlinearity: 'relu', generator: g })).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(200), 3);
    expect(stats(init.kaimingUniform(big(), { a: Math.sqrt(5), generator: g })).max).toBeLessThanOrEqual(1 / Math.sqrt(300));
    expect(() => init.kaimingNormal(big(), { mode: 'fan_in' as never })).toThrow("kaimingNormal: mode must be 'fanIn' or 'fanOut', got 'fan_in'");
  });

  test('constant, zeros, ones; seeded generators repeat', () => {
    expect(Array.from(init.constant(zeros([3]), 2.5).data)).toEqual([2.5, 2.5, 2.5]);
    expect(Array.from(init.ones(zeros([2])).data)).toEqual([1, 1]);
    expect(Array.from(init.zeros(init.ones(zeros([2]))).data)).toEqual([0, 0]);
    const a = init.kaimingNormal(zeros([3, 3]), { generator: new Generator(4) });
    const b = init.kaimingNormal(zeros([3, 3]), { generator: new Generator(4) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(() => init.uniform(zeros([2]), 1, 0)).toThrow('uniform: expected a <= b, got a=1, b=0');
    expect(() => init.normal(zeros([2]), 0, -1)).toThrow('normal: std must be >= 0, got -1');
  });
});
