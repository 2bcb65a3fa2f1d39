/**
 * float32 elementwise kernels in WebAssembly SIMD, written with the assembler in wasm-builder.ts: binary ops (tensor op
 * tensor, tensor op scalar), cheap unary ops, the fused activation gradients, and sum/max/min reductions.
 *
 * Every function works on one chunk held in fixed slots of linear memory: A, B and OUT hold ELEMENTWISE_CHUNK float32
 * values each, ACC as many float64 accumulators; elementwise-f32.ts copies chunks in and out. Results are the ones the
 * plain-JS kernels give, bit for bit, wherever that is cheap: float32 +, −, ×, ÷, min, max and comparisons of two float32
 * values equal the float64 operation rounded once (the JS loops), so they run natively on f32x4; operations with a
 * float64 scalar, and the activation gradients, widen to f64x2 and round once at the end like the JS loops; sums
 * accumulate in float64 like the JS loops (rows summed with four interleaved partial sums instead of one).
 */
import {
  block, br, brIf, encodeModule, f32, f32x4, f64, f64x2, forLoop, FunctionBuilder, F32, F64, I32, i32, i8x16, ifThen, local, loop,
  v128, V128, type Code,
} from './wasm-builder.js';

/** Elements per slot (64 KiB of float32): large enough that call overhead vanishes, small enough to stay in L2. */
export const ELEMENTWISE_CHUNK = 16384;
const CH = ELEMENTWISE_CHUNK * 4;
/** Byte offsets of the slots. */
export const SLOT = { A: 0, B: CH, OUT: 2 * CH, ACC: 3 * CH } as const;
const MEMORY_BYTES = 3 * CH + 2 * CH;

export const BINARY_F32_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type BinaryF32Op = (typeof BINARY_F32_OPS)[number];
export const UNARY_SIMPLE_F32_OPS = ['neg', 'abs', 'relu', 'square', 'reciprocal'] as const;
export type UnarySimpleF32Op = (typeof UNARY_SIMPLE_F32_OPS)[number];
export const GRAD_F32_OPS = ['tanhGrad', 'sigmoidGrad', 'reluGrad'] as const;
export type GradF32Op = (typeof GRAD_F32_OPS)[number];
export type ReduceF32Op = 'sum' | 'max' | 'min';

const ONE_F32 = v128.const(new Uint8Array(new Float32Array([1, 1, 1, 1]).buffer));
const ONE_F64 = f64x2.splatConst(1);

/** a op b on f32x4 lanes; comparisons give 1.0 / 0.0. */
function f32Binary(op: BinaryF32Op, a: Code, b: Code): Code {
  switch (op) {
    case 'add': return f32x4.add(a, b);
    case 'sub': return f32x4.sub(a, b);
    case 'mul': return f32x4.mul(a, b);
    case 'div': return f32x4.div(a, b);
    case 'maximum': return f32x4.max(a, b);
    case 'minimum': return f32x4.min(a, b);
    default: return v128.and({ eq: f32x4.eq, ne: f32x4.ne, lt: f32x4.lt, le: f32x4.le, gt: f32x4.gt, ge: f32x4.ge }[op](a, b), ONE_F32);
  }
}

/** a op b on f64x2 lanes; comparisons give 1.0 / 0.0. */
function f64Binary(op: BinaryF32Op, a: Code, b: Code): Code {
  switch (op) {
    case 'add': return f64x2.add(a, b);
    case 'sub': return f64x2.sub(a, b);
    case 'mul': return f64x2.mul(a, b);
    case 'div': return f64x2.div(a, b);
    case 'maximum': return f64x2.max(a, b);
    case 'minimum': return f64x2.min(a, b);
    default: return v128.and({ eq: f64x2.eq, ne: f64x2.ne, lt: f64x2.lt, le: f64x2.le, gt: f64x2.gt, ge: f64x2.ge }[op](a, b), ONE_F64);
  }
}

/** The loop shared by the elementwise functions: byte index `i` from 0 to 4·count in steps of 16. */
function overVectors(f: FunctionBuilder, count: number, body: (i: number) => Code[]): Code[] {
  const i = f.local(I32), end = f.local(I32);
  return [local.set(end, i32.shl(local.get(count), i32.const(2))), forLoop(i, i32.const(0), local.get(end), i32.const(16), ...body(i))];
}

const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const JOIN_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Computes `fn` on the four f32 lanes of `v` widened to float64 (two f64x2 halves) and rounds the results to float32
 * once, which is what a JS loop over a Float32Array does.
 */
function inFloat64(f: FunctionBuilder, vs: Code[], fn: (halves: Code[]) => Code): Code[] & { result: Code } {
  const lo = vs.map(() => f.local(V128)), hi = vs.map(() => f.local(V128));
  const code: Code[] = [];
  vs.forEach((v, k) => {
    const t = f.local(V128);
    code.push(local.set(t, v), local.set(lo[k], f64x2.promoteLowF32x4(local.get(t))),
      local.set(hi[k], f64x2.promoteLowF32x4(i8x16.shuffle(local.get(t), local.get(t), HIGH_HALF))));
  });
  const result = i8x16.shuffle(f32x4.demoteF64x2Zero(fn(lo.map((l) => local.get(l)))), f32x4.demoteF64x2Zero(fn(hi.map((h) => local.get(h)))), JOIN_HALVES);
  return Object.assign(code, { result });
}

/** bin_op(count): OUT = A op B. */
function binaryFunction(op: BinaryF32Op): FunctionBuilder {
  const f = new FunctionBuilder(`bin_${op}`, [I32]);
  f.body = overVectors(f, 0, (i) => [v128.store(local.get(i), f32Binary(op, v128.load(local.get(i), SLOT.A), v128.load(local.get(i), SLOT.B)), SLOT.OUT)]);
  return f;
}

/**
 * rep_op(rows, width): OUT[r·width + j] = A[r·width + j] op B[r], one scalar of B per row of A (a [rows, 1] operand
 * broadcast along the last axis); rrep_op computes B[r] op A[…]. Rows are processed in order, four lanes at a time
 * from each row's start: the last vector of a row may run into the next row, which is then computed again correctly
 * (and the last row's overrun lands in slack after the slot, which is never copied out).
 */
function rowScalarFunction(op: BinaryF32Op, reversed: boolean): FunctionBuilder {
  const f = new FunctionBuilder(`${reversed ? 'rrep' : 'rep'}_${op}`, [I32, I32]);
  const [rows, width] = [0, 1];
  const r = f.local(I32), p = f.local(I32), end = f.local(I32), s = f.local(V128);
  f.body = [
    local.set(p, i32.const(0)),
    forLoop(r, i32.const(0), local.get(rows), i32.const(1),
      local.set(s, v128.load32Splat(i32.shl(local.get(r), i32.const(2)), SLOT.B)),
      local.set(end, i32.add(local.get(p), i32.shl(local.get(width), i32.const(2)))),
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(end))),
        v128.store(local.get(p), reversed ? f32Binary(op, local.get(s), v128.load(local.get(p), SLOT.A)) : f32Binary(op, v128.load(local.get(p), SLOT.A), local.get(s)), SLOT.OUT),
        local.set(p, i32.add(local.get(p), i32.const(16))),
        br(0),
      )),
      local.set(p, local.get(end)),
    ),
  ];
  return f;
}

/** scal_op(count, s): OUT = A op s, or rscal_op: OUT = s op A, with s a float64 scalar. */
function scalarFunction(op: BinaryF32Op, reversed: boolean): FunctionBuilder {
  const f = new FunctionBuilder(`${reversed ? 'rscal' : 'scal'}_${op}`, [I32, F64]);
  const s = f.local(V128);
  f.body = [
    local.set(s, f64x2.splat(local.get(1))),
    ...overVectors(f, 0, (i) => {
      const w = inFloat64(f, [v128.load(local.get(i), SLOT.A)], ([x]) => (reversed ? f64Binary(op, local.get(s), x) : f64Binary(op, x, local.get(s))));
      return [...w, v128.store(local.get(i), w.result, SLOT.OUT)];
    }),
  ];
  return f;
}

const ZERO = v128.zero();

/** un_op(count): OUT = op(A), exact in float32. */
function unaryFunction(op: UnarySimpleF32Op): FunctionBuilder {
  const f = new FunctionBuilder(`un_${op}`, [I32]);
  const apply = (x: Code): Code => {
    switch (op) {
      case 'neg': return f32x4.neg(x);
      case 'abs': return f32x4.abs(x);
      // max(NaN, 0) is NaN, max(-0, 0) is +0 and max(-∞, 0) is 0, as in the JS relu.
      case 'relu': return f32x4.max(x, ZERO);
      case 'square': return f32x4.mul(x, x);
      case 'reciprocal': return f32x4.div(ONE_F32, x);
    }
  };
  f.body = overVectors(f, 0, (i) => [v128.store(local.get(i), apply(v128.load(local.get(i), SLOT.A)), SLOT.OUT)]);
  return f;
}

/** grad_op(count): OUT = g · f'(…) with g in A and the saved value (y, or relu's input x) in B. */
function gradFunction(op: GradF32Op): FunctionBuilder {
  const f = new FunctionBuilder(`grad_${op}`, [I32]);
  f.body = overVectors(f, 0, (i) => {
    const g = v128.load(local.get(i), SLOT.A), y = v128.load(local.get(i), SLOT.B);
    if (op === 'reluGrad') {
      // g where x > 0 (g + 0 turns -0 into +0, like the JS kernel's g·1 + 0), 0 elsewhere, NaN x included.
      return [v128.store(local.get(i), v128.bitselect(f32x4.add(g, ZERO), ZERO, f32x4.gt(y, ZERO)), SLOT.OUT)];
    }
    const w = inFloat64(f, [g, y], ([gg, yy]) => op === 'tanhGrad'
      ? f64x2.mul(gg, f64x2.sub(ONE_F64, f64x2.mul(yy, yy)))
      : f64x2.mul(f64x2.mul(gg, yy), f64x2.sub(ONE_F64, yy)));
    return [...w, v128.store(local.get(i), w.result, SLOT.OUT)];
  });
  return f;
}

/**
 * rowsum(rows, n, accumulate, final): for each row r of n values in A (rows back to back), acc = Σ row in float64
 * (plus ACC[r] when accumulating); final writes acc to OUT[r] as float32, otherwise to ACC[r].
 */
function rowSumFunction(): FunctionBuilder {
  const f = new FunctionBuilder('rowsum', [I32, I32, I32, I32]);
  const [rows, n, accumulate, final] = [0, 1, 2, 3];
  const r = f.local(I32), p = f.local(I32), vecEnd = f.local(I32), end = f.local(I32), v = f.local(V128), a0 = f.local(V128), a1 = f.local(V128);
  const total = f.local(F64);
  f.body = [
    local.set(p, i32.const(SLOT.A)),
    forLoop(r, i32.const(0), local.get(rows), i32.const(1),
      local.set(end, i32.add(local.get(p), i32.shl(local.get(n), i32.const(2)))),
      local.set(vecEnd, i32.add(local.get(p), i32.shl(i32.and(local.get(n), i32.const(~3)), i32.const(2)))),
      local.set(a0, v128.zero()), local.set(a1, v128.zero()),
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(vecEnd))),
        local.set(v, v128.load(local.get(p))),
        local.set(a0, f64x2.add(local.get(a0), f64x2.promoteLowF32x4(local.get(v)))),
        local.set(a1, f64x2.add(local.get(a1), f64x2.promoteLowF32x4(i8x16.shuffle(local.get(v), local.get(v), HIGH_HALF)))),
        local.set(p, i32.add(local.get(p), i32.const(16))),
        br(0),
      )),
      local.set(a0, f64x2.add(local.get(a0), local.get(a1))),
      local.set(total, f64.add(f64x2.extractLane(local.get(a0), 0), f64x2.extractLane(local.get(a0), 1))),
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(end))),
        local.set(total, f64.add(local.get(total), f64.promoteF32(f32.load(local.get(p))))),
        local.set(p, i32.add(local.get(p), i32.const(4))),
        br(0),
      )),
      ifThen(local.get(accumulate), [local.set(total, f64.add(local.get(total), f64.load(i32.shl(local.get(r), i32.const(3)), SLOT.ACC)))]),
      ifThen(local.get(final),
        [f32.store(i32.shl(local.get(r), i32.const(2)), f32.demoteF64(local.get(total)), SLOT.OUT)],
        [f64.store(i32.shl(local.get(r), i32.const(3)), local.get(total), SLOT.ACC)]),
    ),
  ];
  return f;
}

/**
 * colsum(rows, width, accumulate, final): ACC[j] (+)= Σ_r A[r·width + j] in float64, summing rows in order (the JS
 * loop's order, so results are identical); final writes float32 results to OUT instead of ACC.
 */
function colSumFunction(): FunctionBuilder {
  const f = new FunctionBuilder('colsum', [I32, I32, I32, I32]);
  const [rows, width, accumulate, final] = [0, 1, 2, 3];
  const j = f.local(I32), r = f.local(I32), p = f.local(I32), stride = f.local(I32), vecWidth = f.local(I32);
  const v = f.local(V128), a0 = f.local(V128), a1 = f.local(V128), total = f.local(F64);
  f.body = [
    local.set(stride, i32.shl(local.get(width), i32.const(2))),
    local.set(vecWidth, i32.and(local.get(width), i32.const(~3))),
    // Four columns at a time: two f64x2 accumulators.
    forLoop(j, i32.const(0), local.get(vecWidth), i32.const(4),
      ifThen(local.get(accumulate), [
        local.set(a0, v128.load(i32.shl(local.get(j), i32.const(3)), SLOT.ACC)),
        local.set(a1, v128.load(i32.shl(local.get(j), i32.const(3)), SLOT.ACC + 16)),
      ], [local.set(a0, v128.zero()), local.set(a1, v128.zero())]),
      local.set(p, i32.shl(local.get(j), i32.const(2))),
      forLoop(r, i32.const(0), local.get(rows), i32.const(1),
        local.set(v, v128.load(local.get(p), SLOT.A)),
        local.set(a0, f64x2.add(local.get(a0), f64x2.promoteLowF32x4(local.get(v)))),
        local.set(a1, f64x2.add(local.get(a1), f64x2.promoteLowF32x4(i8x16.shuffle(local.get(v), local.get(v), HIGH_HALF)))),
        local.set(p, i32.add(local.get(p), local.get(stride))),
      ),
      ifThen(local.get(final), [
        v128.store(i32.shl(local.get(j), i32.const(2)),
          i8x16.shuffle(f32x4.demoteF64x2Zero(local.get(a0)), f32x4.demoteF64x2Zero(local.get(a1)), JOIN_HALVES), SLOT.OUT),
      ], [
        v128.store(i32.shl(local.get(j), i32.const(3)), local.get(a0), SLOT.ACC),
        v128.store(i32.shl(local.get(j), i32.const(3)), local.get(a1), SLOT.ACC + 16),
      ]),
    ),
    // Remaining columns one at a time.
    forLoop(j, local.get(vecWidth), local.get(width), i32.const(1),
      ifThen(local.get(accumulate), [local.set(total, f64.load(i32.shl(local.get(j), i32.const(3)), SLOT.ACC))], [local.set(total, f64.const(0))]),
      local.set(p, i32.shl(local.get(j), i32.const(2))),
      forLoop(r, i32.const(0), local.get(rows), i32.const(1),
        local.set(total, f64.add(local.get(total), f64.promoteF32(f32.load(local.get(p), SLOT.A)))),
        local.set(p, i32.add(local.get(p), local.get(stride))),
      ),
      ifThen(local.get(final),
        [f32.store(i32.shl(local.get(j), i32.const(2)), f32.demoteF64(local.get(total)), SLOT.OUT)],
        [f64.store(i32.shl(local.get(j), i32.const(3)), local.get(total), SLOT.ACC)]),
    ),
  ];
  return f;
}

/** Lanewise and scalar max or min: both propagate NaN and order -0 below +0. */
const extreme = (kind: 'max' | 'min') => ({
  vec: kind === 'max' ? f32x4.max : f32x4.min,
  scalar: kind === 'max' ? f32.max : f32.min,
  start: f32x4.splat(f32.const(kind === 'max' ? -Infinity : Infinity)),
});

/**
 * rowmax / rowmin(rows, n, accumulate): OUT[r] = the extreme of row r of A (rows of n values back to back), combined
 * with OUT[r] when accumulating (rows longer than a chunk). NaN wins, as in PyTorch.
 */
function rowExtremeFunction(kind: 'max' | 'min'): FunctionBuilder {
  const f = new FunctionBuilder(`row${kind}`, [I32, I32, I32]);
  const [rows, n, accumulate] = [0, 1, 2];
  const e = extreme(kind);
  const r = f.local(I32), p = f.local(I32), vecEnd = f.local(I32), end = f.local(I32), m = f.local(V128), t = f.local(F32);
  const outAddr = (): Code => i32.shl(local.get(r), i32.const(2));
  f.body = [
    local.set(p, i32.const(SLOT.A)),
    forLoop(r, i32.const(0), local.get(rows), i32.const(1),
      local.set(end, i32.add(local.get(p), i32.shl(local.get(n), i32.const(2)))),
      local.set(vecEnd, i32.add(local.get(p), i32.shl(i32.and(local.get(n), i32.const(~3)), i32.const(2)))),
      local.set(m, e.start),
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(vecEnd))),
        local.set(m, e.vec(local.get(m), v128.load(local.get(p)))),
        local.set(p, i32.add(local.get(p), i32.const(16))),
        br(0),
      )),
      local.set(m, e.vec(local.get(m), i8x16.shuffle(local.get(m), local.get(m), HIGH_HALF))),
      local.set(t, e.scalar(f32x4.extractLane(local.get(m), 0), f32x4.extractLane(local.get(m), 1))),
      block(loop(
        brIf(1, i32.geS(local.get(p), local.get(end))),
        local.set(t, e.scalar(local.get(t), f32.load(local.get(p)))),
        local.set(p, i32.add(local.get(p), i32.const(4))),
        br(0),
      )),
      ifThen(local.get(accumulate), [local.set(t, e.scalar(local.get(t), f32.load(outAddr(), SLOT.OUT)))]),
      f32.store(outAddr(), local.get(t), SLOT.OUT),
    ),
  ];
  return f;
}

/** colmax / colmin(rows, width, accumulate): OUT[j] = the extreme over rows r of A[r·width + j] (and OUT[j]). */
function colExtremeFunction(kind: 'max' | 'min'): FunctionBuilder {
  const f = new FunctionBuilder(`col${kind}`, [I32, I32, I32]);
  const [rows, width, accumulate] = [0, 1, 2];
  const e = extreme(kind);
  const j = f.local(I32), r = f.local(I32), p = f.local(I32), stride = f.local(I32), vecWidth = f.local(I32), m = f.local(V128), t = f.local(F32);
  f.body = [
    local.set(stride, i32.shl(local.get(width), i32.const(2))),
    local.set(vecWidth, i32.and(local.get(width), i32.const(~3))),
    forLoop(j, i32.const(0), local.get(vecWidth), i32.const(4),
      local.set(p, i32.shl(local.get(j), i32.const(2))),
      ifThen(local.get(accumulate), [local.set(m, v128.load(local.get(p), SLOT.OUT))], [local.set(m, e.start)]),
      forLoop(r, i32.const(0), local.get(rows), i32.const(1),
        local.set(m, e.vec(local.get(m), v128.load(local.get(p), SLOT.A))),
        local.set(p, i32.add(local.get(p), local.get(stride))),
      ),
      v128.store(i32.shl(local.get(j), i32.const(2)), local.get(m), SLOT.OUT),
    ),
    forLoop(j, local.get(vecWidth), local.get(width), i32.const(1),
      local.set(p, i32.shl(local.get(j), i32.const(2))),
      ifThen(local.get(accumulate), [local.set(t, f32.load(local.get(p), SLOT.OUT))], [local.set(t, f32.const(kind === 'max' ? -Infinity : Infinity))]),
      forLoop(r, i32.const(0), local.get(rows), i32.const(1),
        local.set(t, e.scalar(local.get(t), f32.load(local.get(p), SLOT.A))),
        local.set(p, i32.add(local.get(p), local.get(stride))),
      ),
      f32.store(i32.shl(local.get(j), i32.const(2)), local.get(t), SLOT.OUT),
    ),
  ];
  return f;
}

/** The module's bytes: every function above, exported by name, and a memory holding the slots. */
export function buildElementwiseF32Module(): Uint8Array {
  const functions: FunctionBuilder[] = [
    ...BINARY_F32_OPS.map(binaryFunction),
    ...BINARY_F32_OPS.map((op) => scalarFunction(op, false)),
    ...BINARY_F32_OPS.map((op) => scalarFunction(op, true)),
    ...BINARY_F32_OPS.map((op) => rowScalarFunction(op, false)),
    ...BINARY_F32_OPS.map((op) => rowScalarFunction(op, true)),
    ...UNARY_SIMPLE_F32_OPS.map(unaryFunction),
    ...GRAD_F32_OPS.map(gradFunction),
    rowSumFunction(),
    colSumFunction(),
    rowExtremeFunction('max'),
    rowExtremeFunction('min'),
    colExtremeFunction('max'),
    colExtremeFunction('min'),
  ];
  return encodeModule(functions, Math.ceil(MEMORY_BYTES / 65536));
}
