/** In-place update loops for optimizers and buffers: `x` is updated element by element, operands have x's length. */
import type { FloatArray } from './types.js';
import { binaryF32, SIMD_MIN } from './wasm/elementwise-f32.js';

/** x += alpha · y */
export function axpyK(x: FloatArray, y: FloatArray, alpha: number): void {
  if (alpha === 1) for (let i = 0; i < x.length; i++) x[i] += y[i];
  else for (let i = 0; i < x.length; i++) x[i] += alpha * y[i];
}

/**
 * x += y, with the values of `add(x, y)` (float32: each sum rounded once, the SIMD kernel for long arrays). The engine
 * accumulates gradients with it into sums it owns.
 */
export function accumulateK(x: FloatArray, y: FloatArray): void {
  const n = x.length;
  if (n >= SIMD_MIN && x instanceof Float32Array && y instanceof Float32Array && binaryF32('add', x, [n], y, [n], x, [n])) return;
  for (let i = 0; i < n; i++) x[i] += y[i];
}

/** x += alpha (a scalar) */
export function addScalarK(x: FloatArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] += alpha;
}

export function mulK(x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < x.length; i++) x[i] *= y[i];
}

export function mulScalarK(x: FloatArray, s: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= s;
}

/** x /= s (a true division, not a multiplication by 1/s, so x.div_(3) equals x.div(3) bit for bit) */
export function divScalarK(x: FloatArray, s: number): void {
  for (let i = 0; i < x.length; i++) x[i] /= s;
}

export function divK(x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < x.length; i++) x[i] /= y[i];
}

/** x += value · a · b */
export function addcmulK(x: FloatArray, a: FloatArray, b: FloatArray, value: number): void {
  for (let i = 0; i < x.length; i++) x[i] += value * a[i] * b[i];
}

/** x += value · a / b */
export function addcdivK(x: FloatArray, a: FloatArray, b: FloatArray, value: number): void {
  for (let i = 0; i < x.length; i++) x[i] += value * (a[i] / b[i]);
}

/** x += w · (y - x), i.e. x = (1 - w)·x + w·y in one pass (exponential moving averages). */
export function lerpK(x: FloatArray, y: FloatArray, w: number): void {
  for (let i = 0; i < x.length; i++) x[i] += w * (y[i] - x[i]);
}
