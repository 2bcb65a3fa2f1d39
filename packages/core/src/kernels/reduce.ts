/**
 * Reductions along one axis of a contiguous tensor viewed as [outer, n, inner]. Multi-axis reductions apply these one
 * axis at a time (see ops/reduce.ts). They accept int32 arrays too: accumulation happens in double precision, and the
 * caller picks the output array's type.
 */
import type { Storage } from './types.js';
import { reduceF32, SIMD_MIN } from './wasm/elementwise-f32.js';

export enum ReduceCode { Sum, Max, Min, Prod }

/** The float32 SIMD reduction of each code (elementwise-f32.ts), by code; prod has none. */
const SIMD_REDUCE = ['sum', 'max', 'min', null] as const;

export function reduceAxis(code: ReduceCode, x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  const simd = SIMD_REDUCE[code];
  if (simd && x.length >= SIMD_MIN && x instanceof Float32Array && out instanceof Float32Array && reduceF32(simd, x, outer, n, inner, out)) return;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner, ob = o * inner;
    for (let j = 0; j < inner; j++) {
      let i = base + j;
      let acc: number;
      switch (code) {
        case ReduceCode.Sum:
          acc = 0;
          for (let r = 0; r < n; r++, i += inner) acc += x[i];
          break;
        case ReduceCode.Prod:
          acc = 1;
          for (let r = 0; r < n; r++, i += inner) acc *= x[i];
          break;
        case ReduceCode.Max:
          acc = -Infinity;
          for (let r = 0; r < n; r++, i += inner) {
            const v = x[i];
            if (v > acc || v !== v) acc = v; // NaN wins, like PyTorch
            if (acc !== acc) break;
          }
          break;
        case ReduceCode.Min:
          acc = Infinity;
          for (let r = 0; r < n; r++, i += inner) {
            const v = x[i];
            if (v < acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
      }
      out[ob + j] = acc;
    }
  }
}

/** Index of the first maximum (or minimum) along the axis; NaN counts as the extreme, like PyTorch. */
export function argReduceAxis(isMax: boolean, x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner, ob = o * inner;
    for (let j = 0; j < inner; j++) {
      let best = x[base + j], bi = 0;
      for (let r = 1; r < n && best === best; r++) {
        const v = x[base + j + r * inner];
        if (v !== v || (isMax ? v > best : v < best)) {
          best = v;
          bi = r;
        }
      }
      out[ob + j] = bi;
    }
  }
}
