/**
 * Type promotion and exact int32 arithmetic. The table test replays fixtures/torch-promotion.json (every binary op,
 * where, cat and stack over every combination of int32/float32/float64 tensors with and without dimensions and
 * integer/fractional JS numbers, computed by PyTorch 1.13) and requires the same dtype and values; PyTorch's int64
 * (Python ints) and bool results are tensorgrad's int32.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as tg from '@tensorgrad/core';
import type { DType, Tensor } from '@tensorgrad/core';

interface TensorArg { dtype: DType | 'bool'; shape: number[]; data: number | number[] }
interface NumberArg { number: number }
interface PromotionCase {
  op: string;
  args: (TensorArg | NumberArg)[];
  /** data: NaN is null (JSON has no NaN). */
  result?: { dtype: string; shape: number[]; data: (number | null)[] };
  error?: string;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'torch-promotion.json'), 'utf8')) as { torch: string; cases: PromotionCase[] };

function operand(a: TensorArg | NumberArg): Tensor | number {
  if ('number' in a) return a.number;
  return tg.tensor(a.data, { dtype: a.dtype === 'bool' ? 'int32' : a.dtype });
}

function label(a: TensorArg | NumberArg): string {
  if ('number' in a) return Number.isInteger(a.number) ? `int ${a.number}` : `float ${a.number}`;
  return `${a.dtype}${a.shape.length === 0 ? ' 0-d' : `[${a.shape}]`}`;
}

const CALL: Record<string, (args: (Tensor | number)[]) => Tensor> = {
  where: ([c, a, b]) => tg.where(c as Tensor, a, b),
  cat: (args) => tg.cat(args as Tensor[]),
  stack: (args) => tg.stack(args as Tensor[]),
};

function run(c: PromotionCase): Tensor {
  const args = c.args.map(operand);
  const call = CALL[c.op];
  if (call) return call(args);
  return (tg as unknown as Record<string, (a: Tensor | number, b: Tensor | number) => Tensor>)[c.op](args[0], args[1]);
}

function expectedDType(torchDType: string): DType {
  return torchDType === 'float64' ? 'float64' : torchDType === 'float32' ? 'float32' : 'int32';
}

/** Values agree exactly for int32; to the dtype's rounding for floats (pow may differ in the last float32 ulp); NaN = NaN. */
function sameValues(got: ArrayLike<number>, expected: readonly (number | null)[], dtype: DType): boolean {
  if (got.length !== expected.length) return false;
  const rtol = dtype === 'int32' ? 0 : dtype === 'float32' ? 2e-7 : 1e-15;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? NaN, g = got[i];
    if (Number.isNaN(e) ? !Number.isNaN(g) : Math.abs(g - e) > rtol * Math.abs(e)) return false;
  }
  return true;
}

describe(`type promotion matches PyTorch ${fixture.torch}`, () => {
  test('the table covers every binary op, where, cat and stack', () => {
    const ops = new Set(fixture.cases.map((c) => c.op));
    // isnan and isfinite share the comparisons' family but take one tensor: nothing to promote.
    const unaryTests = ['isnan', 'isfinite'];
    const binary = tg.listOps().filter((op) => (op.family === 'binary' || op.family === 'comparison') && !unaryTests.includes(op.name)).map((op) => op.name);
    expect(binary.length).toBeGreaterThan(10);
    expect([...binary, 'cat', 'stack'].filter((op) => !ops.has(op))).toEqual([]);
    expect(fixture.cases.length).toBeGreaterThan(800);
  });

  /** Every combination for one op; the failure message lists each disagreeing call. */
  test.each([...new Set(fixture.cases.map((c) => c.op))])('%s', (op) => {
    const problems: string[] = [];
    for (const c of fixture.cases.filter((k) => k.op === op)) {
      const call = `${c.op}(${c.args.map(label).join(', ')})`;
      let out: Tensor;
      try {
        out = run(c);
      } catch (e) {
        if (c.error === undefined || !(e as Error).message.startsWith(`${op}:`)) problems.push(`${call} threw ${(e as Error).message}`);
        continue;
      }
      if (c.error !== undefined) problems.push(`${call} returned a result, PyTorch raised: ${c.error}`);
      const r = c.result!;
      if (out.dtype !== expectedDType(r.dtype)) problems.push(`${call}: dtype ${out.dtype}, PyTorch ${r.dtype}`);
      else if (JSON.stringify(out.shape) !== JSON.stringify(r.shape) || !sameValues(out.data, r.data, out.dtype)) {
        problems.push(`${call}: [${Array.from(out.data)}] of shape [${out.shape}], PyTorch [${r.data}] of shape [${r.shape}]`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('int32 is exact', () => {
  const i32 = (v: number | number[]) => tg.tensor(v, { dtype: 'int32' });

  test('comparisons, sums and products do not round through float32', () => {
    expect(i32([16777217]).eq(i32([16777216])).item()).toBe(0);
    expect(i32([16777217]).eq(16777216).item()).toBe(0);
    expect(i32([16777217]).gt(16777216).item()).toBe(1);
    expect(i32([16777217, 1]).sum().item()).toBe(16777218);
    expect(i32([16777217, 1]).sum().dtype).toBe('int32');
    expect(i32([16777217]).add(i32([2])).item()).toBe(16777219);
    expect(i32([16777217]).sub(1).item()).toBe(16777216);
    expect(i32([46341]).mul(i32([46341])).item()).toBe(-2147479015); // 46341² = 2147488281 wraps, as PyTorch's int32
    expect(i32([3]).pow(19).item()).toBe(1162261467);
    expect(i32([-4]).pow(i32([19])).item()).toBe(0); // -2³⁸ wraps to 0
    expect(i32([16777217]).square().item()).toBe(Math.imul(16777217, 16777217));
    expect(i32([-2147483648]).abs().item()).toBe(-2147483648);
    expect(i32([16777217, -3]).maximum(i32([16777216, -2])).toArray()).toEqual([16777217, -2]);
    expect(i32([16777217, -3]).max().item()).toBe(16777217);
    expect(i32([16777216, 16777217]).argmax().item()).toBe(1);
    expect(i32([-5, 5]).clamp(-2, 3).toArray()).toEqual([-2, 3]);
    expect(i32([-5, 5]).clamp(-2, 3).dtype).toBe('int32');
    expect(i32([-5, 5]).clamp(-2.5).dtype).toBe('float32');
  });

  test('addition wraps like int32, and a sum that does not fit throws (PyTorch would return an exact int64)', () => {
    expect(i32([2147483647]).add(1).item()).toBe(-2147483648);
    expect(() => i32([2147483647, 1]).sum()).toThrow(/^sum: the int32 sum 2147483648 does not fit in int32/);
    expect(i32([2147483647, 1]).to('float64').sum().item()).toBe(2147483648);
    expect(i32([2147483647, 2147483647]).mean().item()).toBe(2147483648); // exact mean, rounded once to float32
  });

  test('true division of integers is float32; integers to negative powers are refused', () => {
    const q = i32([16777217]).div(i32([1]));
    expect(q.dtype).toBe('float32');
    expect(q.item()).toBe(16777216); // PyTorch also divides in float32
    expect(i32([7, -7]).div(2).toArray()).toEqual([3.5, -3.5]);
    expect(() => i32([2]).pow(-1)).toThrow(/^pow: integers to negative integer powers are not allowed/);
    expect(i32([2]).pow(-1.5).dtype).toBe('float32');
  });

  test('creating an int32 tensor from a value that does not fit throws instead of wrapping or truncating', () => {
    expect(() => tg.tensor([2147483648], { dtype: 'int32' })).toThrow(/^tensor: 2147483648 at index \[0\] cannot be stored in an int32 tensor/);
    expect(() => tg.tensor([1.5], { dtype: 'int32' })).toThrow(/^tensor: 1\.5 at index \[0\] cannot be stored/);
    expect(() => tg.tensor(new Float32Array([NaN]), { dtype: 'int32' })).toThrow(/^tensor: NaN at index 0 cannot be stored/);
    expect(() => tg.tensor(new Uint32Array([4294967295]), { dtype: 'int32' })).toThrow(/^tensor: 4294967295/);
    expect(() => tg.full([2], 2 ** 31, { dtype: 'int32' })).toThrow(/^full: 2147483648 cannot be stored/);
    expect(() => tg.arange(0, 2, 0.5, { dtype: 'int32' })).toThrow(/^arange: 0\.5 cannot be stored/);
    expect(() => i32([1]).add(2 ** 40)).toThrow(/^add: 1099511627776 cannot be stored in an int32 tensor/);
    expect(() => i32([1, 2]).fill(0.5)).toThrow(/^fill: 0\.5 cannot be stored/);
    expect(tg.tensor([-2147483648, 2147483647], { dtype: 'int32' }).toArray()).toEqual([-2147483648, 2147483647]);
  });

  test('a cast to int32 truncates toward zero like PyTorch, and refuses values with no int32 truncation', () => {
    expect(tg.tensor([1.7, -1.7, 2147483647.5], { dtype: 'float64' }).to('int32').toArray()).toEqual([1, -1, 2147483647]);
    expect(() => tg.tensor([1, NaN]).to('int32')).toThrow(/^cast: value NaN at flat index 1/);
    expect(() => tg.tensor([3e9]).to('int32')).toThrow(/^cast: value 3000000000 at flat index 0/);
  });

  test('counting correct predictions keeps working: argmax(...).eq(y).mean()', () => {
    const logits = tg.tensor([[0.1, 2, 0.3], [3, 0, 1], [0, 0, 5], [1, 4, 0]]);
    const y = tg.tensor([1, 0, 1, 1], { dtype: 'int32' });
    const hits = logits.argmax(1).eq(y);
    expect(hits.dtype).toBe('int32');
    expect(hits.sum().item()).toBe(3);
    const acc = hits.mean();
    expect(acc.dtype).toBe('float32');
    expect(acc.item()).toBe(0.75);
  });

  test('comparison masks keep the other operand\'s dtype and gradient', () => {
    const x = tg.tensor([-1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const masked = x.mul(x.gt(0));
    expect(masked.dtype).toBe('float64');
    masked.sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1]);
    expect(x.gt(0).mul(0.5).dtype).toBe('float32'); // a bool mask times a Python float is float32 in PyTorch too
  });
});

describe('cat and stack promote and keep gradients', () => {
  test('cat([int32, float32]) is float32 with exact values, and the float input gets its gradient', () => {
    const i = tg.tensor([1, 2], { dtype: 'int32' });
    const f = tg.tensor([0.5, -1.5], { requiresGrad: true });
    const c = tg.cat([i, f]);
    expect(c.dtype).toBe('float32');
    expect(c.toArray()).toEqual([1, 2, 0.5, -1.5]);
    c.mul(tg.tensor([1, 2, 3, 4])).sum().backward();
    expect(f.grad!.toArray()).toEqual([3, 4]);
  });

  test('a float32 input of a float64 stack gets a float32 gradient', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const b = tg.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const s = tg.stack([a, b]);
    expect(s.dtype).toBe('float64');
    s.mul(tg.tensor([[1, 2], [3, 4]], { dtype: 'float64' })).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.toArray()).toEqual([1, 2]);
    expect(b.grad!.toArray()).toEqual([3, 4]);
  });
});

describe('gradients keep float64 precision through masks', () => {
  test('max with ties and leakyRelu with a non-binary slope are exact in float64', () => {
    const x = tg.tensor([1, 3, 3, 3], { dtype: 'float64', requiresGrad: true });
    x.max().backward();
    expect(x.grad!.toArray()).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
    const y = tg.tensor([-1, 2], { dtype: 'float64', requiresGrad: true });
    y.leakyRelu(0.1).sum().backward();
    expect(y.grad!.toArray()).toEqual([0.1, 1]);
  });
});
