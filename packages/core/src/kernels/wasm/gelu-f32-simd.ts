/**
 * float32 GELU forward and backward (exact and tanh-approximated) as a WebAssembly SIMD module, written with the
 * assembler in wasm-builder.ts. Unlike unary-f32-simd.ts these evaluate in float32 arithmetic, four lanes at a time:
 * widening to f64x2 doubles the work and GELU must stay within 1.5× of ReLU's cost. Each formula is chosen so that
 * float32 rounding does not cancel: relative error ≤ ~3e-6 of the exact value wherever it is a normal float32
 * (test/kernels/gelu.test.ts), where PyTorch's float32 x/2·(1 + erf(x/√2)) loses all relative precision for x < −4.
 *
 * Exact GELU = x·Φ(x). With c = Φ(−|x|) = ½·erfc(|x|/√2), Φ(x) is c for x < 0 and 1 − c otherwise, and
 *   erfc(s) = e^(−s²)·R(s),   R(s) = P(s)/Q(s),
 * where R = erfc·e^(s²) is smooth and slowly varying (1 at 0, ~1/(s√π) for large s): a degree 4/5 rational function
 * with positive coefficients fits it to 6e-9 relative on [0, 10] (fitted once offline with an iteratively reweighted
 * least-squares (Loeb–Lawson) fit in double precision; the coefficients below are that fit). The backward needs
 * Φ(x) + x·φ(x), and φ(x) = e^(−x²/2)/√(2π) reuses the same exponential.
 *
 * The tanh form is x·σ(2u) with u = √(2/π)·(x + 0.044715x³), since (1 + tanh u)/2 = σ(2u); its derivative is
 * σ(2u)·(1 + x·(2u)'·(1 − σ(2u))) with 1 − σ(v) = e^(−v)·σ(v).
 */
import { f32x4, forLoop, FunctionBuilder, I32, i32, i32x4, local, v128, V128, encodeModule, type Code } from './wasm-builder.js';

const c = (v: number): Code => f32x4.splatConst(v);

/** Half of R's numerator (the ½ of c = ½·e^(−s²)·R(s) folded in), lowest degree first. */
const P_HALF = [1.0000000056143603, 1.237583589702663, 0.7307372079020718, 0.22880518207481734, 0.03270953871805432].map((v) => v / 2);
/** R's denominator, lowest degree first. */
const Q = [1, 2.3659633242208047, 2.400431750812086, 1.3237500893471827, 0.4055734372240175, 0.05797543468050298];
/** erfc's argument is capped here: R stays finite for x = ±∞ (e^(−s²) is 0 far before). */
const S_MAX = 10;
/**
 * Beyond x²/2 = 80 (|x| > 12.6) e^(−x²/2) is flushed to 0: the exact Φ(x) there is < 1e-35, and keeping a tiny
 * normal value would feed subnormals (slow on x86) into the products that follow.
 */
const HALF_X2_MAX = 80;

/** ln 2 split for the range reduction (fdlibm/Cephes): k·LN2_HI is exact for the |k| < 2⁸ used here. */
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
/** Cephes expf: eʳ ≈ 1 + r + r²·E(r) on |r| ≤ ln2/2, within 1 float32 ulp. */
const EXP_POLY = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4];

/** The Horner form of Σ coef[i]·tⁱ for the f32x4 local `t`. */
function horner(coef: readonly number[], t: number): Code {
  let acc: Code = c(coef[coef.length - 1]);
  for (let i = coef.length - 2; i >= 0; i--) acc = f32x4.add(f32x4.mul(acc, local.get(t)), c(coef[i]));
  return acc;
}

/**
 * Code setting `out` to eᵃ for the f32x4 local `a`, whose lanes must lie in [−87, 88] (callers clamp): k = round(a/ln2),
 * r = a − k·ln2, eᵃ = 2ᵏ·eʳ with 2ᵏ built from exponent bits.
 */
function exp(f: FunctionBuilder, a: number, out: number): Code[] {
  const k = f.local(V128), r = f.local(V128);
  return [
    local.set(k, f32x4.nearest(f32x4.mul(local.get(a), c(Math.LOG2E)))),
    local.set(r, f32x4.sub(f32x4.sub(local.get(a), f32x4.mul(local.get(k), c(LN2_HI))), f32x4.mul(local.get(k), c(LN2_LO)))),
    local.set(out, f32x4.mul(
      f32x4.add(f32x4.add(f32x4.mul(horner(EXP_POLY, r), f32x4.mul(local.get(r), local.get(r))), local.get(r)), c(1)),
      i32x4.shl(i32x4.add(i32x4.truncSatF32x4S(local.get(k)), i32x4.splatConst(127)), i32.const(23)),
    )),
  ];
}

/** Locals shared by a forward and its backward: what each needs from x. */
interface ExactParts {
  code: Code[];
  /** Φ(x). */
  phi: number;
  /** e^(−x²/2), or 0 where flushed. */
  gauss: number;
}

function exactParts(f: FunctionBuilder, x: number): ExactParts {
  const half2 = f.local(V128), e = f.local(V128), gauss = f.local(V128), s = f.local(V128), tail = f.local(V128), phi = f.local(V128);
  return {
    code: [
      local.set(half2, f32x4.mul(f32x4.mul(local.get(x), local.get(x)), c(0.5))),
      local.set(e, f32x4.neg(f32x4.pmin(local.get(half2), c(HALF_X2_MAX)))),
      ...exp(f, e, gauss),
      local.set(gauss, v128.and(local.get(gauss), f32x4.le(local.get(half2), c(HALF_X2_MAX)))),
      local.set(s, f32x4.pmin(f32x4.mul(f32x4.abs(local.get(x)), c(Math.SQRT1_2)), c(S_MAX))),
      // tail = Φ(−|x|) = ½·e^(−x²/2)·R(|x|/√2)
      local.set(tail, f32x4.mul(local.get(gauss), f32x4.div(horner(P_HALF, s), horner(Q, s)))),
      local.set(phi, v128.bitselect(local.get(tail), f32x4.sub(c(1), local.get(tail)), f32x4.lt(local.get(x), c(0)))),
    ],
    phi, gauss,
  };
}

/** 2√(2/π) and 2√(2/π)·0.044715: the tanh form's 2u = x·(K1 + K3·x²). */
const K1 = 2 * Math.sqrt(2 / Math.PI);
const K3 = K1 * 0.044715;
/** |2u| beyond which σ(2u) is exactly 0 or 1 in float32 and e^(−2u) is flushed (or σ zeroed) instead of overflowing. */
const V_MAX = 87;

interface TanhParts {
  code: Code[];
  /** σ(2u). */
  sig: number;
  /** e^(−2u), or 0 where 2u > V_MAX. */
  em: number;
  /** x². */
  x2: number;
}

function tanhParts(f: FunctionBuilder, x: number): TanhParts {
  const x2 = f.local(V128), v = f.local(V128), a = f.local(V128), em = f.local(V128), sig = f.local(V128);
  return {
    code: [
      local.set(x2, f32x4.mul(local.get(x), local.get(x))),
      local.set(v, f32x4.mul(local.get(x), f32x4.add(c(K1), f32x4.mul(c(K3), local.get(x2))))),
      local.set(a, f32x4.pmin(f32x4.pmax(f32x4.neg(local.get(v)), c(-V_MAX)), c(V_MAX))),
      ...exp(f, a, em),
      // σ = 1/(1 + e^(−v)), zero where −v > V_MAX (e^(−v) would overflow); e^(−v) itself zero where v > V_MAX.
      local.set(sig, v128.and(f32x4.div(c(1), f32x4.add(c(1), local.get(em))), f32x4.le(f32x4.neg(local.get(v)), c(V_MAX)))),
      local.set(em, v128.and(local.get(em), f32x4.le(local.get(v), c(V_MAX)))),
    ],
    sig, em, x2,
  };
}

/** y = x·Φ(x) */
function geluBody(f: FunctionBuilder, x: number): { code: Code[]; result: Code } {
  const p = exactParts(f, x);
  return { code: p.code, result: f32x4.mul(local.get(x), local.get(p.phi)) };
}

/** g·(Φ(x) + x·φ(x)) */
function geluGradBody(f: FunctionBuilder, x: number, g: number): { code: Code[]; result: Code } {
  const p = exactParts(f, x);
  const d = f32x4.add(local.get(p.phi), f32x4.mul(local.get(x), f32x4.mul(local.get(p.gauss), c(1 / Math.sqrt(2 * Math.PI)))));
  return { code: p.code, result: f32x4.mul(local.get(g), d) };
}

/** y = x·σ(2u) */
function geluTanhBody(f: FunctionBuilder, x: number): { code: Code[]; result: Code } {
  const p = tanhParts(f, x);
  return { code: p.code, result: f32x4.mul(local.get(x), local.get(p.sig)) };
}

/** g·σ·(1 + x·(K1 + 3·K3·x²)·e^(−2u)·σ) */
function geluTanhGradBody(f: FunctionBuilder, x: number, g: number): { code: Code[]; result: Code } {
  const p = tanhParts(f, x);
  const slope = f32x4.mul(local.get(x), f32x4.add(c(K1), f32x4.mul(c(3 * K3), local.get(p.x2))));
  const d = f32x4.mul(local.get(p.sig), f32x4.add(c(1), f32x4.mul(slope, f32x4.mul(local.get(p.em), local.get(p.sig)))));
  return { code: p.code, result: f32x4.mul(local.get(g), d) };
}

/** name(ptr, count): y = op(x) in place on `count` float32 values at byte address `ptr` (a multiple of 4 values). */
function forward(name: string, body: (f: FunctionBuilder, x: number) => { code: Code[]; result: Code }): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32]);
  const [ptr, count] = [0, 1];
  const end = f.local(I32), p = f.local(I32), x = f.local(V128);
  const b = body(f, x);
  f.body = [
    local.set(end, i32.add(local.get(ptr), i32.shl(local.get(count), i32.const(2)))),
    forLoop(p, local.get(ptr), local.get(end), i32.const(16),
      local.set(x, v128.load(local.get(p))),
      ...b.code,
      v128.store(local.get(p), b.result),
    ),
  ];
  return f;
}

/**
 * name(gPtr, xPtr, count): g ← g·op'(x) in place over the upstream gradient, for `count` float32 values (a multiple of 4)
 * at byte addresses gPtr and xPtr.
 */
function backward(name: string, body: (f: FunctionBuilder, x: number, g: number) => { code: Code[]; result: Code }): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32, I32]);
  const [gPtr, xPtr, count] = [0, 1, 2];
  const end = f.local(I32), p = f.local(I32), q = f.local(I32), x = f.local(V128), g = f.local(V128);
  const b = body(f, x, g);
  f.body = [
    local.set(end, i32.add(local.get(gPtr), i32.shl(local.get(count), i32.const(2)))),
    local.set(q, local.get(xPtr)),
    forLoop(p, local.get(gPtr), local.get(end), i32.const(16),
      local.set(x, v128.load(local.get(q))),
      local.set(g, v128.load(local.get(p))),
      ...b.code,
      v128.store(local.get(p), b.result),
      local.set(q, i32.add(local.get(q), i32.const(16))),
    ),
  ];
  return f;
}

/** Exported function names, in module order. */
export const GELU_F32_FUNCTIONS = ['gelu', 'geluBackward', 'geluTanh', 'geluTanhBackward'] as const;

/** The module's bytes: the four functions above plus the exported memory. */
export function buildGeluF32Module(): Uint8Array {
  return encodeModule([
    forward('gelu', geluBody),
    backward('geluBackward', geluGradBody),
    forward('geluTanh', geluTanhBody),
    backward('geluTanhBackward', geluTanhGradBody),
  ], 1);
}
