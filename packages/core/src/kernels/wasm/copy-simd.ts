/**
 * The strided copy behind permute, slice and their scatters (kernels/copy.ts) for arrays of 4-byte elements (float32,
 * int32), as a WebAssembly SIMD module written with the assembler in wasm-builder.ts. JS loops over typed arrays move
 * ~0.5 elements per ns here; copying the source into linear memory, rearranging it there and copying the result out
 * (two native memcpys) is several times faster for the short rows of an attention head transpose. Elements are moved
 * as raw 32-bit patterns, so every value (NaN payloads, −0) arrives bit for bit.
 *
 * Layout: the source span at byte 0, the destination span at DST. Both functions walk at most four dimensions
 * n0 × n1 × n2 × n3 with byte strides; `copyRows` needs the last dimension contiguous in both (whole rows, 16 bytes at a
 * time), `copyStrided` takes any last-dimension strides (one element at a time).
 */
import { block, brIf, encodeModule, forLoop, FunctionBuilder, I32, i32, local, loop, br, v128 } from './wasm-builder.js';
import type { Code } from './wasm-builder.js';

/** Elements of each slot: 1 MiB each for the source and the destination span. */
export const COPY_SLOT_ELEMENTS = 1 << 18;
/** Byte address of the destination slot. */
export const DST = COPY_SLOT_ELEMENTS * 4;
const PAGES = (2 * DST) / 65536;

/**
 * The three outer loops shared by both functions: calls `row(sp, dp)` with the byte addresses of each row's first
 * element. Parameters: n0 n1 n2 n3, s0 s1 s2 s3, d0 d1 d2 d3 (strides in bytes); the source starts at 0, the destination
 * at DST.
 */
function walk(name: string, row: (f: FunctionBuilder, sp: number, dp: number, n3: number, s3: number, d3: number) => Code[]): FunctionBuilder {
  const f = new FunctionBuilder(name, new Array(12).fill(I32));
  const [n0, n1, n2, n3, s0, s1, s2, s3, d0, d1, d2, d3] = Array.from({ length: 12 }, (_, i) => i);
  const a = f.local(I32), b = f.local(I32), c = f.local(I32), sp = f.local(I32), dp = f.local(I32);
  const body = row(f, sp, dp, n3, s3, d3);
  f.body = [
    forLoop(a, i32.const(0), local.get(n0), i32.const(1),
      forLoop(b, i32.const(0), local.get(n1), i32.const(1),
        forLoop(c, i32.const(0), local.get(n2), i32.const(1),
          local.set(sp, i32.add(i32.add(i32.mul(local.get(a), local.get(s0)), i32.mul(local.get(b), local.get(s1))), i32.mul(local.get(c), local.get(s2)))),
          local.set(dp, i32.add(i32.add(i32.add(i32.mul(local.get(a), local.get(d0)), i32.mul(local.get(b), local.get(d1))), i32.mul(local.get(c), local.get(d2))), i32.const(DST))),
          ...body,
        ),
      ),
    ),
  ];
  return f;
}

/** A contiguous row of n3 elements: 16 bytes at a time, then the last n3 mod 4 one by one. */
function rowBody(f: FunctionBuilder, sp: number, dp: number, n3: number): Code[] {
  const end = f.local(I32), end4 = f.local(I32);
  return [
    local.set(end, i32.add(local.get(sp), i32.shl(local.get(n3), i32.const(2)))),
    local.set(end4, i32.add(local.get(sp), i32.shl(i32.and(local.get(n3), i32.const(~3)), i32.const(2)))),
    block(loop(
      brIf(1, i32.geS(local.get(sp), local.get(end4))),
      v128.store(local.get(dp), v128.load(local.get(sp))),
      local.set(sp, i32.add(local.get(sp), i32.const(16))),
      local.set(dp, i32.add(local.get(dp), i32.const(16))),
      br(0),
    )),
    block(loop(
      brIf(1, i32.geS(local.get(sp), local.get(end))),
      i32.store(local.get(dp), i32.load(local.get(sp))),
      local.set(sp, i32.add(local.get(sp), i32.const(4))),
      local.set(dp, i32.add(local.get(dp), i32.const(4))),
      br(0),
    )),
  ];
}

/** A row of n3 elements with byte strides s3 and d3. */
function stridedBody(f: FunctionBuilder, sp: number, dp: number, n3: number, s3: number, d3: number): Code[] {
  const k = f.local(I32);
  return [
    forLoop(k, i32.const(0), local.get(n3), i32.const(1),
      i32.store(local.get(dp), i32.load(local.get(sp))),
      local.set(sp, i32.add(local.get(sp), local.get(s3))),
      local.set(dp, i32.add(local.get(dp), local.get(d3))),
    ),
  ];
}

export function buildCopyModule(): Uint8Array {
  return encodeModule([
    walk('copyRows', (f, sp, dp, n3) => rowBody(f, sp, dp, n3)),
    walk('copyStrided', stridedBody),
  ], PAGES);
}
