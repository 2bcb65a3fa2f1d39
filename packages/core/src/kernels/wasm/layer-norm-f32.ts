/**
 * Runs the float32 LayerNorm module (layer-norm-f32-simd.ts) on JS arrays, as many whole rows at a time as fit its
 * fixed slots. Both functions return false, having written nothing, when the module cannot run or the rows are not
 * ones it takes (length not a multiple of four, or over a slot); callers then run the JS kernel or the op formula.
 */
import { buildLayerNormF32Module, LN_CHUNK, LN_SLOT } from './layer-norm-f32-simd.js';
import { lazyWasmInstance, type WasmMemory } from './wasm-runtime.js';

const instance = /* @__PURE__ */ lazyWasmInstance(buildLayerNormF32Module, 'layerNorm');

type Fn = (rows: number, n: number) => void;
interface Module { f32: Float32Array; f64: Float64Array; stats: Fn; norm: Fn; gradStats: Fn; gradX: Fn }
let cached: { buffer: ArrayBuffer; m: Module } | null = null;

function module(n: number): Module | null {
  if (n % 4 !== 0 || n === 0 || n > LN_CHUNK) return null;
  const inst = instance();
  if (inst === null) return null;
  const buffer = (inst.exports.memory as WasmMemory).buffer;
  if (cached === null || cached.buffer !== buffer) {
    const e = inst.exports as Record<string, Fn>;
    cached = { buffer, m: { f32: new Float32Array(buffer), f64: new Float64Array(buffer), stats: e.lnStats, norm: e.lnNorm, gradStats: e.lnGradStats, gradX: e.lnGradX } };
  }
  return cached.m;
}

const F = (slot: number): number => slot >> 2;
const D = (slot: number): number => slot >> 3;

/** layerNormK (kernels/layer-norm.ts) for float32 rows of a length divisible by four. */
export function layerNormF32(
  x: Float32Array, rows: number, n: number, eps: number, w: Float32Array | null, b: Float32Array | null,
  out: Float32Array, mean: Float32Array, rstd: Float32Array,
): boolean {
  const m = module(n);
  if (m === null) return false;
  const { f32, f64 } = m;
  if (w) f32.set(w, F(LN_SLOT.W)); else f32.fill(1, F(LN_SLOT.W), F(LN_SLOT.W) + n);
  // −0 leaves every value as it is (x + −0 = x, also for x = −0), like having no bias.
  if (b) f32.set(b, F(LN_SLOT.B)); else f32.fill(-0, F(LN_SLOT.B), F(LN_SLOT.B) + n);
  const per = Math.floor(LN_CHUNK / n);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const k = Math.min(per, rows - r0), base = r0 * n, len = k * n;
    f32.set(x.subarray(base, base + len), F(LN_SLOT.X));
    m.stats(k, n);
    for (let r = 0; r < k; r++) {
      const m1 = f64[D(LN_SLOT.S1) + r] / n;
      const variance = Math.max(f64[D(LN_SLOT.S2) + r] / n - m1 * m1, 0);
      const rs = 1 / Math.sqrt(variance + eps);
      mean[r0 + r] = x[base + r * n] + m1;
      rstd[r0 + r] = rs;
      f32[F(LN_SLOT.M1) + r] = m1;
      f32[F(LN_SLOT.RS) + r] = rs;
    }
    m.norm(k, n);
    out.set(f32.subarray(F(LN_SLOT.OUT), F(LN_SLOT.OUT) + len), base);
  }
  return true;
}

/**
 * layerNormBackwardK's float32 form: dx (if given) and, summed over rows, dw = Σ g·x̂ and db = Σ g (if given), from the
 * forward's saved per-row mean and rstd.
 */
export function layerNormBackwardF32(
  g: Float32Array, x: Float32Array, rows: number, n: number, mean: Float32Array, rstd: Float32Array, w: Float32Array | null,
  dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null,
): boolean {
  const m = module(n);
  if (m === null) return false;
  const { f32, f64 } = m;
  if (w) f32.set(w, F(LN_SLOT.W)); else f32.fill(1, F(LN_SLOT.W), F(LN_SLOT.W) + n);
  f64.fill(0, D(LN_SLOT.DW), D(LN_SLOT.DW) + n);
  f64.fill(0, D(LN_SLOT.DB), D(LN_SLOT.DB) + n);
  const per = Math.floor(LN_CHUNK / n);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const k = Math.min(per, rows - r0), base = r0 * n, len = k * n;
    f32.set(x.subarray(base, base + len), F(LN_SLOT.X));
    f32.set(g.subarray(base, base + len), F(LN_SLOT.G));
    f32.set(mean.subarray(r0, r0 + k), F(LN_SLOT.MU));
    f32.set(rstd.subarray(r0, r0 + k), F(LN_SLOT.RS));
    m.gradStats(k, n);
    if (dx === null) continue;
    for (let r = 0; r < k; r++) {
      f32[F(LN_SLOT.M1) + r] = f64[D(LN_SLOT.S1) + r] / n;
      f32[F(LN_SLOT.M2) + r] = f64[D(LN_SLOT.S2) + r] / n;
    }
    m.gradX(k, n);
    dx.set(f32.subarray(F(LN_SLOT.OUT), F(LN_SLOT.OUT) + len), base);
  }
  // The column sums are laid out as f64 pairs per four columns: [c0 c1][c2 c3] — in column order.
  if (dw) for (let j = 0; j < n; j++) dw[j] = f64[D(LN_SLOT.DW) + j];
  if (db) for (let j = 0; j < n; j++) db[j] = f64[D(LN_SLOT.DB) + j];
  return true;
}
