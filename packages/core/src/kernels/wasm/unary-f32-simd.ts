/**
 * float32 exp, tanh, sigmoid (and sqrt, a native f32x4 instruction) as a WebAssembly SIMD module, written with the
 * assembler in wasm-builder.ts.
 *
 * Each f32x4 vector is widened to two f64x2 halves and evaluated in double precision, then rounded to float32 once,
 * so results are the float32 rounding of a value accurate to ~1e-14 relative: within one float32 ulp of the exact
 * result and, in the tests' sweeps, always the correctly rounded value itself.
 *
 * All three share one range reduction, y = k·ln2 + r with k = round(y/ln2) and |r| ≤ ln2/2:
 * eʸ = 2ᵏ·(1 + q) and eʸ − 1 = 2ᵏ·q + (2ᵏ − 1), where q = eʳ − 1 is a degree-11 Taylor polynomial (relative error
 * ≤ |r|¹¹/12! < 1e-14) and 2ᵏ is assembled from exponent bits. Using eʸ − 1 for tanh keeps full relative accuracy
 * near 0, where 1 − e^(−2x) would cancel.
 */
import { f32x4, f64x2, forLoop, FunctionBuilder, I32, i32, i64x2, i8x16, local, v128, V128, encodeModule, type Code } from './wasm-builder.js';

/** ln 2 split so k·LN2_HI is exact for |k| < 2¹¹ (LN2_HI has 32 significant bits), as in fdlibm. */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer, which then sits in the low mantissa bits. */
const ROUND_MAGIC = 6755399441055744;
/**
 * Degree of the eʳ − 1 polynomial. 9 is already within 0.8 ulp of float32, but its ~1e-12 error flips the rounding of
 * results that lie within that distance of a tie between two floats; at 11 (~1e-14) sweeps of millions of inputs
 * round exactly like Math.* for ~0.3 ns more per element.
 */
const DEGREE = 11;

/**
 * Bounds that keep 2ᵏ a normal double and beyond which the float32 result no longer changes: exp is 0 below −104
 * (e⁻¹⁰⁴ is under half the smallest float32 subnormal) and +∞ above 89; tanh is ±1 beyond |x| = 9.1
 * (1 − tanh 9.1 ≈ 2.5e-8, under half an ulp of 1); sigmoid is 0 or 1 beyond |x| = 104.
 */
const EXP_MIN = -104, EXP_MAX = 89, TANH_MAX = 9.1, SIGMOID_MAX = 104;

/**
 * Both lanes set to `v`. V8 rematerialises such constants inside the loop (three instructions each); a table in
 * memory loaded where used measured no faster (slower for tanh and sigmoid), and locals get folded back to constants.
 */
const c = (v: number): Code => f64x2.splatConst(v);

interface Reduced {
  code: Code[];
  /** Local holding 2ᵏ. */
  scale: number;
  /** Local holding eʳ − 1. */
  q: number;
}

/** Range reduction of the f64x2 local `y` (|y| ≤ 709) into 2ᵏ and eʳ − 1. */
function reduce(f: FunctionBuilder, y: number): Reduced {
  const t = f.local(V128), k = f.local(V128), r = f.local(V128), q = f.local(V128), scale = f.local(V128);
  // Horner from the highest term: q = r + r²·(1/2! + r·(1/3! + … + r/11!)).
  let poly: Code = c(1 / factorial(DEGREE));
  for (let n = DEGREE - 1; n >= 2; n--) poly = f64x2.add(c(1 / factorial(n)), f64x2.mul(local.get(r), poly));
  return {
    code: [
      // t = y/ln2 + 1.5·2⁵²: its bit pattern is that of 1.5·2⁵² plus k, and t − 1.5·2⁵² is k as a double.
      local.set(t, f64x2.add(f64x2.mul(local.get(y), c(Math.LOG2E)), c(ROUND_MAGIC))),
      local.set(k, f64x2.sub(local.get(t), c(ROUND_MAGIC))),
      local.set(r, f64x2.sub(f64x2.sub(local.get(y), f64x2.mul(local.get(k), c(LN2_HI))), f64x2.mul(local.get(k), c(LN2_LO)))),
      local.set(q, f64x2.add(local.get(r), f64x2.mul(f64x2.mul(local.get(r), local.get(r)), poly))),
      // 2ᵏ: shifting t's bits left by 52 leaves k << 52 (the magic's own bits shift out); add the exponent bias.
      local.set(scale, i64x2.add(i64x2.shl(local.get(t), i32.const(52)), i64x2.splatConst(1023 * 2 ** 52))),
    ],
    scale, q,
  };
}

function factorial(n: number): number {
  let p = 1;
  for (let i = 2; i <= n; i++) p *= i;
  return p;
}

/** Code computing the op of the f64x2 local `x` into a value, using fresh locals of `f`. */
type Body = (f: FunctionBuilder, x: number) => { code: Code[]; result: Code };

/** min(max(x, lo), hi) with pseudo-min/max, which keep a NaN x (it fails both comparisons). */
const clamp = (x: Code, lo: number, hi: number): Code => f64x2.pmin(f64x2.pmax(x, c(lo)), c(hi));

/** eˣ = 2ᵏ + 2ᵏ·q */
const expBody: Body = (f, x) => {
  const y = f.local(V128);
  const red = reduce(f, y);
  return {
    code: [local.set(y, clamp(local.get(x), EXP_MIN, EXP_MAX)), ...red.code],
    result: f64x2.add(local.get(red.scale), f64x2.mul(local.get(red.scale), local.get(red.q))),
  };
};

/**
 * tanh x = sign(x)·|t| with t = −E/(2 + E), E = e^(−2|x|) − 1 = 2ᵏ·q + (2ᵏ − 1). Working on |x| and copying the sign
 * bit back keeps tanh(±0) = ±0 and makes the result exactly odd.
 */
const tanhBody: Body = (f, x) => {
  const y = f.local(V128), e = f.local(V128);
  const red = reduce(f, y);
  return {
    code: [
      local.set(y, f64x2.mul(f64x2.pmin(f64x2.abs(local.get(x)), c(TANH_MAX)), c(-2))),
      ...red.code,
      local.set(e, f64x2.add(f64x2.mul(local.get(red.scale), local.get(red.q)), f64x2.sub(local.get(red.scale), c(1)))),
    ],
    result: v128.or(
      f64x2.abs(f64x2.div(f64x2.neg(local.get(e)), f64x2.add(c(2), local.get(e)))),
      v128.and(local.get(x), c(-0))),
  };
};

/** σ(x) = 1/(1 + e^(−x)); well conditioned everywhere, so no eʸ − 1 form is needed. */
const sigmoidBody: Body = (f, x) => {
  const y = f.local(V128);
  const red = reduce(f, y);
  return {
    code: [local.set(y, f64x2.neg(clamp(local.get(x), -SIGMOID_MAX, SIGMOID_MAX))), ...red.code],
    result: f64x2.div(c(1), f64x2.add(c(1), f64x2.add(local.get(red.scale), f64x2.mul(local.get(red.scale), local.get(red.q))))),
  };
};

/**
 * name(ptr, count): applies the op in place to `count` float32 values at byte address `ptr`, four at a time
 * (`count` must be a multiple of 4; callers pad).
 */
function elementwise(name: string, body: Body): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32]);
  const [ptr, count] = [0, 1];
  const end = f.local(I32), p = f.local(I32), v = f.local(V128), lo = f.local(V128), hi = f.local(V128);
  const rlo = f.local(V128), rhi = f.local(V128);
  const bodyLo = body(f, lo), bodyHi = body(f, hi);
  f.body = [
    local.set(end, i32.add(local.get(ptr), i32.shl(local.get(count), i32.const(2)))),
    forLoop(p, local.get(ptr), local.get(end), i32.const(16),
      local.set(v, v128.load(local.get(p))),
      local.set(lo, f64x2.promoteLowF32x4(local.get(v))),
      // Move lanes 2–3 down to 0–1 to widen them too.
      local.set(hi, f64x2.promoteLowF32x4(i8x16.shuffle(local.get(v), local.get(v), [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]))),
      ...bodyLo.code,
      local.set(rlo, bodyLo.result),
      ...bodyHi.code,
      local.set(rhi, bodyHi.result),
      v128.store(local.get(p), i8x16.shuffle(f32x4.demoteF64x2Zero(local.get(rlo)), f32x4.demoteF64x2Zero(local.get(rhi)),
        [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23])),
    ),
  ];
  return f;
}

/**
 * name(ptr, count) for an op with a native float32 SIMD instruction: no widening to f64 needed. sqrt is one: IEEE sqrt
 * is correctly rounded, and rounding the double sqrt to float32 is known to give the same value, so results equal
 * Math.fround(Math.sqrt(x)).
 */
function nativeElementwise(name: string, op: (a: Code) => Code): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32]);
  const [ptr, count] = [0, 1];
  const end = f.local(I32), p = f.local(I32);
  f.body = [
    local.set(end, i32.add(local.get(ptr), i32.shl(local.get(count), i32.const(2)))),
    forLoop(p, local.get(ptr), local.get(end), i32.const(16), v128.store(local.get(p), op(v128.load(local.get(p))))),
  ];
  return f;
}

export const UNARY_F32_OPS = ['exp', 'tanh', 'sigmoid', 'sqrt'] as const;
export type UnaryF32Op = (typeof UNARY_F32_OPS)[number];

const BUILDERS: Record<UnaryF32Op, () => FunctionBuilder> = {
  exp: () => elementwise('exp', expBody),
  tanh: () => elementwise('tanh', tanhBody),
  sigmoid: () => elementwise('sigmoid', sigmoidBody),
  sqrt: () => nativeElementwise('sqrt', f32x4.sqrt),
};

/** The module's bytes: one exported in-place function per op in UNARY_F32_OPS, plus its memory. */
export function buildUnaryF32Module(): Uint8Array {
  return encodeModule(UNARY_F32_OPS.map((op) => BUILDERS[op]()), 1);
}
