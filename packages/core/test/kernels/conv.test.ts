/**
 * The im2col convolution kernels against direct loops written from the definition, in float64 (the JS kernels, which
 * are also the float32 fallback without WebAssembly SIMD) and float32 (the WebAssembly conv module), on
 * geometries that exercise every path: one sample per gemm (written in place), several samples per gemm (regrouped),
 * several chunks (batches whose im2col matrix exceeds the budget, accumulated weight gradients), the float32 module's
 * slabs and packed panels (full and partial panels, tight, transposed-by-four and element-by-element runs, the
 * unfolded path for large images), groups, padding, stride and dilation.
 */
import { convForward, convInputGrad, convWeightGrad, type ConvGeometry } from '../../src/kernels/conv';
import { convModule } from '../../src/kernels/conv-wasm';
import { Generator } from '../../src/random';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function geometry(n: number, c: number, h: number, w: number, o: number, kh: number, kw: number,
  { s = [1, 1], p = [0, 0], d = [1, 1], groups = 1 }: { s?: number[]; p?: number[]; d?: number[]; groups?: number } = {}): ConvGeometry {
  const oh = Math.floor((h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  return { n, c, h, w, o, oh, ow, kh, kw, sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], groups };
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every product term of the convolution; the three kernels are sums of
 * x·w (into y), y·w (into x) and y·x (into w) over exactly these terms.
 */
function forEachTerm(g: ConvGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) {
      const grp = Math.floor(oc / og);
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = ((b * g.o + oc) * g.oh + oy) * g.ow + ox;
          for (let ci = 0; ci < cg; ci++) {
            for (let i = 0; i < g.kh; i++) {
              const iy = oy * g.sh - g.ph + i * g.dh;
              if (iy < 0 || iy >= g.h) continue;
              for (let j = 0; j < g.kw; j++) {
                const ix = ox * g.sw - g.pw + j * g.dw;
                if (ix < 0 || ix >= g.w) continue;
                visit(((b * g.c + grp * cg + ci) * g.h + iy) * g.w + ix, ((oc * cg + ci) * g.kh + i) * g.kw + j, yi);
              }
            }
          }
        }
      }
    }
  }
}

function random(Arr: Ctor, size: number, gen: Generator): Float32Array | Float64Array {
  const a = new Arr(size);
  for (let i = 0; i < size; i++) a[i] = gen.random() * 2 - 1;
  return a;
}

/** Checks got against the exact sums, each within the rounding bound of its number of terms. */
function expectSums(got: Float32Array | Float64Array, exact: Float64Array, bound: Float64Array, terms: number, Arr: Ctor, what: string): void {
  const u = Arr === Float32Array ? 2 ** -24 : 2 ** -53;
  for (let i = 0; i < exact.length; i++) {
    const err = Math.abs(got[i] - exact[i]);
    if (!(err <= (terms + 2) * u * bound[i] + 1e-300)) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${exact[i]} (error ${err})`);
  }
}

function checkAll(g: ConvGeometry, Arr: Ctor, seed: number, budget?: number): void {
  const gen = new Generator(seed);
  const cg = g.c / g.groups;
  const xSize = g.n * g.c * g.h * g.w, wSize = g.o * cg * g.kh * g.kw, ySize = g.n * g.o * g.oh * g.ow;
  const x = random(Arr, xSize, gen), w = random(Arr, wSize, gen), dy = random(Arr, ySize, gen), bias = random(Arr, g.o, gen);
  // The transposed convolution's bias, added per input channel of the input gradient.
  const inBias = random(Arr, g.c, gen);
  const exact = { y: new Float64Array(ySize), dx: new Float64Array(xSize), dw: new Float64Array(wSize) };
  const bound = { y: new Float64Array(ySize), dx: new Float64Array(xSize), dw: new Float64Array(wSize) };
  forEachTerm(g, (xi, wi, yi) => {
    exact.y[yi] += x[xi] * w[wi]; bound.y[yi] += Math.abs(x[xi] * w[wi]);
    exact.dx[xi] += dy[yi] * w[wi]; bound.dx[xi] += Math.abs(dy[yi] * w[wi]);
    exact.dw[wi] += dy[yi] * x[xi]; bound.dw[wi] += Math.abs(dy[yi] * x[xi]);
  });
  for (let i = 0; i < xSize; i++) {
    const ch = Math.floor(i / (g.h * g.w)) % g.c;
    exact.dx[i] += inBias[ch];
    bound.dx[i] += Math.abs(inBias[ch]);
  }
  for (let i = 0; i < ySize; i++) {
    const oc = Math.floor(i / (g.oh * g.ow)) % g.o;
    exact.y[i] += bias[oc];
    bound.y[i] += Math.abs(bias[oc]);
  }
  const where = `${JSON.stringify(g)} ${Arr.name}`;
  const y = new Arr(ySize), dx = new Arr(xSize), dw = new Arr(wSize);
  convForward(g, x, w, bias, y, budget);
  convInputGrad(g, dy, w, inBias, dx, budget);
  convWeightGrad(g, x, dy, dw, budget);
  const k = cg * g.kh * g.kw;
  expectSums(y, exact.y, bound.y, k + 1, Arr, `forward ${where}`);
  expectSums(dx, exact.dx, bound.dx, g.o * g.kh * g.kw + 1, Arr, `input grad ${where}`);
  expectSums(dw, exact.dw, bound.dw, g.n * g.oh * g.ow, Arr, `weight grad ${where}`);
}

/** name, geometry, im2col budget (null: the default). */
const GEOMETRIES: [string, ConvGeometry, number | null][] = [
  ['one sample, 3×3', geometry(1, 2, 5, 6, 3, 3, 3), null],
  ['batch, stride 2, padding 1', geometry(3, 3, 7, 6, 4, 3, 3, { s: [2, 2], p: [1, 1] }), null],
  ['dilation, asymmetric stride', geometry(2, 2, 9, 8, 2, 2, 3, { s: [1, 3], d: [3, 2], p: [2, 0] }), null],
  ['groups', geometry(2, 6, 5, 5, 4, 2, 2, { groups: 2 }), null],
  ['depthwise, padding larger than the kernel reach', geometry(2, 3, 4, 4, 3, 3, 3, { groups: 3, p: [2, 2] }), null],
  ['1-D (height 1)', geometry(3, 2, 1, 11, 3, 1, 4, { s: [1, 2], p: [0, 2] }), null],
  ['LeNet conv2 shape', geometry(2, 6, 12, 12, 16, 5, 5), null],
  // K = 30·3·3 = 270 rows of im2col: more than one 256-deep slab of the gemm's shared dimension
  ['deep im2col (K > 256), padding 1', geometry(2, 30, 5, 4, 3, 3, 3, { p: [1, 1] }), null],
  ['long rows (ow > 16)', geometry(1, 1, 3, 40, 2, 2, 3, { p: [0, 1] }), null],
  // with a budget of 4 samples' im2col matrices (4·18·5² elements), 9 samples take three chunks
  ['several chunks of several samples', geometry(9, 2, 7, 7, 3, 3, 3), 4 * 18 * 25],
  // a budget below one sample's im2col matrix: one sample per chunk
  ['several chunks of one sample', geometry(3, 4, 6, 6, 2, 2, 2, { groups: 2 }), 10],
  // float32 slabs (conv-wasm.ts): the forward unfolds ⌊2¹⁶ / (K·P)⌋ samples at a time (here 6 + 1), the weight
  // gradient ⌊256 / P⌋ (4 + 3) into packed panels, K = 150 leaving the last panel 6 of 16 lanes
  ['LeNet conv2 shape, slabs with a short last one', geometry(7, 6, 12, 12, 16, 5, 5), null],
  // P = 576 > 256: one sample per weight-gradient slab; K = 25 < 2 panels; rows of 24 (tight)
  ['LeNet conv1 shape, one sample per slab', geometry(3, 1, 28, 28, 6, 5, 5), null],
  // K = 16 fills exactly one panel; rows of 8 with no padding take the four-at-a-time loop
  ['K a multiple of the panel width', geometry(5, 4, 10, 9, 3, 2, 2), null],
  // tight rows (no horizontal padding, 8 wide) next to zero rows from vertical padding
  ['vertical padding only', geometry(3, 2, 6, 9, 5, 3, 2, { p: [2, 0] }), null],
  // strided and padded runs (element by element) over 21 + 9 samples' slabs
  ['stride 2, padding 1, two weight-gradient slabs', geometry(30, 3, 7, 6, 4, 3, 3, { s: [2, 2], p: [1, 1] }), null],
  // groups over two slabs (16 + 4 samples)
  ['groups over two slabs', geometry(20, 4, 6, 6, 4, 3, 3, { groups: 2 }), null],
  // no padding, rows of 8: the weight gradient's four-rows-at-a-time transposing unfold, here with vertical stride and
  // dilation and K = 18 (four groups of four rows, two left over)
  ['no padding: vertical stride and dilation', geometry(4, 3, 9, 12, 2, 2, 3, { s: [2, 1], d: [2, 2] }), null],
  // no padding but K = 640 > 512: the forward unfolds col and lets the gemm pack it, the weight gradient still
  // transposes four rows at a time (160 groups over 40 panels)
  ['no padding, deep im2col (K = 640)', geometry(2, 40, 6, 7, 3, 4, 4), null],
  // padding with K·P = 72·900, so ⌊2¹⁶ / (K·P)⌋ = 1: the forward (unfold + gemm) and the input gradient
  // (gemm + fold) take one sample per slab, five slabs
  ['padding, one sample per forward slab', geometry(5, 8, 30, 30, 2, 3, 3, { p: [1, 1] }), null],
  // more than 4096 output positions: the weight gradient unfolds the whole chunk and packs it in the gemm instead
  ['large image (P > 4096): unfold and gemm', geometry(1, 1, 66, 66, 2, 2, 2), null],
];

describe('convolution kernels against direct loops', () => {
  test('Node has WebAssembly SIMD, so the float32 cases below run in the conv module', () => {
    expect(convModule()).not.toBeNull();
  });

  test.each(GEOMETRIES)('%s (float64)', (_name, g, budget) => checkAll(g, Float64Array, 1, budget ?? undefined));
  test.each(GEOMETRIES)('%s (float32 through the SIMD gemm)', (_name, g, budget) => checkAll(g, Float32Array, 2, budget ?? undefined));

  test('the default budget splits a large batch into chunks and gives the same result as one chunk', () => {
    const g = geometry(3, 100, 150, 150, 2, 1, 1);
    const gen = new Generator(3);
    const x = random(Float32Array, 3 * 100 * 150 * 150, gen), w = random(Float32Array, 200, gen), dy = random(Float32Array, 3 * 2 * 150 * 150, gen);
    const chunked = new Float32Array(200), whole = new Float32Array(200);
    convWeightGrad(g, x, dy, chunked);
    convWeightGrad(g, x, dy, whole, Infinity);
    for (let i = 0; i < 200; i++) expect(Math.abs(chunked[i] - whole[i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(whole[i])));
  });
});
