/**
 * Forward values, edge cases and error messages of the ops added for sequence models: masks and triangles, scans,
 * sorting and selection, scatter, rearranging, diagonals, einsum, logical tests, and arange's options. Gradients are
 * checked in ops.gradcheck.test.ts and against PyTorch in torch-reference.test.ts; here the values PyTorch 1.13 gives
 * for cases the JSON fixture cannot hold (NaN, ±0 ordering) are spelled out by hand.
 */
import fc from 'fast-check';
import * as tg from '@tensorgrad/core';
import { tensor, grad, Generator, Tensor } from '@tensorgrad/core';

const f64 = (data: tg.NestedArray) => tensor(data, { dtype: 'float64' });

describe('masks and triangles', () => {
  test('tril and triu keep one triangle of the last two dimensions, batched, with any diagonal', () => {
    const x = tg.arange(1, 13).reshape([3, 4]);
    expect(x.tril().toArray()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]]);
    expect(x.triu(1).toArray()).toEqual([[0, 2, 3, 4], [0, 0, 7, 8], [0, 0, 0, 12]]);
    expect(x.tril(-2).toArray()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [9, 0, 0, 0]]);
    expect(x.triu(-5).toArray()).toEqual(x.toArray());
    expect(x.tril(10).toArray()).toEqual(x.toArray());
    const b = tg.ones([2, 2, 2], { dtype: 'int32' }).tril();
    expect(b.dtype).toBe('int32');
    expect(b.toArray()).toEqual([[[1, 0], [1, 1]], [[1, 0], [1, 1]]]);
    expect(() => tensor([1, 2]).tril()).toThrow('tril: expected a tensor with at least 2 dimensions (matrices), got shape [2]');
    expect(() => x.triu(0.5)).toThrow('triu: diagonal must be an integer, got 0.5');
  });

  test('maskedFill broadcasts mask and input, keeps the dtype and treats any non-zero (even NaN) as set', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const causal = tg.triu(tg.ones([3, 3]), 1);
    expect(tg.ones([3, 3]).maskedFill(causal, -Infinity).toArray()).toEqual([[1, -Infinity, -Infinity], [1, 1, -Infinity], [1, 1, 1]]);
    expect(x.maskedFill(tensor([1, 0, NaN]), 0).toArray()).toEqual([[0, 2, 0], [0, 5, 0]]);
    expect(tensor([1, 2, 3]).maskedFill(tensor([[1, 0, 0], [0, 0, 1]], { dtype: 'int32' }), 9).toArray()).toEqual([[9, 2, 3], [1, 2, 9]]);
    const i = tensor([1, 2], { dtype: 'int32' }).maskedFill(tensor([0, 1]), -7);
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([1, -7]);
    expect(() => x.maskedFill(tensor([1, 0]), 0)).toThrow('maskedFill: shapes [2, 3] and [2] cannot be broadcast together');
    expect(() => x.maskedFill([1, 0, 1] as never, 0)).toThrow('maskedFill: mask must be a Tensor, got [1, 0, 1]');
    expect(() => x.maskedFill(tensor([1, 0, 1]), tensor(2) as never)).toThrow(/maskedFill: value must be a number.*where\(mask, value, x\)/);
    expect(() => tensor([1], { dtype: 'int32' }).maskedFill(tensor([1]), 0.5)).toThrow('maskedFill: value 0.5 cannot be stored in an int32 tensor (shape [1])');
  });

  test('maskedFill gives zero gradient where masked and refuses a mask changed in place after the forward', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const mask = tensor([0, 1, 0]);
    const y = x.maskedFill(mask, -1e9).mul(2).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 0, 2]);
    x.grad = null;
    const z = x.maskedFill(mask, 0).sum();
    mask.fill(1);
    expect(() => z.backward()).toThrow(/'maskedFill' saved a tensor it saved|modified by an inplace operation/);
  });
});

describe('scans and products', () => {
  test('cumsum and cumprod along any axis, including 0-d and negative axes', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.cumsum(1).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(x.cumsum(-2).toArray()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(x.cumprod(1).toArray()).toEqual([[1, 2, 6], [4, 20, 120]]);
    expect(tensor(3).cumsum(0).toArray()).toBe(3);
    expect(tensor([], { shape: [0] }).cumsum(0).shape).toEqual([0]);
    expect(tensor([1, 2], { dtype: 'int32' }).cumsum(0).dtype).toBe('float32');
    expect(() => x.cumsum(2)).toThrow('cumsum: axis 2 is out of range for a tensor of shape [2, 3] (valid: -2..1)');
  });

  test('a float32 cumsum accumulates in float64 and rounds once per element', () => {
    const n = 100000;
    const out = tg.full([n], 0.1).cumsum(0);
    expect(out.data[n - 1]).toBe(Math.fround(Math.fround(0.1) * n));
  });

  test('the cumprod and prod gradients through zeros agree between the O(n) kernel and the graph-building formula', () => {
    const values = [[1.5, 0, -2, 0.5, 3], [0, 0.7, 0, 1.1, -1], [0.8, 1.2, -0.9, 1.1, 2]];
    const cases: [(t: Tensor) => Tensor, Tensor][] = [
      [(t) => t.cumprod(1), f64([[0.3, -1, 2, 0.5, 1], [1, 1, 1, 1, 1], [-0.5, 0.25, 1, 2, -1]])],
      [(t) => t.prod(1), f64([0.3, -1, 2])],
    ];
    for (const [op, v] of cases) {
      const x = f64(values).requiresGrad_();
      const [plain] = grad(op(x), x, v);
      const [graph] = grad(op(x), x, v, { createGraph: true });
      expect(graph.requiresGrad).toBe(true);
      for (let i = 0; i < plain.size; i++) expect(plain.data[i]).toBeCloseTo(graph.data[i], 12);
    }
    // Π over a row with one zero: only the zero's own gradient is non-zero (the product of the others).
    const x = f64([2, 0, 3]).requiresGrad_();
    x.prod().backward();
    expect(x.grad!.toArray()).toEqual([0, 6, 0]);
  });

  test('prod over all, one or several axes, 0-d, and an empty axis list', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.prod().item()).toBe(720);
    expect(x.prod(0).toArray()).toEqual([4, 10, 18]);
    expect(x.prod(-1, true).toArray()).toEqual([[6], [120]]);
    expect(tg.arange(1, 9).reshape([2, 2, 2]).prod([0, 2]).toArray()).toEqual([1 * 2 * 5 * 6, 3 * 4 * 7 * 8]);
    expect(tensor(4).prod().toArray()).toBe(4);
    expect(x.prod([]).toArray()).toEqual(x.toArray());
    expect(tg.zeros([2, 0]).prod(1).toArray()).toEqual([1, 1]);
  });
});

/** A reference stable sort of one row: ascending with NaN last (or descending with NaN first), -0 equal to 0. */
function referenceOrder(row: number[], descending: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const idx = row.map((_, i) => i);
  return idx.sort((a, b) => {
    const na = Number.isNaN(row[a]), nb = Number.isNaN(row[b]);
    if (na !== nb) return (na ? 1 : -1) * (descending ? -1 : 1);
    const d = key(row[a]) - key(row[b]);
    return (d === 0 || Number.isNaN(d) ? 0 : d < 0 ? -1 : 1) * (descending ? -1 : 1) || a - b;
  });
}

describe('sort, argsort and topk', () => {
  test('NaN sorts as the largest value and ±0 tie stably, as in PyTorch 1.13', () => {
    // torch.sort(torch.tensor([1., nan, 0., -0., 2.]), descending=True) -> values [nan, 2, 1, 0, -0], indices [1, 4, 0, 2, 3]
    const x = tensor([1, NaN, 0, -0, 2]);
    const [dv, di] = x.sort({ descending: true });
    expect(Array.from(dv.data)).toEqual([NaN, 2, 1, 0, -0]);
    expect(di.toArray()).toEqual([1, 4, 0, 2, 3]);
    expect(di.dtype).toBe('int32');
    const [av, ai] = tg.sort(x);
    expect(Array.from(av.data)).toEqual([0, -0, 1, 2, NaN]);
    expect(ai.toArray()).toEqual([2, 3, 0, 4, 1]);
    // torch.topk(torch.tensor([1., nan, 3., 2.]), 2) -> values [nan, 3], indices [1, 2]
    const [tv, ti] = tensor([1, NaN, 3, 2]).topk(2);
    expect(Array.from(tv.data)).toEqual([NaN, 3]);
    expect(ti.toArray()).toEqual([1, 2]);
    expect(f64([Infinity, NaN, -Infinity, 5]).argsort().toArray()).toEqual([2, 3, 0, 1]);
  });

  test('sort matches a reference stable sort on every path (short and long rows, float32/float64/int32, any axis)', () => {
    const gen = fc.record({
      n: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 25, max: 120 })),
      rows: fc.integer({ min: 1, max: 3 }),
      dtype: fc.constantFrom('float32', 'float64', 'int32') as fc.Arbitrary<'float32' | 'float64' | 'int32'>,
      descending: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(fc.property(gen, ({ n, rows, dtype, descending, seed }) => {
      const g = new Generator(seed);
      // Few distinct values (ties), some NaN, ±0 and infinities.
      const pool = [-Infinity, -2.5, -1, -0, 0, 0.5, 1, 3, Infinity, NaN];
      const vals = Array.from({ length: rows * n }, () => pool[g.integer(0, pool.length)]);
      const data = dtype === 'int32' ? vals.map((v) => (Number.isFinite(v) ? Math.trunc(v) : 7)) : vals;
      // Sort along axis 0 of the transposed layout, so the strided (inner > 1) path is covered too.
      const x = tensor(data, { dtype, shape: [rows, n] });
      const [v0, i0] = x.sort(1, { descending });
      const [v1, i1] = x.mT.sort(0, { descending });
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.data.subarray(r * n, (r + 1) * n));
        const order = referenceOrder(row, descending);
        expect(Array.from(i0.data.subarray(r * n, (r + 1) * n))).toEqual(order);
        expect(Array.from(v0.data.subarray(r * n, (r + 1) * n))).toEqual(order.map((k) => row[k]));
        expect(order.map((_, k) => i1.data[k * rows + r])).toEqual(order);
        expect(order.map((_, k) => v1.data[k * rows + r])).toEqual(order.map((k) => row[k]));
      }
    }), { seed: 9, numRuns: 120 });
  });

  test('topk equals the head of a stable sort, through the full-sort and the heap paths', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), fc.boolean(),
      (n, seed, largest, wide) => {
        const g = new Generator(seed);
        const k = g.integer(0, Math.min(n, 12) + 1);
        const x = tensor(Array.from({ length: n }, () => Math.round(g.normal() * 4) / 2), { dtype: wide ? 'float64' : 'float32' });
        const [v, i] = x.topk(k, -1, { largest });
        const [sv, si] = x.sort(0, { descending: largest });
        expect(Array.from(i.data)).toEqual(Array.from(si.data.subarray(0, k)));
        expect(Array.from(v.data)).toEqual(Array.from(sv.data.subarray(0, k)));
        const [, ui] = x.topk(k, { largest, sorted: false });
        expect(Array.from(ui.data)).toEqual(Array.from(si.data.subarray(0, k)).sort((a, b) => a - b));
      }), { seed: 4, numRuns: 150 });
  });

  test('argsort is sort\'s indices; 0-d tensors and int32 values work; bad arguments name the op', () => {
    const x = tensor([[3, 1, 2], [0, 5, 4]]);
    expect(x.argsort(1).toArray()).toEqual([[1, 2, 0], [0, 2, 1]]);
    expect(x.argsort(0, { descending: true }).toArray()).toEqual([[0, 1, 1], [1, 0, 0]]);
    const [v, i] = tensor(2.5).sort();
    expect([v.shape, v.item(), i.item()]).toEqual([[], 2.5, 0]);
    const [iv] = tensor([3, -1, 2], { dtype: 'int32' }).sort();
    expect(iv.dtype).toBe('int32');
    expect(iv.toArray()).toEqual([-1, 2, 3]);
    expect(() => x.sort(2)).toThrow('sort: axis 2 is out of range for a tensor of shape [2, 3] (valid: -2..1)');
    expect(() => x.sort({ decending: true } as never)).toThrow("sort: unknown option 'decending' (known: descending, stable)");
    expect(() => x.sort(1, { descending: 'yes' } as never)).toThrow('sort: descending must be true or false, got "yes"');
    expect(x.topk(0)[0].shape).toEqual([2, 0]);
    expect(() => x.topk(4)).toThrow('topk: k = 4 is out of range for axis 1 of size 3 (shape [2, 3]); need 0 ≤ k ≤ 3');
    expect(() => x.topk(1.5)).toThrow('topk: k must be an integer, got 1.5');
  });

  test('sorted values carry gradients back to where they came from', () => {
    const x = tensor([3, 1, 2], { requiresGrad: true });
    const [v] = x.sort();
    v.mul(tensor([1, 10, 100])).sum().backward();
    expect(x.grad!.toArray()).toEqual([100, 1, 10]);
    const y = tensor([[0.5, 4, 2, 3]], { requiresGrad: true });
    y.topk(2)[0].sum().backward();
    expect(y.grad!.toArray()).toEqual([[0, 1, 0, 1]]);
  });
});

describe('scatter and scatterAdd', () => {
  test('write or add src at index along an axis into a copy of x, with PyTorch semantics', () => {
    const x = tg.zeros([3, 4]);
    const src = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(x.scatter(1, [[0, 3], [2, 1], [1, 0]], src).toArray()).toEqual([[1, 0, 0, 2], [0, 5, 4, 0], [8, 7, 0, 0]]);
    expect(x.scatter(0, [[2, 0, 1, 2]], 5).toArray()).toEqual([[0, 5, 0, 0], [0, 0, 5, 0], [5, 0, 0, 5]]);
    expect(x.scatterAdd(1, [[0, 0, 3], [1, 1, 1], [2, 0, 2]], src).toArray()).toEqual([[3, 0, 0, 3], [0, 15, 0, 0], [8, 0, 16, 0]]);
    expect(x.data.every((v) => v === 0)).toBe(true);
    const i = tg.ones([2], { dtype: 'int32' }).scatterAdd(0, tensor([1, 1], { dtype: 'int32' }), tensor([5, 5], { dtype: 'int32' }));
    expect([i.dtype, i.toArray()]).toEqual(['int32', [1, 11]]);
  });

  test('a repeated position keeps the last write, and only that write receives a gradient', () => {
    const x = tg.zeros([3], { requiresGrad: true });
    const src = tensor([1, 2, 3], { requiresGrad: true });
    const out = x.scatter(0, [2, 0, 2], src);
    expect(out.toArray()).toEqual([2, 0, 3]);
    out.mul(tensor([10, 20, 30])).sum().backward();
    expect(src.grad!.toArray()).toEqual([0, 10, 30]);
    expect(x.grad!.toArray()).toEqual([0, 20, 0]);
  });

  test('shape, range and dtype errors name the op and the shapes', () => {
    const x = tg.zeros([3, 4]);
    expect(() => x.scatter(1, [[0, 4]], tg.ones([1, 2]))).toThrow('scatter: index 4 is out of range for an axis of size 4');
    expect(() => x.scatter(1, [0, 1], tg.ones([2]))).toThrow('scatter: index of shape [2] does not fit input of shape [3, 4] along axis 1');
    expect(() => x.scatter(1, [[0, 1, 2]], tg.ones([1, 2]))).toThrow('scatter: src of shape [1, 2] is smaller than index of shape [1, 3]');
    expect(() => x.scatterAdd(1, [[0]], tg.ones([1, 1], { dtype: 'float64' }))).toThrow('scatterAdd: src has dtype float64 but the input has float32');
    expect(() => x.scatterAdd(1, [[0]], 1 as never)).toThrow('scatterAdd: src must be a Tensor');
  });
});

describe('rearranging', () => {
  test('flip, roll, repeat, tile and unbind give PyTorch\'s values', () => {
    const x = tg.arange(6).reshape([2, 3]);
    expect(x.flip([0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.flip(-1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    // torch.roll(arange(6).reshape(2, 3), 1) and torch.roll(…, (1, -1), (0, 1))
    expect(x.roll(1).toArray()).toEqual([[5, 0, 1], [2, 3, 4]]);
    expect(x.roll([1, -1], [0, 1]).toArray()).toEqual([[4, 5, 3], [1, 2, 0]]);
    expect(x.roll(7, 1).toArray()).toEqual(x.roll(1, 1).toArray());
    // torch.tensor([[1, 2], [3, 4]]).repeat(2, 1, 2) and torch.tile(…, (2,))
    const m = tensor([[1, 2], [3, 4]]);
    expect(m.repeat([2, 1, 2]).toArray()).toEqual([[[1, 2, 1, 2], [3, 4, 3, 4]], [[1, 2, 1, 2], [3, 4, 3, 4]]]);
    expect(m.tile([2]).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    const same = m.repeat([1, 1]);
    expect(same.data).not.toBe(m.data); // a copy, as in PyTorch
    expect(x.unbind(1).map((t) => t.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(() => m.repeat([2])).toThrow('repeat: 1 sizes [2] for a tensor of shape [2, 2]; give at least one per dimension (2)');
    expect(() => x.roll([1, 2], [0])).toThrow('roll: 2 shift(s) [1, 2] but 1 axes [0]; give one shift per axis');
    expect(() => x.roll([1, 2])).toThrow('roll: without axes, shifts must be a single integer');
    expect(() => x.flip([0, 0])).toThrow('flip: repeated axis in [0, 0]');
  });

  test('.T reverses every dimension (PyTorch 1.13) and leaves 0-d and 1-D tensors alone', () => {
    const x = tg.arange(24).reshape([2, 3, 4]);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(x.T.data[1]).toBe(12); // T[0][0][1] = x[1][0][0]
    expect(tensor([[1, 2, 3]]).T.toArray()).toEqual([[1], [2], [3]]);
    const v = tensor([1, 2]);
    expect(v.T).toBe(v);
  });
});

describe('diagonals and products', () => {
  test('diag, diagonal and diagEmbed', () => {
    expect(tensor([1, 2]).diag().toArray()).toEqual([[1, 0], [0, 2]]);
    expect(tensor([1, 2]).diag(-1).toArray()).toEqual([[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
    const m = tg.arange(12).reshape([3, 4]);
    expect(m.diag().toArray()).toEqual([0, 5, 10]);
    expect(m.diag(2).toArray()).toEqual([2, 7]);
    expect(m.diag(-2).toArray()).toEqual([8]);
    expect(m.diag(5).shape).toEqual([0]);
    expect(tg.arange(8).reshape([2, 2, 2]).diagonal(0, 1, 2).toArray()).toEqual([[0, 3], [4, 7]]);
    expect(tensor([[1, 2], [3, 4]]).diagEmbed().toArray()).toEqual([[[1, 0], [0, 2]], [[3, 0], [0, 4]]]);
    expect(() => tg.zeros([2, 2, 2]).diag()).toThrow('diag: expected a 1-D or 2-D tensor, got shape [2, 2, 2]');
    expect(() => m.diagonal(0, 1, -1)).toThrow('diagonal: dim1 and dim2 must be different axes, both are 1 (shape [3, 4])');
  });

  test('outer', () => {
    expect(tensor([1, 2]).outer(tensor([1, 10, 100])).toArray()).toEqual([[1, 10, 100], [2, 20, 200]]);
    expect(() => tg.outer(tg.ones([2, 2]), tg.ones([2]))).toThrow('outer: both operands must be 1-D, got shapes [2, 2] and [2]');
  });
});

describe('einsum', () => {
  const g = new Generator(3);
  const r = (shape: number[]) => tg.randn(shape, { dtype: 'float64', generator: g });
  const close = (a: Tensor, b: Tensor) => {
    expect(a.shape).toEqual(b.shape);
    a.data.forEach((v, i) => expect(v).toBeCloseTo(b.data[i], 12));
  };

  test('attention contractions equal the matmul they stand for', () => {
    const q = r([2, 3, 4, 5]), k = r([2, 3, 6, 5]), v = r([2, 3, 6, 5]);
    const scores = tg.einsum('bhqd,bhkd->bhqk', q, k);
    close(scores, q.matmul(k.mT));
    const att = scores.softmax();
    close(tg.einsum('bhqk,bhkd->bqhd', att, v), att.matmul(v).permute([0, 2, 1, 3]));
    close(tg.einsum('b h q d , b h k d -> b h q k', q, k), scores);
    close(tg.einsum('bij,bjk->bik', [q.reshape([6, 4, 5]), k.reshape([6, 6, 5]).mT]), q.reshape([6, 4, 5]).matmul(k.reshape([6, 6, 5]).mT));
  });

  test('traces, diagonals, transposes, sums, implicit output and ellipsis broadcasting', () => {
    const m = tensor([[1, 2], [3, 4]]);
    expect(tg.einsum('ii->', m).item()).toBe(5);
    expect(tg.einsum('ii', m).item()).toBe(5);
    expect(tg.einsum('ii->i', m).toArray()).toEqual([1, 4]);
    expect(tg.einsum('ij->ji', m).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(tg.einsum('ba', m).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(tg.einsum('ij->', m).item()).toBe(10);
    expect(tg.einsum('i,j->ij', tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    const a = r([4, 2, 3]), b = r([3, 5]);
    close(tg.einsum('...ij,...jk->...ik', a, b), a.matmul(b));
    close(tg.einsum('...ij->...ji', a), a.mT);
    close(tg.einsum('...ij->ij', a), a.sum(0));
    const one = r([1, 2, 3]), four = r([4, 3, 2]);
    close(tg.einsum('bij,bjk->bik', one, four), one.matmul(four));
    // A contracted subscript of size 1 broadcasts, as in PyTorch: Σ_j a[i, 0] · c[j, k].
    const a1 = r([2, 1]), c = r([3, 4]);
    close(tg.einsum('ij,jk->ik', a1, c), a1.matmul(c.sum(0, true)));
  });

  test('malformed equations and mismatched sizes are errors that point at the problem', () => {
    const m = tg.ones([2, 3]);
    expect(() => tg.einsum('ij,jk->ik', m)).toThrow("einsum: the equation 'ij,jk->ik' has 2 operand subscript(s) but 1 tensor(s) were given");
    expect(() => tg.einsum('ij,jk->ik', m, tg.ones([4, 2]))).toThrow("einsum: subscript 'j' has size 4 in operand 1 (shape [4, 2]) but size 3 in operand 0; sizes must match or be 1");
    expect(() => tg.einsum('ijk->i', m)).toThrow("einsum: operand 0 has shape [2, 3] (2 dimensions) but its subscripts 'ijk' name 3");
    expect(() => tg.einsum('i1->i', m)).toThrow("einsum: invalid subscript '1' in operand 0 'i1' (use letters a-z, A-Z and '...')");
    expect(() => tg.einsum('ij->k', m)).toThrow("einsum: output subscript 'k' does not appear in any operand of 'ij->k'");
    expect(() => tg.einsum('ij->ii', m)).toThrow("einsum: output subscript 'i' appears more than once in 'ij->ii'");
    expect(() => tg.einsum('ij->i->j', m)).toThrow("einsum: '->' appears more than once in 'ij->i->j'");
    expect(() => tg.einsum('......->', m)).toThrow("einsum: more than one '...' in operand 0 '......'");
    expect(() => tg.einsum('ii->i', m)).toThrow("einsum: subscript 'i' is repeated in operand 0 but its sizes differ (2 ≠ 3, shape [2, 3])");
    expect(() => tg.einsum('ij')).toThrow('einsum: give at least one operand tensor after the equation');
    expect(() => tg.einsum(m as never, m)).toThrow('einsum: the first argument must be the equation string');
  });
});

describe('logical tests and reductions', () => {
  test('isnan, isfinite, all and any (NaN counts as true; empty all is true, empty any false)', () => {
    const x = tensor([1, NaN, Infinity, -Infinity, 0]);
    expect(x.isnan().toArray()).toEqual([0, 1, 0, 0, 0]);
    expect(x.isfinite().toArray()).toEqual([1, 0, 0, 0, 1]);
    expect(tensor([1, NaN]).all().item()).toBe(1);
    expect(tensor([[1, 0], [2, 3]]).all(1).toArray()).toEqual([0, 1]);
    expect(tensor([[1, 0], [0, 0]]).any(0, true).toArray()).toEqual([[1, 0]]);
    expect(tg.zeros([0]).all().item()).toBe(1);
    expect(tg.zeros([0]).any().item()).toBe(0);
    expect(tensor([1, 2], { dtype: 'int32' }).isnan().dtype).toBe('int32'); // 0/1 results are int32, like comparisons
    expect(f64([1]).any().dtype).toBe('int32');
  });

  test('rsqrt and silu', () => {
    expect(tensor([4, 0.25]).rsqrt().toArray()).toEqual([0.5, 2]);
    expect(f64([-1000, 0, 1000]).silu().toArray()).toEqual([-0, 0, 1000]);
    expect(f64([1]).silu().item()).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
  });
});

describe('arange options', () => {
  test('an options object may follow any of the positional forms; the old 4-argument form still works', () => {
    const a = tg.arange(4, { dtype: 'int32' });
    expect([a.dtype, a.toArray()]).toEqual(['int32', [0, 1, 2, 3]]);
    expect(tg.arange(1, 4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.arange(0, 1, 0.25, { dtype: 'float64' }).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(tg.arange(3, undefined, 1, { dtype: 'int32' }).toArray()).toEqual([0, 1, 2]);
    expect(tg.arange(2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tg.arange(3, { dtpye: 'int32' } as never)).toThrow("arange: unknown option 'dtpye' (known: dtype, requiresGrad)");
    expect(() => tg.arange('3' as never)).toThrow(/arange: expected arange\(end\), arange\(start, end\) or arange\(start, end, step\)/);
    expect(() => tg.arange(0, Infinity)).toThrow('arange: end must be a finite number, got Infinity');
  });
});

test('every op added here is also a Tensor method', () => {
  const methods = ['tril', 'triu', 'maskedFill', 'cumsum', 'cumprod', 'prod', 'sort', 'argsort', 'topk', 'scatter', 'scatterAdd',
    'flip', 'roll', 'repeat', 'tile', 'unbind', 'diag', 'diagonal', 'diagEmbed', 'outer', 'all', 'any', 'isnan', 'isfinite',
    'rsqrt', 'silu', 'multinomial', 'bernoulli'];
  for (const m of methods) {
    expect(typeof (Tensor.prototype as unknown as Record<string, unknown>)[m]).toBe('function');
    expect(typeof (tg as unknown as Record<string, unknown>)[m]).toBe('function');
  }
});
