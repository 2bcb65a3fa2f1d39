/** Reordering copies along one axis of a contiguous tensor viewed as [outer, n, inner]. */
import type { Storage } from './types.js';

/** out[(r + shift) mod n] = x[r] along the axis: two contiguous block copies per outer index. */
export function rollAxisK(x: Storage, out: Storage, outer: number, n: number, inner: number, shift: number): void {
  const s = ((shift % n) + n) % n;
  const block = n * inner, cut = (n - s) * inner;
  for (let o = 0; o < outer; o++) {
    const b = o * block;
    out.set(x.subarray(b, b + cut) as ArrayLike<number>, b + s * inner);
    out.set(x.subarray(b + cut, b + block) as ArrayLike<number>, b);
  }
}
