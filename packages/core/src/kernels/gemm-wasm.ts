/**
 * Runs the float32 WebAssembly SIMD matrix multiply (wasm/gemm-f32-simd.ts) on JS typed arrays.
 *
 * The module works in one fixed-size linear memory (about 15 MiB, grown once at creation): the product is cut on the JS side into
 * blocks of at most BLOCK rows, columns and shared-dimension steps; each block's operands are copied into the memory,
 * multiplied there (accumulating over the blocks of the shared dimension) and the result copied back. The copies are
 * O(n²) per O(n³) block, and memory stays bounded whatever the sizes: a 4096×4096 product no longer leaves hundreds of
 * megabytes of wasm memory behind.
 *
 * Large blocks are split into tasks shared with a worker thread when one is available (gemm-threads.ts). The module is
 * built and compiled on first use; where synchronous compilation is refused (browsers, on the main thread) it compiles
 * asynchronously and `gemmWasmF32` reports "not run" until it is ready, so callers fall back to the JS kernels.
 */
import { buildGemmF32Module, GEMM_F32_SHAPE, type GemmF32Shape } from './wasm/gemm-f32-simd.js';
import {
  compileWasmSync, createWasmMemory, instantiateModule, instantiateWasm, reserveWasmMemory, wasmValidates,
  type WasmInstance, type WasmMemory, type WasmStatus,
} from './wasm/wasm-runtime.js';
import { GemmThreads, type GemmJob, type PackRegion } from './gemm-threads.js';

type GemmExport = (
  m: number, n: number, k: number, a: number, aRs: number, aCs: number, b: number, bRs: number, bCs: number,
  c: number, ldc: number, accumulate: number, packA: number, packB: number, scratch: number, kcMax: number, mcMax: number,
) => void;

/**
 * Block sizes of the micro-kernel's loops: a kc×NR panel of B (16 KiB) stays in L1 while an mc×kc block of A (256 KiB)
 * stays in L2. Measured flat (±3%) for kc in 128…512 and mc in 64…256 at n = 256…1024.
 */
export const KC = 256;
export const MC = 256;
/** Rows, columns and shared-dimension steps of the blocks copied into wasm memory at once (4 MiB per operand). */
export const BLOCK = 1024;
/** Threads that may work on one product: this one and at most one worker. */
const MAX_THREADS = 2;

const align64 = (bytes: number): number => (bytes + 63) & ~63;
const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Byte offsets in the fixed memory: each thread's packing buffers, then the A, B and C blocks. */
function layout({ mr, nr }: GemmF32Shape) {
  const scratch = align64(mr * nr * 4), packA = align64(roundUp(MC, mr) * KC * 4), packB = align64(KC * roundUp(BLOCK, nr) * 4);
  const perThread = scratch + packA + packB;
  const packs: PackRegion[] = Array.from({ length: MAX_THREADS }, (_, t) => ({
    scratch: t * perThread, packA: t * perThread + scratch, packB: t * perThread + scratch + packA,
  }));
  const a = MAX_THREADS * perThread, b = a + BLOCK * BLOCK * 4, c = b + BLOCK * BLOCK * 4;
  return { packs, a, b, c, pages: Math.ceil((c + BLOCK * BLOCK * 4) / 65536) };
}

/** One instance of the gemm module, its memory, and the JS side of its calling convention. */
export class WasmGemmF32 {
  private readonly heap: Float32Array;
  private readonly gemmExport: GemmExport;
  private readonly layout: ReturnType<typeof layout>;
  /** Which blocks the A and B regions hold ('i0,p0' and 'j0,p0'), so blocks reused by the next step are not copied again. */
  private aBlock = '';
  private bBlock = '';

  private constructor(
    private readonly memory: WasmMemory, instance: WasmInstance, private readonly shape: GemmF32Shape,
    private readonly threads: GemmThreads | null,
  ) {
    this.heap = new Float32Array(memory.buffer);
    this.gemmExport = instance.exports.gemm as GemmExport;
    this.layout = layout(shape);
  }

  /**
   * Builds and instantiates the module with tile `shape`. With `threaded`, where the engine allows it, on a shared memory
   * with a worker thread to help with large products while the machine has a core free (`'always'`, for tests: even when
   * it does not); otherwise with a memory of its own. Null when the engine cannot compile the module synchronously or
   * lacks the SIMD instructions it uses.
   */
  static create(shape: GemmF32Shape = GEMM_F32_SHAPE, threaded: boolean | 'always' = false): WasmGemmF32 | null {
    const { pages } = layout(shape);
    if (threaded && GemmThreads.supported()) {
      const bytes = buildGemmF32Module({ pages, shared: true }, shape);
      const memory = createWasmMemory(pages, true);
      const module = memory !== null && wasmValidates(bytes) ? compileWasmSync(bytes) : null;
      if (memory !== null && module !== null) {
        const threads = new GemmThreads(module, memory, layout(shape).packs[1], threaded !== 'always');
        return new WasmGemmF32(memory, instantiateModule(module, { env: { memory } }), shape, threads);
      }
    }
    const bytes = buildGemmF32Module(null, shape);
    if (!wasmValidates(bytes)) return null;
    const module = compileWasmSync(bytes);
    return module === null ? null : WasmGemmF32.fromInstance(instantiateModule(module, {}), shape);
  }

  /**
   * @internal An instance of the module built with its own memory (`buildGemmF32Module(null, shape)`), as the
   * asynchronous path gets it; its memory grows once to the fixed size. Null if it cannot.
   */
  static fromInstance(instance: WasmInstance, shape: GemmF32Shape): WasmGemmF32 | null {
    const memory = instance.exports.memory as WasmMemory;
    if (!reserveWasmMemory(memory, layout(shape).pages * 65536)) return null;
    return new WasmGemmF32(memory, instance, shape, null);
  }

  /** Whether this instance's micro-kernel uses relaxed SIMD's fused multiply-add. */
  get fma(): boolean {
    return this.shape.fma ?? false;
  }

  /** Bytes of linear memory the module works in (fixed at creation). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** @internal Tasks a worker thread has computed for this instance so far (0 without threads). */
  get workerTasks(): number {
    return this.threads?.workerTasks ?? 0;
  }

  /** Same contract as `gemm`; returns true (the kernel ran). */
  run(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, aOff: number, b: Float32Array, bOff: number, out: Float32Array, oOff: number,
  ): boolean {
    if (m === 0 || n === 0) return true;
    if (k === 0) {
      out.fill(0, oOff, oOff + m * n);
      return true;
    }
    this.aBlock = this.bBlock = '';
    for (let i0 = 0; i0 < m; i0 += BLOCK) {
      const mb = Math.min(BLOCK, m - i0);
      for (let j0 = 0; j0 < n; j0 += BLOCK) {
        const nb = Math.min(BLOCK, n - j0);
        for (let p0 = 0; p0 < k; p0 += BLOCK) {
          const kb = Math.min(BLOCK, k - p0);
          // op(A)'s block, stored as it is stored in A: [mb][kb] rows of A, or [kb][mb] when A is transposed.
          const [aRs, aCs] = transA ? [4, mb * 4] : [kb * 4, 4];
          const aKey = `${i0},${p0}`;
          if (this.aBlock !== aKey) {
            if (transA) this.copyBlock(a, aOff, m, p0, i0, kb, mb, this.layout.a);
            else this.copyBlock(a, aOff, k, i0, p0, mb, kb, this.layout.a);
            this.aBlock = aKey;
          }
          const bKey = `${j0},${p0}`;
          if (this.bBlock !== bKey) {
            if (transB) this.copyBlock(b, bOff, k, j0, p0, nb, kb, this.layout.b);
            else this.copyBlock(b, bOff, n, p0, j0, kb, nb, this.layout.b);
            this.bBlock = bKey;
          }
          const [bRs, bCs] = transB ? [4, kb * 4] : [nb * 4, 4];
          this.multiply({
            m: mb, n: nb, k: kb, a: this.layout.a, aRs, aCs, b: this.layout.b, bRs, bCs,
            c: this.layout.c, ldc: nb * 4, accumulate: p0 > 0 ? 1 : 0, kcMax: Math.min(KC, kb), mcMax: Math.min(roundUp(MC, this.shape.mr), roundUp(mb, this.shape.mr)),
          });
        }
        // C's block back into out's rows.
        const c = this.layout.c >> 2;
        if (nb === n) out.set(this.heap.subarray(c, c + mb * n), oOff + i0 * n);
        else for (let r = 0; r < mb; r++) out.set(this.heap.subarray(c + r * nb, c + (r + 1) * nb), oOff + (i0 + r) * n + j0);
      }
    }
    return true;
  }

  /**
   * A batch of small products at once: out[i] = op(A at aOffs[i])·op(B at bOffs[i]) for i < aOffs.length, each result
   * m×n and stored one after the other. When A, B and the outputs each fit in their block region they are copied in
   * and out once, and only the multiplications run per batch element (attention's many 16×16 products would otherwise
   * pay a JS round trip each). Returns false, having done nothing, when they do not fit.
   */
  runBatched(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, aOffs: Int32Array, b: Float32Array, bOffs: Int32Array, out: Float32Array, oOff: number,
  ): boolean {
    const count = aOffs.length, region = BLOCK * BLOCK;
    if (count * m * n > region || a.length > region || b.length > region || k === 0 || m === 0 || n === 0) return false;
    const L = this.layout;
    this.heap.set(a, L.a >> 2);
    this.heap.set(b, L.b >> 2);
    this.aBlock = this.bBlock = '';
    const [aRs, aCs] = transA ? [4, m * 4] : [k * 4, 4];
    const [bRs, bCs] = transB ? [4, k * 4] : [n * 4, 4];
    const p = L.packs[0], kcMax = Math.min(KC, k), mcMax = Math.min(roundUp(MC, this.shape.mr), roundUp(m, this.shape.mr));
    for (let i = 0; i < count; i++) {
      this.gemmExport(m, n, k, L.a + aOffs[i] * 4, aRs, aCs, L.b + bOffs[i] * 4, bRs, bCs, L.c + i * m * n * 4, n * 4, 0, p.packA, p.packB, p.scratch, kcMax, mcMax);
    }
    out.set(this.heap.subarray(L.c >> 2, (L.c >> 2) + count * m * n), oOff);
    return true;
  }

  /** Copies rows r0… (`rows` of them) and columns c0… (`cols`) of a row-major matrix with `ld` columns to `dst`, packed. */
  private copyBlock(src: Float32Array, off: number, ld: number, r0: number, c0: number, rows: number, cols: number, dst: number): void {
    const heap = this.heap, d = dst >> 2, start = off + r0 * ld + c0;
    if (cols === ld) heap.set(src.subarray(start, start + rows * cols), d);
    else for (let r = 0; r < rows; r++) heap.set(src.subarray(start + r * ld, start + r * ld + cols), d + r * cols);
  }

  /** One block's product, on this thread alone or shared with the worker. */
  private multiply(job: GemmJob): void {
    if (this.threads?.run(job, (j, t) => this.call(j, t))) return;
    this.call(job, 0);
  }

  private call(j: GemmJob, thread: number): void {
    const p = this.layout.packs[thread];
    this.gemmExport(j.m, j.n, j.k, j.a, j.aRs, j.aCs, j.b, j.bRs, j.bCs, j.c, j.ldc, j.accumulate, p.packA, p.packB, p.scratch, j.kcMax, j.mcMax);
  }
}

let shared: WasmGemmF32 | null | undefined;
let loading = false;

/**
 * The default kernel: with relaxed SIMD's fused multiply-add where the engine has it (Node 22+, recent browsers, or
 * Node 20 with --experimental-wasm-relaxed-simd; ~20% faster here), else with separate multiplies and adds.
 */
function kernel(): WasmGemmF32 | null {
  if (shared === undefined) {
    shared = WasmGemmF32.create({ ...GEMM_F32_SHAPE, fma: true }, true) ?? WasmGemmF32.create(GEMM_F32_SHAPE, true);
    if (shared === null && !loading) loadAsync();
  }
  return shared;
}

/** Whether the default kernel multiplies with relaxed SIMD's fused multiply-add (feature-detected at first use). */
export function wasmGemmUsesFma(): boolean {
  return kernel()?.fma ?? false;
}

/** Whether the SIMD module runs ('ready'), is still compiling, or is unavailable here; the first call builds it. */
export function wasmGemmStatus(): WasmStatus {
  return kernel() !== null ? 'ready' : loading ? 'compiling' : 'unavailable';
}

/** Where synchronous compilation is refused: compile in the background and use the kernel once ready. */
function loadAsync(): void {
  const bytes = buildGemmF32Module(null);
  if (!wasmValidates(bytes)) return;
  loading = true;
  const done = (instance: WasmInstance | null): void => {
    shared = instance && WasmGemmF32.fromInstance(instance, GEMM_F32_SHAPE);
    loading = false;
  };
  const instance = instantiateWasm(bytes, done, () => done(null));
  if (instance) done(instance);
}

/** Whether the SIMD kernel can run now; the first call builds and compiles the module. */
export function wasmGemmAvailable(): boolean {
  return kernel() !== null;
}

/**
 * out[oOff…] = op(A)·op(B) for float32 operands, same contract as `gemm`. Returns false without touching `out` when
 * the SIMD kernel cannot run (no SIMD support, or still compiling).
 */
export function gemmWasmF32(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, out: Float32Array, oOff: number,
): boolean {
  const kern = kernel();
  return kern !== null && kern.run(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff);
}

/**
 * A batch of float32 products (see WasmGemmF32.runBatched): false, with `out` untouched, when the SIMD kernel cannot
 * run or the batch does not fit its memory; callers then multiply one batch element at a time.
 */
export function gemmBatchedWasmF32(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, aOffs: Int32Array, b: Float32Array, bOffs: Int32Array, out: Float32Array, oOff: number,
): boolean {
  const kern = kernel();
  return kern !== null && kern.runBatched(transA, transB, m, n, k, a, aOffs, b, bOffs, out, oOff);
}
