/**
 * Loading of generated WebAssembly modules, typed locally: the project compiles without the DOM library and
 * @types/node 20 does not declare the WebAssembly global, so the few members used here are described below.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A compiled module (WebAssembly.Module): instantiable many times, and transferable to worker threads. */
export type WasmModule = object;

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ module: WasmModule; instance: WasmInstance }>;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Whether the engine has a WebAssembly global (looked up once, when this module loads). */
export function hasWebAssembly(): boolean {
  return wasmApi !== undefined;
}

/** Whether the engine accepts these bytes, e.g. whether it has the SIMD instructions they use. */
export function wasmValidates(bytes: Uint8Array): boolean {
  return wasmApi !== undefined && wasmApi.validate(bytes);
}

/**
 * Instantiates `bytes` synchronously when the engine allows it and returns the instance. Otherwise (browsers refuse
 * synchronous compilation of large modules on the main thread) it returns null and calls `onReady` once an
 * asynchronous instantiation finishes, or `onFail` if that fails too.
 */
export function instantiateWasm(
  bytes: Uint8Array, onReady: (instance: WasmInstance) => void, onFail: () => void, imports: object = {},
): WasmInstance | null {
  if (wasmApi === undefined) {
    onFail();
    return null;
  }
  try {
    return new wasmApi.Instance(new wasmApi.Module(bytes), imports);
  } catch {
    wasmApi.instantiate(bytes, imports).then(({ instance }) => onReady(instance), onFail);
    return null;
  }
}

/** Compiles `bytes` synchronously, or returns null where the engine refuses (then use instantiateWasm). */
export function compileWasmSync(bytes: Uint8Array): WasmModule | null {
  try {
    return wasmApi === undefined ? null : new wasmApi.Module(bytes);
  } catch {
    return null;
  }
}

export function instantiateModule(module: WasmModule, imports: object): WasmInstance {
  return new (wasmApi as WasmApi).Instance(module, imports);
}

/**
 * A fixed-size memory (`pages` of 64 KiB, never grown) to import into modules; shared (usable from worker threads)
 * when asked and the engine allows it. Null when the engine cannot create it.
 */
export function createWasmMemory(pages: number, shared: boolean): WasmMemory | null {
  try {
    return wasmApi === undefined ? null : new wasmApi.Memory({ initial: pages, maximum: pages, shared });
  } catch {
    return null;
  }
}

/** Where a lazily built module stands: running, still compiling asynchronously (browsers), or never going to run. */
export type WasmStatus = 'ready' | 'compiling' | 'unavailable';

/** The float32 kernel families that backendInfo() reports beside matmul and the unary ops. */
export type KernelFamily = 'elementwise' | 'gelu' | 'layerNorm' | 'optimizers' | 'convolution' | 'copy';

/**
 * The families whose module this program contains, with their status getters: a module registers when it is loaded,
 * so a bundle that left a family out (tree shaking) does not report it, and backendInfo() pulls in no kernel itself.
 */
const kernelFamilies = new Map<KernelFamily, () => WasmStatus>();

/** The registered kernel families and their status getters (each getter builds its module on first call). */
export function registeredKernelFamilies(): ReadonlyMap<KernelFamily, () => WasmStatus> {
  return kernelFamilies;
}

/** The getter `lazyWasmInstance` returns, with a `status()` that builds the module if that has not happened yet. */
export interface LazyWasmInstance {
  (): WasmInstance | null;
  status(): WasmStatus;
}

/**
 * A module built and instantiated on first use. The returned getter gives the instance, or null while it is
 * unavailable: the engine rejects the bytes (e.g. lacks SIMD), or asynchronous compilation has not finished yet.
 */
export function lazyWasmInstance(build: () => Uint8Array, family?: KernelFamily): LazyWasmInstance {
  let status: 'unloaded' | 'loading' | 'ready' | 'unavailable' = 'unloaded';
  let instance: WasmInstance | null = null;
  const adopt = (i: WasmInstance): void => {
    instance = i;
    status = 'ready';
  };
  const get = (): WasmInstance | null => {
    if (status === 'unloaded') {
      const bytes = build();
      // Validation fails exactly when the engine lacks a feature the bytes use, which makes it the feature test.
      if (!wasmValidates(bytes)) {
        status = 'unavailable';
      } else {
        status = 'loading';
        const i = instantiateWasm(bytes, adopt, () => { status = 'unavailable'; });
        if (i) adopt(i);
      }
    }
    return instance;
  };
  const currentStatus = (): WasmStatus => {
    get();
    return status === 'ready' ? 'ready' : status === 'loading' ? 'compiling' : 'unavailable';
  };
  if (family !== undefined) kernelFamilies.set(family, currentStatus);
  return Object.assign(get, { status: currentStatus });
}

/** Grows `memory` to at least `bytes`; false if the engine refuses (or the size is past the 2 GiB the kernels address). */
export function reserveWasmMemory(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  if (bytes > 2 ** 31) return false;
  try {
    memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}
