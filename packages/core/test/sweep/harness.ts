/**
 * The API sweep: every exported function and class of a package, and every Tensor method, is called with random
 * arguments — mostly valid, often not — and must either return a correct result or throw a plain `Error` whose message
 * names the function (never a TypeError/RangeError from deep inside, never a hang, never a silently wrong value).
 *
 * The registry is the list of entries (one per export or method); the completeness test fails when an export has no
 * entry, so a new op cannot skip the sweep. Adding one is a line, e.g.
 *
 *     logaddexp: fn(pair(), { check: checkBinary((a, b) => Math.log(Math.exp(a) + Math.exp(b))) }),
 *
 * where `fn(args, options)` takes an arbitrary of argument lists (build it with `sig(...)` from the argument
 * generators in this file) and optional `check` (asserts a successful result is right) and `names` (other names an
 * error may use, e.g. an alias). See docs/testing.md.
 */
import fc from 'fast-check';
import * as tg from '@tensorgrad/core';
import { Tensor, type DType } from '@tensorgrad/core';

// ---------------------------------------------------------------- argument generators

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/** Values nobody should pass: each must be refused with a clear error wherever a specific kind is expected. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, -1, 0.5, 1e300, -0, '', 'a', '2', true, false, 10n),
  fc.constantFrom<unknown>(Symbol('s'), {}, [], [1, 'a'], [[1], 2], { foo: 1 }, () => 1, new Float64Array(2), new Map(), new Date(0)),
  fc.string({ maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);

/** `valid` most of the time, `junk` otherwise. */
export function orJunk<T>(valid: fc.Arbitrary<T>, validWeight = 4): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: validWeight, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });
}

/** Shapes of at most 3 dimensions of size at most 4, so every valid call is cheap. */
export const smallShape: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });

/** Sizes that must be refused: negative, fractional, NaN, infinite, or too large to allocate (fails fast). */
export const badShape: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>([-1], [1.5], [NaN], [Infinity], [2, -3], ['2'], [1e9, 1e9], [1e6, 1e6, 1e6], [Number.MAX_SAFE_INTEGER], 3, '3', null),
  fc.array(junk, { minLength: 1, maxLength: 2 }),
);

export const shape: fc.Arbitrary<unknown> = fc.oneof({ weight: 5, arbitrary: smallShape as fc.Arbitrary<unknown> }, { weight: 2, arbitrary: badShape });

const floatValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -4, max: 4 }) },
  { weight: 6, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e30, -1e-30) },
);
const intValue = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -6, max: 6 }) }, { weight: 1, arbitrary: fc.constantFrom(2147483647, -2147483648, 65536) });

/** A leaf tensor of a random small shape and dtype; float ones sometimes require grad or are outputs of an op. */
export function tensorOf(shapeArb: fc.Arbitrary<number[]> = smallShape, dtypes: readonly DType[] = DTYPES): fc.Arbitrary<Tensor> {
  return fc.tuple(shapeArb, fc.constantFrom(...dtypes), fc.integer({ min: 0, max: 5 })).chain(([s, dtype, kind]) => {
    const size = s.reduce((a, b) => a * b, 1);
    return fc.array(dtype === 'int32' ? intValue : floatValue, { minLength: size, maxLength: size }).map((values) => {
      const t = tg.tensor(values, { dtype, shape: s });
      if (dtype === 'int32' || kind < 3) return t;
      t.requiresGrad = true;
      return kind === 5 ? t.mul(1) : t; // a non-leaf: in-place changes must be refused
    });
  });
}

export const anyTensor = tensorOf();
export const floatTensor = tensorOf(smallShape, ['float32', 'float64']);
export const T = orJunk(anyTensor);

/** A shape that broadcasts to `s`: some leading dimensions dropped, some others set to 1. */
function broadcastableTo(s: number[]): fc.Arbitrary<number[]> {
  return fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
    .map(([drop, ones]) => s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Two operands that usually broadcast together (or a tensor and a number), sometimes junk or mismatched shapes. */
export const operandPair: fc.Arbitrary<unknown[]> = fc.oneof(
  { weight: 6, arbitrary: smallShape.chain((s) => fc.tuple(tensorOf(fc.constant(s)), tensorOf(broadcastableTo(s))).chain(([a, b]) => fc.constantFrom<unknown[]>([a, b], [b, a]))) },
  { weight: 2, arbitrary: fc.tuple(anyTensor, floatValue).chain(([t, n]) => fc.constantFrom<unknown[]>([t, n], [n, t])) },
  { weight: 1, arbitrary: fc.tuple(intValue, floatValue) as fc.Arbitrary<unknown[]> },
  { weight: 1, arbitrary: fc.tuple(T, T) as fc.Arbitrary<unknown[]> },
);

export const number: fc.Arbitrary<unknown> = orJunk(floatValue);
export const int: fc.Arbitrary<unknown> = orJunk(fc.integer({ min: -3, max: 5 }));
export const count: fc.Arbitrary<unknown> = orJunk(fc.integer({ min: 0, max: 5 }));
export const bool: fc.Arbitrary<unknown> = orJunk(fc.boolean());
export const dtype: fc.Arbitrary<unknown> = orJunk(fc.constantFrom(...DTYPES));
export const axis: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: -3, max: 2 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null) },
  { weight: 1, arbitrary: junk },
);
export const callback: fc.Arbitrary<unknown> = orJunk(fc.constantFrom(() => tg.tensor([1, 2]).mul(2), () => 5, () => undefined));
export const generator: fc.Arbitrary<unknown> = orJunk(fc.integer({ min: 0, max: 9 }).map((s) => new tg.Generator(s)));

/**
 * An options object: absent, a valid subset of `known` (each value from its generator), one with a misspelt key, or junk.
 */
export function opts(known: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const record = fc.record(known, { requiredKeys: [] }) as fc.Arbitrary<unknown>;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: record },
    { weight: 1, arbitrary: record.map((r) => ({ ...(r as object), unknownKey: 1 })) },
    { weight: 1, arbitrary: junk },
  );
}

/** An argument list: one generator per parameter; sometimes cut short (defaults apply) or with an extra argument. */
export function sig(...params: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown[]> {
  return fc.tuple(fc.tuple(...params) as fc.Arbitrary<unknown[]>, fc.integer({ min: 0, max: 9 })).map(([args, cut]) => {
    if (cut === 0 && args.length > 0) return args.slice(0, args.length - 1);
    return args;
  });
}

// ---------------------------------------------------------------- entries

export interface Entry {
  /** Argument lists to call with (for methods: the arguments after the receiver). */
  args: fc.Arbitrary<unknown[]>;
  /** For methods and getters: the object to call on. */
  receiver?: fc.Arbitrary<unknown>;
  /** Asserts a successful result is right; throws (or fails an expect) otherwise. */
  check?: (result: unknown, args: unknown[], receiver: unknown) => void;
  /** Other names an error message may use instead of the entry's own (an alias the user may have called). */
  names?: readonly string[];
  /** How the sweep calls it: a function, a constructor (`new`), a method, or a property read/write. */
  kind: 'function' | 'constructor' | 'method' | 'getter' | 'setter';
  /** For methods whose arguments depend on the receiver: `args` yields [receiver, ...arguments]. */
  selfFirst?: boolean;
  /** What to call instead of the export (e.g. a minimal subclass of an abstract class). */
  target?: unknown;
  /** The function returns a Promise: the sweep awaits it (and must be run with sweepAsyncProperty). */
  async?: boolean;
  /** After a constructor succeeds: exercise the instance (e.g. a layer's forward); its errors must name the class. */
  use?: fc.Arbitrary<(instance: any) => unknown>;
  runs?: number;
}

type Options = Partial<Pick<Entry, 'check' | 'names' | 'runs' | 'use' | 'receiver' | 'target'>>;

export const fn = (args: fc.Arbitrary<unknown[]>, o: Options = {}): Entry => ({ kind: 'function', args, ...o });
export const ctor = (args: fc.Arbitrary<unknown[]>, o: Options = {}): Entry => ({ kind: 'constructor', args, ...o });
export const method = (args: fc.Arbitrary<unknown[]>, o: Options = {}): Entry => ({ kind: 'method', args, ...o });
/** An async function: the sweep awaits it; a rejection must be a named Error like a throw. */
export const asyncFn = (args: fc.Arbitrary<unknown[]>, o: Options = {}): Entry => ({ kind: 'function', async: true, args, ...o });
/** A method whose arguments are generated together with the receiver: `args` yields [receiver, ...arguments]. */
export const boundMethod = (args: fc.Arbitrary<unknown[]>, o: Options = {}): Entry => ({ kind: 'method', args, selfFirst: true, ...o });
export const getter = (o: Options = {}): Entry => ({ kind: 'getter', args: fc.constant([]), ...o });
export const setter = (value: fc.Arbitrary<unknown>, o: Options = {}): Entry => ({ kind: 'setter', args: fc.tuple(value), ...o });

// ---------------------------------------------------------------- running

export interface Tally {
  calls: number;
  returned: number;
  threw: number;
  /** Per entry: [returned, threw]. */
  byName: Map<string, [number, number]>;
}

export const tally: Tally = { calls: 0, returned: 0, threw: 0, byName: new Map() };

function record(name: string, returned: boolean): void {
  const c = tally.byName.get(name) ?? [0, 0];
  c[returned ? 0 : 1]++;
  tally.byName.set(name, c);
  if (returned) tally.returned++;
  else tally.threw++;
}

/** Entries whose generators never produced a valid call: their "correct result" side was never exercised. */
export function neverReturned(): string[] {
  return [...tally.byName].filter(([, [returned]]) => returned === 0).map(([name]) => name);
}

/** Error classes that mean "a bug reached the user", not "the library refused the input". */
const ENGINE_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

function namesRe(names: readonly string[]): RegExp {
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^A-Za-z0-9_$])(${escaped.join('|')})($|[^A-Za-z0-9_$])`);
}

function describe(v: unknown): string {
  try {
    if (v instanceof Tensor) return `Tensor(${v.dtype}, [${v.shape}])`;
    if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
    if (typeof v === 'function') return 'fn';
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' || typeof x === 'symbol' ? String(x) : x instanceof Tensor ? `Tensor(${x.dtype}, [${x.shape}])` : x)) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Asserts `e` is a plain Error naming one of `names`. */
export function checkError(e: unknown, names: readonly string[], call: string): void {
  if (!(e instanceof Error)) throw new Error(`${call} threw a non-Error: ${describe(e)}`);
  const bad = ENGINE_ERRORS.find((C) => e instanceof C);
  if (bad) throw new Error(`${call} threw a ${bad.name}: ${e.message}\n${e.stack}`);
  if (!namesRe(names).test(e.message)) throw new Error(`${call} threw an Error that does not name ${names.join(' or ')}: ${e.message}`);
}

/** Grad mode and anomaly detection are global switches a swept call may flip; every call starts from the defaults. */
function resetGlobals(): void {
  tg.setGradEnabled(true);
  tg.setDetectAnomaly(false);
}

function invoke(entry: Entry, target: unknown, self: unknown, args: unknown[]): unknown {
  switch (entry.kind) {
    case 'function': return (target as (...a: unknown[]) => unknown)(...args);
    case 'constructor': return new (target as new (...a: unknown[]) => unknown)(...args);
    case 'method': return (target as (...a: unknown[]) => unknown).apply(self, args);
    case 'getter': return (target as () => unknown).call(self);
    case 'setter': (target as (v: unknown) => void).call(self, args[0]); return self;
  }
}

function label(name: string, self: unknown, args: unknown[]): string {
  return `${name}(${args.map(describe).join(', ')})${self === undefined ? '' : ` on ${describe(self)}`}`;
}

/** The property for one entry: call `target` per its kind; a result must pass `check`, an error `checkError`. */
export function sweepProperty(name: string, target: unknown, entry: Entry): fc.IPropertyWithHooks<[unknown, unknown[], unknown]> {
  const names = [name, ...(entry.names ?? [])];
  const callee = entry.target ?? target;
  return fc.property(entry.receiver ?? fc.constant(undefined), entry.args, entry.use ?? fc.constant(undefined), (receiverValue, allArgs, useFn) => {
    const [self, args] = entry.selfFirst ? [allArgs[0], allArgs.slice(1)] : [receiverValue, allArgs];
    const call = label(name, self, args);
    tally.calls++;
    resetGlobals();
    let result: unknown;
    try {
      result = invoke(entry, callee, self, args);
    } catch (e) {
      record(name, false);
      checkError(e, names, call);
      return;
    } finally {
      resetGlobals();
    }
    record(name, true);
    if (result instanceof Promise) throw new Error(`${call} returned a Promise; declare the entry with asyncFn`);
    entry.check?.(result, args, self);
    if (useFn) {
      try {
        (useFn as (instance: unknown) => unknown)(result);
      } catch (e) {
        checkError(e, names, `${call} then using the instance`);
      } finally {
        resetGlobals();
      }
    }
  });
}

/** sweepProperty for async functions: the promise must resolve to a correct result or reject with a named Error. */
export function sweepAsyncProperty(name: string, target: unknown, entry: Entry): fc.IAsyncPropertyWithHooks<[unknown, unknown[]]> {
  const names = [name, ...(entry.names ?? [])];
  const callee = entry.target ?? target;
  return fc.asyncProperty(entry.receiver ?? fc.constant(undefined), entry.args, async (self, args) => {
    const call = label(name, self, args);
    tally.calls++;
    let result: unknown;
    try {
      result = await invoke(entry, callee, self, args);
    } catch (e) {
      record(name, false);
      checkError(e, names, call);
      return;
    }
    record(name, true);
    entry.check?.(result, args, self);
  });
}

// ---------------------------------------------------------------- checks of successful results

/** A well-formed tensor: shape of non-negative integers, storage of the dtype's type and the shape's size. */
export function checkTensor(t: unknown, what = 'result'): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${what} is not a Tensor: ${describe(t)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${what} has a bad shape ${describe(t.shape)}`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  const Storage = t.dtype === 'float32' ? Float32Array : t.dtype === 'float64' ? Float64Array : t.dtype === 'int32' ? Int32Array : null;
  if (Storage === null || !(t.data instanceof Storage)) throw new Error(`${what} has dtype ${t.dtype} but storage ${t.data?.constructor?.name}`);
  if (t.data.length !== size || t.size !== size) throw new Error(`${what} has ${t.data.length} values for shape [${t.shape}]`);
}

/** Float equality up to the dtype's rounding; NaN equals NaN; ±Infinity exactly. */
export function close(got: number, want: number, dtype: DType, rtol?: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  const tol = rtol ?? (dtype === 'float32' ? 1e-5 : dtype === 'float64' ? 1e-12 : 0);
  return Math.abs(got - want) <= tol * Math.max(1, Math.abs(want));
}

/** The result dtype PyTorch's promotion gives (independent of core's own implementation). */
export function promoted(a: unknown, b: unknown): DType {
  const group = (v: unknown) => (typeof v === 'number' ? 2 : (v as Tensor).ndim > 0 ? 0 : 1);
  const dt = (v: unknown): DType => (typeof v === 'number' ? (Number.isInteger(v) ? 'int32' : 'float32') : (v as Tensor).dtype);
  const rank = (d: DType) => ['int32', 'float32', 'float64'].indexOf(d);
  const ops = [a, b].sort((x, y) => group(x) - group(y));
  const [hi, lo] = ops.map(dt);
  if (group(ops[0]) === group(ops[1])) return rank(hi) >= rank(lo) ? hi : lo;
  if (hi !== 'int32' || lo === 'int32') return hi;
  return lo;
}

/** The broadcast shape of two shapes, or null. */
export function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The element of `t` (or number) at broadcast multi-index `idx` of the output shape. */
export function at(v: unknown, idx: readonly number[]): number {
  if (typeof v === 'number') return v;
  const t = v as Tensor;
  let off = 0, stride = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    const i = idx[idx.length - t.ndim + d];
    off += (t.shape[d] === 1 ? 0 : i) * stride;
    stride *= t.shape[d];
  }
  return t.data[off];
}

export function* indices(shape: readonly number[]): Generator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]);
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

/**
 * Checks a broadcasting binary op against a scalar reference: shape, PyTorch's promoted dtype (or `dtypeOf`), and every
 * value; `ref` gets the two values and the result dtype (for int32 wrapping).
 */
export function checkBinary(
  ref: (a: number, b: number, dtype: DType) => number,
  { result: resultDType = (p: DType) => p, compute: computeDType = (p: DType) => p }: { result?: (p: DType) => DType; compute?: (p: DType) => DType } = {},
) {
  return (result: unknown, args: unknown[], self: unknown): void => {
    const [a, b] = self === undefined ? args : [self, args[0]];
    checkTensor(result);
    const want = resultDType(promoted(a, b));
    const computeIn = computeDType(promoted(a, b));
    if (result.dtype !== want) throw new Error(`dtype ${result.dtype}, expected ${want} for ${describe(a)} and ${describe(b)}`);
    const shape = broadcast(typeof a === 'number' ? [] : (a as Tensor).shape, typeof b === 'number' ? [] : (b as Tensor).shape);
    if (shape === null || shape.join() !== result.shape.join()) throw new Error(`shape [${result.shape}], expected [${shape}]`);
    let k = 0;
    for (const idx of indices(shape)) {
      const round = (v: number, d: DType) => (d === 'float32' ? Math.fround(v) : d === 'int32' ? v | 0 : v);
      const x = round(at(a, idx), computeIn), y = round(at(b, idx), computeIn);
      const expected = round(ref(x, y, computeIn), want);
      if (!close(result.data[k], expected, result.dtype, 1e-6)) throw new Error(`value ${result.data[k]} at [${idx}], expected ${expected} from ${x} and ${y}`);
      k++;
    }
  };
}
