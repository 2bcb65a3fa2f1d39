/**
 * Sorting and top-k selection along one axis of a tensor viewed as [outer, n, inner], in PyTorch's order: -0 equals 0,
 * NaN is larger than everything (first when descending), and equal values keep their original order (stable).
 *
 * Each value becomes an unsigned key whose integer order is the value order (sign bit flipped for positives, all bits
 * flipped for negatives; descending flips all bits again), so no comparison ever looks at a float. 32-bit values
 * (float32, int32) sort as one packed 64-bit number `key · 2³² + position` in a BigUint64Array with the engine's native
 * numeric sort, which is stable by construction because the position is part of the key. float64 keys need 64 bits,
 * so they sort as an index array compared on (high word, low word, position). Short rows use insertion sort.
 */
import type { Storage } from './types.js';

const SMALL = 24;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Scratch space for one row, allocated once per call. */
class RowKeys {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly order: Int32Array;
  private readonly f32: Float32Array;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly w64: Uint32Array;
  private packed: BigUint64Array | null = null;
  private packedWords: Uint32Array | null = null;

  constructor(readonly n: number, readonly wide: boolean) {
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(wide ? n : 0);
    this.order = new Int32Array(n);
    this.f32 = new Float32Array(1);
    this.u32 = new Uint32Array(this.f32.buffer);
    this.f64 = new Float64Array(1);
    this.w64 = new Uint32Array(this.f64.buffer);
  }

  /** Fills the keys of row (base, stride) of x; `flip` inverts them so that ascending key order is descending value order. */
  load(x: Storage, base: number, stride: number, flip: boolean): void {
    const { n, hi, lo } = this;
    const inv = flip ? 0xffffffff : 0;
    if (x instanceof Int32Array) {
      for (let r = 0; r < n; r++) hi[r] = ((x[base + r * stride] ^ 0x80000000) ^ inv) >>> 0;
    } else if (!this.wide) {
      const f = this.f32, u = this.u32;
      for (let r = 0; r < n; r++) {
        const v = x[base + r * stride];
        let k: number;
        if (v !== v) k = 0xffffffff;
        else {
          f[0] = v + 0; // -0 + 0 is +0: both zeros get one key
          const b = u[0];
          k = b & 0x80000000 ? ~b : b | 0x80000000;
        }
        hi[r] = (k ^ inv) >>> 0;
      }
    } else {
      const f = this.f64, w = this.w64;
      const h = LITTLE_ENDIAN ? 1 : 0, l = 1 - h;
      for (let r = 0; r < n; r++) {
        const v = x[base + r * stride];
        let kh: number, kl: number;
        if (v !== v) kh = kl = 0xffffffff;
        else {
          f[0] = v + 0;
          const bh = w[h], bl = w[l];
          if (bh & 0x80000000) { kh = ~bh; kl = ~bl; } else { kh = bh | 0x80000000; kl = bl; }
        }
        hi[r] = (kh ^ inv) >>> 0;
        lo[r] = (kl ^ inv) >>> 0;
      }
    }
  }

  /** True when position a sorts before position b. */
  before(a: number, b: number): boolean {
    const { hi, lo } = this;
    if (hi[a] !== hi[b]) return hi[a] < hi[b];
    if (this.wide && lo[a] !== lo[b]) return lo[a] < lo[b];
    return a < b;
  }

  /** Sorts the first m entries of `order` (positions) by key, stably. */
  sortOrder(m: number): void {
    const order = this.order;
    if (m <= SMALL) {
      for (let i = 1; i < m; i++) {
        const p = order[i];
        let j = i - 1;
        while (j >= 0 && this.before(p, order[j])) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = p;
      }
    } else if (!this.wide && LITTLE_ENDIAN) {
      if (this.packed === null || this.packed.length < m) {
        this.packed = new BigUint64Array(this.n);
        this.packedWords = new Uint32Array(this.packed.buffer);
      }
      const words = this.packedWords as Uint32Array, hi = this.hi;
      for (let i = 0; i < m; i++) {
        const p = order[i];
        words[2 * i] = p;
        words[2 * i + 1] = hi[p];
      }
      this.packed.subarray(0, m).sort();
      for (let i = 0; i < m; i++) order[i] = words[2 * i];
    } else {
      order.subarray(0, m).sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
    }
  }

  /** Puts the k positions with the smallest keys in order[0..k) (unordered), by a bounded max-heap: O(n log k). */
  selectSmallest(k: number): void {
    const { n, order } = this;
    for (let i = 0; i < k; i++) {
      order[i] = i;
      this.siftUp(i);
    }
    for (let p = k; p < n; p++) {
      if (this.before(p, order[0])) {
        order[0] = p;
        this.siftDown(k);
      }
    }
  }

  private siftUp(i: number): void {
    const order = this.order;
    const p = order[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(order[parent], p)) break;
      order[i] = order[parent];
      i = parent;
    }
    order[i] = p;
  }

  private siftDown(k: number): void {
    const order = this.order;
    const p = order[0];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= k) break;
      if (c + 1 < k && this.before(order[c], order[c + 1])) c++;
      if (!this.before(p, order[c])) break;
      order[i] = order[c];
      i = c;
    }
    order[i] = p;
  }
}

/** Writes the first m positions of `order` and the values found there into row (outBase, stride) of the outputs. */
function emit(keys: RowKeys, m: number, x: Storage, base: number, stride: number, values: Storage, indices: Int32Array, outBase: number): void {
  const order = keys.order;
  for (let r = 0; r < m; r++) {
    const p = order[r];
    indices[outBase + r * stride] = p;
    values[outBase + r * stride] = x[base + p * stride];
  }
}

/** Sorts every row along the axis into `values` and `indices` (same [outer, n, inner] layout as x). */
export function sortK(x: Storage, outer: number, n: number, inner: number, descending: boolean, values: Storage, indices: Int32Array): void {
  const keys = new RowKeys(n, x instanceof Float64Array);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      keys.load(x, base, inner, descending);
      for (let r = 0; r < n; r++) keys.order[r] = r;
      keys.sortOrder(n);
      emit(keys, n, x, base, inner, values, indices, base);
    }
  }
}

/**
 * The k largest (or smallest) of every row into `values`/`indices` of layout [outer, k, inner], best first when `sorted`,
 * else in their original order. Small k against long rows select with a heap instead of sorting the whole row.
 */
export function topkK(x: Storage, outer: number, n: number, inner: number, k: number, largest: boolean, sorted: boolean, values: Storage, indices: Int32Array): void {
  if (k === 0) return;
  const keys = new RowKeys(n, x instanceof Float64Array);
  const heap = k * 8 < n;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      keys.load(x, base, inner, largest);
      if (heap) keys.selectSmallest(k);
      else {
        for (let r = 0; r < n; r++) keys.order[r] = r;
        keys.sortOrder(n);
      }
      if (sorted && heap) keys.sortOrder(k);
      else if (!sorted) keys.order.subarray(0, k).sort();
      emit(keys, k, x, base, inner, values, indices, o * k * inner + j);
    }
  }
}
