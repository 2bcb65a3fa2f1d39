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

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

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
  bytes: Uint8Array, onReady: (instance: WasmInstance) => void, onFail: () => void,
): WasmInstance | null {
  if (wasmApi === undefined) {
    onFail();
    return null;
  }
  try {
    return new wasmApi.Instance(new wasmApi.Module(bytes), {});
  } catch {
    wasmApi.instantiate(bytes, {}).then(({ instance }) => onReady(instance), onFail);
    return null;
  }
}
