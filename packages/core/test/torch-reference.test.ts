/**
 * Every differentiable op of @tensorgrad/core against PyTorch 1.13, in float64: forward values and the
 * vector-Jacobian product for a random upstream gradient, read from fixtures/torch-ops.json. The JSON is produced
 * offline by fixtures/gen-torch-ops.py (CI has no torch); each case there names a tensorgrad op and its kwargs, and
 * OPS below maps that to tensorgrad calls, mirroring the generator's TORCH table.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import * as tg from '@tensorgrad/core';
import type { DType, SliceSpec, Tensor } from '@tensorgrad/core';

interface Encoded {
  shape: number[];
  data: number[];
}
interface TensorInput extends Encoded {
  dtype: 'float64' | 'int64' | 'bool';
  grad: boolean;
}
interface NumberInput {
  number: number;
}
interface ReferenceCase {
  id: string;
  op: string;
  inputs: (TensorInput | NumberInput)[];
  kwargs: Kwargs;
  multiOutput: boolean;
  outputs: (Encoded & { dtype: TorchDType })[];
  upstream: Encoded[] | null;
  grads: (Encoded | null)[] | null;
}
type Kwargs = Record<string, unknown>;
type Operand = Tensor | number;
type OpFn = (a: Operand[], kw: Kwargs) => Tensor | Tensor[];
type TorchDType = 'float64' | 'float32' | 'int64' | 'bool';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'torch-ops.json'), 'utf8')) as {
  torch: string;
  cases: ReferenceCase[];
};
const cases = fixture.cases;

/** The i-th operand, which this op requires to be a tensor. */
function t(a: Operand[], i = 0): Tensor {
  const x = a[i];
  if (typeof x === 'number') throw new Error(`fixture passes a number where a tensor is required (operand ${i})`);
  return x;
}

function tensors(a: Operand[]): Tensor[] {
  return a.map((_, i) => t(a, i));
}

/** Optional kwargs come back as undefined when absent so tensorgrad's own defaults apply. */
function optNum(kw: Kwargs, key: string): number | undefined {
  return kw[key] === undefined ? undefined : (kw[key] as number);
}

function num(kw: Kwargs, key: string): number {
  if (typeof kw[key] !== 'number') throw new Error(`fixture kwarg '${key}' missing`);
  return kw[key] as number;
}

function nums(kw: Kwargs, key: string): number[] {
  if (!Array.isArray(kw[key])) throw new Error(`fixture kwarg '${key}' missing`);
  return kw[key] as number[];
}

function axis(kw: Kwargs): number | number[] | undefined {
  return kw.axis as number | number[] | undefined;
}

function keepdim(kw: Kwargs): boolean | undefined {
  return kw.keepdim as boolean | undefined;
}

/** JSON has no Infinity: the fixture spells p = Infinity as "inf". */
function normOrder(kw: Kwargs): number | undefined {
  return kw.p === 'inf' ? Infinity : optNum(kw, 'p');
}

const OPS: Record<string, OpFn> = {
  // unary
  neg: (a) => tg.neg(t(a)),
  exp: (a) => tg.exp(t(a)),
  log: (a) => tg.log(t(a)),
  sqrt: (a) => tg.sqrt(t(a)),
  abs: (a) => tg.abs(t(a)),
  sin: (a) => tg.sin(t(a)),
  cos: (a) => tg.cos(t(a)),
  tanh: (a) => tg.tanh(t(a)),
  sigmoid: (a) => tg.sigmoid(t(a)),
  relu: (a) => tg.relu(t(a)),
  leakyRelu: (a, kw) => tg.leakyRelu(t(a), optNum(kw, 'slope')),
  gelu: (a, kw) => tg.gelu(t(a), kw.approximate === undefined ? undefined : { approximate: kw.approximate as 'none' | 'tanh' }),
  softplus: (a) => tg.softplus(t(a)),
  reciprocal: (a) => tg.reciprocal(t(a)),
  square: (a) => tg.square(t(a)),
  clamp: (a, kw) => tg.clamp(t(a), optNum(kw, 'min'), optNum(kw, 'max')),
  erf: (a) => tg.erf(t(a)),
  log1p: (a) => tg.log1p(t(a)),
  sign: (a) => tg.sign(t(a)),
  // binary
  add: (a) => tg.add(a[0], a[1]),
  sub: (a) => tg.sub(a[0], a[1]),
  mul: (a) => tg.mul(a[0], a[1]),
  div: (a) => tg.div(a[0], a[1]),
  pow: (a) => tg.pow(a[0], a[1]),
  maximum: (a) => tg.maximum(a[0], a[1]),
  minimum: (a) => tg.minimum(a[0], a[1]),
  eq: (a) => tg.eq(a[0], a[1]),
  ne: (a) => tg.ne(a[0], a[1]),
  lt: (a) => tg.lt(a[0], a[1]),
  le: (a) => tg.le(a[0], a[1]),
  gt: (a) => tg.gt(a[0], a[1]),
  ge: (a) => tg.ge(a[0], a[1]),
  where: (a) => tg.where(t(a), a[1], a[2]),
  // reductions
  sum: (a, kw) => tg.sum(t(a), axis(kw), keepdim(kw)),
  mean: (a, kw) => tg.mean(t(a), axis(kw), keepdim(kw)),
  max: (a, kw) => tg.max(t(a), axis(kw), keepdim(kw)),
  min: (a, kw) => tg.min(t(a), axis(kw), keepdim(kw)),
  logsumexp: (a, kw) => tg.logsumexp(t(a), axis(kw), keepdim(kw)),
  norm: (a, kw) => tg.norm(t(a), normOrder(kw), axis(kw), keepdim(kw)),
  var: (a, kw) => tg.var(t(a), axis(kw), keepdim(kw), optNum(kw, 'correction')),
  std: (a, kw) => tg.std(t(a), axis(kw), keepdim(kw), optNum(kw, 'correction')),
  argmax: (a, kw) => tg.argmax(t(a), optNum(kw, 'axis'), keepdim(kw)),
  argmin: (a, kw) => tg.argmin(t(a), optNum(kw, 'axis'), keepdim(kw)),
  // matmul
  matmul: (a) => tg.matmul(t(a, 0), t(a, 1)),
  linear: (a) => tg.linear(t(a, 0), t(a, 1), a.length > 2 ? t(a, 2) : undefined),
  // shape
  reshape: (a, kw) => tg.reshape(t(a), nums(kw, 'shape')),
  // core has no view() function, only the Tensor method (an alias of reshape).
  view: (a, kw) => t(a).view(nums(kw, 'shape')),
  flatten: (a, kw) => tg.flatten(t(a), optNum(kw, 'startDim'), optNum(kw, 'endDim')),
  transpose: (a, kw) => tg.transpose(t(a), num(kw, 'dim0'), num(kw, 'dim1')),
  permute: (a, kw) => tg.permute(t(a), nums(kw, 'dims')),
  squeeze: (a, kw) => tg.squeeze(t(a), optNum(kw, 'axis')),
  unsqueeze: (a, kw) => tg.unsqueeze(t(a), num(kw, 'axis')),
  expand: (a, kw) => tg.expand(t(a), nums(kw, 'shape')),
  broadcastTo: (a, kw) => tg.broadcastTo(t(a), nums(kw, 'shape')),
  slice: (a, kw) => tg.slice(t(a), kw.spec as SliceSpec[]),
  narrow: (a, kw) => tg.narrow(t(a), num(kw, 'axis'), num(kw, 'start'), num(kw, 'length')),
  indexSelect: (a, kw) => tg.indexSelect(t(a), num(kw, 'axis'), nums(kw, 'indices')),
  gather: (a, kw) => tg.gather(t(a, 0), num(kw, 'axis'), t(a, 1)),
  concat: (a, kw) => tg.concat(tensors(a), optNum(kw, 'axis')),
  cat: (a, kw) => tg.cat(tensors(a), optNum(kw, 'axis')),
  stack: (a, kw) => tg.stack(tensors(a), optNum(kw, 'axis')),
  split: (a, kw) => tg.split(t(a), kw.sizeOrSections as number | number[], optNum(kw, 'axis')),
  chunk: (a, kw) => tg.chunk(t(a), num(kw, 'chunks'), optNum(kw, 'axis')),
  pad: (a, kw) => tg.pad(t(a), nums(kw, 'pads'), optNum(kw, 'value')),
  // dtype
  cast: (a, kw) => tg.cast(t(a), kw.dtype as DType),
  clone: (a) => tg.clone(t(a)),
  // softmax
  softmax: (a, kw) => tg.softmax(t(a), optNum(kw, 'axis')),
  logSoftmax: (a, kw) => tg.logSoftmax(t(a), optNum(kw, 'axis')),
  // ops for sequence models
  rsqrt: (a) => tg.rsqrt(t(a)),
  silu: (a) => tg.silu(t(a)),
  tril: (a, kw) => tg.tril(t(a), optNum(kw, 'diagonal')),
  triu: (a, kw) => tg.triu(t(a), optNum(kw, 'diagonal')),
  maskedFill: (a, kw) => tg.maskedFill(t(a, 0), t(a, 1), num(kw, 'value')),
  cumsum: (a, kw) => tg.cumsum(t(a), num(kw, 'axis')),
  cumprod: (a, kw) => tg.cumprod(t(a), num(kw, 'axis')),
  prod: (a, kw) => tg.prod(t(a), axis(kw), keepdim(kw)),
  all: (a, kw) => tg.all(t(a), axis(kw), keepdim(kw)),
  any: (a, kw) => tg.any(t(a), axis(kw), keepdim(kw)),
  sort: (a, kw) => tg.sort(t(a), optNum(kw, 'axis'), { descending: kw.descending as boolean | undefined }),
  argsort: (a, kw) => tg.argsort(t(a), optNum(kw, 'axis'), { descending: kw.descending as boolean | undefined }),
  topk: (a, kw) => tg.topk(t(a), num(kw, 'k'), optNum(kw, 'axis'), { largest: kw.largest as boolean | undefined }),
  scatter: (a, kw) => tg.scatter(t(a, 0), num(kw, 'axis'), t(a, 1), a.length > 2 ? t(a, 2) : num(kw, 'value')),
  scatterAdd: (a, kw) => tg.scatterAdd(t(a, 0), num(kw, 'axis'), t(a, 1), t(a, 2)),
  flip: (a, kw) => tg.flip(t(a), nums(kw, 'axes')),
  roll: (a, kw) => tg.roll(t(a), kw.shifts as number | number[], kw.axes as number[] | undefined),
  repeat: (a, kw) => tg.repeat(t(a), nums(kw, 'sizes')),
  tile: (a, kw) => tg.tile(t(a), nums(kw, 'dims')),
  unbind: (a, kw) => tg.unbind(t(a), optNum(kw, 'axis')),
  diag: (a, kw) => tg.diag(t(a), optNum(kw, 'diagonal')),
  diagonal: (a, kw) => tg.diagonal(t(a), optNum(kw, 'offset'), optNum(kw, 'dim1'), optNum(kw, 'dim2')),
  diagEmbed: (a, kw) => tg.diagEmbed(t(a), optNum(kw, 'offset'), optNum(kw, 'dim1'), optNum(kw, 'dim2')),
  outer: (a) => tg.outer(t(a, 0), t(a, 1)),
  einsum: (a, kw) => tg.einsum(kw.equation as string, ...tensors(a)),
  // nn blocks
  layerNorm: (a, kw) => {
    const rest = a.slice(1).map((_, i) => t(a, i + 1));
    const weight = kw.hasWeight ? rest.shift() : undefined;
    const bias = kw.hasBias ? rest.shift() : undefined;
    return tg.layerNorm(t(a), nums(kw, 'normalizedShape'), weight, bias, optNum(kw, 'eps'));
  },
  attentionWeights: (a, kw) => tg.attentionWeights(t(a, 0), t(a, 1), attentionOptions(a, 2, kw)),
  scaledDotProductAttention: (a, kw) => tg.scaledDotProductAttention(t(a, 0), t(a, 1), t(a, 2), attentionOptions(a, 3, kw)),
  // convolution and pooling: kwargs are the options object (pooling's also carries kernelSize / outputSize)
  conv1d: (a, kw) => tg.conv1d(t(a, 0), t(a, 1), a.length > 2 ? t(a, 2) : null, kw as tg.ConvOptions),
  conv2d: (a, kw) => tg.conv2d(t(a, 0), t(a, 1), a.length > 2 ? t(a, 2) : null, kw as tg.ConvOptions),
  convTranspose1d: (a, kw) => tg.convTranspose1d(t(a, 0), t(a, 1), a.length > 2 ? t(a, 2) : null, kw as tg.ConvTransposeOptions),
  convTranspose2d: (a, kw) => tg.convTranspose2d(t(a, 0), t(a, 1), a.length > 2 ? t(a, 2) : null, kw as tg.ConvTransposeOptions),
  maxPool1d: (a, { kernelSize, ...kw }) => tg.maxPool1d(t(a), kernelSize as number, kw as tg.MaxPoolOptions),
  maxPool2d: (a, { kernelSize, ...kw }) => tg.maxPool2d(t(a), kernelSize as number, kw as tg.MaxPoolOptions),
  avgPool2d: (a, { kernelSize, ...kw }) => tg.avgPool2d(t(a), kernelSize as number, kw as tg.AvgPoolOptions),
  adaptiveAvgPool2d: (a, kw) => tg.adaptiveAvgPool2d(t(a), kw.outputSize as number | (number | null)[]),
  interpolate: (a, kw) => tg.interpolate(t(a), kw as tg.InterpolateOptions),
};

/** Attention options from the kwargs; the mask (if any) is operand `i`, boolean masks arrive as 0/1 and become int32. */
function attentionOptions(a: Operand[], i: number, kw: Kwargs): tg.ScaledDotProductAttentionOptions {
  const mask = a.length > i ? t(a, i) : undefined;
  return {
    attnMask: mask && kw.boolMask ? mask.to('int32') : mask,
    isCausal: kw.isCausal as boolean | undefined,
    scale: optNum(kw, 'scale'),
  };
}

/**
 * The differentiable ops of the API sketch (unary, binary, where, reductions, matmul, shape, softmax). Each one that
 * core exports as a function must have a reference case (prod and a view() function are in the sketch but not
 * exported yet), as must every op core's registry declares differentiable.
 */
const DIFFERENTIABLE_OPS = [
  ...['neg', 'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'leakyRelu', 'gelu', 'softplus'],
  ...['reciprocal', 'square', 'clamp', 'erf', 'log1p', 'sign'],
  ...['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'where'],
  ...['sum', 'mean', 'max', 'min', 'logsumexp', 'prod', 'var', 'std'],
  'matmul',
  ...['reshape', 'view', 'flatten', 'transpose', 'permute', 'squeeze', 'unsqueeze', 'expand', 'broadcastTo', 'slice'],
  ...['narrow', 'indexSelect', 'gather', 'concat', 'cat', 'stack', 'split', 'pad'],
  ...['softmax', 'logSoftmax'],
  ...['conv1d', 'conv2d', 'convTranspose1d', 'convTranspose2d', 'maxPool1d', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'interpolate'],
];

interface Tol {
  rtol: number;
  atol: number;
}

/**
 * Both sides compute in float64, so a correct formula agrees to a few ulps times the op's conditioning; rtol 1e-10
 * absorbs different summation orders (sum, matmul, var) yet catches any wrong derivative, and atol 1e-12 covers
 * results that cancel to ~0.
 */
const DEFAULT_TOL: Tol = { rtol: 1e-10, atol: 1e-12 };

const TOLERANCES: Record<string, { forward?: Tol; grad?: Tol }> = {
  // No approximation slack for erf or gelu: core's erf (JS has no Math.erf) is a series / continued fraction good
  // to a few ulps, like libm's. atol 0 makes erf-tiny (|x| down to 1e-12) a check of relative precision near 0.
  erf: { forward: { rtol: 1e-12, atol: 0 } },
  // PyTorch's softplus returns x with gradient exactly 1 once x > threshold = 20; core's forward does the same, but
  // its gradient is the exact sigmoid(x), which differs by up to e^-20 ~ 2e-9 relative. Forward atol 0: for very
  // negative x softplus is tiny and must keep relative precision (log1p(exp(x)), as PyTorch computes it).
  softplus: { forward: { rtol: 5e-9, atol: 0 }, grad: { rtol: 5e-9, atol: 1e-12 } },
  // layerNorm-large-mean (x ≈ 1e4 ± 2): x − mean carries the rounding of numbers near 1e4 (ulp 1.8e-12) on both sides,
  // so normalised values of order 1 agree to a few 1e-12 absolute, however the mean is computed.
  layerNorm: { forward: { rtol: 1e-10, atol: 1e-11 }, grad: { rtol: 1e-10, atol: 1e-11 } },
  // log1p exists to be accurate for tiny x (log1p-tiny: 1e-10); atol 0 makes that a relative-precision check.
  log1p: { forward: { rtol: 1e-12, atol: 0 } },
};

function tolerance(op: string, kind: 'forward' | 'grad'): Tol {
  return TOLERANCES[op]?.[kind] ?? DEFAULT_TOL;
}

function toTensor(input: TensorInput): Tensor {
  switch (input.dtype) {
    case 'float64':
      return tg.tensor(Float64Array.from(input.data), {
        dtype: 'float64',
        shape: input.shape,
        requiresGrad: input.grad,
      });
    case 'int64':
      return tg.tensor(Int32Array.from(input.data), { dtype: 'int32', shape: input.shape });
    case 'bool':
      // tensorgrad has no bool dtype: conditions are 0/1 float tensors, as its comparisons produce.
      return tg.tensor(Float64Array.from(input.data), { dtype: 'float64', shape: input.shape });
  }
}

/** Upstream gradients come in their output's dtype (float32 only for cast-to-float32). */
function fromEncoded(e: Encoded, dtype: 'float64' | 'float32'): Tensor {
  return tg.tensor(Float64Array.from(e.data), { dtype, shape: e.shape });
}

/** Appends to `problems` a line per disagreement (shape, or the worst element), naming `what`. */
function compare(problems: string[], what: string, got: Tensor, expected: Encoded, tol: Tol): void {
  if (JSON.stringify(got.shape) !== JSON.stringify(expected.shape)) {
    problems.push(`${what}: shape [${got.shape}] but PyTorch gives [${expected.shape}]`);
    return;
  }
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const g = got.data[i];
    const excess = Math.abs(g - e) - (tol.atol + tol.rtol * Math.abs(e));
    // `!(excess <= 0)` also catches NaN.
    if (!(excess <= 0)) {
      bad++;
      if (worst < 0 || !(excess <= worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    const e = expected.data[worst];
    const g = got.data[worst];
    problems.push(
      `${what}: ${bad}/${expected.data.length} elements off; worst at flat index ${worst}: ` +
        `expected ${e}, got ${g} (abs err ${Math.abs(g - e).toExponential(2)}, rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}

function expectedDType(torchDType: TorchDType): DType {
  // argmax/argmin give int32 indices, and comparisons int32 0/1: tensorgrad has no int64 or bool dtype.
  if (torchDType === 'int64' || torchDType === 'bool') return 'int32';
  return torchDType === 'float32' ? 'float32' : 'float64';
}

function runCase(c: ReferenceCase): string[] {
  const problems: string[] = [];
  const operands: Operand[] = c.inputs.map((input) => ('number' in input ? input.number : toTensor(input)));
  const build = OPS[c.op];
  if (build === undefined) throw new Error(`no tensorgrad mapping for op '${c.op}'`);
  const result = build(operands, c.kwargs);
  const outputs = Array.isArray(result) ? result : [result];
  if (Array.isArray(result) !== c.multiOutput) {
    problems.push(`returns ${Array.isArray(result) ? 'an array' : 'one tensor'}, PyTorch ${c.multiOutput ? 'a tuple' : 'one tensor'}`);
  }
  if (outputs.length !== c.outputs.length) {
    problems.push(`${outputs.length} outputs, PyTorch gives ${c.outputs.length}`);
    return problems;
  }
  outputs.forEach((out, i) => {
    const expected = c.outputs[i];
    if (out.dtype !== expectedDType(expected.dtype)) {
      problems.push(`output ${i}: dtype ${out.dtype}, expected ${expectedDType(expected.dtype)}`);
    }
    compare(problems, `output ${i}`, out, expected, tolerance(c.op, 'forward'));
  });
  if (c.upstream === null || c.grads === null) return problems;

  if (c.multiOutput) {
    // backward of several outputs with upstream u_i is the backward of the scalar sum_i <out_i, u_i>.
    const upstream = c.upstream;
    outputs
      .map((out, i) => tg.sum(tg.mul(out, fromEncoded(upstream[i], 'float64'))))
      .reduce((acc, s) => tg.add(acc, s))
      .backward();
  } else {
    const dtype = c.outputs[0].dtype === 'float32' ? 'float32' : 'float64';
    outputs[0].backward(fromEncoded(c.upstream[0], dtype));
  }
  c.grads.forEach((expected, i) => {
    if (expected === null) return;
    const leaf = operands[i] as Tensor;
    if (leaf.grad === null) {
      problems.push(`input ${i}: grad is null, PyTorch gives a gradient of shape [${expected.shape}]`);
      return;
    }
    if (leaf.grad.dtype !== 'float64') problems.push(`input ${i}: grad dtype ${leaf.grad.dtype}, expected float64`);
    compare(problems, `grad of input ${i}`, leaf.grad, expected, tolerance(c.op, 'grad'));
  });
  return problems;
}

describe(`@tensorgrad/core vs PyTorch ${fixture.torch}`, () => {
  test('the fixture is well-formed: unique case ids and a tensorgrad mapping for every op', () => {
    const ids = cases.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const unmapped = [...new Set(cases.map((c) => c.op))].filter((op) => !(op in OPS));
    expect(unmapped).toEqual([]);
  });

  test('every differentiable op core exports has a reference case', () => {
    const exported = DIFFERENTIABLE_OPS.filter((name) => typeof (tg as Record<string, unknown>)[name] === 'function');
    const registered = tg.listOps().filter((op) => op.differentiable).map((op) => op.name);
    // Guards against the check passing vacuously because nothing resolved.
    expect(exported.length).toBeGreaterThan(50);
    expect(registered.length).toBeGreaterThan(50);
    const covered = new Set(cases.map((c) => c.op));
    expect([...new Set([...exported, ...registered])].filter((name) => !covered.has(name))).toEqual([]);
  });

  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(runCase(c)).toEqual([]);
  });
});
