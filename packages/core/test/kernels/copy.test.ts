/** stridedCopy against a plain index-by-index reference: permutations, broadcast (zero) strides, offsets. */
import { stridedCopy } from '../../src/kernels/copy';
import { COPY_WASM_MIN, stridedCopyWasm } from '../../src/kernels/wasm/copy';
import { COPY_SLOT_ELEMENTS } from '../../src/kernels/wasm/copy-simd';
import { Generator } from '../../src/random';
import { sizeOf, stridesOf } from '../../src/shape';

function reference(src: ArrayLike<number> & { [i: number]: number }, srcOff: number, ss: number[], shape: number[], dst: { [i: number]: number }, dstOff: number, ds: number[]): void {
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < sizeOf(shape); k++) {
    let si = srcOff, di = dstOff;
    for (let d = 0; d < shape.length; d++) { si += idx[d] * ss[d]; di += idx[d] * ds[d]; }
    dst[di] = src[si];
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
}

describe('stridedCopy', () => {
  const g = new Generator(5);
  test('random permutations of random shapes (rows short and long, size-1 dimensions)', () => {
    for (let trial = 0; trial < 200; trial++) {
      const nd = g.integer(1, 5);
      const shape = Array.from({ length: nd }, (_, d) => (g.random() < 0.2 ? 1 : g.integer(1, trial % 7 === 0 && d === nd - 1 ? 90 : 7)));
      const perm = Array.from({ length: nd }, (_, i) => i).sort(() => g.random() - 0.5);
      const srcShape = perm.map((p) => shape[p]);
      const srcStrides = stridesOf(srcShape);
      // Read the source through the permutation (a transpose); sometimes broadcast one dimension with stride 0.
      const ss = shape.map((_, d) => srcStrides[perm.indexOf(d)]);
      if (g.random() < 0.3) ss[g.integer(0, nd)] = 0;
      const ds = stridesOf(shape);
      const src = Float64Array.from({ length: sizeOf(srcShape) + 3 }, () => g.normal());
      const want = Float64Array.from({ length: sizeOf(shape) + 2 }, () => g.normal()), got = want.slice();
      reference(src, 1, ss, shape, want, 0, ds);
      stridedCopy(src, 1, ss, shape, got, 0, ds);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  test('an empty shape copies nothing; a 0-d copy moves one value', () => {
    const dst = new Float32Array([7, 7]);
    stridedCopy(new Float32Array(0), 0, [1, 1], [3, 0], dst, 0, [1, 1]);
    expect(Array.from(dst)).toEqual([7, 7]);
    stridedCopy(new Float32Array([4]), 0, [], [], dst, 1, []);
    expect(Array.from(dst)).toEqual([7, 4]);
  });
});

describe('stridedCopy of float32 and int32 in WebAssembly', () => {
  const g = new Generator(9);
  const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -3e-39, 3e38];
  /** Random bit patterns, including NaNs with payloads (compared as int32, so they must arrive bit for bit). */
  const bits = (n: number): Int32Array => Int32Array.from({ length: n }, () => (g.random() * 2 ** 32) | 0);
  // Random float32 bit patterns. JS engines may quiet a signalling NaN when a loop moves it through float64 (the JS
  // path takes small copies), so those get their quiet bit set here; quiet NaNs keep their payloads on both paths.
  const floats = (n: number): Float32Array => {
    const b = bits(n);
    for (let i = 0; i < n; i++) if ((b[i] & 0x7f800000) === 0x7f800000 && (b[i] & 0x7fffff) !== 0) b[i] |= 0x400000;
    const out = new Float32Array(b.buffer);
    for (let i = 0; i < n; i += 7) out[i] = SPECIAL[i % SPECIAL.length];
    return out;
  };

  /** A random permutation of a random shape of at least COPY_WASM_MIN elements, as stridedCopy's arguments. */
  function permutation(maxDims: number): { shape: number[]; ss: number[]; ds: number[]; srcSize: number } {
    for (;;) {
      const nd = g.integer(1, maxDims + 1);
      const shape = Array.from({ length: nd }, (_, d) => (d === nd - 1 ? g.integer(1, 40) : g.integer(1, 12)));
      if (sizeOf(shape) < COPY_WASM_MIN || sizeOf(shape) > 12000) continue;
      const perm = Array.from({ length: nd }, (_, i) => i).sort(() => g.random() - 0.5);
      const srcShape = perm.map((p) => shape[p]);
      const srcStrides = stridesOf(srcShape);
      return { shape, ss: shape.map((_, d) => srcStrides[perm.indexOf(d)]), ds: stridesOf(shape), srcSize: sizeOf(srcShape) };
    }
  }

  test('permutations of up to six dimensions, rows of every length mod 4, offsets: bit for bit, both dtypes', () => {
    let viaWasm = 0;
    for (let trial = 0; trial < 150; trial++) {
      const { shape, ss, ds, srcSize } = permutation(6);
      const f32 = trial % 2 === 0;
      const src = f32 ? floats(srcSize + 5) : bits(srcSize + 5);
      const dst = f32 ? floats(sizeOf(shape) + 3) : bits(sizeOf(shape) + 3);
      const want = new Int32Array(dst.buffer.slice(0)), got = new Int32Array(dst.buffer);
      reference(new Int32Array(src.buffer), 2, ss, shape, want, 1, ds);
      stridedCopy(src, 2, ss, shape, dst, 1, ds);
      expect(Array.from(got)).toEqual(Array.from(want));
      // The same copy straight through the module when its merged form has at most four dimensions.
      const dst2 = f32 ? new Float32Array(dst.length) : new Int32Array(dst.length);
      if (shape.length <= 4 && stridedCopyWasm(src, 2, ss, shape, dst2, 1, ds)) {
        viaWasm++;
        const got2 = new Int32Array(dst2.buffer);
        for (let i = 1; i < sizeOf(shape) + 1; i++) if (got2[i] !== want[i]) throw new Error(`trial ${trial}: element ${i} differs`);
        expect(got2[0]).toBe(0);
      }
    }
    expect(viaWasm).toBeGreaterThan(30);
  });

  test('a slice scattered into a larger destination keeps the values between its rows (sliceBackward, pad)', () => {
    for (const [rows, cols, start, len] of [[64, 192, 64, 64], [33, 37, 5, 13], [1030, 3, 1, 1], [40, 100, 97, 3]]) {
      const src = floats(rows * len), dst = floats(rows * cols);
      const want = new Int32Array(dst.buffer.slice(0));
      reference(new Int32Array(src.buffer), 0, [len, 1], [rows, len], want, start, [cols, 1]);
      stridedCopy(src, 0, [len, 1], [rows, len], dst, start, [cols, 1]);
      expect(Array.from(new Int32Array(dst.buffer))).toEqual(Array.from(want));
    }
  });

  test('broadcast (zero) source strides, and a transposed matrix (element strides in the last dimension)', () => {
    const row = floats(50), want = new Int32Array(50 * 40), got = new Float32Array(50 * 40);
    reference(new Int32Array(row.buffer), 0, [0, 1], [40, 50], want, 0, [50, 1]);
    expect(stridedCopyWasm(row, 0, [0, 1], [40, 50], got, 0, [50, 1])).toBe(true);
    expect(Array.from(new Int32Array(got.buffer))).toEqual(Array.from(want));
    const m = bits(37 * 61), wantT = new Int32Array(37 * 61), gotT = new Int32Array(37 * 61);
    reference(m, 0, [1, 61], [61, 37], wantT, 0, [37, 1]);
    expect(stridedCopyWasm(m, 0, [1, 61], [61, 37], gotT, 0, [37, 1])).toBe(true);
    expect(Array.from(gotT)).toEqual(Array.from(wantT));
  });

  test('declines, writing nothing, what it does not take: float64, mixed types, small or oversized spans, negative strides', () => {
    const n = COPY_WASM_MIN * 2;
    const untouched = (dst: { length: number; [i: number]: number }, call: () => boolean) => {
      const before = Array.from({ length: dst.length }, (_, i) => dst[i]);
      expect(call()).toBe(false);
      expect(Array.from({ length: dst.length }, (_, i) => dst[i])).toEqual(before);
    };
    const d32 = floats(n);
    untouched(new Float64Array(n), () => stridedCopyWasm(new Float64Array(n), 0, [1], [n], new Float64Array(n), 0, [1]));
    untouched(d32, () => stridedCopyWasm(bits(n), 0, [1], [n], d32, 0, [1]));
    untouched(d32, () => stridedCopyWasm(floats(n), 0, [1], [COPY_WASM_MIN - 1], d32, 0, [1]));
    untouched(d32, () => stridedCopyWasm(floats(n), n - 1, [-1], [n], d32, 0, [1]));
    const big = COPY_SLOT_ELEMENTS + 1;
    const dBig = new Float32Array(big);
    untouched(dBig, () => stridedCopyWasm(new Float32Array(big), 0, [1], [big], dBig, 0, [1]));
  });
});
