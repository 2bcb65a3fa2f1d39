/**
 * A small WebAssembly assembler: enough of the binary format to write numeric kernels in TypeScript and emit their
 * bytes at module load, so the repository holds readable kernel source and no opaque binary.
 *
 * Instructions are written in WAT's folded form: `i32.add(local.get(x), i32.const(4))` yields the operands' code
 * followed by the opcode. Code is a nested list of bytes, flattened once when the module is encoded.
 */

export type Code = number | readonly Code[];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function flatten(code: Code, out: number[] = []): number[] {
  if (typeof code === 'number') out.push(code);
  else for (const c of code) flatten(c, out);
  return out;
}

function vec(items: readonly Code[]): Code[] {
  return [uleb(items.length), ...items];
}

function utf8(s: string): Code[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [uleb(bytes.length), bytes];
}

/** memarg: alignment hint (log2 bytes) and constant byte offset. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

const SIMD = 0xfd;
const simd = (op: number): number[] => [SIMD, ...uleb(op)];

export const local = {
  get: (index: number): Code => [0x20, uleb(index)],
  set: (index: number, value: Code): Code => [value, 0x21, uleb(index)],
  tee: (index: number, value: Code): Code => [value, 0x22, uleb(index)],
};

export const i32 = {
  const: (v: number): Code => [0x41, sleb(v)],
  load: (addr: Code, offset = 0): Code => [addr, 0x28, memarg(2, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x36, memarg(2, offset)],
  eqz: (a: Code): Code => [a, 0x45],
  eq: (a: Code, b: Code): Code => [a, b, 0x46],
  ne: (a: Code, b: Code): Code => [a, b, 0x47],
  ltS: (a: Code, b: Code): Code => [a, b, 0x48],
  gtS: (a: Code, b: Code): Code => [a, b, 0x4a],
  leS: (a: Code, b: Code): Code => [a, b, 0x4c],
  geS: (a: Code, b: Code): Code => [a, b, 0x4e],
  add: (a: Code, b: Code): Code => [a, b, 0x6a],
  sub: (a: Code, b: Code): Code => [a, b, 0x6b],
  mul: (a: Code, b: Code): Code => [a, b, 0x6c],
  and: (a: Code, b: Code): Code => [a, b, 0x71],
  or: (a: Code, b: Code): Code => [a, b, 0x72],
  shl: (a: Code, b: Code): Code => [a, b, 0x74],
  /** Signed minimum, written with select since wasm has no integer min. */
  minS: (a: Code, b: Code, tmpA: number, tmpB: number): Code =>
    [local.tee(tmpA, a), local.tee(tmpB, b), i32.ltS(local.get(tmpA), local.get(tmpB)), 0x1b],
};

export const f32 = {
  const: (v: number): Code => {
    const bytes = new Uint8Array(new Float32Array([v]).buffer);
    return [0x43, Array.from(bytes)];
  },
  load: (addr: Code, offset = 0): Code => [addr, 0x2a, memarg(2, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x38, memarg(2, offset)],
  add: (a: Code, b: Code): Code => [a, b, 0x92],
  sub: (a: Code, b: Code): Code => [a, b, 0x93],
  mul: (a: Code, b: Code): Code => [a, b, 0x94],
  max: (a: Code, b: Code): Code => [a, b, 0x97],
  min: (a: Code, b: Code): Code => [a, b, 0x96],
  /** Rounds an f64 to f32. */
  demoteF64: (a: Code): Code => [a, 0xb6],
};

export const f64 = {
  const: (v: number): Code => [0x44, Array.from(new Uint8Array(new Float64Array([v]).buffer))],
  load: (addr: Code, offset = 0): Code => [addr, 0x2b, memarg(3, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x39, memarg(3, offset)],
  add: (a: Code, b: Code): Code => [a, b, 0xa0],
  /** Widens an f32 to f64 (exact). */
  promoteF32: (a: Code): Code => [a, 0xbb],
};

export const v128 = {
  /** A constant from its 16 little-endian bytes. */
  const: (bytes: ArrayLike<number>): Code => [simd(0x0c), Array.from(bytes)],
  load: (addr: Code, offset = 0): Code => [addr, simd(0x00), memarg(4, offset)],
  /** Loads one f32 and broadcasts it to all four lanes (one `vbroadcastss` on x64). */
  load32Splat: (addr: Code, offset = 0): Code => [addr, simd(0x09), memarg(2, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, simd(0x0b), memarg(4, offset)],
  not: (a: Code): Code => [a, simd(0x4d)],
  and: (a: Code, b: Code): Code => [a, b, simd(0x4e)],
  andnot: (a: Code, b: Code): Code => [a, b, simd(0x4f)],
  or: (a: Code, b: Code): Code => [a, b, simd(0x50)],
  xor: (a: Code, b: Code): Code => [a, b, simd(0x51)],
  /** Bits of `a` where `mask` is 1, of `b` where it is 0 (lane masks come from the comparisons). */
  bitselect: (a: Code, b: Code, mask: Code): Code => [a, b, mask, simd(0x52)],
  zero: (): Code => [simd(0x0c), new Array<number>(16).fill(0)],
};

export const f32x4 = {
  splat: (a: Code): Code => [a, simd(0x13)],
  extractLane: (a: Code, lane: number): Code => [a, simd(0x1f), lane],
  /** All four lanes set to the constant `v` (rounded to float32). */
  splatConst: (v: number): Code => v128.const(new Uint8Array(new Float32Array([v, v, v, v]).buffer)),
  /** Lane-wise comparisons: all ones where true, zero where false (NaN compares false, except for ne). */
  eq: (a: Code, b: Code): Code => [a, b, simd(0x41)],
  ne: (a: Code, b: Code): Code => [a, b, simd(0x42)],
  lt: (a: Code, b: Code): Code => [a, b, simd(0x43)],
  gt: (a: Code, b: Code): Code => [a, b, simd(0x44)],
  le: (a: Code, b: Code): Code => [a, b, simd(0x45)],
  ge: (a: Code, b: Code): Code => [a, b, simd(0x46)],
  /** Round to nearest, ties to even. */
  nearest: (a: Code): Code => [a, simd(0x6a)],
  abs: (a: Code): Code => [a, simd(0xe0)],
  neg: (a: Code): Code => [a, simd(0xe1)],
  /** Pseudo-min `b < a ? b : a` and pseudo-max `a < b ? b : a` (one minps/maxps each): a NaN in `a` is kept. */
  pmin: (a: Code, b: Code): Code => [a, b, simd(0xea)],
  pmax: (a: Code, b: Code): Code => [a, b, simd(0xeb)],
  /** IEEE square root, correctly rounded in float32. */
  sqrt: (a: Code): Code => [a, simd(0xe3)],
  add: (a: Code, b: Code): Code => [a, b, simd(0xe4)],
  sub: (a: Code, b: Code): Code => [a, b, simd(0xe5)],
  mul: (a: Code, b: Code): Code => [a, b, simd(0xe6)],
  div: (a: Code, b: Code): Code => [a, b, simd(0xe7)],
  /**
   * Relaxed SIMD a·b + c: fused (one rounding) where the CPU has FMA, else a multiply and an add; engines without the
   * relaxed-SIMD proposal reject the module, which is the feature test.
   */
  relaxedMadd: (a: Code, b: Code, c: Code): Code => [a, b, c, simd(0x105)],
  /** IEEE-style min/max: NaN if either lane is NaN, and -0 < +0 (what Math.min / Math.max do). */
  min: (a: Code, b: Code): Code => [a, b, simd(0xe8)],
  max: (a: Code, b: Code): Code => [a, b, simd(0xe9)],
  /** Rounds both f64 lanes to f32 into lanes 0–1; lanes 2–3 become zero. */
  demoteF64x2Zero: (a: Code): Code => [a, simd(0x5e)],
};

export const f64x2 = {
  splat: (a: Code): Code => [a, simd(0x14)],
  extractLane: (a: Code, lane: number): Code => [a, simd(0x21), lane],
  /** Lanewise comparisons: all-ones (64-bit) where true. */
  eq: (a: Code, b: Code): Code => [a, b, simd(0x47)],
  ne: (a: Code, b: Code): Code => [a, b, simd(0x48)],
  lt: (a: Code, b: Code): Code => [a, b, simd(0x49)],
  gt: (a: Code, b: Code): Code => [a, b, simd(0x4a)],
  le: (a: Code, b: Code): Code => [a, b, simd(0x4b)],
  ge: (a: Code, b: Code): Code => [a, b, simd(0x4c)],
  /** IEEE-style min/max: NaN if either lane is NaN, -0 < +0 (Math.min / Math.max). */
  min: (a: Code, b: Code): Code => [a, b, simd(0xf4)],
  max: (a: Code, b: Code): Code => [a, b, simd(0xf5)],
  /** Both lanes set to the constant `v`. */
  splatConst: (v: number): Code => v128.const(new Uint8Array(new Float64Array([v, v]).buffer)),
  /** Widens f32 lanes 0–1 to two f64 lanes (exact). */
  promoteLowF32x4: (a: Code): Code => [a, simd(0x5f)],
  abs: (a: Code): Code => [a, simd(0xec)],
  neg: (a: Code): Code => [a, simd(0xed)],
  add: (a: Code, b: Code): Code => [a, b, simd(0xf0)],
  sub: (a: Code, b: Code): Code => [a, b, simd(0xf1)],
  mul: (a: Code, b: Code): Code => [a, b, simd(0xf2)],
  div: (a: Code, b: Code): Code => [a, b, simd(0xf3)],
  /** Pseudo-min `b < a ? b : a` and pseudo-max `a < b ? b : a` (one minpd/maxpd each): a NaN in `a` is kept. */
  pmin: (a: Code, b: Code): Code => [a, b, simd(0xf6)],
  pmax: (a: Code, b: Code): Code => [a, b, simd(0xf7)],
};

export const i32x4 = {
  /** Float lanes to signed int32 lanes, truncating toward zero and saturating (NaN → 0). */
  truncSatF32x4S: (a: Code): Code => [a, simd(0xf8)],
  add: (a: Code, b: Code): Code => [a, b, simd(0xae)],
  shl: (a: Code, bits: Code): Code => [a, bits, simd(0xab)],
  /** All four lanes set to the constant `v`. */
  splatConst: (v: number): Code => v128.const(new Uint8Array(new Int32Array([v, v, v, v]).buffer)),
};

export const i64x2 = {
  /** Both lanes set to the constant `v` (a safe integer). */
  splatConst: (v: number): Code => v128.const(new Uint8Array(new BigInt64Array([BigInt(v), BigInt(v)]).buffer)),
  shl: (a: Code, bits: Code): Code => [a, bits, simd(0xcb)],
  add: (a: Code, b: Code): Code => [a, b, simd(0xce)],
};

export const i8x16 = {
  /** Picks 16 bytes out of the 32 of a and b (indices 0–15 from a, 16–31 from b). */
  shuffle: (a: Code, b: Code, lanes: readonly number[]): Code => [a, b, simd(0x0d), lanes],
};

const EMPTY_BLOCK = 0x40;
const END = 0x0b;

/** `block … end`: `br(depth)` to it jumps forward past its end. */
export function block(...body: Code[]): Code {
  return [0x02, EMPTY_BLOCK, body, END];
}

/** `loop … end`: `br(depth)` to it jumps back to its start. */
export function loop(...body: Code[]): Code {
  return [0x03, EMPTY_BLOCK, body, END];
}

export function ifThen(cond: Code, then: Code[], otherwise?: Code[]): Code {
  return otherwise ? [cond, 0x04, EMPTY_BLOCK, then, 0x05, otherwise, END] : [cond, 0x04, EMPTY_BLOCK, then, END];
}

export const br = (depth: number): Code => [0x0c, uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => [cond, 0x0d, uleb(depth)];
export const call = (funcIndex: number, ...args: Code[]): Code => [args, 0x10, uleb(funcIndex)];

/**
 * `for (v = from; v < to; v += step) body` as `block { loop { br_if exit (v >= to); body; v += step; br loop } }`.
 * Inside `body`, depth 0 is the loop and depth 1 the exit block.
 */
export function forLoop(v: number, from: Code, to: Code, step: Code, ...body: Code[]): Code {
  return [
    local.set(v, from),
    block(loop(
      brIf(1, i32.geS(local.get(v), to)),
      ...body,
      local.set(v, i32.add(local.get(v), step)),
      br(0),
    )),
  ];
}

/** A function under construction: parameters come first in the local index space, then declared locals. */
export class FunctionBuilder {
  private readonly locals: ValType[] = [];
  body: Code[] = [];

  constructor(readonly name: string, readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  encodeBody(): Code {
    const groups: Code[] = this.locals.map((t) => [uleb(1), t]);
    const bytes = flatten([vec(groups), this.body, END]);
    return [uleb(bytes.length), bytes];
  }
}

/** A memory the module imports as `env.memory` instead of defining its own: fixed size, optionally shared. */
export interface ImportedMemory {
  pages: number;
  /** Shared (a SharedArrayBuffer underneath, usable from several threads); requires a fixed maximum, here `pages`. */
  shared: boolean;
}

/**
 * Encodes a module with the given functions, all exported under their names (function i has index i, which is what
 * `call` takes), and one memory: its own, exported as `memory` with `memory` pages to start (a number), or imported
 * as `env.memory` (an ImportedMemory).
 */
export function encodeModule(functions: readonly FunctionBuilder[], memory: number | ImportedMemory): Uint8Array {
  const section = (id: number, payload: Code[]): Code => {
    const bytes = flatten(payload);
    return [id, uleb(bytes.length), bytes];
  };
  const types = functions.map((f) => [0x60, vec([...f.params]), vec([...f.results])]);
  const imported = typeof memory !== 'number';
  const exports: Code[] = [
    ...(imported ? [] : [[utf8('memory'), 0x02, uleb(0)]]),
    ...functions.map((f, i) => [utf8(f.name), 0x00, uleb(i)]),
  ];
  // Memory limits: flag 0 = minimum only, 1 = minimum and maximum, 3 = shared with both.
  const limits = imported ? [memory.shared ? 0x03 : 0x01, uleb(memory.pages), uleb(memory.pages)] : [0x00, uleb(memory)];
  const bytes = flatten([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vec(types)),
    ...(imported ? [section(2, vec([[utf8('env'), utf8('memory'), 0x02, limits]]))] : []),
    section(3, vec(functions.map((_, i) => uleb(i)))),
    ...(imported ? [] : [section(5, vec([limits]))]),
    section(7, vec(exports)),
    section(10, vec(functions.map((f) => f.encodeBody()))),
  ]);
  return new Uint8Array(bytes);
}
