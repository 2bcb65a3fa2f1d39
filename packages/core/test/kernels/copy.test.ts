/** stridedCopy against a plain index-by-index reference: permutations, broadcast (zero) strides, offsets. */
import { stridedCopy } from '../../src/kernels/copy';
import { Generator } from '../../src/random';
import { sizeOf, stridesOf } from '../../src/shape';

function reference(src: Float64Array, srcOff: number, ss: number[], shape: number[], dst: Float64Array, dstOff: number, ds: number[]): void {
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
