/**
 * backendInfo(): what this engine supports and which float32 kernels run, including the two fallbacks a browser can
 * show (an engine without SIMD, and the SIMD module still compiling asynchronously), simulated with a stand-in
 * WebAssembly global in a fresh module registry.
 */
import { backendInfo, getNumThreads, matmul, randn, setNumThreads, tensor } from '@tensorgrad/core';
import type * as Core from '../src/index';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: unknown;
  Instance: unknown;
  instantiate(bytes: Uint8Array, imports: object): Promise<unknown>;
}
// The project compiles without the DOM library, whose types declare the WebAssembly global.
const realWasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Loads a fresh copy of core with `fake` as the WebAssembly global (undefined removes it) while its modules load. */
function coreWith(fake: unknown): typeof Core {
  let core: typeof Core | undefined;
  const g = globalThis as { WebAssembly?: unknown };
  try {
    if (fake === undefined) delete g.WebAssembly;
    else g.WebAssembly = fake;
    jest.isolateModules(() => {
      core = require('../src/index') as typeof Core;
    });
    // The first backendInfo() call builds and validates the modules: it must see the stand-in too.
    core!.backendInfo();
  } finally {
    g.WebAssembly = realWasm;
  }
  return core!;
}

/** A [24, 16]·[16, 20] float32 product (7,680 multiply-adds: the SIMD kernel when it runs), checked against float64. */
function checkMatmul(core: typeof Core): void {
  const a = core.randn([24, 16], { generator: new core.Generator(1) });
  const b = core.randn([16, 20], { generator: new core.Generator(2) });
  const got = core.matmul(a, b).data;
  const want = core.matmul(a.to('float64'), b.to('float64')).data;
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
}

/** Every float32 kernel family a Node program (which loads all of core) reports, all with the same status. */
const FAMILIES = ['matmul', 'unary', 'elementwise', 'copy', 'gelu', 'layerNorm', 'optimizers', 'convolution'] as const;
const every = (choice: string): Record<string, string> => Object.fromEntries(FAMILIES.map((f) => [f, choice]));

describe('backendInfo', () => {
  test('Node 20 has WebAssembly SIMD, and every float32 kernel family uses it', () => {
    expect(backendInfo()).toEqual({ backend: 'cpu', webAssembly: true, simd: true, fma: false, threads: getNumThreads(), kernels: every('wasm-simd') });
    // And the SIMD matmul really is what computes: same numbers as float64, to float32 precision.
    const a = randn([30, 40]);
    const b = randn([40, 50]);
    const got = matmul(a, b).data;
    const want = matmul(a.to('float64'), b.to('float64')).data;
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
    expect(tensor([0, 1]).exp().toArray()).toEqual([1, Math.fround(Math.E)]);
  });

  test('without WebAssembly: JS kernels, same results', () => {
    const core = coreWith(undefined);
    expect(core.backendInfo()).toEqual({ backend: 'cpu', webAssembly: false, simd: false, fma: false, threads: core.getNumThreads(), kernels: every('js') });
    checkMatmul(core);
  });

  test('an engine without SIMD (validation fails): JS kernels', () => {
    const core = coreWith({ ...realWasm, validate: () => false, Module: realWasm.Module, Instance: realWasm.Instance, instantiate: realWasm.instantiate });
    expect(core.backendInfo()).toEqual({ backend: 'cpu', webAssembly: true, simd: false, fma: false, threads: core.getNumThreads(), kernels: every('js') });
    checkMatmul(core);
  });

  test('a browser that compiles asynchronously: "compiling" with JS kernels, then "wasm-simd"', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const browserLike = {
      validate: (bytes: Uint8Array) => realWasm.validate(bytes),
      // Chrome refuses synchronous compilation of modules over 4 KB on the main thread.
      Module: function Module() { throw new RangeError('WebAssembly.Compile is disallowed on the main thread'); },
      Instance: realWasm.Instance,
      instantiate: async (bytes: Uint8Array, imports: object) => {
        await gate;
        return realWasm.instantiate(bytes, imports);
      },
    };
    const core = coreWith(browserLike);
    expect(core.backendInfo()).toEqual({ backend: 'cpu', webAssembly: true, simd: true, fma: false, threads: core.getNumThreads(), kernels: every('compiling') });
    checkMatmul(core);
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(core.backendInfo().kernels).toEqual(every('wasm-simd'));
    checkMatmul(core);
  });
});

test('setNumThreads shows in backendInfo().threads', () => {
  const before = getNumThreads();
  try {
    setNumThreads(1);
    expect(backendInfo().threads).toBe(1);
  } finally {
    setNumThreads(before);
  }
});
