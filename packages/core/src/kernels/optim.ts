/**
 * Fused optimizer updates in plain JS: one pass over a parameter, its gradient and its state. Used for float64, and for
 * float32 when the WebAssembly SIMD kernels (wasm/optim-f32-simd.ts) cannot run.
 *
 * On float32 arrays every intermediate is rounded to float32 (`R` is Math.fround), in the same order as the SIMD
 * kernels, so both paths give bit-identical results and a model trains the same with or without SIMD. On float64
 * arrays `R` is the identity. The scalars arrive already rounded by the caller (see optim/fused.ts).
 */
import type { FloatArray } from './types.js';

type Round = (x: number) => number;
const identity: Round = (x) => x;
const rounding = (a: FloatArray): Round => (a instanceof Float32Array ? Math.fround : identity);

export function adamK(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, l2: boolean, s: readonly number[]): void {
  const R = rounding(p);
  const [gradScale, weightDecay, paramScale, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize] = s.map(R);
  for (let i = 0; i < p.length; i++) {
    let d = R(g[i] * gradScale);
    if (l2) d = R(d + R(weightDecay * p[i]));
    const pi = R(p[i] * paramScale);
    const mi = R(m[i] + R(oneMinusBeta1 * R(d - m[i])));
    const vi = R(R(v[i] * beta2) + R(R(oneMinusBeta2 * d) * d));
    m[i] = mi;
    v[i] = vi;
    let second = vi;
    if (vmax !== null) {
      // Math.max, like f32x4.max, propagates NaN and orders -0 below +0.
      second = Math.max(vmax[i], vi);
      vmax[i] = second;
    }
    const denom = R(R(R(Math.sqrt(second)) / biasCorrection2Sqrt) + eps);
    p[i] = R(pi + R(negStepSize * R(mi / denom)));
  }
}

/** `buf` is null without momentum; `first` seeds it with the direction instead of updating it. */
export function sgdK(p: FloatArray, g: FloatArray, buf: FloatArray | null, first: boolean, nesterov: boolean, l2: boolean, s: readonly number[]): void {
  const R = rounding(p);
  const [gradScale, weightDecay, momentum, oneMinusDampening, negLr] = s.map(R);
  for (let i = 0; i < p.length; i++) {
    let d = R(g[i] * gradScale);
    if (l2) d = R(d + R(weightDecay * p[i]));
    let step = d;
    if (buf !== null) {
      const b = first ? d : R(R(buf[i] * momentum) + R(oneMinusDampening * d));
      buf[i] = b;
      step = nesterov ? R(d + R(momentum * b)) : b;
    }
    p[i] = R(p[i] + R(negLr * step));
  }
}

/** `gradAvg` is null unless centered, `buf` null without momentum. */
export function rmspropK(p: FloatArray, g: FloatArray, sq: FloatArray, gradAvg: FloatArray | null, buf: FloatArray | null, l2: boolean, s: readonly number[]): void {
  const R = rounding(p);
  const [gradScale, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr] = s.map(R);
  for (let i = 0; i < p.length; i++) {
    let d = R(g[i] * gradScale);
    if (l2) d = R(d + R(weightDecay * p[i]));
    const si = R(R(sq[i] * alpha) + R(R(oneMinusAlpha * d) * d));
    sq[i] = si;
    let inner = si;
    if (gradAvg !== null) {
      const gi = R(R(gradAvg[i] * alpha) + R(oneMinusAlpha * d));
      gradAvg[i] = gi;
      inner = R(si - R(gi * gi));
    }
    const avg = R(R(Math.sqrt(inner)) + eps);
    if (buf !== null) {
      const b = R(R(buf[i] * momentum) + R(d / avg));
      buf[i] = b;
      p[i] = R(p[i] + R(negLr * b));
    } else {
      p[i] = R(p[i] + R(negLr * R(d / avg)));
    }
  }
}

export function adagradK(p: FloatArray, g: FloatArray, sum: FloatArray, l2: boolean, s: readonly number[]): void {
  const R = rounding(p);
  const [gradScale, weightDecay, eps, negClr] = s.map(R);
  for (let i = 0; i < p.length; i++) {
    let d = R(g[i] * gradScale);
    if (l2) d = R(d + R(weightDecay * p[i]));
    const si = R(sum[i] + R(d * d));
    sum[i] = si;
    p[i] = R(p[i] + R(negClr * R(d / R(R(Math.sqrt(si)) + eps))));
  }
}
