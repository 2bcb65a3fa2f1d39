/** Shared test helpers: comparing tensors with nested reference arrays, loading a fixture's state dict. */
import { Tensor, tensor } from '@tensorgrad/core';
import type { Module } from '../src/index.js';

export type Nested = number | Nested[];

export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

export function shapeOf(x: Nested): number[] {
  return Array.isArray(x) ? [x.length, ...(x.length > 0 ? shapeOf(x[0]) : [])] : [];
}

/**
 * Asserts `actual` has the reference's shape and every element is within atol + rtol·|expected|; the failure message names
 * the worst element.
 */
export function expectClose(actual: Tensor, expected: Nested, { atol = 1e-10, rtol = 1e-8, what = 'tensor' } = {}): void {
  expect(actual).toBeInstanceOf(Tensor);
  expect({ what, shape: actual.shape }).toEqual({ what, shape: shapeOf(expected) });
  const want = flat(expected);
  const got = Array.from(actual.data);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - (atol + rtol * Math.abs(want[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) throw new Error(`${what}: element ${worst} is ${got[worst]}, expected ${want[worst]} (atol ${atol}, rtol ${rtol})`);
}

/** A fixture's state dict as tensors for `module.loadStateDict`, each in the dtype the module holds (float64 if new). */
export function stateRecord(state: Record<string, Nested>, module: Module): Record<string, Tensor> {
  const current = module.stateDict();
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tensor(v as number[], { dtype: current[k]?.dtype ?? 'float64' })]));
}
