/**
 * float32 LayerNorm forward and backward as a WebAssembly SIMD module (wasm-builder.ts), for rows whose length is a
 * multiple of four. The row statistics are sums in float64 (each float32 value widened exactly), like the JS kernel's;
 * the per-row scalars that need divisions and square roots are computed by the runner (layer-norm-f32.ts) between two
 * passes, so the module needs only adds and multiplies:
 *
 *   forward   lnStats: S1 = Σ (x − x₀), S2 = Σ (x − x₀)² per row (x₀ the row's first value, so a large mean does not
 *             cancel); lnNorm: out = ((x − x₀) − M1)·RS·w + b, with M1 the shifted mean and RS = 1/√(var + eps);
 *   backward  lnGradStats: with x̂ = (x − MU)·RS and ĝ = g·w, S1 = Σ ĝ, S2 = Σ ĝ·x̂ per row, and across rows
 *             DW += g·x̂, DB += g (float64 accumulators); lnGradX: dx = RS·(ĝ − M1 − x̂·M2) with M1, M2 the row means.
 *
 * Elementwise steps are float32 lanes (a few roundings, where the JS kernel rounds once; within a few ulps).
 */
import { block, br, brIf, encodeModule, f32, f32x4, f64, f64x2, forLoop, FunctionBuilder, I32, i32, i8x16, local, loop, V128, v128 } from './wasm-builder.js';
import type { Code } from './wasm-builder.js';

/** float32 elements per operand slot: the runner passes as many whole rows as fit. */
export const LN_CHUNK = 16384;
const CH = LN_CHUNK * 4;
/** Byte addresses of the slots. Per-row scalars hold up to LN_CHUNK / 4 rows (rows have at least four values). */
export const LN_SLOT = {
  X: 0, G: CH, OUT: 2 * CH, W: 3 * CH, B: 4 * CH,
  /** f32 per row: the shifted mean (forward) or mean(ĝ) (backward); RS; MU (backward); M2 (backward). */
  M1: 5 * CH, RS: 5 * CH + CH / 4, MU: 5 * CH + CH / 2, M2: 5 * CH + (3 * CH) / 4,
  /** f64 per row. */
  S1: 6 * CH, S2: 6 * CH + CH / 2,
  /** f64 per column, accumulated over all chunks. */
  DW: 7 * CH, DB: 9 * CH,
} as const;
const PAGES = (11 * CH) / 65536;

const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const lo = (v: Code): Code => f64x2.promoteLowF32x4(v);
const hi = (v: number): Code => f64x2.promoteLowF32x4(i8x16.shuffle(local.get(v), local.get(v), HIGH_HALF));

/**
 * The row loop shared by all four functions (rows, n): per row, `head` once, then `body` per vector at byte offset
 * `p` of the row (p runs over X's row; other slots add their base), then `tail`. `row` is the row index, `rowBytes`
 * the byte offset of the row's start within a slot.
 */
function overRows(name: string, build: (f: FunctionBuilder, v: { row: number; rowBytes: number; p: number; n: number }) => { head: Code[]; body: Code[]; tail: Code[] }): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32]);
  const [rows, n] = [0, 1];
  const row = f.local(I32), rowBytes = f.local(I32), p = f.local(I32), end = f.local(I32);
  const parts = build(f, { row, rowBytes, p, n });
  f.body = [
    local.set(rowBytes, i32.const(0)),
    forLoop(row, i32.const(0), local.get(rows), i32.const(1),
      local.set(end, i32.add(local.get(rowBytes), i32.shl(local.get(n), i32.const(2)))),
      ...parts.head,
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(end))),
        ...parts.body,
        local.set(p, i32.add(local.get(p), i32.const(16))),
        br(0),
      )),
      ...parts.tail,
      local.set(rowBytes, local.get(end)),
    ),
  ];
  return f;
}

/** Stores the sum of an f64x2's two lanes at `addr`. */
const storeSum = (addr: Code, acc: number): Code => f64.store(addr, f64.add(f64x2.extractLane(local.get(acc), 0), f64x2.extractLane(local.get(acc), 1)));
/** Byte address of row `row`'s scalar in a per-row slot of element size `size`. */
const rowScalar = (slot: number, row: number, shift: number): Code => i32.add(i32.shl(local.get(row), i32.const(shift)), i32.const(slot));

function lnStats(): FunctionBuilder {
  return overRows('lnStats', (f, { row, rowBytes, p }) => {
    const x0 = f.local(V128), d = f.local(V128), a1 = f.local(V128), a2 = f.local(V128), dl = f.local(V128), dh = f.local(V128);
    return {
      head: [
        local.set(x0, f64x2.splat(f64.promoteF32(f32.load(local.get(rowBytes), LN_SLOT.X)))),
        local.set(a1, v128.zero()), local.set(a2, v128.zero()),
        local.set(p, local.get(rowBytes)),
      ],
      body: [
        local.set(d, v128.load(local.get(p), LN_SLOT.X)),
        local.set(dl, f64x2.sub(lo(local.get(d)), local.get(x0))),
        local.set(dh, f64x2.sub(hi(d), local.get(x0))),
        local.set(a1, f64x2.add(local.get(a1), f64x2.add(local.get(dl), local.get(dh)))),
        local.set(a2, f64x2.add(local.get(a2), f64x2.add(f64x2.mul(local.get(dl), local.get(dl)), f64x2.mul(local.get(dh), local.get(dh))))),
      ],
      tail: [storeSum(rowScalar(LN_SLOT.S1, row, 3), a1), storeSum(rowScalar(LN_SLOT.S2, row, 3), a2)],
    };
  });
}

function lnNorm(): FunctionBuilder {
  return overRows('lnNorm', (f, { row, rowBytes, p }) => {
    const x0 = f.local(V128), m1 = f.local(V128), rs = f.local(V128), w = f.local(I32);
    return {
      head: [
        local.set(x0, f32x4.splat(f32.load(local.get(rowBytes), LN_SLOT.X))),
        local.set(m1, f32x4.splat(f32.load(rowScalar(LN_SLOT.M1, row, 2)))),
        local.set(rs, f32x4.splat(f32.load(rowScalar(LN_SLOT.RS, row, 2)))),
        local.set(p, local.get(rowBytes)),
        local.set(w, i32.const(0)),
      ],
      body: [
        v128.store(local.get(p), f32x4.add(f32x4.mul(f32x4.mul(
          f32x4.sub(f32x4.sub(v128.load(local.get(p), LN_SLOT.X), local.get(x0)), local.get(m1)), local.get(rs)),
        v128.load(local.get(w), LN_SLOT.W)), v128.load(local.get(w), LN_SLOT.B)), LN_SLOT.OUT),
        local.set(w, i32.add(local.get(w), i32.const(16))),
      ],
      tail: [],
    };
  });
}

/** x̂ and ĝ of the vector at byte offset p of the row (w at byte offset w of the weight). */
function xhatAndGhat(p: number, w: number, mu: number, rs: number): { xh: Code; gh: Code } {
  return {
    xh: f32x4.mul(f32x4.sub(v128.load(local.get(p), LN_SLOT.X), local.get(mu)), local.get(rs)),
    gh: f32x4.mul(v128.load(local.get(p), LN_SLOT.G), v128.load(local.get(w), LN_SLOT.W)),
  };
}

function lnGradStats(): FunctionBuilder {
  return overRows('lnGradStats', (f, { row, rowBytes, p }) => {
    const mu = f.local(V128), rs = f.local(V128), w = f.local(I32), c = f.local(I32);
    const xh = f.local(V128), gh = f.local(V128), g = f.local(V128), t = f.local(V128), a1 = f.local(V128), a2 = f.local(V128);
    const e = xhatAndGhat(p, w, mu, rs);
    // Column sums in float64: two f64x2 halves per four columns, at byte offset c (twice w) of the slot.
    const accumulate = (slot: number, v: number): Code[] => [
      v128.store(local.get(c), f64x2.add(v128.load(local.get(c), slot), lo(local.get(v))), slot),
      v128.store(local.get(c), f64x2.add(v128.load(local.get(c), slot + 16), hi(v)), slot + 16),
    ];
    return {
      head: [
        local.set(mu, f32x4.splat(f32.load(rowScalar(LN_SLOT.MU, row, 2)))),
        local.set(rs, f32x4.splat(f32.load(rowScalar(LN_SLOT.RS, row, 2)))),
        local.set(a1, v128.zero()), local.set(a2, v128.zero()),
        local.set(p, local.get(rowBytes)),
        local.set(w, i32.const(0)), local.set(c, i32.const(0)),
      ],
      body: [
        local.set(xh, e.xh), local.set(gh, e.gh), local.set(g, v128.load(local.get(p), LN_SLOT.G)),
        local.set(a1, f64x2.add(local.get(a1), f64x2.add(lo(local.get(gh)), hi(gh)))),
        local.set(t, f32x4.mul(local.get(gh), local.get(xh))),
        local.set(a2, f64x2.add(local.get(a2), f64x2.add(lo(local.get(t)), hi(t)))),
        local.set(t, f32x4.mul(local.get(g), local.get(xh))),
        ...accumulate(LN_SLOT.DW, t),
        ...accumulate(LN_SLOT.DB, g),
        local.set(w, i32.add(local.get(w), i32.const(16))),
        local.set(c, i32.add(local.get(c), i32.const(32))),
      ],
      tail: [storeSum(rowScalar(LN_SLOT.S1, row, 3), a1), storeSum(rowScalar(LN_SLOT.S2, row, 3), a2)],
    };
  });
}

function lnGradX(): FunctionBuilder {
  return overRows('lnGradX', (f, { row, rowBytes, p }) => {
    const mu = f.local(V128), rs = f.local(V128), m1 = f.local(V128), m2 = f.local(V128), w = f.local(I32);
    const e = xhatAndGhat(p, w, mu, rs);
    return {
      head: [
        local.set(mu, f32x4.splat(f32.load(rowScalar(LN_SLOT.MU, row, 2)))),
        local.set(rs, f32x4.splat(f32.load(rowScalar(LN_SLOT.RS, row, 2)))),
        local.set(m1, f32x4.splat(f32.load(rowScalar(LN_SLOT.M1, row, 2)))),
        local.set(m2, f32x4.splat(f32.load(rowScalar(LN_SLOT.M2, row, 2)))),
        local.set(p, local.get(rowBytes)),
        local.set(w, i32.const(0)),
      ],
      body: [
        v128.store(local.get(p), f32x4.mul(local.get(rs), f32x4.sub(f32x4.sub(e.gh, local.get(m1)), f32x4.mul(e.xh, local.get(m2)))), LN_SLOT.OUT),
        local.set(w, i32.add(local.get(w), i32.const(16))),
      ],
      tail: [],
    };
  });
}

export function buildLayerNormF32Module(): Uint8Array {
  return encodeModule([lnStats(), lnNorm(), lnGradStats(), lnGradX()], PAGES);
}
