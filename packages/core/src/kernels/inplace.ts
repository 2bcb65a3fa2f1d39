/** In-place update loops for optimizers and buffers: `x` is updated element by element, operands have x's length. */
import type { FloatArray } from './types.js';

/** x += alpha · y */
export function axpyK(x: FloatArray, y: FloatArray, alpha: number): void {
  if (alpha === 1) for (let i = 0; i < x.length; i++) x[i] += y[i];
  else for (let i = 0; i < x.length; i++) x[i] += alpha * y[i];
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
