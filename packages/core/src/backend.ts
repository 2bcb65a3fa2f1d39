/**
 * What runs the numbers. tensorgrad computes on the CPU: plain JavaScript loops everywhere, and WebAssembly SIMD
 * kernels for float32 work (matmul, elementwise ops and reductions, activations, LayerNorm, optimizer steps,
 * convolutions, strided copies) where the engine supports 128-bit SIMD (Node ≥ 16, Chrome ≥ 91, Firefox ≥ 89,
 * Safari ≥ 16.4). Where it does not, the JS kernels compute the same results, more slowly.
 * `backendInfo()` reports which of them this engine uses, as tfjs's `getBackend()` or onnxruntime-web's `env.wasm` do.
 */
import { getNumThreads } from './kernels/gemm-threads.js';
import { wasmGemmStatus, wasmGemmUsesFma } from './kernels/gemm-wasm.js';
import { unaryWasmStatus } from './kernels/wasm/unary-f32.js';
import { FunctionBuilder, V128, encodeModule, v128 } from './kernels/wasm/wasm-builder.js';
import { hasWebAssembly, registeredKernelFamilies, wasmValidates, type KernelFamily, type WasmStatus } from './kernels/wasm/wasm-runtime.js';

export type { KernelFamily };

/**
 * The kernel behind a family of float32 kernels:
 * - `'wasm-simd'`: the WebAssembly SIMD kernel runs (for matmul from 256 multiply-adds, for unary ops from 256 elements;
 *   smaller inputs use JS loops, which are faster there);
 * - `'compiling'`: the browser is still compiling the SIMD module off the main thread; JS kernels run until it is ready;
 * - `'js'`: JS loops only (no WebAssembly, or no SIMD in this engine).
 */
export type KernelChoice = 'wasm-simd' | 'compiling' | 'js';

export interface BackendInfo {
  /** Always 'cpu': there is no GPU backend. */
  backend: 'cpu';
  /** Whether the engine has WebAssembly at all. */
  webAssembly: boolean;
  /** Whether it accepts WebAssembly 128-bit SIMD instructions. */
  simd: boolean;
  /** Whether the matmul kernel multiplies with relaxed SIMD's fused multiply-add (Node 22+, recent browsers). */
  fma: boolean;
  /** Threads large float32 matrix products may use (see `setNumThreads`). */
  threads: number;
  /**
   * Kernels for float32 tensors (float64 and int32 always use JS loops, which compute in double precision). `matmul`
   * and `unary` are always reported; each other family is reported when this program contains its module (a bundle
   * that never uses, say, convolutions leaves that kernel, and its entry here, out).
   */
  kernels: {
    /** `matmul`, `linear`, and every layer built on them. */
    matmul: KernelChoice;
    /** `exp`, `tanh`, `sigmoid`, `sqrt` (and composites built on them, such as softmax). */
    unary: KernelChoice;
  } & Partial<Record<KernelFamily, KernelChoice>>;
}

let simdProbe: boolean | null = null;

/** A one-function module returning a v128 constant: the engine validates it exactly when it has SIMD. */
function engineHasSimd(): boolean {
  if (simdProbe === null) {
    const probe = new FunctionBuilder('probe', [], [V128]);
    probe.body = [v128.zero()];
    simdProbe = wasmValidates(encodeModule([probe], 0));
  }
  return simdProbe;
}

const choice = (status: WasmStatus): KernelChoice => (status === 'ready' ? 'wasm-simd' : status === 'compiling' ? 'compiling' : 'js');

/**
 * Reports the engine's WebAssembly and SIMD support and which kernels tensorgrad uses for float32 tensors. The first
 * call builds and compiles the SIMD modules (a few milliseconds) if no op has needed them yet.
 *
 * ```ts
 * backendInfo();
 * // Node 20: { backend: 'cpu', webAssembly: true, simd: true, fma: false, threads: 2,
 * //   kernels: { matmul: 'wasm-simd', unary: 'wasm-simd', elementwise: 'wasm-simd', gelu: 'wasm-simd', layerNorm: 'wasm-simd',
 * //              optimizers: 'wasm-simd', convolution: 'wasm-simd', copy: 'wasm-simd' } }
 * ```
 */
export function backendInfo(): BackendInfo {
  const webAssembly = hasWebAssembly();
  return {
    backend: 'cpu',
    webAssembly,
    simd: webAssembly && engineHasSimd(),
    fma: wasmGemmUsesFma(),
    threads: getNumThreads(),
    kernels: {
      matmul: choice(wasmGemmStatus()), unary: choice(unaryWasmStatus()),
      ...Object.fromEntries([...registeredKernelFamilies()].map(([family, status]) => [family, choice(status())])),
    },
  };
}
