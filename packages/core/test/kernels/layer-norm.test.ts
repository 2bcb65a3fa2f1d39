/**
 * The float32 LayerNorm SIMD kernels (kernels/wasm/layer-norm-f32.ts) against float64 references from the same float32
 * inputs: forward statistics and output, and the fused backward (dx, dw, db), over row lengths that are multiples of
 * four from 4 to a whole slot, row counts across chunk boundaries, and NaN, ±Infinity, −0 and large-mean rows.
 */
import * as tg from '@tensorgrad/core';
import { layerNormBackwardF32, layerNormF32 } from '../../src/kernels/wasm/layer-norm-f32';
import { LN_CHUNK } from '../../src/kernels/wasm/layer-norm-f32-simd';
import { Generator } from '../../src/random';

const gen = new Generator(21);
const randn = (n: number, scale = 1, shift = 0): Float32Array => Float32Array.from({ length: n }, () => gen.normal() * scale + shift);

/** The exact forward from float32 inputs, in float64. */
function forwardRef(x: Float32Array, rows: number, n: number, eps: number, w: Float32Array | null, b: Float32Array | null) {
  const out = new Float64Array(rows * n), mean = new Float64Array(rows), rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[r * n + i];
    const mu = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[r * n + i] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let i = 0; i < n; i++) out[r * n + i] = (x[r * n + i] - mu) * rs * (w ? w[i] : 1) + (b ? b[i] : 0);
  }
  return { out, mean, rstd };
}

/** The exact backward from the float32 inputs and saved statistics, in float64. */
function backwardRef(g: Float32Array, x: Float32Array, rows: number, n: number, mean: Float32Array, rstd: Float32Array, w: Float32Array | null) {
  const dx = new Float64Array(rows * n), dw = new Float64Array(n), db = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    let s1 = 0, s2 = 0;
    const xh = (i: number) => (x[r * n + i] - mean[r]) * rstd[r];
    const gh = (i: number) => g[r * n + i] * (w ? w[i] : 1);
    for (let i = 0; i < n; i++) { s1 += gh(i); s2 += gh(i) * xh(i); }
    for (let i = 0; i < n; i++) {
      dx[r * n + i] = rstd[r] * (gh(i) - s1 / n - xh(i) * (s2 / n));
      dw[i] += g[r * n + i] * xh(i);
      db[i] += g[r * n + i];
    }
  }
  return { dx, dw, db };
}

function expectClose(what: string, got: Float32Array, want: Float64Array, rel: number): void {
  let scale = 0;
  for (const v of want) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= rel * Math.max(1, scale);
    if (!ok) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

describe('float32 LayerNorm in WebAssembly', () => {
  const cases: [number, number][] = [[1, 4], [3, 8], [37, 64], [2100, 64], [257, 132], [2, LN_CHUNK], [3, 4092]];
  for (const [rows, n] of cases) {
    for (const affine of [false, true]) {
      test(`forward and backward, [${rows}, ${n}]${affine ? ', weight and bias' : ''}`, () => {
        const x = randn(rows * n, 2, 0.5), w = affine ? randn(n) : null, b = affine ? randn(n) : null;
        const out = new Float32Array(rows * n), mean = new Float32Array(rows), rstd = new Float32Array(rows);
        expect(layerNormF32(x, rows, n, 1e-5, w, b, out, mean, rstd)).toBe(true);
        const ref = forwardRef(x, rows, n, 1e-5, w, b);
        expectClose('mean', mean, ref.mean, 1e-6);
        expectClose('rstd', rstd, ref.rstd, 1e-6);
        expectClose('out', out, ref.out, 4e-6);

        const g = randn(rows * n);
        const dx = new Float32Array(rows * n), dw = new Float32Array(n), db = new Float32Array(n);
        expect(layerNormBackwardF32(g, x, rows, n, mean, rstd, w, dx, affine ? dw : null, affine ? db : null)).toBe(true);
        const bref = backwardRef(g, x, rows, n, mean, rstd, w);
        expectClose('dx', dx, bref.dx, 1e-5);
        if (affine) {
          expectClose('dw', dw, bref.dw, 1e-5);
          expectClose('db', db, bref.db, 1e-6);
        }
      });
    }
  }

  test('rows with a large mean keep their precision (statistics shifted by the first value, in float64)', () => {
    const rows = 6, n = 64, x = randn(rows * n, 0.01, 1000);
    const out = new Float32Array(rows * n), mean = new Float32Array(rows), rstd = new Float32Array(rows);
    expect(layerNormF32(x, rows, n, 1e-5, null, null, out, mean, rstd)).toBe(true);
    expectClose('out', out, forwardRef(x, rows, n, 1e-5, null, null).out, 2e-5);
  });

  test('NaN and ±Infinity spoil only their own row; a constant row gives zeros; −0 input with no bias', () => {
    const n = 8, x = new Float32Array([
      1, 2, NaN, 4, 5, 6, 7, 8,
      1, Infinity, 3, 4, 5, 6, 7, 8,
      3, 3, 3, 3, 3, 3, 3, 3,
      -0, -0, -0, -0, -0, -0, -0, -0,
      1, -1, 2, -2, 3, -3, 4, -4,
    ]);
    const rows = x.length / n, out = new Float32Array(x.length), mean = new Float32Array(rows), rstd = new Float32Array(rows);
    expect(layerNormF32(x, rows, n, 1e-5, null, null, out, mean, rstd)).toBe(true);
    expect(Array.from(out.subarray(0, 16)).every(Number.isNaN)).toBe(true);
    expect(Array.from(out.subarray(16, 32))).toEqual(new Array(16).fill(0));
    expectClose('last row', out.subarray(32), forwardRef(x.subarray(32), 1, n, 1e-5, null, null).out, 4e-6);
    const g = new Float32Array(x.length).fill(1), dx = new Float32Array(x.length), db = new Float32Array(n);
    expect(layerNormBackwardF32(g, x, rows, n, mean, rstd, null, dx, null, db)).toBe(true);
    expect(Array.from(dx.subarray(0, 16)).every(Number.isNaN)).toBe(true);
    expect(Array.from(dx.subarray(16)).every(Number.isFinite)).toBe(true);
    expect(Array.from(db)).toEqual(new Array(n).fill(rows));
  });

  test('declines rows it does not take (length not a multiple of four, or over a slot)', () => {
    const out = new Float32Array(30);
    expect(layerNormF32(randn(30), 5, 6, 1e-5, null, null, out, new Float32Array(5), new Float32Array(5))).toBe(false);
    expect(Array.from(out)).toEqual(new Array(30).fill(0));
    const n = LN_CHUNK + 4;
    expect(layerNormBackwardF32(randn(n), randn(n), 1, n, new Float32Array(1), new Float32Array(1), null, new Float32Array(n), null, null)).toBe(false);
  });

  test('through the op: an ordinary backward (fused kernel) equals the recorded formula (createGraph)', () => {
    for (const [rows, n] of [[64, 64], [5, 12], [7, 10]]) {
      const x = tg.tensor(Array.from(randn(rows * n)), { requiresGrad: true }).reshape([rows, n]).detach().requiresGrad_();
      const w = tg.tensor(Array.from(randn(n))).requiresGrad_(), b = tg.tensor(Array.from(randn(n))).requiresGrad_();
      const up = tg.tensor(Array.from(randn(rows * n))).reshape([rows, n]);
      tg.layerNorm(x, n, w, b).backward(up);
      const ref = tg.grad(tg.layerNorm(x, n, w, b), [x, w, b], up, { createGraph: true });
      [x, w, b].forEach((t, i) => {
        const want = Float64Array.from(ref[i].data), got = t.grad!.data as Float32Array;
        expect(t.grad!.shape).toEqual(ref[i].shape);
        expectClose(`grad ${i}`, got, want, 1e-5);
      });
    }
  });
});
