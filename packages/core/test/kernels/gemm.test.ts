import { gemm, gemmBatched } from '../../src/kernels/gemm';
import { gemmReference } from '../../src/kernels/gemm-reference';
import { gemmSmall, gemmTiled } from '../../src/kernels/gemm-js';
import { BLOCK, gemmWasmF32, wasmGemmAvailable, wasmGemmUsesFma, WasmGemmF32 } from '../../src/kernels/gemm-wasm';
import { getNumThreads, LoadMonitor, setNumThreads } from '../../src/kernels/gemm-threads';
import { buildGemmF32Module, GEMM_F32_SHAPE, type GemmF32Shape } from '../../src/kernels/wasm/gemm-f32-simd';
import type { FloatArray } from '../../src/kernels/types';
import { Generator } from '../../src/random';

type Kernel = (
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOff: number, b: FloatArray, bOff: number, out: FloatArray, oOff: number,
) => void;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

function wasmKernel(run: typeof gemmWasmF32): Kernel {
  return (ta, tb, m, n, k, a, ao, b, bo, out, oo) => {
    const ran = run(ta, tb, m, n, k, a as Float32Array, ao, b as Float32Array, bo, out as Float32Array, oo);
    if (!ran) throw new Error('wasm gemm declined to run');
  };
}

const JS_KERNELS: Record<string, Kernel> = { gemmSmall, gemmTiled, gemm };

/**
 * Multiplies random operands placed at random offsets inside larger arrays and checks every output against the
 * reference computed in float64 from the same values, element by element, with the rounding-error bound of a k-term
 * dot product: |got − exact| ≤ (k + 2)·u·Σ|a||b| (u = unit round-off of the dtype). An indexing mistake is off by
 * O(Σ|a||b|), far outside that bound. Values outside the output window must be left untouched.
 */
function check(kernel: Kernel, Arr: Ctor, m: number, n: number, k: number, transA: boolean, transB: boolean, g: Generator): void {
  const aOff = g.integer(0, 7), bOff = g.integer(0, 7), oOff = g.integer(0, 7);
  const a = new Arr(aOff + m * k + 3), b = new Arr(bOff + k * n + 3);
  for (let i = 0; i < a.length; i++) a[i] = g.random() * 2 - 1;
  for (let i = 0; i < b.length; i++) b[i] = g.random() * 2 - 1;
  const out = new Arr(oOff + m * n + 3).fill(Number.NaN);
  kernel(transA, transB, m, n, k, a, aOff, b, bOff, out, oOff);

  const exact = new Float64Array(m * n), bound = new Float64Array(m * n);
  gemmReference(transA, transB, m, n, k, Float64Array.from(a), aOff, Float64Array.from(b), bOff, exact, 0);
  gemmReference(transA, transB, m, n, k, Float64Array.from(a, Math.abs), aOff, Float64Array.from(b, Math.abs), bOff, bound, 0);
  const u = Arr === Float32Array ? 2 ** -24 : 2 ** -53;
  const where = `${m}×${n}×${k} transA=${transA} transB=${transB} ${Arr.name}`;
  for (let i = 0; i < m * n; i++) {
    const err = Math.abs(out[oOff + i] - exact[i]);
    if (!(err <= (k + 2) * u * bound[i])) {
      throw new Error(`${where}: out[${i}] = ${out[oOff + i]}, expected ${exact[i]} (error ${err}, bound ${(k + 2) * u * bound[i]})`);
    }
  }
  for (let i = 0; i < oOff; i++) expect(out[i]).toBeNaN();
  for (let i = oOff + m * n; i < out.length; i++) expect(out[i]).toBeNaN();
}

/** Sizes around every tile and block edge: JS tiles are 3×4 with kc = 256, mc = 96; wasm 2×16 with kc = mc = 256. */
const EDGE_SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 7, 5], [7, 1, 5], [2, 16, 1], [3, 4, 8], [5, 17, 3], [4, 15, 9], [13, 33, 31],
  [97, 5, 257], [6, 40, 513], [257, 18, 7], [33, 31, 256],
];

function randomShapes(g: Generator, count: number, maxDim: number): Array<[number, number, number]> {
  return Array.from({ length: count }, () => [g.integer(1, maxDim), g.integer(1, maxDim), g.integer(1, maxDim)] as [number, number, number]);
}

describe('gemm kernels against the reference', () => {
  for (const [name, kernel] of Object.entries(JS_KERNELS)) {
    for (const Arr of [Float32Array, Float64Array]) {
      test(`${name} ${Arr.name}: edge tiles, odd sizes, all transposes, offsets`, () => {
        const g = new Generator(11);
        const shapes = [...EDGE_SHAPES, ...randomShapes(g, 12, 70)];
        for (const [m, n, k] of shapes) for (const [ta, tb] of TRANSPOSES) check(kernel, Arr, m, n, k, ta, tb, g);
      });
    }
  }

  test('the WebAssembly SIMD kernel is available in Node', () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  test('gemmWasmF32: edge tiles, odd sizes, all transposes, offsets', () => {
    const g = new Generator(12);
    const shapes = [...EDGE_SHAPES, ...randomShapes(g, 16, 90), [300, 290, 270] as [number, number, number]];
    for (const [m, n, k] of shapes) for (const [ta, tb] of TRANSPOSES) check(wasmKernel(gemmWasmF32), Float32Array, m, n, k, ta, tb, g);
  });

  // The generator takes any tile shape; other shapes exercise code paths the default 2×16 does not (vector packing
  // of A when MR is a multiple of 4, several accumulator rows per broadcast).
  for (const shape of [{ mr: 4, nr: 8 }, { mr: 3, nr: 12 }, { mr: 1, nr: 4 }] as GemmF32Shape[]) {
    test(`generated module with tile ${shape.mr}×${shape.nr} matches the reference`, () => {
      const kernel = WasmGemmF32.create(shape);
      if (!kernel) throw new Error('Node compiles small modules synchronously');
      const g = new Generator(13);
      for (const [m, n, k] of [...EDGE_SHAPES, ...randomShapes(g, 6, 60)]) {
        for (const [ta, tb] of TRANSPOSES) check(wasmKernel(kernel.run.bind(kernel)), Float32Array, m, n, k, ta, tb, g);
      }
    });
  }

  test('the relaxed-SIMD FMA kernel is used exactly when the engine validates it, and matches the reference', () => {
    const fma = WasmGemmF32.create({ ...GEMM_F32_SHAPE, fma: true });
    expect(wasmGemmUsesFma()).toBe(fma !== null);
    // Node 20 has relaxed SIMD only behind a flag: `node --experimental-wasm-relaxed-simd node_modules/jest/bin/jest.js`.
    if (fma === null) return;
    const g = new Generator(19);
    for (const [m, n, k] of [...EDGE_SHAPES, ...randomShapes(g, 8, 70)]) {
      for (const [ta, tb] of TRANSPOSES) check(wasmKernel(fma.run.bind(fma)), Float32Array, m, n, k, ta, tb, g);
    }
  });

  test('buildGemmF32Module rejects a tile width that is not a whole number of vectors', () => {
    expect(() => buildGemmF32Module({ pages: 1, shared: false }, { mr: 2, nr: 6 })).toThrow(/nr must be a multiple of 4, got 6/);
  });

  for (const [name, kernel] of Object.entries({ ...JS_KERNELS, gemmWasmF32: wasmKernel(gemmWasmF32) })) {
    test(`${name}: k = 0 gives zeros and empty outputs are left alone`, () => {
      const out = new Float32Array([5, 5, 5, 5, 5, 5, 5]);
      kernel(false, false, 2, 3, 0, new Float32Array(0), 0, new Float32Array(0), 0, out, 1);
      expect(Array.from(out)).toEqual([5, 0, 0, 0, 0, 0, 0]);
      const untouched = new Float32Array([9, 9]);
      kernel(false, true, 0, 2, 4, new Float32Array(0), 0, new Float32Array(8), 0, untouched, 0);
      kernel(true, false, 2, 0, 4, new Float32Array(8), 0, new Float32Array(0), 0, untouched, 0);
      expect(Array.from(untouched)).toEqual([9, 9]);
    });
  }

  test('non-finite values propagate like the reference (zero padding of edge tiles stays out of the result)', () => {
    const m = 5, n = 19, k = 7;
    for (const [name, kernel] of Object.entries({ ...JS_KERNELS, gemmWasmF32: wasmKernel(gemmWasmF32) })) {
      const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(1);
      a[2 * k + 3] = Number.POSITIVE_INFINITY; // row 2 of A
      b[4 * n + 18] = Number.NaN; // column 18 of B, the last, in an edge tile
      const out = new Float32Array(m * n), ref = new Float32Array(m * n);
      kernel(false, false, m, n, k, a, 0, b, 0, out, 0);
      gemmReference(false, false, m, n, k, a, 0, b, 0, ref, 0);
      expect({ name, out: Array.from(out) }).toEqual({ name, out: Array.from(ref) });
    }
  });

  test('products larger than a block are cut into blocks, and wasm memory keeps its size', () => {
    const kernel = WasmGemmF32.create(GEMM_F32_SHAPE);
    if (!kernel) throw new Error('Node compiles small modules synchronously');
    const bytes = kernel.memoryBytes;
    const g = new Generator(15);
    const shapes: Array<[number, number, number]> = [[BLOCK + 3, 17, 5], [5, BLOCK + 21, 9], [7, 9, BLOCK + 11]];
    for (const [m, n, k] of shapes) for (const [ta, tb] of TRANSPOSES) check(wasmKernel(kernel.run.bind(kernel)), Float32Array, m, n, k, ta, tb, g);
    check(wasmKernel(kernel.run.bind(kernel)), Float32Array, BLOCK + 1, 19, BLOCK + 2, true, false, g);
    check(wasmKernel(kernel.run.bind(kernel)), Float32Array, 2 * BLOCK + 5, 3, 2 * BLOCK + 1, false, true, g);
    expect(kernel.memoryBytes).toBe(bytes);
    expect(bytes).toBeLessThan(20 * 2 ** 20);
  });

  test('gemmBatched: batches of small products (some operands shared between batch elements) equal one gemm per element', () => {
    const g = new Generator(20);
    for (const [m, n, k, count] of [[16, 16, 16, 128], [5, 7, 9, 11], [2, 33, 3, 4], [30, 20, 40, 3]] as const) {
      for (const [ta, tb] of TRANSPOSES) {
        const a = Float32Array.from({ length: count * m * k }, () => g.random() - 0.5), b = Float32Array.from({ length: 2 * k * n }, () => g.random() - 0.5);
        // A advances with the batch; B alternates between two matrices (a broadcast batch dimension repeats offsets).
        const aOffs = Int32Array.from({ length: count }, (_, i) => i * m * k), bOffs = Int32Array.from({ length: count }, (_, i) => (i % 2) * k * n);
        const got = new Float32Array(count * m * n), want = new Float32Array(count * m * n);
        gemmBatched(ta, tb, m, n, k, a, aOffs, b, bOffs, got);
        for (let i = 0; i < count; i++) gemm(ta, tb, m, n, k, a, aOffs[i], b, bOffs[i], want, i * m * n);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  test('gemm dispatches float32 products of every size to a correct kernel, including repeated calls', () => {
    const g = new Generator(14);
    for (const [m, n, k] of [[2, 2, 2], [6, 6, 6], [1, 300, 40], [300, 1, 40], [64, 64, 64], [200, 130, 150], [40, 520, 90]] as const) {
      check(gemm, Float32Array, m, n, k, false, true, g);
    }
  });
});

describe('the second thread', () => {
  const LARGE: Array<[number, number, number]> = [[300, 290, 270], [520, 64, 200], [64, 600, 130], [257, 255, 131]];

  // 'always': the tests must exercise the worker even on a loaded machine, where the default kernel leaves it idle.
  test('a product gives the same result while the worker is still starting (this thread takes the remaining tasks)', () => {
    const kernel = WasmGemmF32.create(GEMM_F32_SHAPE, 'always');
    if (!kernel) throw new Error('Node compiles small modules synchronously');
    const g = new Generator(16);
    for (const [m, n, k] of LARGE) for (const [ta, tb] of TRANSPOSES) check(wasmKernel(kernel.run.bind(kernel)), Float32Array, m, n, k, ta, tb, g);
  });

  test('once the worker runs it computes tasks, and every product still matches the reference', async () => {
    const kernel = WasmGemmF32.create(GEMM_F32_SHAPE, 'always');
    if (!kernel) throw new Error('Node compiles small modules synchronously');
    const g = new Generator(17);
    check(wasmKernel(kernel.run.bind(kernel)), Float32Array, 300, 290, 270, false, false, g);
    // Give the worker time to start, then run products until it has taken part (the machine may be busy).
    for (let attempt = 0; attempt < 50 && kernel.workerTasks === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const [m, n, k] of LARGE) for (const [ta, tb] of TRANSPOSES) check(wasmKernel(kernel.run.bind(kernel)), Float32Array, m, n, k, ta, tb, g);
    }
    expect(kernel.workerTasks).toBeGreaterThan(0);
  });

  test('setNumThreads(1) keeps products on one thread; it takes positive integers', async () => {
    const before = getNumThreads();
    try {
      setNumThreads(1);
      const kernel = WasmGemmF32.create(GEMM_F32_SHAPE, 'always');
      if (!kernel) throw new Error('Node compiles small modules synchronously');
      const g = new Generator(18);
      for (let i = 0; i < 3; i++) {
        check(wasmKernel(kernel.run.bind(kernel)), Float32Array, 300, 290, 270, false, true, g);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(kernel.workerTasks).toBe(0);
      expect(() => setNumThreads(0)).toThrow(/setNumThreads: n must be a positive integer, got 0/);
      expect(() => setNumThreads(1.5)).toThrow(/got 1.5/);
    } finally {
      setNumThreads(before);
    }
  });

  test('threads run only while the machine’s CPU time, less this process’s own, leaves a core free', () => {
    // Two cores whose busy and idle milliseconds advance as each step says, this process's CPU time likewise, and a
    // clock that moves 300 ms per step (the monitor looks again after 250 ms).
    let busy = 0, idle = 0, ours = 0, clock = 0;
    const os = { cpus: () => [0, 1].map(() => ({ times: { user: busy / 2, nice: 0, sys: 0, irq: 0, idle: idle / 2 } })) };
    const proc = { cpuUsage: () => ({ user: ours * 1000, system: 0 }) };
    const spy = jest.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const monitor = new LoadMonitor(os, proc);
      const step = (machineBusy: number, processBusy: number): boolean => {
        busy += machineBusy * 300;
        idle += (2 - machineBusy) * 300;
        ours += processBusy * 300;
        clock += 300;
        return monitor.secondCoreFree();
      };
      expect(monitor.secondCoreFree()).toBe(true); // nothing to compare yet
      expect(step(1.1, 1)).toBe(true); // this process busy on one core, the other (nearly) idle
      expect(step(2, 1)).toBe(false); // another program keeps the second core busy
      expect(step(1.6, 0.2)).toBe(false); // others use 1.4 cores
      expect(step(1.3, 1.1)).toBe(true); // a little noise besides this process's two threads
    } finally {
      spy.mockRestore();
    }
  });
});
