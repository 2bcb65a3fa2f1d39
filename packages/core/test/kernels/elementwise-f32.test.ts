/**
 * The float32 SIMD elementwise kernels against plain-JS references that compute each element in float64 and round
 * once, as the JS loops of kernels/binary.ts, unary.ts and reduce.ts do: results must be identical (row sums, which add
 * four interleaved partial sums, within one float32 ulp). Sizes cover tails that are not a multiple of four, chunk
 * boundaries and every broadcast layout the SIMD path accepts; values include NaN, ±∞, ±0 and subnormals.
 */
import {
  binaryF32, gradF32, reduceF32, scalarF32, unarySimpleF32,
} from '../../src/kernels/wasm/elementwise-f32';
import { BINARY_F32_OPS, ELEMENTWISE_CHUNK as CHUNK, GRAD_F32_OPS, UNARY_SIMPLE_F32_OPS, type BinaryF32Op } from '../../src/kernels/wasm/elementwise-f32-simd';
import { Generator } from '../../src/random';
import { sizeOf } from '../../src/shape';

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-40, -3e-39, 1.17e-38, 0.1, -0.5, 1, 2, -2, 3e38, -3e38];
const g = new Generator(11);

function values(n: number, special = 0.15): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.random() < special ? SPECIAL[Math.floor(g.random() * SPECIAL.length)] : g.normal() * 4;
  return out;
}

const REF: Record<BinaryF32Op, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  maximum: Math.max, minimum: Math.min,
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt: (a, b) => +(a < b), le: (a, b) => +(a <= b), gt: (a, b) => +(a > b), ge: (a, b) => +(a >= b),
};

function expectIdentical(what: string, got: Float32Array, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = Math.fround(want[i]);
    if (!Object.is(got[i], w)) throw new Error(`${what} at ${i}: got ${got[i]}, want ${w}`);
  }
}

/** Reference broadcast: out[idx] = op(a[idx broadcast], b[idx broadcast]). */
function broadcastRef(op: BinaryF32Op, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], outShape: number[]): Float64Array {
  const n = sizeOf(outShape), nd = outShape.length;
  const out = new Float64Array(n);
  const pad = (s: number[]) => [...new Array(nd - s.length).fill(1), ...s];
  const as = pad(aShape), bs = pad(bShape);
  const idx = new Array(nd).fill(0);
  for (let k = 0; k < n; k++) {
    let ai = 0, bi = 0;
    for (let d = 0; d < nd; d++) {
      ai = ai * as[d] + (as[d] === 1 ? 0 : idx[d]);
      bi = bi * bs[d] + (bs[d] === 1 ? 0 : idx[d]);
    }
    out[k] = REF[op](a[ai], b[bi]);
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe('binary ops', () => {
  test.each(BINARY_F32_OPS)('%s: same shape, every length around the chunk and vector boundaries', (op) => {
    for (const n of [1, 3, 4, 5, 127, CHUNK, CHUNK + 3, 2 * CHUNK + 7]) {
      const a = values(n), b = values(n), out = new Float32Array(n);
      expect(binaryF32(op, a, [n], b, [n], out, [n])).toBe(true);
      expectIdentical(`${op} n=${n}`, out, Array.from(a, (x, i) => REF[op](x, b[i])));
    }
  });

  test.each(BINARY_F32_OPS)('%s: with a scalar on either side, in float64 like the JS loop', (op) => {
    const a = values(CHUNK + 5), out = new Float32Array(a.length);
    for (const s of [0.1, -3, 0, -0, NaN, Infinity, 1e-300, 1 / 3]) {
      expect(scalarF32(op, a, s, false, out)).toBe(true);
      expectIdentical(`${op} a op ${s}`, out, Array.from(a, (x) => REF[op](x, s)));
      expect(scalarF32(op, a, s, true, out)).toBe(true);
      expectIdentical(`${op} ${s} op a`, out, Array.from(a, (x) => REF[op](s, x)));
    }
  });

  const LAYOUTS: Array<[string, number[], number[]]> = [
    ['bias [C] on [N, C]', [37, 19], [19]],
    ['[T, C] on [B, T, C]', [3, 7, 12], [7, 12]],
    ['a period longer than a chunk', [3, CHUNK + 9], [CHUNK + 9]],
    ['a period that divides no chunk evenly', [700, 33], [1, 33]],
    ['one value per row of 8', [50, 8], [50, 1]],
    ['one value per row of 13', [3, 41, 13], [3, 41, 1]],
    ['one value per [T, T] block', [6, 16, 16], [6, 1, 1]],
    ['one value per row longer than a chunk', [3, CHUNK + 5], [3, 1]],
    ['a single-element tensor', [129, 3], [1]],
  ];
  for (const [name, full, small] of LAYOUTS) {
    test(`broadcast layouts: ${name}, both operand orders`, () => {
      // Large layouts check a few ops (each op's kernel is already checked above); small ones all of them.
      const ops = sizeOf(full) > 20000 ? (['sub', 'div', 'maximum', 'ge'] as const) : BINARY_F32_OPS;
      for (const op of ops) {
        const a = values(sizeOf(full)), b = values(sizeOf(small)), out = new Float32Array(a.length);
        expect(binaryF32(op, a, full, b, small, out, full)).toBe(true);
        expectIdentical(`${op} ${name}`, out, broadcastRef(op, a, full, b, small, full));
        expect(binaryF32(op, b, small, a, full, out, full)).toBe(true);
        expectIdentical(`${op} ${name} (reversed)`, out, broadcastRef(op, b, small, a, full, full));
      }
    });
  }

  test('other layouts are left to the JS loops', () => {
    const out = new Float32Array(12);
    expect(binaryF32('add', values(4), [4, 1], values(3), [1, 3], out, [4, 3])).toBe(false); // both broadcast
    expect(binaryF32('add', values(12), [4, 3], values(4), [4, 1], out, [4, 3])).toBe(false); // rows of 3: too short to pay
    expect(binaryF32('add', values(24), [2, 4, 3], values(6), [2, 1, 3], new Float32Array(24), [2, 4, 3])).toBe(false); // middle axis
  });
});

describe('unary ops and activation gradients', () => {
  const UNARY: Record<(typeof UNARY_SIMPLE_F32_OPS)[number], (x: number) => number> = {
    neg: (x) => -x, abs: Math.abs, square: (x) => x * x, reciprocal: (x) => 1 / x,
    // The JS relu: v·(v > 0) + 0, with NaN kept and -∞ mapped to 0.
    relu: (v) => { const r = v * +(v > 0) + 0; return r === r ? r : v === v ? 0 : v; },
  };
  test.each(UNARY_SIMPLE_F32_OPS)('%s', (op) => {
    for (const n of [1, 6, CHUNK + 1]) {
      const x = values(n), out = new Float32Array(n);
      expect(unarySimpleF32(op, x, out)).toBe(true);
      expectIdentical(op, out, Array.from(x, UNARY[op]));
    }
  });

  const GRAD: Record<(typeof GRAD_F32_OPS)[number], (g: number, y: number) => number> = {
    tanhGrad: (gr, y) => gr * (1 - y * y),
    sigmoidGrad: (gr, y) => gr * y * (1 - y),
    reluGrad: (gr, x) => { const m = +(x > 0); const r = gr * m + 0; return r === r ? r : m ? r : 0; },
  };
  test.each(GRAD_F32_OPS)('%s', (op) => {
    for (const n of [2, 7, CHUNK + 2]) {
      const gr = values(n), y = values(n), out = new Float32Array(n);
      expect(gradF32(op, gr, y, out)).toBe(true);
      expectIdentical(op, out, Array.from(gr, (v, i) => GRAD[op](v, y[i])));
    }
  });
});

describe('reductions over [outer, n, inner]', () => {
  function reference(kind: 'sum' | 'max' | 'min', x: Float32Array, outer: number, n: number, inner: number): Float64Array {
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let acc = kind === 'sum' ? 0 : kind === 'max' ? -Infinity : Infinity;
        for (let r = 0; r < n; r++) {
          const v = x[(o * n + r) * inner + j];
          acc = kind === 'sum' ? acc + v : kind === 'max' ? Math.max(acc, v) : Math.min(acc, v);
        }
        out[o * inner + j] = acc;
      }
    }
    return out;
  }
  const SHAPES: Array<[number, number, number]> = [
    [1, 1000, 1], [37, 19, 1], [5, 3, 1], [2, CHUNK + 11, 1], [3000, 7, 1],
    [1, 50, 19], [4, 33, 64], [2, 5, 3], [1, 3, CHUNK + 6], [2, 9000, 5],
  ];
  for (const kind of ['sum', 'max', 'min'] as const) {
    test.each(SHAPES)(`${kind} of [%i, %i, %i]`, (outer, n, inner) => {
      // Sums of finite values only (∞ − ∞ orders aside, they would be NaN either way); max/min with NaN and ±∞.
      const x = values(outer * n * inner, kind === 'sum' ? 0 : 0.02);
      const out = new Float32Array(outer * inner);
      expect(reduceF32(kind, x, outer, n, inner, out)).toBe(true);
      const want = reference(kind, x, outer, n, inner);
      if (kind !== 'sum' || inner > 1) return expectIdentical(`${kind} [${outer}, ${n}, ${inner}]`, out, want);
      // Row sums add four interleaved partial sums in float64: within one float32 ulp of the sequential sum.
      for (let i = 0; i < want.length; i++) {
        const w = Math.fround(want[i]);
        expect(Math.abs(out[i] - w)).toBeLessThanOrEqual(Math.abs(w) * 2 ** -23 + 1e-45);
      }
    });
  }

  test('NaN wins max and min wherever it is, sums with NaN are NaN', () => {
    const x = values(4 * 40, 0);
    x[7] = NaN;
    x[4 * 40 - 1] = NaN;
    for (const kind of ['max', 'min', 'sum'] as const) {
      const rows = new Float32Array(4);
      reduceF32(kind, x, 4, 40, 1, rows);
      expect([Number.isNaN(rows[0]), Number.isNaN(rows[1]), Number.isNaN(rows[2]), Number.isNaN(rows[3])]).toEqual([true, false, false, true]);
    }
  });
});
