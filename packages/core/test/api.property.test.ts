/**
 * The API sweep of @tensorgrad/core (see sweep/harness.ts): every exported function and every Tensor method, called
 * with random valid and invalid arguments, returns a correct result or throws a plain Error naming itself. A new export
 * or method without an entry below fails the completeness test; docs/testing.md says how to add one (one line).
 */
import fc from 'fast-check';
import * as tg from '@tensorgrad/core';
import { Tensor, type DType } from '@tensorgrad/core';
import {
  T, anyTensor, axis, bool, callback, checkBinary, checkTensor, close, count, ctor, dtype, floatTensor, fn, generator, getter,
  boundMethod, int, junk, method, neverReturned, number, operandPair, opts, orJunk, setter, shape, sig, smallShape, sweepProperty, tally, tensorOf, type Entry,
} from './sweep/harness';

// ---------------------------------------------------------------- result checks

/** A tensor of the requested shape and dtype whose values all pass `value`. */
function created(shapeOf: (args: unknown[]) => unknown, dtypeOf: (args: unknown[]) => unknown, value?: (v: number, args: unknown[]) => boolean) {
  return (r: unknown, args: unknown[]): void => {
    checkTensor(r);
    const s = shapeOf(args);
    if (Array.isArray(s) && r.shape.join() !== s.join()) throw new Error(`shape [${r.shape}], requested [${s}]`);
    const d = dtypeOf(args) ?? 'float32';
    if (r.dtype !== d) throw new Error(`dtype ${r.dtype}, requested ${String(d)}`);
    if (value) r.data.forEach((v) => { if (!value(v, args)) throw new Error(`value ${v} not expected for ${String(args)}`); });
  };
}
const optDType = (i: number, fallback: DType = 'float32') => (args: unknown[]) => (args[i] as { dtype?: DType } | undefined)?.dtype ?? fallback;

/** Elementwise unary ops against Math: same shape, float dtype (int32 computes in float32), every value. */
function unaryCheck(ref: (x: number, dtype: DType) => number, keepsInt = false) {
  return (r: unknown, args: unknown[], self: unknown): void => {
    const x = (self ?? args[0]) as Tensor;
    checkTensor(r);
    const want: DType = x.dtype === 'int32' && !keepsInt ? 'float32' : x.dtype;
    if (r.dtype !== want || r.shape.join() !== x.shape.join()) throw new Error(`got ${r.dtype} [${r.shape}], expected ${want} [${x.shape}]`);
    x.data.forEach((raw, i) => {
      const v = want === 'float32' ? Math.fround(raw) : raw; // an int32 input is converted to float32 first
      const expected = want === 'int32' ? ref(v, want) | 0 : ref(v, want);
      if (!close(r.data[i], want === 'float32' ? Math.fround(expected) : expected, want, 1e-5)) throw new Error(`value ${r.data[i]} at ${i}, expected ${expected} for ${v}`);
    });
  };
}

/** Shape ops: the result holds the same multiset of values (a permutation of them) as the input. */
function sameValues(r: unknown, args: unknown[], self: unknown): void {
  const x = (self ?? args[0]) as Tensor;
  checkTensor(r);
  if (r.dtype !== x.dtype) throw new Error(`dtype ${r.dtype}, input ${x.dtype}`);
  const key = (t: Tensor) => Array.from(t.data, (v) => String(Object.is(v, -0) ? 0 : v)).sort().join(); // strings: NaN sorts too
  if (key(r) !== key(x)) throw new Error(`values changed: [${Array.from(x.data)}] -> [${Array.from(r.data)}]`);
}

/** A reduction over all axes (axis omitted) of a float tensor equals the reference over its values. */
function reduceCheck(ref: (values: number[]) => number) {
  return (r: unknown, args: unknown[], self: unknown): void => {
    const [x, ax] = self === undefined ? args : [self, ...args];
    checkTensor(r);
    if (ax !== undefined && ax !== null) return;
    const t = x as Tensor;
    if (r.size !== 1) throw new Error(`a full reduction gave shape [${r.shape}]`);
    const expected = ref(Array.from(t.data));
    if (!close(r.data[0], r.dtype === 'float32' ? Math.fround(expected) : expected, r.dtype, 1e-4)) throw new Error(`got ${r.data[0]}, expected ${expected}`);
  };
}
const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);

const wrap = (v: number, d: DType) => (d === 'int32' ? v | 0 : v);
const BINARY: Record<string, Entry['check']> = {
  add: checkBinary((a, b, d) => wrap(a + b, d)),
  sub: checkBinary((a, b, d) => wrap(a - b, d)),
  mul: checkBinary((a, b, d) => (d === 'int32' ? Math.imul(a, b) : a * b)),
  div: checkBinary((a, b) => a / b, { result: (p) => (p === 'int32' ? 'float32' : p), compute: (p) => (p === 'int32' ? 'float32' : p) }),
  pow: checkBinary((a, b, d) => (d === 'int32' ? Number(BigInt.asIntN(32, BigInt(a) ** BigInt(b))) : Math.pow(a, b))),
  maximum: checkBinary((a, b) => Math.max(a, b)),
  minimum: checkBinary((a, b) => Math.min(a, b)),
  eq: checkBinary((a, b) => +(a === b), { result: () => 'int32' }),
  ne: checkBinary((a, b) => +(a !== b), { result: () => 'int32' }),
  lt: checkBinary((a, b) => +(a < b), { result: () => 'int32' }),
  le: checkBinary((a, b) => +(a <= b), { result: () => 'int32' }),
  gt: checkBinary((a, b) => +(a > b), { result: () => 'int32' }),
  ge: checkBinary((a, b) => +(a >= b), { result: () => 'int32' }),
};

// ---------------------------------------------------------------- argument lists

const tensorOpts = opts({ dtype, requiresGrad: bool, shape });
const fillOpts = opts({ dtype, requiresGrad: bool });
const randomOpts = opts({ dtype, requiresGrad: bool, generator });
const data = fc.oneof(
  fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { maxLength: 4 }) as fc.Arbitrary<unknown>,
  fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 2, maxLength: 2 }), { maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constantFrom(new Float64Array([1, 2.5]), new Int32Array([3, -1]), new Uint8Array([255])),
  fc.constantFrom([[1, 2], [3]], [1, 'a'], [1.5], [2 ** 31], [[[]]]),
  junk,
);
const sliceSpec = orJunk(fc.array(fc.oneof(
  fc.integer({ min: -3, max: 3 }) as fc.Arbitrary<unknown>, fc.constant(null),
  fc.array(fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constant(null)) as fc.Arbitrary<unknown>, { maxLength: 3 }),
), { maxLength: 3 }));
const intList = orJunk(fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 4 }));
const indexList = orJunk(fc.oneof(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }) as fc.Arbitrary<unknown>, tensorOf(smallShape, ['int32'])));
const tensorList = orJunk(fc.oneof(
  fc.array(anyTensor, { maxLength: 3 }) as fc.Arbitrary<unknown>,
  smallShape.chain((s) => fc.array(tensorOf(fc.constant(s)), { minLength: 1, maxLength: 3 })),
));
const unaryFn = fc.constantFrom((x: Tensor) => x.exp(), (x: Tensor) => x.mul(x).sum(), (x: Tensor) => [x.tanh(), x.square()], () => 3);
const float64Leaf = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 3 }).map((v) => tg.tensor(v, { dtype: 'float64', requiresGrad: true }));
const bound = orJunk(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(null, undefined)));
const hook = orJunk(fc.constantFrom((g: Tensor) => g.mul(2), () => undefined, () => 'x', (g: Tensor) => g.sum()));

/** Arguments that usually fit each other, for ops whose valid inputs are rare at random. */
const linearArgs = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.boolean())
  .chain(([inF, outF, lead, bias]) => fc.tuple(tensorOf(fc.constant([...lead, inF])), tensorOf(fc.constant([outF, inF])), bias ? tensorOf(fc.constant([outF])) : fc.constant(undefined)));
const withAxis = (x: Tensor, extra: (n: number) => fc.Arbitrary<unknown[]>): fc.Arbitrary<unknown[]> =>
  x.ndim === 0 ? fc.constant<unknown[]>([x, 0]) : fc.integer({ min: -x.ndim, max: x.ndim - 1 }).chain((a) => extra(x.shape[a < 0 ? a + x.ndim : a]).map((rest) => [x, a, ...rest]));
const narrowArgs = anyTensor.chain((x) => withAxis(x, (n) => fc.integer({ min: -n, max: n }).chain((st) => fc.tuple(fc.constant(st), fc.integer({ min: 0, max: n })))));
const indexSelectArgs = anyTensor.chain((x) => withAxis(x, (n) => fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: 4 }).map((ix) => [n === 0 ? [] : ix])));
const gatherArgs = anyTensor.filter((x) => x.ndim > 0).chain((x) => withAxis(x, (n) => fc.tuple(...x.shape.map((d) => fc.integer({ min: 0, max: d })))
  .chain((s) => fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { minLength: s.reduce((p, q) => p * q, 1), maxLength: s.reduce((p, q) => p * q, 1) })
    .map((v) => [n === 0 && v.length > 0 ? v : tg.tensor(v, { dtype: 'int32', shape: s })]))));
const sameShapeOperands = (k: number) => floatTensor.chain((x) => fc.tuple(fc.constant(x), ...Array.from({ length: k }, () => tensorOf(fc.constant([...x.shape])))) as fc.Arbitrary<unknown[]>);
const backwardArgs = fc.tuple(float64Leaf, fc.integer({ min: 0, max: 3 }), opts({ retainGraph: bool, createGraph: bool }))
  .map(([x, k, o]) => (k === 0 ? [x.square().sum(), o] : k === 1 ? [x.exp(), tg.onesLike(x)] : k === 2 ? [x.exp(), 5] : [x.exp()]));

const sortOpts = opts({ descending: bool, stable: bool });
const topkOpts = opts({ largest: bool, sorted: bool });
/** Probabilities (non-negative weights) for multinomial and bernoulli. */
const probsTensor = tensorOf(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }), ['float32', 'float64']).map((t) => t.detach().abs().clamp(0, 1));
const scatterArgs = gatherArgs.chain(([x, a, idx]) => tensorOf(fc.constant([...(idx instanceof Tensor ? idx.shape : [])]), [(x as Tensor).dtype])
  .map((src) => [x, a, idx, src] as unknown[]));
const maskedFillArgs = anyTensor.chain((x) => fc.tuple(fc.constant(x), tensorOf(fc.constant([...x.shape]), ['int32']).map((m) => m.clamp(0, 1)), fc.integer({ min: -3, max: 3 })) as fc.Arbitrary<unknown[]>);
const einsumArgs = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([i, j, k]) =>
    fc.tuple(fc.constant('ij,jk->ik'), tensorOf(fc.constant([i, j]), ['float32', 'float64']), tensorOf(fc.constant([j, k]), ['float32', 'float64']))) as fc.Arbitrary<unknown[]>,
  fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.constantFrom('ii->', 'ii->i', 'ij->ji'), tensorOf(fc.constant([n, n]), ['float32', 'float64']))) as fc.Arbitrary<unknown[]>,
  fc.tuple(fc.constantFrom('i,j->ij', 'ij,jk', 'i->', 'x'), T, T) as fc.Arbitrary<unknown[]>,
);
const anyCheck: Entry['check'] = (r) => { if (r instanceof Tensor) checkTensor(r); };
/** In-place updates with no result (the fused optimizer steps). */
const returnsNothing: Entry['check'] = (r) => { if (r !== undefined) throw new Error('returns nothing'); };
/** A parameter that does not require grad and `k` tensors like it (a gradient and state), each with its own storage. */
const stepTensors = (k: number) => floatTensor.map((x) => {
  const p = x.detach().clone();
  return [p, ...Array.from({ length: k }, (_, i) => (i === 0 ? p.clone() : tg.zerosLike(p)))];
});
const size = orJunk(fc.integer({ min: 1, max: 3 }), 6);
const floatOf = (shapeArb: fc.Arbitrary<number[]>) => tensorOf(shapeArb, ['float32', 'float64']);
/** A float image batch [N, C, ...spatial] with `dims` spatial dimensions of size 2..5. */
const imageTensor = (dims: number) => floatOf(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: 2, max: 5 }), { minLength: dims, maxLength: dims }))
  .map(([n, c, sp]) => [n, c, ...sp]));
const convOpts = opts({ stride: size, padding: orJunk(fc.constantFrom(0, 1, 'same', 'valid')), dilation: size, groups: size });
const poolOpts = opts({ stride: size, padding: count, dilation: size, ceilMode: bool, returnIndices: bool });
/** A conv input, a weight that fits it, and sometimes a bias (transposed convs take weight [Cin, Cout, ...k]). */
const convArgs = (dims: number, transposed = false) => fc.tuple(imageTensor(dims), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.boolean())
  .chain(([x, cout, k, bias]) => {
    const cin = x.shape[1];
    const w = tensorOf(fc.constant([...(transposed ? [cin, cout] : [cout, cin]), ...Array(dims).fill(k)]), [x.dtype]);
    return fc.tuple(fc.constant(x), w, bias ? tensorOf(fc.constant([cout]), [x.dtype]) : fc.constant(null), fc.constant(undefined)) as fc.Arbitrary<unknown[]>;
  });
const poolArgs = (dims: number) => fc.tuple(imageTensor(dims), fc.integer({ min: 1, max: 2 })) as fc.Arbitrary<unknown[]>;
const layerNormArgs = fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 3 }), fc.boolean())
  .chain(([lead, d, affine]) => fc.tuple(floatOf(fc.constant([...lead, d])), fc.constant(d)).chain(([x]) => fc.tuple(fc.constant(x), fc.constant(d),
    affine ? tensorOf(fc.constant([d]), [x.dtype]) : fc.constant(null), affine ? tensorOf(fc.constant([d]), [x.dtype]) : fc.constant(null)))) as fc.Arbitrary<unknown[]>;
const attentionOpts = opts({ isCausal: bool, scale: orJunk(fc.double({ min: 0.1, max: 2, noNaN: true })) });
const attentionArgs = (withValue: boolean) => fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'))
  .chain(([l, s2, e, dt]) => fc.tuple(tensorOf(fc.constant([l, e]), [dt]), tensorOf(fc.constant([s2, e]), [dt]), tensorOf(fc.constant([s2, 2]), [dt]), attentionOpts)
    .map(([q, k, v, o]) => (withValue ? [q, k, v, o] : [q, k, o]))) as fc.Arbitrary<unknown[]>;

// ---------------------------------------------------------------- the registry of exported functions

const unary = (ref: (x: number, dtype: DType) => number, keepsInt = false) => fn(sig(T), { check: unaryCheck(ref, keepsInt) });
const binary = (name: keyof typeof BINARY) => fn(operandPair, { check: BINARY[name] });
const reduction = (ref?: (v: number[]) => number) => fn(sig(T, axis, bool), { check: ref ? reduceCheck(ref) : (r) => checkTensor(r) });

const FUNCTIONS: Record<string, Entry> = {
  tensor: fn(sig(data, tensorOpts), { check: (r) => checkTensor(r) }),
  zeros: fn(sig(shape, fillOpts), { check: created((a) => a[0], optDType(1), (v) => v === 0) }),
  ones: fn(sig(shape, fillOpts), { check: created((a) => a[0], optDType(1), (v) => v === 1) }),
  full: fn(sig(shape, number, fillOpts), { check: created((a) => a[0], optDType(2), (v, a) => Object.is(v, a[1]) || close(v, a[1] as number, 'float32') || (v === 0 && a[1] === 0)) }),
  zerosLike: fn(sig(T, fillOpts), { check: (r, a) => { checkTensor(r); if (r.shape.join() !== (a[0] as Tensor).shape.join() || r.data.some((v) => v !== 0)) throw new Error('not zeros like'); } }),
  onesLike: fn(sig(T, fillOpts), { check: (r, a) => { checkTensor(r); if (r.shape.join() !== (a[0] as Tensor).shape.join() || r.data.some((v) => v !== 1)) throw new Error('not ones like'); } }),
  fullLike: fn(sig(T, number, fillOpts), { check: (r, a) => { checkTensor(r); if (r.shape.join() !== (a[0] as Tensor).shape.join()) throw new Error('wrong shape'); } }),
  arange: fn(sig(number, number, number, fillOpts), { check: (r) => { checkTensor(r); if (r.ndim !== 1) throw new Error('arange is 1-D'); } }),
  linspace: fn(sig(number, number, count, fillOpts), { check: (r, a) => { checkTensor(r); if (r.size !== a[2]) throw new Error(`linspace gave ${r.size} values for ${String(a[2])} steps`); } }),
  eye: fn(sig(count, count, fillOpts), { check: (r) => { checkTensor(r); r.data.forEach((v, i) => { const row = Math.floor(i / r.shape[1]); if (v !== +(i % r.shape[1] === row)) throw new Error('not an identity'); }); } }),
  rand: fn(sig(shape, randomOpts), { check: created((a) => a[0], optDType(1), (v) => v >= 0 && v < 1) }),
  randn: fn(sig(shape, randomOpts), { check: created((a) => a[0], optDType(1), Number.isFinite) }),
  randint: fn(sig(int, int, shape, randomOpts), { check: created((a) => a[2], optDType(3, 'int32'), (v, a) => v >= (a[0] as number) && v < (a[1] as number)) }),
  randperm: fn(sig(count, randomOpts), { check: (r, a) => { checkTensor(r); if (Array.from(r.data).sort((x, y) => x - y).join() !== Array.from({ length: a[0] as number }, (_, i) => i).join()) throw new Error('not a permutation'); } }),
  Generator: ctor(sig(number), { use: fc.constant((g: tg.Generator) => { const s = g.getState(); const v = g.random(); g.setState(s); if (g.random() !== v) throw new Error('Generator: setState does not restore'); }) }),
  manualSeed: fn(sig(number), { check: (r) => { if (r !== tg.defaultGenerator) throw new Error('manualSeed returns the default generator'); } }),

  neg: unary((x) => -x, true), exp: unary(Math.exp), log: unary(Math.log), log1p: unary(Math.log1p), sqrt: unary(Math.sqrt),
  abs: unary(Math.abs, true), sign: unary(Math.sign, true), sin: unary(Math.sin), cos: unary(Math.cos), tanh: unary(Math.tanh),
  sigmoid: unary((x) => 1 / (1 + Math.exp(-x))), relu: unary((x) => (x > 0 || Number.isNaN(x) ? x : 0), true), square: unary((x, d) => (d === 'int32' ? Math.imul(x, x) : x * x), true),
  reciprocal: unary((x) => 1 / x), softplus: unary((x) => (x > 20 ? x : Math.log1p(Math.exp(x)))),
  erf: fn(sig(T), { check: (r) => checkTensor(r) }), gelu: fn(sig(T), { check: (r) => checkTensor(r) }),
  leakyRelu: fn(sig(T, number), { check: (r) => checkTensor(r) }),
  clamp: fn(sig(T, bound, bound), { check: (r) => checkTensor(r) }),

  add: binary('add'), sub: binary('sub'), mul: binary('mul'), div: binary('div'), pow: binary('pow'), maximum: binary('maximum'),
  minimum: binary('minimum'), eq: binary('eq'), ne: binary('ne'), lt: binary('lt'), le: binary('le'), gt: binary('gt'), ge: binary('ge'),
  where: fn(fc.tuple(T, operandPair).map(([c, [a, b]]) => [c, a, b]), { check: (r) => checkTensor(r) }),

  sum: reduction(sumOf), mean: reduction((v) => sumOf(v) / v.length), max: reduction((v) => Math.max(...v)), min: reduction((v) => Math.min(...v)),
  variance: fn(sig(T, axis, bool, number), { check: (r) => checkTensor(r), names: ['var'] }),
  var: fn(sig(T, axis, bool, number), { check: (r) => checkTensor(r) }),
  std: fn(sig(T, axis, bool, number), { check: (r) => checkTensor(r) }),
  logsumexp: reduction(), argmax: fn(sig(T, axis, bool), { check: (r) => checkTensor(r) }), argmin: fn(sig(T, axis, bool), { check: (r) => checkTensor(r) }),
  norm: fn(sig(T, orJunk(fc.constantFrom(1, 2, 3, 0.5, Infinity, -1, 0)), axis, bool), { check: (r) => checkTensor(r) }),
  matmul: fn(sig(T, T), { check: (r) => checkTensor(r) }),
  linear: fn(fc.oneof(linearArgs as fc.Arbitrary<unknown[]>, sig(T, T, orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.constant(null))))), { check: (r) => checkTensor(r) }),

  reshape: fn(sig(T, intList), { check: sameValues }), view: fn(sig(T, intList), { check: sameValues, names: ['reshape'] }),
  flatten: fn(sig(T, int, int), { check: sameValues }), permute: fn(sig(T, intList), { check: sameValues }),
  transpose: fn(sig(T, int, int), { check: sameValues, names: ['permute'] }),
  squeeze: fn(sig(T, axis), { check: sameValues }), unsqueeze: fn(sig(T, int), { check: sameValues }),
  expand: fn(sig(T, intList), { check: (r) => checkTensor(r) }), broadcastTo: fn(sig(T, intList), { check: (r) => checkTensor(r) }),
  slice: fn(sig(T, sliceSpec), { check: (r) => checkTensor(r) }), narrow: fn(fc.oneof(narrowArgs, sig(T, int, int, int)), { check: (r) => checkTensor(r) }),
  split: fn(sig(T, orJunk(fc.oneof(fc.integer({ min: 0, max: 3 }) as fc.Arbitrary<unknown>, fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))), int), { check: (r) => (r as Tensor[]).forEach((t) => checkTensor(t)) }),
  chunk: fn(sig(T, int, int), { check: (r) => (r as Tensor[]).forEach((t) => checkTensor(t)) }),
  concat: fn(sig(tensorList, int), { check: (r) => checkTensor(r) }), cat: fn(sig(tensorList, int), { check: (r) => checkTensor(r), names: ['concat'] }),
  stack: fn(sig(tensorList, int), { check: (r) => checkTensor(r) }),
  pad: fn(sig(T, intList, number), { check: (r) => checkTensor(r) }),
  indexSelect: fn(fc.oneof(indexSelectArgs, sig(T, int, indexList)), { check: (r) => checkTensor(r) }),
  gather: fn(fc.oneof(gatherArgs, sig(T, int, indexList)), { check: (r) => checkTensor(r) }),
  softmax: fn(sig(T, int), { check: (r) => { checkTensor(r); r.data.forEach((v) => { if (!(v >= 0 && v <= 1) && !Number.isNaN(v)) throw new Error(`softmax value ${v}`); }); } }),
  logSoftmax: fn(sig(T, int), { check: (r) => checkTensor(r) }),
  cast: fn(sig(T, dtype), { check: (r, a) => { checkTensor(r); if (r.dtype !== a[1]) throw new Error('cast to the wrong dtype'); } }),
  clone: fn(sig(T), { check: (r, a) => { checkTensor(r); if (r.data === (a[0] as Tensor).data) throw new Error('clone shares storage'); } }),
  listOps: fn(sig(), { check: (r) => { if (!Array.isArray(r) || r.length < 50) throw new Error('listOps is short'); } }),
  randLike: fn(sig(T, randomOpts), { check: (r) => checkTensor(r) }), randnLike: fn(sig(T, randomOpts), { check: (r) => checkTensor(r) }),
  rsqrt: unary((x) => 1 / Math.sqrt(x)), silu: unary((x) => x / (1 + Math.exp(-x))),
  scatter: fn(fc.oneof(scatterArgs, sig(T, int, indexList, orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double())))), { check: anyCheck }),
  scatterAdd: fn(fc.oneof(scatterArgs, sig(T, int, indexList, T)), { check: anyCheck }),
  tril: fn(sig(T, int), { check: anyCheck }), triu: fn(sig(T, int), { check: anyCheck }),
  maskedFill: fn(fc.oneof(maskedFillArgs, sig(T, T, number)), { check: anyCheck }),
  cumsum: fn(sig(T, int), { check: anyCheck }), cumprod: fn(sig(T, int), { check: anyCheck }), prod: fn(sig(T, axis, bool), { check: anyCheck }),
  sort: fn(sig(T, orJunk(fc.oneof(fc.integer({ min: -2, max: 2 }) as fc.Arbitrary<unknown>, sortOpts)), sortOpts), { check: (r) => (r as Tensor[]).forEach((t) => checkTensor(t)) }),
  argsort: fn(sig(T, orJunk(fc.integer({ min: -2, max: 2 })), sortOpts), { check: anyCheck }),
  topk: fn(sig(T, count, orJunk(fc.integer({ min: -2, max: 2 })), topkOpts), { check: (r) => (r as Tensor[]).forEach((t) => checkTensor(t)) }),
  flip: fn(sig(T, axis), { check: sameValues }), roll: fn(sig(T, orJunk(fc.oneof(int, intList)), axis), { check: sameValues }),
  repeat: fn(sig(T, intList), { check: anyCheck }), tile: fn(sig(T, intList), { check: anyCheck }),
  unbind: fn(sig(T, int), { check: (r) => (r as Tensor[]).forEach((t) => checkTensor(t)) }),
  diag: fn(sig(T, int), { check: anyCheck }), diagonal: fn(sig(T, int, int, int), { check: anyCheck }), diagEmbed: fn(sig(T, int, int, int), { check: anyCheck }),
  einsum: fn(fc.oneof(einsumArgs, fc.tuple(junk, T) as fc.Arbitrary<unknown[]>), { check: anyCheck }),
  outer: fn(sig(T, T), { check: anyCheck }),
  all: fn(sig(T, axis, bool), { check: anyCheck }), any: fn(sig(T, axis, bool), { check: anyCheck }),
  isnan: fn(sig(T), { check: (r, a) => { checkTensor(r); (a[0] as Tensor).data.forEach((v, i) => { if (r.data[i] !== +Number.isNaN(v)) throw new Error('isnan'); }); } }),
  isfinite: fn(sig(T), { check: (r, a) => { checkTensor(r); (a[0] as Tensor).data.forEach((v, i) => { if (r.data[i] !== +Number.isFinite(v)) throw new Error('isfinite'); }); } }),
  multinomial: fn(sig(orJunk(probsTensor), count, opts({ replacement: bool, generator })), { check: anyCheck }),
  bernoulli: fn(sig(orJunk(probsTensor), opts({ generator })), { check: anyCheck }),
  backendInfo: fn(sig(), { check: (r) => { if ((r as { backend?: string }).backend !== 'cpu') throw new Error('backendInfo'); } }),
  layerNorm: fn(fc.oneof(layerNormArgs, sig(T, orJunk(fc.oneof(fc.integer({ min: 1, max: 3 }) as fc.Arbitrary<unknown>, intList)), T, T, number)), { check: anyCheck }),
  scaledDotProductAttention: fn(fc.oneof(attentionArgs(true), sig(T, T, T, attentionOpts)), { check: anyCheck }),
  attentionWeights: fn(fc.oneof(attentionArgs(false), sig(T, T, attentionOpts)), { check: anyCheck }),
  conv1d: fn(fc.oneof(convArgs(1), sig(T, T, T, convOpts)), { check: anyCheck }), conv2d: fn(fc.oneof(convArgs(2), sig(T, T, T, convOpts)), { check: anyCheck }),
  convTranspose1d: fn(fc.oneof(convArgs(1, true), sig(T, T, T, convOpts)), { check: anyCheck }),
  convTranspose2d: fn(fc.oneof(convArgs(2, true), sig(T, T, T, convOpts)), { check: anyCheck }),
  maxPool1d: fn(fc.oneof(poolArgs(1), sig(T, size, poolOpts)), { check: (r) => { if (Array.isArray(r)) r.forEach((t) => checkTensor(t)); else checkTensor(r); } }),
  maxPool2d: fn(fc.oneof(poolArgs(2), sig(T, size, poolOpts)), { check: (r) => { if (Array.isArray(r)) r.forEach((t) => checkTensor(t)); else checkTensor(r); } }),
  avgPool2d: fn(fc.oneof(poolArgs(2), sig(T, size, opts({ stride: size, padding: count, ceilMode: bool, countIncludePad: bool, divisorOverride: size }))), { check: anyCheck }),
  adaptiveAvgPool2d: fn(fc.oneof(poolArgs(2), sig(T, orJunk(fc.oneof(size, fc.constant([2, null]))))), { check: anyCheck }),
  interpolate: fn(sig(orJunk(imageTensor(1)), opts({ size: orJunk(fc.integer({ min: 1, max: 4 })), scaleFactor: orJunk(fc.constantFrom(2, 0.5, 1.5)), mode: orJunk(fc.constantFrom('nearest', 'linear')), alignCorners: bool })), { check: anyCheck }),

  noGrad: fn(sig(callback)), enableGrad: fn(sig(callback)), detectAnomaly: fn(sig(callback)),
  isGradEnabled: fn(sig(), { check: (r) => { if (r !== true) throw new Error('grad mode is on by default'); } }),
  setGradEnabled: fn(sig(bool)), setDetectAnomaly: fn(sig(bool)),
  isAnomalyEnabled: fn(sig(), { check: (r) => { if (r !== false) throw new Error('anomaly mode is off by default'); } }),
  grad: fn(fc.tuple(float64Leaf, fc.integer({ min: 0, max: 3 }), opts({ createGraph: bool, retainGraph: bool, allowUnused: bool }), junk)
    .map(([x, k, o, j]) => (k === 0 ? [x.square().sum(), x, null, o] : k === 1 ? [x.square().sum(), [x, x.detach().requiresGrad_()], undefined, o] : k === 2 ? [x.exp(), x, null, o] : [j, x])),
  { check: (r) => { if (!Array.isArray(r)) throw new Error('grad returns an array'); } }),
  customOp: fn(sig(orJunk(fc.constant({ name: 'twice', forward: (x: Tensor) => x.mul(2), backward: (g: Tensor) => [g.mul(2)] }))), {
    check: (op) => { const y = (op as (x: Tensor) => Tensor)(tg.tensor([1, 2])); if (y.data[1] !== 4) throw new Error('custom op computed wrong'); },
  }),
  gradcheck: fn(sig(orJunk(unaryFn), orJunk(fc.array(float64Leaf, { minLength: 1, maxLength: 2 })), opts({ eps: number, atol: number, rtol: number, seed: number, raiseException: bool })), { runs: 40 }),
  gradgradcheck: fn(sig(orJunk(unaryFn), orJunk(fc.array(float64Leaf, { minLength: 1, maxLength: 1 })), opts({ eps: number, seed: number })), { runs: 25 }),
  toDot: fn(sig(T, opts({ rankdir: orJunk(fc.constantFrom('LR', 'TB')), showValues: count })), { check: (r) => { if (typeof r !== 'string' || !r.startsWith('digraph')) throw new Error('not DOT'); } }),
  broadcastShapes: fn(sig(shape, shape), { check: (r) => { if (!Array.isArray(r)) throw new Error('not a shape'); } }),
  fusedAdamStep_: fn(fc.oneof(
    stepTensors(3).map((t) => [...t, null, { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1 }]),
    sig(T, T, T, T, orJunk(fc.oneof(T, fc.constant(null))), opts({ lr: number, beta1: number, beta2: number, eps: number, step: count, weightDecay: number, decoupledWeightDecay: bool, maximize: bool })),
  ), { check: returnsNothing }),
  fusedSgdStep_: fn(fc.oneof(
    stepTensors(2).map((t) => [...t, { lr: 0.1, momentum: 0.9, firstStep: true }]),
    sig(T, T, orJunk(fc.oneof(T, fc.constant(null))), opts({ lr: number, momentum: number, dampening: number, nesterov: bool, weightDecay: number, maximize: bool, firstStep: bool })),
  ), { check: returnsNothing }),
  fusedRmspropStep_: fn(fc.oneof(
    stepTensors(2).map((t) => [...t, null, null, { lr: 0.1, alpha: 0.9, eps: 1e-8 }]),
    sig(T, T, T, orJunk(fc.oneof(T, fc.constant(null))), orJunk(fc.oneof(T, fc.constant(null))), opts({ lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, maximize: bool })),
  ), { check: returnsNothing }),
  fusedAdagradStep_: fn(fc.oneof(
    stepTensors(2).map((t) => [...t, { lr: 0.1, eps: 1e-10, step: 1 }]),
    sig(T, T, T, opts({ lr: number, eps: number, step: count, lrDecay: number, weightDecay: number, maximize: bool })),
  ), { check: returnsNothing }),
  // Only 1 and 2 among the valid values: the sweep must not leave the kernels set to more threads than they use.
  setNumThreads: fn(sig(orJunk(fc.integer({ min: 1, max: 2 })))),
  getNumThreads: fn(sig(), { check: (r) => { if (!Number.isInteger(r) || (r as number) < 1) throw new Error('a positive integer'); } }),
};

/** Exports that are not functions to call, with the reason. */
const NOT_SWEPT: Record<string, string> = {
  util: 'a namespace of argument checks for packages built on core; every check runs inside the entries above and nn\'s sweep',
  defaultGenerator: 'an object (the global Generator); its methods are swept through the Generator entry',
  Tensor: 'the class: its constructor is @internal (tensors are made by tensor(), zeros(), ...); every method is swept below',
};

// ---------------------------------------------------------------- the registry of Tensor methods and accessors

const m = (args: fc.Arbitrary<unknown[]>, check?: Entry['check'], names?: string[]) => method(args, { receiver: anyTensor, check, names });
const unaryM = (ref: (x: number, dtype: DType) => number, keepsInt = false) => m(sig(), unaryCheck(ref, keepsInt));
const binaryM = (name: keyof typeof BINARY) => m(sig(orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double({ min: -3, max: 3 })))), BINARY[name]);
const shapeM = (...args: fc.Arbitrary<unknown>[]) => m(sig(...args), sameValues);
const inPlace = (...args: fc.Arbitrary<unknown>[]) => method(sig(...args), { receiver: floatTensor, check: (r, _a, self) => { if (r !== self) throw new Error('in-place ops return this'); } });
const METHODS: Record<string, Entry> = {
  version: getter({ receiver: anyTensor, check: (r) => { if (!Number.isSafeInteger(r)) throw new Error('version is an integer'); } }),
  ndim: getter({ receiver: anyTensor }), isLeaf: getter({ receiver: anyTensor }), op: getter({ receiver: anyTensor }),
  mT: getter({ receiver: anyTensor, check: anyCheck, names: ['transpose', 'permute'] }),
  requiresGrad: setter(bool, { receiver: anyTensor }),
  requiresGrad_: m(sig(bool)),
  item: m(sig(), (r) => { if (typeof r !== 'number') throw new Error('item returns a number'); }),
  toArray: m(sig()), toString: m(sig(), (r) => { if (typeof r !== 'string') throw new Error('toString returns a string'); }),
  backward: boundMethod(fc.oneof(backwardArgs, fc.tuple(anyTensor, orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, opts({ retainGraph: bool, createGraph: bool }))), opts({ retainGraph: bool })))),
  retainGrad: m(sig()), registerHook: m(sig(hook)), detach: m(sig(), sameValues),
  assign: inPlace(orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double({ min: -3, max: 3 })))),
  fill: inPlace(number), zero: inPlace(),
  add_: inPlace(orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double())), number),
  mul_: inPlace(orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double()))),
  addcmul_: boundMethod(fc.oneof(fc.tuple(sameShapeOperands(2), number).map(([t, v]) => [...t, v]), fc.tuple(floatTensor, T, T, number))),
  addcdiv_: boundMethod(fc.oneof(fc.tuple(sameShapeOperands(2), number).map(([t, v]) => [...t, v]), fc.tuple(floatTensor, T, T, number))),
  lerp_: boundMethod(fc.oneof(fc.tuple(sameShapeOperands(1), number).map(([t, v]) => [...t, v]), fc.tuple(floatTensor, T, number))),
  sub_: boundMethod(fc.oneof(fc.tuple(sameShapeOperands(1), number).map(([t, v]) => [...t, v]), fc.tuple(floatTensor, orJunk(anyTensor), number))),
  div_: boundMethod(fc.oneof(sameShapeOperands(1), fc.tuple(floatTensor, orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.double()))))),
  to: m(sig(dtype), anyCheck, ['cast']), cast: m(sig(dtype), anyCheck), clone: m(sig(), sameValues),
  neg: unaryM((x) => -x, true), exp: unaryM(Math.exp), log: unaryM(Math.log), log1p: unaryM(Math.log1p), sqrt: unaryM(Math.sqrt),
  abs: unaryM(Math.abs, true), sign: unaryM(Math.sign, true), sin: unaryM(Math.sin), cos: unaryM(Math.cos), tanh: unaryM(Math.tanh),
  sigmoid: unaryM((x) => 1 / (1 + Math.exp(-x))), relu: unaryM((x) => (x > 0 || Number.isNaN(x) ? x : 0), true), square: unaryM((x, d) => (d === 'int32' ? Math.imul(x, x) : x * x), true),
  reciprocal: unaryM((x) => 1 / x), softplus: unaryM((x) => (x > 20 ? x : Math.log1p(Math.exp(x)))),
  erf: m(sig(), anyCheck), gelu: m(sig(), anyCheck), leakyRelu: m(sig(number), anyCheck), clamp: m(sig(number, number), anyCheck),
  add: binaryM('add'), sub: binaryM('sub'), mul: binaryM('mul'), div: binaryM('div'), pow: binaryM('pow'), maximum: binaryM('maximum'),
  minimum: binaryM('minimum'), eq: binaryM('eq'), ne: binaryM('ne'), lt: binaryM('lt'), le: binaryM('le'), gt: binaryM('gt'), ge: binaryM('ge'),
  sum: m(sig(axis, bool), reduceCheck(sumOf)), mean: m(sig(axis, bool), reduceCheck((v) => sumOf(v) / v.length)),
  max: m(sig(axis, bool), reduceCheck((v) => Math.max(...v))), min: m(sig(axis, bool), reduceCheck((v) => Math.min(...v))),
  var: m(sig(axis, bool, number), anyCheck), std: m(sig(axis, bool, number), anyCheck), logsumexp: m(sig(axis, bool), anyCheck),
  argmax: m(sig(axis, bool), anyCheck), argmin: m(sig(axis, bool), anyCheck), norm: m(sig(number, axis, bool), anyCheck),
  matmul: m(sig(T), anyCheck),
  reshape: shapeM(intList), view: m(sig(intList), sameValues, ['reshape']), flatten: shapeM(int, int), transpose: m(sig(int, int), sameValues, ['permute']),
  permute: shapeM(intList), squeeze: shapeM(axis), unsqueeze: shapeM(int), expand: m(sig(intList), anyCheck),
  broadcastTo: m(sig(intList), anyCheck), expandAs: m(sig(T), anyCheck, ['broadcastTo']), slice: m(sig(sliceSpec), anyCheck),
  narrow: boundMethod(fc.oneof(narrowArgs, fc.tuple(anyTensor, int, int, int)), { check: anyCheck }), split: m(sig(int, int)), chunk: m(sig(int, int)), pad: m(sig(intList, number), anyCheck),
  indexSelect: boundMethod(fc.oneof(indexSelectArgs, fc.tuple(anyTensor, int, indexList)), { check: anyCheck }),
  gather: boundMethod(fc.oneof(gatherArgs, fc.tuple(anyTensor, int, indexList)), { check: anyCheck }),
  rsqrt: unaryM((x) => 1 / Math.sqrt(x)), silu: unaryM((x) => x / (1 + Math.exp(-x))),
  isnan: m(sig(), anyCheck), isfinite: m(sig(), anyCheck), all: m(sig(axis, bool), anyCheck), any: m(sig(axis, bool), anyCheck),
  prod: m(sig(axis, bool), anyCheck), cumsum: m(sig(int), anyCheck), cumprod: m(sig(int), anyCheck),
  sort: m(sig(orJunk(fc.integer({ min: -2, max: 2 })), sortOpts)), argsort: m(sig(orJunk(fc.integer({ min: -2, max: 2 })), sortOpts), anyCheck),
  topk: m(sig(count, orJunk(fc.integer({ min: -2, max: 2 })), topkOpts)),
  T: getter({ receiver: anyTensor, check: anyCheck, names: ['permute'] }),
  scatter: boundMethod(fc.oneof(scatterArgs, fc.tuple(anyTensor, int, indexList, T)), { check: anyCheck }),
  scatterAdd: boundMethod(fc.oneof(scatterArgs, fc.tuple(anyTensor, int, indexList, T)), { check: anyCheck }),
  flip: m(sig(axis), sameValues), roll: m(sig(orJunk(fc.oneof(int, intList)), axis), sameValues), repeat: m(sig(intList), anyCheck),
  tile: m(sig(intList), anyCheck), unbind: m(sig(int)), tril: m(sig(int), anyCheck), triu: m(sig(int), anyCheck),
  maskedFill: boundMethod(fc.oneof(maskedFillArgs, fc.tuple(anyTensor, T, number)), { check: anyCheck }),
  diag: m(sig(int), anyCheck), diagonal: m(sig(int, int, int), anyCheck), diagEmbed: m(sig(int, int, int), anyCheck),
  outer: m(sig(T), anyCheck), multinomial: method(sig(count, opts({ replacement: bool, generator })), { receiver: probsTensor, check: anyCheck }),
  bernoulli: method(sig(opts({ generator })), { receiver: probsTensor, check: anyCheck }), softmax: m(sig(int), anyCheck), logSoftmax: m(sig(int), anyCheck),
};

/** Tensor members that are not part of the public surface, with the reason. */
const INTERNAL_MEMBERS: Record<string, string> = {
  constructor: 'documented @internal: tensors are made by tensor(), zeros(), ...',
  empty: 'static, @internal: used by kernels on shapes the op has already validated',
};
/** Members whose name starts with an underscore are internal by convention (_view, _checkInPlace, _bumpVersion, ...). */
const isInternal = (name: string) => name.startsWith('_') || name in INTERNAL_MEMBERS;

// ---------------------------------------------------------------- the sweep

const RUNS = 120;
const SEED = 20261203;

function tensorMembers(): string[] {
  return [...Object.getOwnPropertyNames(Tensor.prototype), ...Object.getOwnPropertyNames(Tensor).filter((k) => !['length', 'name', 'prototype'].includes(k))];
}

function member(name: string): unknown {
  const d = Object.getOwnPropertyDescriptor(Tensor.prototype, name);
  if (!d) return undefined;
  return METHODS[name]?.kind === 'setter' ? d.set : d.get ?? d.value;
}

describe('the registry is complete', () => {
  test('every export of @tensorgrad/core has a sweep entry (or a reason it has none)', () => {
    const exported = Object.keys(tg);
    const missing = Object.keys(tg).filter((k) => !(k in FUNCTIONS) && !(k in NOT_SWEPT));
    const stale = Object.keys(FUNCTIONS).filter((k) => !(k in tg));
    expect(exported.length).toBeGreaterThan(100);
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  test('every Tensor method and accessor has a sweep entry (or is internal)', () => {
    const members = tensorMembers();
    expect({ missing: members.filter((k) => !(k in METHODS) && !isInternal(k)), stale: Object.keys(METHODS).filter((k) => !members.includes(k)) })
      .toEqual({ missing: [], stale: [] });
  });
});

describe('@tensorgrad/core exports: a correct result or an Error naming the function', () => {
  test.each(Object.keys(FUNCTIONS))('%s', (name) => {
    const entry = FUNCTIONS[name];
    fc.assert(sweepProperty(name, (tg as Record<string, unknown>)[name], entry), { seed: SEED, numRuns: entry.runs ?? RUNS });
  });
});

describe('Tensor methods: a correct result or an Error naming the method', () => {
  test.each(Object.keys(METHODS))('%s', (name) => {
    const entry = METHODS[name];
    fc.assert(sweepProperty(name, member(name), entry), { seed: SEED, numRuns: entry.runs ?? RUNS });
  });
});

test('every entry also produced valid calls (its generator is not all junk)', () => {
  expect(neverReturned()).toEqual([]);
});

afterAll(() => {
  // The number of swept calls, for the record (docs/testing.md quotes it).
  if (process.env.SWEEP_STATS) console.log([...tally.byName].map(([n, [r, t]]) => `${n} ${r}/${t}`).join("\n"));
  console.log(`core API sweep: ${tally.calls} calls, ${tally.returned} returned a checked result, ${tally.threw} threw a named Error`);
});
