/**
 * float32 convolutions in the WebAssembly conv module (wasm/conv-f32-simd.ts): the input chunk and the weight are
 * copied into its memory once, unfolded there, multiplied by the module's SIMD gemm without leaving it, and (for the
 * input gradient) folded back by `fold`; `regroup` moves rows between the gemm's and the tensors' layouts. Only whole
 * tensors cross the boundary, by bulk copies: x, w, ȳ in; y, x̄, w̄ out. (Element loops in JS over wasm memory cost
 * several times more than the gemm itself here.) Work goes slab by slab of whole samples small enough to stay in cache
 * between unfolding and multiplying. The weight gradient, and the forward where no padding is read, unfold straight
 * into the panels the gemm would pack (`unfoldPanels*`, `unfoldColumnsQuad`) and multiply with `gemmPacked`, which
 * skips the gemm's own pack of B: for ȳ·colᵀ that pack read a transposed operand one element at a time and cost as
 * much as the multiply. Same contracts as the JS kernels in conv.ts, which fall back to them when this returns false
 * (no SIMD, still compiling, or more memory than the module can address).
 */
import type { ConvGeometry } from './conv.js';
import { KC, MC } from './gemm-wasm.js';
import { buildConvF32Module, GEMM_PACKED_PARAMS, REGROUP_PARAMS, UNFOLD_PANELS_PARAMS, UNFOLD_PARAMS, UNFOLD_QUAD_PARAMS } from './wasm/conv-f32-simd.js';
import { GEMM_F32_SHAPE } from './wasm/gemm-f32-simd.js';
import { lazyWasmInstance, reserveWasmMemory, type WasmMemory } from './wasm/wasm-runtime.js';

type Fn = (...args: number[]) => void;

const instance = /* @__PURE__ */ lazyWasmInstance(buildConvF32Module, 'convolution');
const MAX_BYTES = 2 ** 31 - 65536;
const align16 = (bytes: number): number => (bytes + 15) & ~15;
const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/**
 * The weight gradient multiplies slab by slab of whole samples, each about SLAB_COLUMNS columns of col (the gemm's own
 * depth block, KC), unfolded straight into packed panels that stay in cache for the multiply. Images with more
 * output positions than MAX_SLAB_POSITIONS (one sample's slab would no longer fit in L2) use unfold + gemm instead.
 */
const SLAB_COLUMNS = KC;
const MAX_SLAB_POSITIONS = 4096;
/**
 * The forward unfolds and multiplies, and the input gradient multiplies and folds, slabs of whole samples of about this
 * many elements of col (256 KiB, so col stays in L2 between the two steps).
 */
const FORWARD_SLAB_FLOATS = 1 << 16;
/** The forward writes packed panels itself for col of at most this many rows (a panel step column, 32 KiB, in L1). */
const MAX_PACKED_FORWARD_DEPTH = 512;

/** A bump allocator over byte offsets, so each call lays out exactly the regions it uses. */
class Layout {
  end = 0;
  take(bytes: number): number {
    const at = this.end;
    this.end = align16(at + bytes);
    return at;
  }
}

/** Scratch the gemm export needs for an m×n×k product (as WasmGemmF32.run lays it out). */
function gemmScratch(layout: Layout, m: number, n: number, k: number) {
  const { mr, nr } = GEMM_F32_SHAPE;
  const kcMax = Math.min(KC, k), mcMax = Math.min(Math.ceil(MC / mr) * mr, Math.ceil(m / mr) * mr);
  return {
    scratch: layout.take(mr * nr * 4),
    packA: layout.take(mcMax * kcMax * 4),
    packB: layout.take(kcMax * Math.ceil(n / nr) * nr * 4),
    kcMax,
    mcMax,
  };
}

class ConvModule {
  private heap: Float32Array;
  private ints: Int32Array;
  private readonly gemm: Fn;
  private readonly unfoldFn: Fn;
  private readonly foldFn: Fn;
  private readonly regroupFn: Fn;
  private readonly unfoldPanelsFn: Fn;
  private readonly unfoldQuadFn: Fn;
  private readonly unfoldColumnsQuadFn: Fn;
  private readonly gemmPackedFn: Fn;

  constructor(private readonly memory: WasmMemory, exports: Record<string, unknown>) {
    this.gemm = exports.gemm as Fn;
    this.unfoldFn = exports.unfold as Fn;
    this.foldFn = exports.fold as Fn;
    this.regroupFn = exports.regroup as Fn;
    this.unfoldPanelsFn = exports.unfoldPanels as Fn;
    this.unfoldQuadFn = exports.unfoldPanelsQuad as Fn;
    this.unfoldColumnsQuadFn = exports.unfoldColumnsQuad as Fn;
    this.gemmPackedFn = exports.gemmPacked as Fn;
    this.heap = new Float32Array(memory.buffer);
    this.ints = new Int32Array(memory.buffer);
  }

  /** Grows memory to `bytes`; false if it cannot. Views are rebuilt when growing detached the old buffer. */
  private reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES || !reserveWasmMemory(this.memory, bytes)) return false;
    if (this.heap.buffer !== this.memory.buffer) {
      this.heap = new Float32Array(this.memory.buffer);
      this.ints = new Int32Array(this.memory.buffer);
    }
    return true;
  }

  /** Per kernel row [iy(0), oy0, oy1] and per kernel column [xoff, ox0, ox1]: the valid output range of each. */
  private writeTable(at: number, g: ConvGeometry): void {
    const t = this.ints;
    let k = at >> 2;
    for (let i = 0; i < g.kh; i++, k += 3) {
      const off = i * g.dh - g.ph;
      [t[k + 1], t[k + 2]] = validRange(off, g.sh, g.h, g.oh);
      t[k] = off;
    }
    for (let j = 0; j < g.kw; j++, k += 3) {
      const off = j * g.dw - g.pw;
      [t[k + 1], t[k + 2]] = validRange(off, g.sw, g.w, g.ow);
      t[k] = off;
    }
  }

  /** Per col row (ci, i, j) of one group: the byte offset of its first input element from the sample's start. */
  private writeRowOffsets(at: number, g: ConvGeometry): void {
    const t = this.ints, cg = g.c / g.groups, plane = g.h * g.w;
    let r = at >> 2;
    for (let ci = 0; ci < cg; ci++) {
      for (let i = 0; i < g.kh; i++) {
        for (let j = 0; j < g.kw; j++) t[r++] = (ci * plane + (i * g.dh - g.ph) * g.w + j * g.dw - g.pw) * 4;
      }
    }
  }

  private unfold(fn: Fn, g: ConvGeometry, x: number, col: number, tab: number, nb: number, group: number): void {
    const cg = g.c / g.groups, plane = g.h * g.w, p = g.oh * g.ow;
    const args = [x + group * cg * plane * 4, col, tab, nb, g.c * plane * 4, plane * 4, cg, g.oh, g.ow, g.kh, g.kw, g.w, g.sh, g.sw, nb * p * 4, p * 4];
    if (args.length !== UNFOLD_PARAMS.length) throw new Error('conv-wasm: unfold arguments out of date');
    fn(...args);
  }

  /** regroup (see conv-f32-simd.ts): one group's rows between the gemm matrix and the tensor layout in the heap. */
  private regroup(g: ConvGeometry, mat: number, ten: number, nb: number, group: number, toMatrix: boolean, bias = -1): void {
    const og = g.o / g.groups, p = g.oh * g.ow;
    const args = [mat, ten + group * og * p * 4, og, nb, p, g.o * p * 4, toMatrix ? 1 : 0, bias < 0 ? 0 : bias + group * og * 4, bias < 0 ? 0 : 1];
    if (args.length !== REGROUP_PARAMS.length) throw new Error('conv-wasm: regroup arguments out of date');
    this.regroupFn(...args);
  }

  forward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, chunk: number): boolean {
    const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, sample = g.c * g.h * g.w, outSample = g.o * p;
    if (k <= MAX_PACKED_FORWARD_DEPTH && quadFits(g)) return this.forwardPacked(g, x, w, bias, y, chunk);
    // Slabs of whole samples whose col stays in L2 between the unfold and the gemm's pack of it.
    const slab = Math.max(1, Math.min(chunk, Math.floor(FORWARD_SLAB_FLOATS / (k * p))));
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0), ncol = nb * p, cols = Math.min(slab, nb) * p;
      const L = new Layout();
      const gs = gemmScratch(L, og, cols, k);
      const tab = L.take((g.kh + g.kw) * 12), xs = L.take(nb * sample * 4), ws = L.take(w.length * 4), bs = L.take(g.o * 4);
      const col = L.take(k * cols * 4), out = L.take(og * ncol * 4), ys = L.take(nb * outSample * 4);
      if (!this.reserve(L.end)) return false;
      const h = this.heap;
      h.set(x.subarray(n0 * sample, (n0 + nb) * sample), xs >> 2);
      h.set(w, ws >> 2);
      if (bias) h.set(bias, bs >> 2);
      this.writeTable(tab, g);
      for (let group = 0; group < g.groups; group++) {
        for (let s0 = 0; s0 < nb; s0 += slab) {
          const sn = Math.min(slab, nb - s0), n = sn * p;
          this.unfold(this.unfoldFn, g, xs + s0 * sample * 4, col, tab, sn, group);
          // Columns [s0·p, (s0 + sn)·p) of out = W·col.
          this.gemm(og, n, k, ws + group * og * k * 4, k * 4, 4, col, n * 4, 4, out + s0 * p * 4, ncol * 4, 0, gs.packA, gs.packB, gs.scratch, gs.kcMax, gs.mcMax);
        }
        this.regroup(g, out, ys, nb, group, false, bias ? bs : -1);
      }
      y.set(h.subarray(ys >> 2, (ys >> 2) + nb * outSample), n0 * outSample);
    }
    return true;
  }

  /** The forward where unfoldColumnsQuad applies: slabs unfolded straight into packed panels, multiplied by gemmPacked. */
  private forwardPacked(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, chunk: number): boolean {
    const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, sample = g.c * g.h * g.w, outSample = g.o * p;
    const { mr, nr } = GEMM_F32_SHAPE;
    const slab = Math.max(1, Math.min(chunk, Math.floor(FORWARD_SLAB_FLOATS / (k * p))));
    const mcMax = Math.min(roundUp(MC, mr), roundUp(og, mr)), panelBytes = k * nr * 4, cg = g.c / g.groups, plane = g.h * g.w;
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0), ncol = nb * p, cols = Math.min(slab, nb) * p;
      const L = new Layout();
      const scratch = L.take(mr * nr * 4), packA = L.take(mcMax * k * 4), pb = L.take(Math.ceil(cols / nr) * panelBytes);
      const rows = L.take(k * 4), xs = L.take(nb * sample * 4), ws = L.take(w.length * 4), bs = L.take(g.o * 4);
      const out = L.take(og * ncol * 4), ys = L.take(nb * outSample * 4);
      if (!this.reserve(L.end)) return false;
      const h = this.heap;
      h.set(x.subarray(n0 * sample, (n0 + nb) * sample), xs >> 2);
      h.set(w, ws >> 2);
      if (bias) h.set(bias, bs >> 2);
      this.writeRowOffsets(rows, g);
      for (let group = 0; group < g.groups; group++) {
        for (let s0 = 0; s0 < nb; s0 += slab) {
          const sn = Math.min(slab, nb - s0);
          const args = [xs + (s0 * g.c + group * cg) * plane * 4, pb, rows, k, sn, sample * 4, g.oh, g.ow, g.sh * g.w * 4, panelBytes];
          if (args.length !== UNFOLD_QUAD_PARAMS.length) throw new Error('conv-wasm: unfoldColumnsQuad arguments out of date');
          this.unfoldColumnsQuadFn(...args);
          // Columns [s0·p, (s0 + sn)·p) of out = W·col.
          const gemmArgs = [og, sn * p, k, ws + group * og * k * 4, k * 4, 4, pb, out + s0 * p * 4, ncol * 4, 0, packA, scratch, mcMax];
          if (gemmArgs.length !== GEMM_PACKED_PARAMS.length) throw new Error('conv-wasm: gemmPacked arguments out of date');
          this.gemmPackedFn(...gemmArgs);
        }
        this.regroup(g, out, ys, nb, group, false, bias ? bs : -1);
      }
      y.set(h.subarray(ys >> 2, (ys >> 2) + nb * outSample), n0 * outSample);
    }
    return true;
  }

  inputGrad(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array, chunk: number): boolean {
    const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, sample = g.c * g.h * g.w, outSample = g.o * p;
    // Slabs of whole samples, as in the forward: each slab's col is folded back while it is still in L2.
    const slab = Math.max(1, Math.min(chunk, Math.floor(FORWARD_SLAB_FLOATS / (k * p))));
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0), ncol = nb * p, cols = Math.min(slab, nb) * p;
      const L = new Layout();
      const gs = gemmScratch(L, k, cols, og);
      const tab = L.take((g.kh + g.kw) * 12), xs = L.take(nb * sample * 4), ws = L.take(w.length * 4);
      const col = L.take(k * cols * 4), mat = L.take(og * ncol * 4), ys = L.take(nb * outSample * 4);
      if (!this.reserve(L.end)) return false;
      const h = this.heap;
      h.fill(0, xs >> 2, (xs >> 2) + nb * sample);
      h.set(w, ws >> 2);
      h.set(dy.subarray(n0 * outSample, (n0 + nb) * outSample), ys >> 2);
      this.writeTable(tab, g);
      for (let group = 0; group < g.groups; group++) {
        this.regroup(g, mat, ys, nb, group, true);
        for (let s0 = 0; s0 < nb; s0 += slab) {
          const sn = Math.min(slab, nb - s0), n = sn * p;
          // col = Wᵀ·ȳ[:, slab]: op(A)[i][q] = W[q][i], read through strides.
          this.gemm(k, n, og, ws + group * og * k * 4, 4, k * 4, mat + s0 * p * 4, ncol * 4, 4, col, n * 4, 0, gs.packA, gs.packB, gs.scratch, gs.kcMax, gs.mcMax);
          this.unfold(this.foldFn, g, xs + s0 * sample * 4, col, tab, sn, group);
        }
      }
      dx.set(h.subarray(xs >> 2, (xs >> 2) + nb * sample), n0 * sample);
    }
    return true;
  }

  weightGrad(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, chunk: number): boolean {
    if (g.oh * g.ow > MAX_SLAB_POSITIONS) return this.weightGradUnfolded(g, x, dy, dw, chunk);
    const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, sample = g.c * g.h * g.w, outSample = g.o * p;
    const { mr, nr } = GEMM_F32_SHAPE;
    const slab = Math.max(1, Math.floor(SLAB_COLUMNS / p)), kcMax = Math.min(slab, chunk, g.n) * p;
    const mcMax = Math.min(roundUp(MC, mr), roundUp(og, mr)), panels = Math.ceil(k / nr);
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0), ncol = nb * p;
      const L = new Layout();
      const scratch = L.take(mr * nr * 4), packA = L.take(mcMax * kcMax * 4), pb = L.take(panels * kcMax * nr * 4);
      const tab = L.take((g.kh + g.kw) * 12), xs = L.take(nb * sample * 4), ys = L.take(nb * outSample * 4);
      const mat = L.take(og * ncol * 4), out = L.take(og * k * 4), rows = L.take(k * 4);
      if (!this.reserve(L.end)) return false;
      const h = this.heap;
      h.set(x.subarray(n0 * sample, (n0 + nb) * sample), xs >> 2);
      h.set(dy.subarray(n0 * outSample, (n0 + nb) * outSample), ys >> 2);
      this.writeTable(tab, g);
      const cg = g.c / g.groups, plane = g.h * g.w, quad = quadFits(g);
      if (quad) this.writeRowOffsets(rows, g);
      for (let group = 0; group < g.groups; group++) {
        this.regroup(g, mat, ys, nb, group, true);
        for (let s0 = 0; s0 < nb; s0 += slab) {
          const kc = Math.min(slab, nb - s0) * p, panelBytes = kc * nr * 4;
          const xg = xs + (s0 * g.c + group * cg) * plane * 4, sn = Math.min(slab, nb - s0);
          if (quad) {
            const args = [xg, pb, rows, k, sn, sample * 4, g.oh, g.ow, g.sh * g.w * 4, panelBytes];
            if (args.length !== UNFOLD_QUAD_PARAMS.length) throw new Error('conv-wasm: unfoldPanelsQuad arguments out of date');
            this.unfoldQuadFn(...args);
          } else {
            const args = [xg, pb, tab, sn, sample * 4, plane * 4, cg, g.oh, g.ow, g.kh, g.kw, g.w, g.sh, g.sw, panelBytes];
            if (args.length !== UNFOLD_PANELS_PARAMS.length) throw new Error('conv-wasm: unfoldPanels arguments out of date');
            this.unfoldPanelsFn(...args);
          }
          // w̄ (+)= ȳ[:, slab]·colᵀ[slab, :], the first slab writing and the others accumulating.
          const gemmArgs = [og, k, kc, mat + s0 * p * 4, ncol * 4, 4, pb, out, k * 4, s0 > 0 ? 1 : 0, packA, scratch, mcMax];
          if (gemmArgs.length !== GEMM_PACKED_PARAMS.length) throw new Error('conv-wasm: gemmPacked arguments out of date');
          this.gemmPackedFn(...gemmArgs);
        }
        const base = out >> 2, wBase = group * og * k;
        for (let t = 0; t < og * k; t++) dw[wBase + t] += h[base + t];
      }
    }
    return true;
  }

  /** The weight gradient for large images: the whole chunk's col unfolded, then one gemm (which packs colᵀ itself). */
  private weightGradUnfolded(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, chunk: number): boolean {
    const og = g.o / g.groups, k = (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow, sample = g.c * g.h * g.w, outSample = g.o * p;
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0), ncol = nb * p;
      const L = new Layout();
      const gs = gemmScratch(L, og, k, ncol);
      const tab = L.take((g.kh + g.kw) * 12), xs = L.take(nb * sample * 4), ys = L.take(nb * outSample * 4);
      const col = L.take(k * ncol * 4), mat = L.take(og * ncol * 4), out = L.take(og * k * 4);
      if (!this.reserve(L.end)) return false;
      const h = this.heap;
      h.set(x.subarray(n0 * sample, (n0 + nb) * sample), xs >> 2);
      h.set(dy.subarray(n0 * outSample, (n0 + nb) * outSample), ys >> 2);
      this.writeTable(tab, g);
      for (let group = 0; group < g.groups; group++) {
        this.unfold(this.unfoldFn, g, xs, col, tab, nb, group);
        this.regroup(g, mat, ys, nb, group, true);
        // w̄ = ȳ·colᵀ: op(B)[q][r] = col[r][q].
        this.gemm(og, k, ncol, mat, ncol * 4, 4, col, 4, ncol * 4, out, k * 4, 0, gs.packA, gs.packB, gs.scratch, gs.kcMax, gs.mcMax);
        const base = out >> 2, wBase = group * og * k;
        for (let t = 0; t < og * k; t++) dw[wBase + t] += h[base + t];
      }
    }
    return true;
  }
}

/**
 * Whether unfoldPanelsQuad applies: no kernel element reads padding (every kernel row and column is valid for every
 * output row and column), stride 1 along width, and output rows a (non-zero) multiple of four long.
 */
function quadFits(g: ConvGeometry): boolean {
  if (g.sw !== 1 || g.ow % 4 !== 0 || g.ow === 0) return false;
  for (let i = 0; i < g.kh; i++) {
    const [a, b] = validRange(i * g.dh - g.ph, g.sh, g.h, g.oh);
    if (a !== 0 || b !== g.oh) return false;
  }
  for (let j = 0; j < g.kw; j++) {
    const [a, b] = validRange(j * g.dw - g.pw, g.sw, g.w, g.ow);
    if (a !== 0 || b !== g.ow) return false;
  }
  return true;
}

/** First and one-past-last output index whose input index t·stride + off lies inside [0, size). */
export function validRange(off: number, stride: number, size: number, out: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.ceil(-off / stride);
  const hi = size - 1 - off < 0 ? 0 : Math.floor((size - 1 - off) / stride) + 1;
  const a = Math.min(lo, out), b = Math.min(hi, out);
  return [a, Math.max(a, b)];
}

let shared: ConvModule | null = null;

/** The conv module, or null while it cannot run (no SIMD, or still compiling). */
export function convModule(): ConvModule | null {
  if (shared === null) {
    const inst = instance();
    if (inst) shared = new ConvModule(inst.exports.memory as WasmMemory, inst.exports);
  }
  return shared;
}
