/**
 * The float32 WebAssembly SIMD matrix multiply, written with the assembler in wasm-builder.ts and encoded at load.
 *
 * Layout follows the GotoBLAS/BLIS scheme: for each slab of `kc` columns of op(A) (rows of op(B)), op(B) is packed
 * into panels of NR columns stored [kc][NR]; for each block of `mc` rows, op(A) is packed into panels of MR rows
 * stored [kc][MR]. The micro-kernel then keeps an MR×NR tile of C in SIMD registers (MR·NR/4 f32x4 accumulators) and
 * per step of k does NR/4 vector loads of B, MR broadcast loads of A and MR·NR/4 multiply-adds. Packing makes both
 * streams contiguous, turns transposed operands into plain strides, and zero-pads edge panels so the inner loop never
 * branches on the matrix edge; only the store of an edge tile goes through a scratch tile.
 */
import {
  brIf, call, encodeModule, f32, f32x4, forLoop, FunctionBuilder, I32, i32, ifThen, local, loop, v128,
  V128, type Code, type ImportedMemory,
} from './wasm-builder.js';

export interface GemmF32Shape {
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile, a multiple of 4. */
  nr: number;
  /** Multiply-add with relaxed SIMD's f32x4.relaxed_madd (FMA) instead of f32x4.mul + f32x4.add. */
  fma?: boolean;
}

/**
 * Tile shape chosen by measurement (Node 20, x64): 2×16 keeps 8 accumulators, 4 B vectors and 2 broadcasts in 14 of
 * the 15 SIMD registers V8 allocates, and ran at ~62 GFLOP/s against ~50 for 4×8 and ≤ 47 for 3×12, 5×8, 6×8, 2×12.
 * The k loop is not unrolled: unrolled bodies let TurboFan hoist the loads of later steps, which spills accumulators
 * (2×16 unrolled by 2 ran at ~35 GFLOP/s).
 */
export const GEMM_F32_SHAPE: GemmF32Shape = { mr: 2, nr: 16 };

/** Function indices, in the order buildGemmF32Module lists them (exported for functions appended to the module). */
export const PACK_A = 0, PACK_B = 1, MICRO = 2;

/**
 * pack(src, strideW, strideP, depth, width, dst): copies a depth×width block of a strided matrix into panels of W
 * columns, each stored [depth][W]: dst[panel][p][w] = src[(panel·W + w)·strideW + p·strideP]. Byte strides.
 * Columns past `width` in the last panel are written as zeros.
 */
function packFunction(name: string, W: number): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32, I32, I32, I32, I32]);
  const [src, sw, sp, depth, width, dst] = [0, 1, 2, 3, 4, 5];
  const w0 = f.local(I32), w = f.local(I32), valid = f.local(I32), p = f.local(I32), q = f.local(I32), d = f.local(I32);
  const t0 = f.local(I32), t1 = f.local(I32);
  const panelBytes = i32.mul(local.get(depth), i32.const(W * 4));

  // Contiguous panel columns (strideW = 4 bytes) and a full panel: per step of depth, copy the W adjacent floats,
  // four at a time with vector loads where W allows. Reading along the contiguous direction matters: walking down
  // a column instead (the path below) touches a new cache line per element.
  const rowCopy: Code[] = [
    local.set(q, local.get(src)),
    local.set(d, local.get(dst)),
    forLoop(p, i32.const(0), local.get(depth), i32.const(1),
      ...Array.from({ length: W >> 2 }, (_, v) => v128.store(local.get(d), v128.load(local.get(q), v * 16), v * 16)),
      ...Array.from({ length: W & 3 }, (_, s) => {
        const off = (W & ~3) * 4 + s * 4;
        return f32.store(local.get(d), f32.load(local.get(q), off), off);
      }),
      local.set(q, i32.add(local.get(q), local.get(sp))),
      local.set(d, i32.add(local.get(d), i32.const(W * 4))),
    ),
  ];
  // Any strides: one column of the panel at a time, so reads run along strideP; missing columns become zeros.
  const scalarCopy: Code[] = [
    forLoop(w, i32.const(0), i32.const(W), i32.const(1),
      local.set(q, i32.add(local.get(src), i32.mul(local.get(w), local.get(sw)))),
      local.set(d, i32.add(local.get(dst), i32.shl(local.get(w), i32.const(2)))),
      ifThen(i32.ltS(local.get(w), local.get(valid)), [
        forLoop(p, i32.const(0), local.get(depth), i32.const(1),
          f32.store(local.get(d), f32.load(local.get(q))),
          local.set(q, i32.add(local.get(q), local.get(sp))),
          local.set(d, i32.add(local.get(d), i32.const(W * 4))),
        ),
      ], [
        forLoop(p, i32.const(0), local.get(depth), i32.const(1),
          f32.store(local.get(d), f32.const(0)),
          local.set(d, i32.add(local.get(d), i32.const(W * 4))),
        ),
      ]),
    ),
  ];
  f.body = [
    forLoop(w0, i32.const(0), local.get(width), i32.const(W),
      local.set(valid, i32.minS(i32.const(W), i32.sub(local.get(width), local.get(w0)), t0, t1)),
      ifThen(i32.and(i32.eq(local.get(valid), i32.const(W)), i32.eq(local.get(sw), i32.const(4))), rowCopy, scalarCopy),
      local.set(src, i32.add(local.get(src), i32.mul(local.get(sw), i32.const(W)))),
      local.set(dst, i32.add(local.get(dst), panelBytes)),
    ),
  ];
  return f;
}

/**
 * micro(kc, pa, pb, c, ldc, accumulate, rows, cols, scratch): C[0:rows, 0:cols] (+)= Apanel · Bpanel, with C at
 * byte address c and row stride ldc bytes. The full MR×NR tile is computed; edge tiles are written via `scratch`.
 */
function microFunction({ mr, nr, fma = false }: GemmF32Shape): FunctionBuilder {
  const nv = nr / 4;
  const f = new FunctionBuilder('micro', [I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [kc, pa, pb, c, ldc, accumulate, rows, cols, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const acc = Array.from({ length: mr }, () => Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const p = f.local(I32), i = f.local(I32), j = f.local(I32), addr = f.local(I32), row = f.local(I32);

  const step: Code[] = [
    ...bv.map((b, v) => local.set(b, v128.load(local.get(pb), v * 16))),
    ...acc.flatMap((accRow, r) => [
      local.set(av, v128.load32Splat(local.get(pa), r * 4)),
      ...accRow.map((a, v) => local.set(a, fma
        ? f32x4.relaxedMadd(local.get(av), local.get(bv[v]), local.get(a))
        : f32x4.add(local.get(a), f32x4.mul(local.get(av), local.get(bv[v]))))),
    ]),
    local.set(pa, i32.add(local.get(pa), i32.const(mr * 4))),
    local.set(pb, i32.add(local.get(pb), i32.const(nr * 4))),
  ];
  const rowAddr = (r: number): Code => i32.add(local.get(c), i32.mul(local.get(ldc), i32.const(r)));
  const storeFull = (add: boolean): Code[] => acc.flatMap((accRow, r) => [
    local.set(addr, rowAddr(r)),
    ...accRow.map((a, v) => v128.store(local.get(addr),
      add ? f32x4.add(v128.load(local.get(addr), v * 16), local.get(a)) : local.get(a), v * 16)),
  ]);
  const scratchAddr = i32.add(local.get(scratch), i32.shl(i32.add(i32.mul(local.get(i), i32.const(nr)), local.get(j)), i32.const(2)));
  const storeEdge = (add: boolean): Code[] => [
    forLoop(i, i32.const(0), local.get(rows), i32.const(1),
      local.set(row, i32.add(local.get(c), i32.mul(local.get(i), local.get(ldc)))),
      forLoop(j, i32.const(0), local.get(cols), i32.const(1),
        local.set(addr, i32.add(local.get(row), i32.shl(local.get(j), i32.const(2)))),
        f32.store(local.get(addr), add ? f32.add(f32.load(local.get(addr)), f32.load(scratchAddr)) : f32.load(scratchAddr)),
      ),
    ),
  ];
  f.body = [
    ...acc.flat().map((a) => local.set(a, v128.zero())),
    // kc ≥ 1 always, so the loop tests at its bottom.
    local.set(p, local.get(kc)),
    loop(
      ...step,
      brIf(0, local.tee(p, i32.sub(local.get(p), i32.const(1)))),
    ),
    ifThen(i32.and(i32.eq(local.get(rows), i32.const(mr)), i32.eq(local.get(cols), i32.const(nr))), [
      ifThen(local.get(accumulate), storeFull(true), storeFull(false)),
    ], [
      ...acc.flatMap((accRow, r) => accRow.map((a, v) => v128.store(local.get(scratch), local.get(a), (r * nr + v * 4) * 4))),
      ifThen(local.get(accumulate), storeEdge(true), storeEdge(false)),
    ]),
  ];
  return f;
}

/**
 * gemm(m, n, k, a, aRs, aCs, b, bRs, bCs, c, ldc, accumulate, packA, packB, scratch, kcMax, mcMax):
 * C = op(A)·op(B), or C += op(A)·op(B) when `accumulate` is non-zero, with op(A)[i][p] at a + i·aRs + p·aCs and
 * op(B)[p][j] at b + p·bRs + j·bCs (byte strides), and C[i][j] at c + i·ldc + 4j. Requires k ≥ 1; packA holds
 * mcMax·kcMax floats (mcMax rounded up to MR), packB kcMax·⌈n/NR⌉·NR, scratch MR·NR.
 */
function gemmFunction({ mr, nr }: GemmF32Shape): FunctionBuilder {
  const f = new FunctionBuilder('gemm', Array(17).fill(I32));
  const [m, n, k, a, aRs, aCs, b, bRs, bCs, c, ldc, accumulate, packA, packB, scratch, kcMax, mcMax] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const pc = f.local(I32), kc = f.local(I32), ic = f.local(I32), mc = f.local(I32);
  const jr = f.local(I32), ir = f.local(I32), pbp = f.local(I32), pap = f.local(I32), t0 = f.local(I32), t1 = f.local(I32);
  f.body = [
    forLoop(pc, i32.const(0), local.get(k), local.get(kcMax),
      local.set(kc, i32.minS(local.get(kcMax), i32.sub(local.get(k), local.get(pc)), t0, t1)),
      call(PACK_B, i32.add(local.get(b), i32.mul(local.get(pc), local.get(bRs))), local.get(bCs), local.get(bRs),
        local.get(kc), local.get(n), local.get(packB)),
      forLoop(ic, i32.const(0), local.get(m), local.get(mcMax),
        local.set(mc, i32.minS(local.get(mcMax), i32.sub(local.get(m), local.get(ic)), t0, t1)),
        call(PACK_A, i32.add(i32.add(local.get(a), i32.mul(local.get(ic), local.get(aRs))), i32.mul(local.get(pc), local.get(aCs))),
          local.get(aRs), local.get(aCs), local.get(kc), local.get(mc), local.get(packA)),
        ...microTiles({ mr, nr }, { n, kc, ic, mc, c, ldc, scratch, packA, packB, jr, ir, pbp, pap, t0, t1 },
          i32.or(local.get(accumulate), i32.ne(local.get(pc), i32.const(0)))),
      ),
    ),
  ];
  return f;
}

/** Local (or parameter) indices `microTiles` reads and writes. */
export interface MicroTileLocals {
  n: number; kc: number; ic: number; mc: number; c: number; ldc: number; scratch: number; packA: number; packB: number;
  /** Scratch locals the loops use. */
  jr: number; ir: number; pbp: number; pap: number; t0: number; t1: number;
}

/**
 * The innermost loops of a gemm driver: every MR×NR tile of the mc × n block of C at row ic, multiplied from packed A
 * (mc rows) and packed B (n columns) of depth kc by the micro-kernel; `accumulate` says whether tiles add into C.
 */
export function microTiles({ mr, nr }: GemmF32Shape, v: MicroTileLocals, accumulate: Code): Code[] {
  const { n, kc, ic, mc, c, ldc, scratch, packA, packB, jr, ir, pbp, pap, t0, t1 } = v;
  return [
    local.set(pbp, local.get(packB)),
    forLoop(jr, i32.const(0), local.get(n), i32.const(nr),
      local.set(pap, local.get(packA)),
      forLoop(ir, i32.const(0), local.get(mc), i32.const(mr),
        call(MICRO, local.get(kc), local.get(pap), local.get(pbp),
          i32.add(i32.add(local.get(c), i32.mul(i32.add(local.get(ic), local.get(ir)), local.get(ldc))), i32.shl(local.get(jr), i32.const(2))),
          local.get(ldc), accumulate,
          i32.minS(i32.const(mr), i32.sub(local.get(mc), local.get(ir)), t0, t1),
          i32.minS(i32.const(nr), i32.sub(local.get(n), local.get(jr)), t0, t1),
          local.get(scratch)),
        local.set(pap, i32.add(local.get(pap), i32.mul(local.get(kc), i32.const(mr * 4)))),
      ),
      local.set(pbp, i32.add(local.get(pbp), i32.mul(local.get(kc), i32.const(nr * 4)))),
    ),
  ];
}

/**
 * The module's bytes: pack functions, micro-kernel and driver, and `extra` functions appended after them (the
 * convolution module adds im2col there, next to the gemm it feeds). With `memory` the memory is imported (`env.memory`,
 * fixed size, shared when several threads run the driver on it); with null the module has its own, exported memory of
 * one page to start, which its user grows.
 */
export function buildGemmF32Module(memory: ImportedMemory | null, shape: GemmF32Shape = GEMM_F32_SHAPE, extra: readonly FunctionBuilder[] = []): Uint8Array {
  if (shape.nr % 4 !== 0) throw new Error(`buildGemmF32Module: nr must be a multiple of 4, got ${shape.nr}`);
  const functions = [packFunction('packA', shape.mr), packFunction('packB', shape.nr), microFunction(shape), gemmFunction(shape), ...extra];
  return encodeModule(functions, memory ?? 1);
}
