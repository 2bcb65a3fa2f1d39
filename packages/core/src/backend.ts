/**
 * What runs the numbers. tensorgrad computes on the CPU: plain JavaScript loops everywhere, and WebAssembly SIMD
 * kernels for float32 matmul and for exp/tanh/sigmoid/sqrt where the engine supports 128-bit SIMD (Node ≥ 16, Chrome
 * ≥ 91, Firefox ≥ 89, Safari ≥ 16.4). Where it does not, the JS kernels compute the same results, more slowly.
 * `backendInfo()` reports which of them this engine uses, as tfjs's `getBackend()` or onnxruntime-web's `env.wasm` do.
 */
import { wasmGemmStatus } from './kernels/gemm-wasm.js';
import { unaryWasmStatus } from './kernels/wasm/unary-f32.js';
import { FunctionBuilder, V128, encodeModule, v128 } from './kernels/wasm/wasm-builder.js';
import { hasWebAssembly, wasmValidates, type WasmStatus } from './kernels/wasm/wasm-runtime.js';

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
  /** Kernels for float32 tensors (float64 and int32 always use JS loops, which compute in double precision). */
  kernels: {
    /** `matmul`, `linear`, and every layer built on them. */
    matmul: KernelChoice;
    /** `exp`, `tanh`, `sigmoid`, `sqrt` (and composites built on them, such as softmax). */
    unary: KernelChoice;
  };
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
 * // Node 20: { backend: 'cpu', webAssembly: true, simd: true, kernels: { matmul: 'wasm-simd', unary: 'wasm-simd' } }
 * ```
 */
export function backendInfo(): BackendInfo {
  const webAssembly = hasWebAssembly();
  return {
    backend: 'cpu',
    webAssembly,
    simd: webAssembly && engineHasSimd(),
    kernels: { matmul: choice(wasmGemmStatus()), unary: choice(unaryWasmStatus()) },
  };
}
