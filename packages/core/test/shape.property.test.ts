/** Property tests (fast-check) for broadcasting and the gradient's sum-back to the input shape. */
import fc from 'fast-check';
import * as tg from '@tensorgrad/core';
import { broadcastShapes } from '@tensorgrad/core';

const dim = fc.integer({ min: 1, max: 4 });
const shape = fc.array(dim, { minLength: 0, maxLength: 4 });

/** Two shapes that broadcast: drop leading dims and set random dims to 1 from a common shape. */
const compatiblePair = shape.chain((s) => fc.tuple(
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })),
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })),
).map(([[da, ma], [db, mb]]) => [
  s.slice(da).map((d, i) => (ma[i + da] ? 1 : d)),
  s.slice(db).map((d, i) => (mb[i + db] ? 1 : d)),
  s,
] as const));

describe('broadcasting properties', () => {
  test('broadcastShapes is commutative and its result has the larger rank', () => {
    fc.assert(fc.property(compatiblePair, ([a, b]) => {
      const ab = broadcastShapes(a, b), ba = broadcastShapes(b, a);
      expect(ab).toEqual(ba);
      expect(ab.length).toBe(Math.max(a.length, b.length));
    }));
  });

  test('x + zeros(b) equals x broadcast to the result shape, elementwise', () => {
    fc.assert(fc.property(compatiblePair, ([a, b]) => {
      const x = tg.arange(a.reduce((p, q) => p * q, 1)).reshape([...a]);
      const y = x.add(tg.zeros([...b]));
      expect(y.shape).toEqual(broadcastShapes(a, b));
      expect(y.toArray()).toEqual(x.broadcastTo(y.shape).toArray());
    }));
  });

  test('the gradient of sum(a * b) w.r.t. a has a’s shape and equals b summed over broadcast axes', () => {
    fc.assert(fc.property(compatiblePair, ([a, b]) => {
      const x = tg.ones([...a], { requiresGrad: true, dtype: 'float64' });
      const w = tg.arange(b.reduce((p, q) => p * q, 1), undefined, 1, { dtype: 'float64' }).reshape([...b]);
      x.mul(w).sum().backward();
      expect(x.grad!.shape).toEqual(a);
      const expected = w.broadcastTo(broadcastShapes(a, b));
      const lead = expected.ndim - a.length;
      const axes = expected.shape.map((_, i) => i).filter((i) => i < lead || a[i - lead] === 1);
      expect(x.grad!.toArray()).toEqual(expected.sum(axes, true).reshape([...a]).toArray());
    }));
  });

  test('incompatible shapes are rejected with both shapes in the message', () => {
    fc.assert(fc.property(shape, dim, (s, d) => {
      fc.pre(s.length > 0 && s[s.length - 1] !== 1 && d !== 1 && d !== s[s.length - 1]);
      expect(() => broadcastShapes(s, [d])).toThrow(`[${s.join(', ')}] and [${d}] cannot be broadcast`);
    }));
  });

  test('reshape round trips and permute inverse restores the tensor', () => {
    fc.assert(fc.property(shape, fc.integer({ min: 0, max: 1000 }), (s, seed) => {
      const x = tg.rand(s, { generator: new tg.Generator(seed) });
      expect(x.reshape([-1]).reshape(s).toArray()).toEqual(x.toArray());
      const dims = s.map((_, i) => i).reverse();
      const back = dims.map((_, i) => dims.indexOf(i));
      expect(x.permute(dims).permute(back).toArray()).toEqual(x.toArray());
    }));
  });
});
