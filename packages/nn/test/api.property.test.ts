/**
 * The API sweep of @tensorgrad/nn (harness: packages/core/test/sweep/harness.ts): every export — functions, classes,
 * the init namespace, and the async file functions — called with random valid and invalid arguments returns a correct
 * result or throws a plain Error naming itself. Constructors are followed by a use of the instance (a forward, an
 * optimizer step, a scheduler step, iteration), whose errors must name the class or method too. A new export without
 * an entry fails the completeness test; docs/testing.md says how to add one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as tg from '@tensorgrad/core';
import { Tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import {
  T, anyTensor, asyncFn, bool, checkTensor, count, ctor, dtype, floatTensor, fn, generator, int, junk, neverReturned, number, opts, orJunk,
  shape, sig, smallShape, sweepAsyncProperty, sweepProperty, tally, tensorOf, type Entry,
} from '../../core/test/sweep/harness';

// ---------------------------------------------------------------- generators for nn's arguments

const size = orJunk(fc.integer({ min: 1, max: 4 }), 6);
/** Hyperparameters (learning rates, decays): mostly valid non-negative numbers. */
const rate = orJunk(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.1)), 8);
const prob = orJunk(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1)));
const reduction = orJunk(fc.constantFrom('mean', 'sum', 'none'));
const floatLeaf = (s: fc.Arbitrary<number[]> = smallShape) => tensorOf(s, ['float32', 'float64']).map((t) => (t.isLeaf ? t : t.detach()).requiresGrad_(true));
const params = orJunk(fc.array(floatLeaf(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 })), { minLength: 1, maxLength: 3 }), 6);
const labels = (n: number, classes: number) => fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n });
const sameShapePair = fc.oneof(
  { weight: 4, arbitrary: smallShape.chain((s) => fc.tuple(tensorOf(fc.constant(s), ['float32', 'float64']), tensorOf(fc.constant(s)))) as fc.Arbitrary<unknown[]> },
  { weight: 1, arbitrary: fc.tuple(T, orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.array(fc.double({ min: -1, max: 1 }), { maxLength: 3 })))) as fc.Arbitrary<unknown[]> },
);
const probabilities = smallShape.chain((s) => fc.tuple(
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) }).map((v) => tg.tensor(v, { shape: s })),
  tensorOf(fc.constant(s), ['float32']).map((t) => t.abs().clamp(0, 1)),
)) as fc.Arbitrary<unknown[]>;
const classification = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })).chain(([n, c]) => fc.tuple(
  tensorOf(fc.constant([n, c]), ['float32', 'float64']), fc.oneof(labels(n, c) as fc.Arbitrary<unknown>, labels(n, c).map((v) => tg.tensor(v, { dtype: 'int32' })), fc.constant([c])),
)) as fc.Arbitrary<unknown[]>;
const lossOpts = opts({ reduction });
const nllOpts = opts({ reduction, ignoreIndex: int, weight: fc.oneof(fc.constant(undefined), orJunk(floatTensor)) });
const classOpts = opts({ reduction, ignoreIndex: int, weight: fc.oneof(fc.constant(undefined), orJunk(floatTensor)), labelSmoothing: prob });
const target = orJunk(fc.oneof(anyTensor as fc.Arbitrary<unknown>, fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 })));

/** Every tensor in a forward result (a tensor, or nested arrays of them as recurrent layers return) is well formed. */
function checkOutput(y: unknown): void {
  if (Array.isArray(y)) y.forEach(checkOutput);
  else checkTensor(y, 'forward result');
}

/** Calls `forward` with `input` (a fitting tensor or a random one); the result must be well-formed tensors. */
function forwardWith(input: fc.Arbitrary<unknown>): fc.Arbitrary<(m: nn.Module) => unknown> {
  return input.map((x) => (m: nn.Module) => {
    const y = m.forward(x);
    checkOutput(y);
    return y;
  });
}
const forwardAny = forwardWith(T);
const forwardLast = (k: number) => forwardWith(fc.oneof(tensorOf(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }).map((s) => [...s, k])) as fc.Arbitrary<unknown>, T));
/** Some state-dict method calls on a module: loading random records, converting, freezing. */
const moduleUse = fc.tuple(fc.integer({ min: 0, max: 5 }), junk, bool, dtype).map(([k, j, b, d]) => (m: nn.Module) => {
  if (k === 0) m.loadStateDict(m.stateDict());
  else if (k === 1) m.loadStateDict(j as never, { strict: b as boolean });
  else if (k === 2) m.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([key, v]) => [key, v.reshape([-1])])), { strict: false });
  else if (k === 3) m.to(d as never);
  else if (k === 4) m.requiresGrad(b as boolean);
  else m.numParameters(j as never);
});
const MODULE_METHODS = ['loadStateDict', 'to', 'requiresGrad', 'numParameters', 'registerBuffer', 'train', 'forward', 'cast'];

/** A forward, or one of the state-dict calls above. */
const layerUse = (input: fc.Arbitrary<(m: nn.Module) => unknown>) => fc.oneof({ weight: 3, arbitrary: input }, { weight: 1, arbitrary: moduleUse });

/** Optimizer use: random gradients, a step, a state-dict round trip (also through a corrupted copy), zeroGrad. */
const optimizerUse = fc.tuple(fc.integer({ min: 0, max: 3 }), junk, fc.double({ min: -2, max: 2, noNaN: true })).map(([k, j, v]) => (opt: nn.Optimizer<{ lr: number }>) => {
  for (const g of opt.paramGroups) for (const p of g.params) p.grad = tg.fullLike(p, v);
  opt.step();
  if (k === 0) opt.loadStateDict(opt.stateDict());
  else if (k === 1) opt.loadStateDict(j as never);
  else if (k === 2) {
    const sd = opt.stateDict();
    for (const s of Object.values(sd.state)) for (const key of Object.keys(s)) s[key] = typeof s[key] === 'number' ? -1 : tg.fullLike(s[key] as Tensor, NaN);
    opt.loadStateDict(sd);
  } else opt.zeroGrad(j as never);
});
const optimizerFor = fc.tuple(fc.array(floatLeaf(fc.constant([2])), { minLength: 1, maxLength: 2 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([ps, lr]) => new nn.SGD(ps.map((p) => ({ params: [p] })), { lr }));
const optimizerArg = orJunk(optimizerFor, 6);
const schedulerUse = fc.tuple(fc.integer({ min: 0, max: 2 }), junk).map(([k, j]) => (s: nn.LRScheduler) => {
  s.step();
  if (k === 0) s.loadStateDict(s.stateDict());
  else if (k === 1) s.loadStateDict(j as never);
  else s.loadStateDict({ ...s.stateDict(), baseLrs: [NaN] });
});
const optionsFor = (o: Record<string, fc.Arbitrary<unknown>>) => opts(o);

const datasetArg = orJunk(fc.oneof(
  fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(tensorOf(fc.constant([n, 2])), tensorOf(fc.constant([n])))).map(([x, y]) => new nn.TensorDataset(x, y)) as fc.Arbitrary<unknown>,
  fc.constantFrom<unknown>({ length: 2, get: (i: number) => [tg.tensor([i])] }, { length: -1, get: () => [] }, { length: 2, get: () => 'x' }),
));
const recordArg = orJunk(fc.oneof(
  fc.dictionary(fc.constantFrom('w', 'b', '__proto__', 'constructor', 'toString', 'a.b'), anyTensor, { maxKeys: 3 }) as fc.Arbitrary<unknown>,
  fc.constant(new nn.Linear(2, 1)),
  fc.dictionary(fc.string({ maxLength: 2 }), junk, { minKeys: 1, maxKeys: 2 }),
));
/** Valid safetensors bytes, and corrupted ones: truncated, a flipped byte, or an edited header. */
const bytesArg = orJunk(fc.tuple(fc.dictionary(fc.constantFrom('w', 'b', 'constructor'), anyTensor, { maxKeys: 2 }), fc.nat(), fc.integer({ min: 0, max: 3 }), fc.nat({ max: 255 }))
  .map(([rec, at, kind, byte]) => {
    const bytes = nn.serialize(rec);
    if (kind === 0) return bytes;
    if (kind === 1) return bytes.subarray(0, at % (bytes.length + 1));
    const copy = bytes.slice();
    copy[at % copy.length] = byte;
    return copy;
  }));

// ---------------------------------------------------------------- the registry

const modelPath = mkdtempSync(join(tmpdir(), 'tensorgrad-sweep-'));
const goodFile = join(modelPath, 'good.safetensors');
const badFile = join(modelPath, 'bad.safetensors');
writeFileSync(goodFile, nn.serialize({ weight: tg.tensor([[1, 2]]), bias: tg.tensor([0.5]) }));
writeFileSync(badFile, new Uint8Array([1, 2, 3]));
/** A path, or junk that is not a string: a random string is a valid relative path, and save() would write it into the cwd. */
const orPathJunk = <T>(valid: fc.Arbitrary<T>) => orJunk(valid).filter((v) => typeof v !== 'string' || v.startsWith(modelPath));
const pathArg = orPathJunk(fc.constantFrom(goodFile, badFile, join(modelPath, 'missing.safetensors'), join(modelPath, 'no-dir', 'x.safetensors')));

class Custom extends nn.Module {
  fc = new nn.Linear(2, 2);
  declare stat: Tensor;
  constructor() {
    super();
    this.registerBuffer('stat', tg.zeros([2]));
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}

const initFn = (...args: fc.Arbitrary<unknown>[]) => fn(sig(orJunk(floatLeaf(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }))), ...args));
const genOpts = opts({ generator });
const kaimingOpts = opts({ a: number, mode: orJunk(fc.constantFrom('fanIn', 'fanOut')), nonlinearity: orJunk(fc.constantFrom('relu', 'leakyRelu', 'tanh', 'linear')), generator });
const loss = (pairs: fc.Arbitrary<unknown[]>, o: fc.Arbitrary<unknown>) => fn(fc.tuple(pairs, o).map(([p, x]) => [...p, x]), { check: (r) => checkTensor(r), runs: 150 });
const schedulerCtor = (o: fc.Arbitrary<unknown>) => ctor(sig(optimizerArg, o), { use: schedulerUse, names: ['step', 'loadStateDict'] });
const optimizerCtor = (o: fc.Arbitrary<unknown>) => ctor(sig(params, o), { use: optimizerUse, names: ['step', 'loadStateDict', 'zeroGrad'] });
const adamOpts = optionsFor({ lr: rate, betas: orJunk(fc.tuple(prob, prob)), eps: rate, weightDecay: rate, amsgrad: bool, maximize: bool });
const generatorOpts = (extra: Record<string, fc.Arbitrary<unknown>>) => optionsFor({ seed: number, shuffle: bool, noise: number, ...extra });

/** Sequence input [seq, batch, 2] (or batch-first) for recurrent layers built with inputSize 2, or a random tensor. */
const sequence = fc.oneof(tensorOf(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map(([a, b]) => [a, b, 2]), ['float32']) as fc.Arbitrary<unknown>, T);
const recurrentCtor = (extra: Record<string, fc.Arbitrary<unknown>>) => ctor(
  fc.tuple(fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), size, optionsFor({ numLayers: size, bias: bool, batchFirst: bool, dropout: prob, bidirectional: bool, dtype, generator, ...extra })),
  { use: layerUse(forwardWith(sequence)), names: MODULE_METHODS },
);
const cellCtor = (extra: Record<string, fc.Arbitrary<unknown>>) => ctor(
  fc.tuple(fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), size, optionsFor({ bias: bool, dtype, generator, ...extra })),
  { use: layerUse(forwardWith(fc.oneof(tensorOf(fc.integer({ min: 1, max: 3 }).map((b) => [b, 2]), ['float32']) as fc.Arbitrary<unknown>, T))), names: MODULE_METHODS },
);

/** A float image batch [N, C, ...spatial] (C given, spatial sizes 2..4). */
const imageInput = (dims: number, c?: number) => tensorOf(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: 2, max: 4 }), { minLength: dims, maxLength: dims }))
  .map(([n, ch, sp]) => [n, c ?? ch, ...sp]), ['float32']);
const convCtor = (dims: number, transposed: boolean) => ctor(
  sig(fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), size, orJunk(fc.integer({ min: 1, max: 2 })),
    optionsFor({ stride: size, padding: orJunk(fc.constantFrom(0, 1)), dilation: size, groups: size, bias: bool, dtype, generator, ...(transposed ? { outputPadding: count } : {}) })),
  { use: layerUse(forwardWith(fc.oneof(imageInput(dims, 2) as fc.Arbitrary<unknown>, T))), names: MODULE_METHODS },
);
const transformerOpts = optionsFor({ dimFeedforward: size, dropout: prob, activation: orJunk(fc.constantFrom('relu', 'gelu')), layerNormEps: rate, batchFirst: bool, normFirst: bool, bias: bool, dtype, generator });
const sequence4 = fc.oneof(tensorOf(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map(([l, n]) => [l, n, 4]), ['float32']) as fc.Arbitrary<unknown>, T);

const ENTRIES: Record<string, Entry> = {
  Module: ctor(sig(), { target: Custom, use: fc.oneof(moduleUse, fc.tuple(junk, T, bool).map(([name, t, p]) => (m: nn.Module) => m.registerBuffer(name as string, t as Tensor, { persistent: p as boolean })), forwardLast(2)), names: [...MODULE_METHODS, 'Linear'] }),
  parameter: fn(sig(T, bool), { check: (r) => checkTensor(r), names: ['requiresGrad'] }),
  isParameter: fn(sig(T), { check: (r) => { if (typeof r !== 'boolean') throw new Error('isParameter returns a boolean'); } }),
  functionalCall: fn(fc.tuple(fc.constant(new nn.Linear(2, 1)), orJunk(fc.record({ weight: tensorOf(fc.constant([1, 2])) }, { requiredKeys: [] })), orJunk(tensorOf(fc.constant([3, 2])))), { names: ['Linear'] }),
  'init.uniform_': initFn(number, number, genOpts), 'init.normal_': initFn(number, number, genOpts),
  'init.constant_': initFn(number), 'init.zeros_': initFn(), 'init.ones_': initFn(),
  'init.xavierUniform_': initFn(number, genOpts), 'init.xavierNormal_': initFn(number, genOpts),
  'init.kaimingUniform_': initFn(kaimingOpts), 'init.kaimingNormal_': initFn(kaimingOpts),
  'init.calculateGain': fn(sig(orJunk(fc.constantFrom('linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu')), number)),
  'init.calculateFans': fn(sig(T)),
  'init.uniform': initFn(number, number, genOpts), 'init.normal': initFn(number, number, genOpts),
  'init.constant': initFn(number), 'init.zeros': initFn(), 'init.ones': initFn(),
  'init.xavierUniform': initFn(number, genOpts), 'init.xavierNormal': initFn(number, genOpts),
  'init.kaimingUniform': initFn(kaimingOpts), 'init.kaimingNormal': initFn(kaimingOpts),

  Linear: ctor(sig(size, size, optionsFor({ bias: bool, dtype, generator })), { use: layerUse(forwardAny), names: MODULE_METHODS }),
  // A container's forward reports the failing layer by its own name (as PyTorch's layers do).
  Sequential: ctor(fc.array(orJunk(fc.constantFrom(new nn.ReLU(), new nn.Tanh(), new nn.Flatten(0))), { maxLength: 3 }), { use: forwardAny, names: ['ReLU', 'Tanh', 'Flatten'] }),
  MLP: ctor(sig(orJunk(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 4 })), optionsFor({
    activation: orJunk(fc.constantFrom('relu', 'tanh', 'gelu', 'softmax')), outputActivation: orJunk(fc.constantFrom('sigmoid', null)),
    dropout: prob, norm: orJunk(fc.constantFrom('batch', 'layer', null)), bias: bool, dtype, generator,
  })), { use: layerUse(forwardLast(1)), names: [...MODULE_METHODS, 'Linear', 'BatchNorm1d', 'LayerNorm'] }),
  Identity: ctor(sig(), { use: forwardAny }), ReLU: ctor(sig(), { use: forwardAny }), Tanh: ctor(sig(), { use: forwardAny }),
  Sigmoid: ctor(sig(), { use: forwardAny }), LeakyReLU: ctor(sig(number), { use: forwardAny }),
  GELU: ctor(sig(optionsFor({ approximate: orJunk(fc.constantFrom('none', 'tanh')) })), { use: forwardAny }),
  Softmax: ctor(sig(int), { use: forwardAny, names: ['softmax'] }), LogSoftmax: ctor(sig(int), { use: forwardAny, names: ['logSoftmax'] }),
  geluTanh: fn(sig(floatTensor), { check: (r) => checkTensor(r) }),
  Dropout: ctor(sig(prob, optionsFor({ generator })), { use: forwardAny }),
  LayerNorm: ctor(sig(orJunk(fc.oneof(fc.integer({ min: 1, max: 3 }) as fc.Arbitrary<unknown>, fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }))), optionsFor({ eps: number, elementwiseAffine: bool, bias: bool, dtype })), { use: layerUse(forwardLast(2)), names: MODULE_METHODS }),
  BatchNorm1d: ctor(sig(size, optionsFor({ eps: number, momentum: orJunk(fc.oneof(prob, fc.constant(null))), affine: bool, trackRunningStats: bool, dtype })), { use: layerUse(forwardLast(2)), names: MODULE_METHODS }),
  Embedding: ctor(sig(size, size, optionsFor({ paddingIdx: int, dtype, generator })), { use: layerUse(forwardWith(orJunk(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 })))), names: MODULE_METHODS }),
  Flatten: ctor(sig(int, int), { use: forwardAny }),
  RNN: recurrentCtor({ nonlinearity: orJunk(fc.constantFrom('tanh', 'relu')) }), LSTM: recurrentCtor({ projSize: count }), GRU: recurrentCtor({}),
  RNNCell: cellCtor({ nonlinearity: orJunk(fc.constantFrom('tanh', 'relu')) }), LSTMCell: cellCtor({}), GRUCell: cellCtor({}),
  deepCopy: fn(sig(orJunk(fc.constantFrom(new nn.Linear(2, 1), new nn.MLP([2, 3, 1]) as nn.Module))), { check: (r) => { if (!(r instanceof nn.Module)) throw new Error('deepCopy returns a Module'); } }),
  dropout: fn(sig(T, prob, bool, optionsFor({ generator })), { check: (r) => checkTensor(r) }),
  layerNorm: fn(sig(floatTensor, orJunk(fc.integer({ min: 1, max: 3 })), orJunk(fc.constant(null)), orJunk(fc.constant(null)), number), { check: (r) => checkTensor(r) }),
  rmsNorm: fn(sig(floatTensor, orJunk(fc.integer({ min: 1, max: 3 })), orJunk(fc.constant(null)), orJunk(fc.oneof(fc.constant(null) as fc.Arbitrary<unknown>, fc.constant(1e-5)))), { check: (r) => checkTensor(r) }),
  ModuleList: ctor(sig(orJunk(fc.constant([new nn.ReLU(), new nn.Tanh()]))), { use: fc.constant((m: nn.ModuleList) => m.length) }),
  ModuleDict: ctor(sig(orJunk(fc.constant({ a: new nn.ReLU() }))), { use: fc.constant((m: nn.ModuleDict) => [...m.keys()]) }),
  SiLU: ctor(sig(), { use: forwardAny }),
  Dropout2d: ctor(sig(prob, optionsFor({ generator })), { use: forwardWith(fc.oneof(imageInput(2) as fc.Arbitrary<unknown>, T)) }),
  RMSNorm: ctor(sig(orJunk(fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, fc.constant([2]))), optionsFor({ eps: orJunk(fc.constantFrom(null, 1e-5)), elementwiseAffine: bool, dtype })), { use: layerUse(forwardLast(2)), names: MODULE_METHODS }),
  BatchNorm2d: ctor(sig(fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), optionsFor({ eps: number, momentum: orJunk(fc.oneof(prob, fc.constant(null))), affine: bool, trackRunningStats: bool, dtype })),
    { use: layerUse(forwardWith(fc.oneof(imageInput(2, 2) as fc.Arbitrary<unknown>, T))), names: MODULE_METHODS }),
  GroupNorm: ctor(sig(fc.oneof(fc.constant(1) as fc.Arbitrary<unknown>, size), fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), optionsFor({ eps: number, affine: bool, dtype })),
    { use: layerUse(forwardWith(fc.oneof(imageInput(2, 2) as fc.Arbitrary<unknown>, T))), names: MODULE_METHODS }),
  Unflatten: ctor(sig(int, orJunk(fc.constant([2, 2]))), { use: forwardWith(fc.oneof(tensorOf(fc.constant([3, 4])) as fc.Arbitrary<unknown>, T)) }),
  Conv1d: convCtor(1, false), Conv2d: convCtor(2, false), ConvTranspose1d: convCtor(1, true), ConvTranspose2d: convCtor(2, true),
  // Pooling layers are thin wrappers: their forward reports the function they call (maxPool1d, interpolate, …).
  MaxPool1d: ctor(sig(size, optionsFor({ stride: size, padding: count, dilation: size, ceilMode: bool, returnIndices: bool })), { use: forwardWith(fc.oneof(imageInput(1) as fc.Arbitrary<unknown>, T)), names: ['maxPool1d'] }),
  MaxPool2d: ctor(sig(size, optionsFor({ stride: size, padding: count, dilation: size, ceilMode: bool, returnIndices: bool })), { use: forwardWith(fc.oneof(imageInput(2) as fc.Arbitrary<unknown>, T)), names: ['maxPool2d'] }),
  AvgPool2d: ctor(sig(size, optionsFor({ stride: size, padding: count, ceilMode: bool, countIncludePad: bool })), { use: forwardWith(fc.oneof(imageInput(2) as fc.Arbitrary<unknown>, T)), names: ['avgPool2d'] }),
  AdaptiveAvgPool2d: ctor(sig(orJunk(fc.oneof(size, fc.constant([1, null])))), { use: forwardWith(fc.oneof(imageInput(2) as fc.Arbitrary<unknown>, T)), names: ['adaptiveAvgPool2d'] }),
  Upsample: ctor(sig(optionsFor({ size: orJunk(fc.integer({ min: 1, max: 4 })), scaleFactor: orJunk(fc.constantFrom(2, 1.5)), mode: orJunk(fc.constantFrom('nearest', 'linear')), alignCorners: bool })),
    { use: forwardWith(fc.oneof(imageInput(1) as fc.Arbitrary<unknown>, T)), names: ['interpolate'] }),
  MultiheadAttention: ctor(sig(fc.oneof(fc.constant(4) as fc.Arbitrary<unknown>, size), fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size),
    optionsFor({ dropout: prob, bias: bool, addBiasKV: bool, addZeroAttn: bool, batchFirst: bool, dtype, generator })),
  { use: fc.oneof(tensorOf(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map(([l, n]) => [l, n, 4]), ['float32']) as fc.Arbitrary<unknown>, T)
    .map((x) => (m: nn.MultiheadAttention) => checkOutput(m.forward(x as Tensor, x as Tensor, x as Tensor))), names: MODULE_METHODS }),
  TransformerEncoderLayer: ctor(sig(fc.oneof(fc.constant(4) as fc.Arbitrary<unknown>, size), fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), transformerOpts),
    { use: layerUse(forwardWith(sequence4)), names: [...MODULE_METHODS, 'MultiheadAttention', 'LayerNorm', 'Linear'] }),
  TransformerDecoderLayer: ctor(sig(fc.oneof(fc.constant(4) as fc.Arbitrary<unknown>, size), fc.oneof(fc.constant(2) as fc.Arbitrary<unknown>, size), transformerOpts),
    { use: sequence4.map((x) => (m: nn.TransformerDecoderLayer) => checkOutput(m.forward(x as Tensor, x as Tensor))), names: [...MODULE_METHODS, 'MultiheadAttention', 'LayerNorm', 'Linear'] }),
  TransformerEncoder: ctor(sig(orJunk(fc.constant(new nn.TransformerEncoderLayer(4, 2))), size), { use: forwardWith(sequence4), names: ['TransformerEncoderLayer', 'MultiheadAttention', 'LayerNorm', 'Linear'] }),
  TransformerDecoder: ctor(sig(orJunk(fc.constant(new nn.TransformerDecoderLayer(4, 2))), size), { use: sequence4.map((x) => (m: nn.TransformerDecoder) => checkOutput(m.forward(x as Tensor, x as Tensor))), names: ['TransformerDecoderLayer', 'MultiheadAttention', 'LayerNorm', 'Linear'] }),
  SequentialLR: ctor(fc.tuple(optimizerFor, fc.boolean()).map(([opt, ok]) => [opt, ok ? { schedulers: [new nn.StepLR(opt, { stepSize: 2 }), new nn.ExponentialLR(opt, { gamma: 0.9 })], milestones: [2] } : { schedulers: [], milestones: [1] }]),
    { use: fc.constant((s: nn.SequentialLR) => { s.step(); s.loadStateDict(s.stateDict()); }), names: ['step', 'loadStateDict', 'StepLR', 'ExponentialLR'] }),
  OneCycleLR: schedulerCtor(optionsFor({ maxLr: rate, totalSteps: size, pctStart: prob, annealStrategy: orJunk(fc.constantFrom('cos', 'linear')), cycleMomentum: bool, divFactor: orJunk(fc.constantFrom(25, 10)), threePhase: bool })),

  mseLoss: loss(sameShapePair, lossOpts), l1Loss: loss(sameShapePair, lossOpts),
  huberLoss: loss(sameShapePair, optionsFor({ delta: number, reduction })), smoothL1Loss: loss(sameShapePair, optionsFor({ beta: number, reduction })),
  bceLoss: loss(fc.oneof(probabilities, sameShapePair), optionsFor({ weight: orJunk(floatTensor), reduction })),
  bceWithLogitsLoss: loss(sameShapePair, optionsFor({ weight: orJunk(floatTensor), posWeight: orJunk(floatTensor), reduction })),
  nllLoss: loss(fc.oneof(classification, fc.tuple(T, target) as fc.Arbitrary<unknown[]>), nllOpts),
  crossEntropy: loss(fc.oneof(classification, fc.tuple(T, target) as fc.Arbitrary<unknown[]>), classOpts),

  TensorDataset: ctor(fc.array(T, { maxLength: 3 }), { use: fc.tuple(int, orJunk(fc.constant(Int32Array.from([0])))).map(([i, b]) => (d: nn.TensorDataset) => { d.get(i as number); d.getBatch(b as Int32Array); }) }),
  DataLoader: ctor(sig(datasetArg, optionsFor({ batchSize: size, shuffle: bool, dropLast: bool, seed: number, generator })), { use: fc.constant((l: nn.DataLoader) => [...l]) }),
  trainTestSplit: fn(sig(orJunk(fc.integer({ min: 2, max: 5 }).chain((n) => fc.array(tensorOf(fc.constant([n, 1])), { minLength: 1, maxLength: 2 }))), optionsFor({ testSize: number, shuffle: bool, seed: number }))),
  oneHot: fn(sig(orJunk(fc.oneof(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }) as fc.Arbitrary<unknown>, tensorOf(smallShape, ['int32']))), int, optionsFor({ dtype })), { check: (r) => checkTensor(r) }),
  StandardScaler: ctor(sig(), { use: fc.tuple(orJunk(tensorOf(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })))), T).map(([a, b]) => (s: nn.StandardScaler) => { s.fit(a as Tensor); s.transform(b as Tensor); s.inverseTransform(b as Tensor); }) }),
  standardize: fn(fc.array(orJunk(tensorOf(fc.constant([3, 2]))), { minLength: 1, maxLength: 3 }), { names: ['StandardScaler'] }),
  xor: fn(sig(optionsFor({ samplesPerCorner: size, noise: number, seed: number }))),
  moons: fn(sig(generatorOpts({ n: size }))), circles: fn(sig(generatorOpts({ n: size, factor: prob }))),
  spirals: fn(sig(generatorOpts({ nPerClass: size, classes: size }))),
  blobs: fn(sig(generatorOpts({ n: size, centers: orJunk(fc.oneof(size, fc.constant([[0, 1], [2, 3]]))), nFeatures: size, clusterStd: number, centerBox: orJunk(fc.constant([-1, 1])) }))),
  polynomialRegression: fn(sig(optionsFor({ n: size, coefficients: orJunk(fc.array(number, { maxLength: 3 })), noise: number, xRange: orJunk(fc.constant([-1, 1])), seed: number }))),

  SGD: optimizerCtor(fc.oneof(fc.record({ lr: fc.double({ min: 0, max: 1, noNaN: true }) }) as fc.Arbitrary<unknown>,
    optionsFor({ lr: rate, momentum: rate, dampening: rate, nesterov: bool, weightDecay: rate, maximize: bool }))),
  Adam: optimizerCtor(adamOpts), AdamW: optimizerCtor(adamOpts),
  RMSprop: optimizerCtor(optionsFor({ lr: rate, alpha: prob, eps: rate, weightDecay: rate, momentum: rate, centered: bool, maximize: bool })),
  Adagrad: optimizerCtor(optionsFor({ lr: rate, lrDecay: rate, weightDecay: rate, initialAccumulatorValue: rate, eps: rate, maximize: bool })),
  StepLR: schedulerCtor(optionsFor({ stepSize: size, gamma: number })),
  MultiStepLR: schedulerCtor(optionsFor({ milestones: orJunk(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })), gamma: number })),
  ExponentialLR: schedulerCtor(optionsFor({ gamma: number })), CosineAnnealingLR: schedulerCtor(optionsFor({ tMax: size, etaMin: number })),
  LinearLR: schedulerCtor(optionsFor({ startFactor: prob, endFactor: prob, totalIters: size })),
  LambdaLR: schedulerCtor(optionsFor({ lrLambda: orJunk(fc.constantFrom((e: number) => 1 / (e + 1), (e: number) => (e > 1 ? NaN : 1), () => -1)) })),
  ReduceLROnPlateau: ctor(sig(optimizerArg, optionsFor({ mode: orJunk(fc.constantFrom('min', 'max')), factor: prob, patience: count, threshold: number, thresholdMode: orJunk(fc.constantFrom('rel', 'abs')), cooldown: count, minLr: number, eps: number })), {
    use: fc.tuple(number, junk).map(([v, j]) => (s: nn.ReduceLROnPlateau) => { s.step(v as number); s.loadStateDict(s.stateDict()); s.loadStateDict(j as never); }), names: ['step', 'loadStateDict'],
  }),
  clipGradNorm: fn(fc.tuple(params, number, orJunk(fc.constantFrom(1, 2, 3, 'inf', Infinity))).map(([ps, m, p]) => {
    if (Array.isArray(ps)) for (const t of ps as Tensor[]) t.grad = tg.onesLike(t);
    return [ps, m, p];
  }), { check: (r) => { if (typeof r !== 'number') throw new Error('clipGradNorm returns the norm'); } }),
  clipGradValue: fn(sig(params, number)),

  serialize: fn(sig(recordArg, optionsFor({ metadata: orJunk(fc.dictionary(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 }), { maxKeys: 2 })) })), { check: (r) => { if (!(r instanceof Uint8Array)) throw new Error('serialize returns bytes'); } }),
  deserialize: fn(sig(bytesArg), { check: (r) => Object.values(r as Record<string, Tensor>).forEach((t) => checkTensor(t)) }),
  readMetadata: fn(sig(bytesArg)),
  save: asyncFn(sig(recordArg, orPathJunk(fc.constantFrom(join(modelPath, 'out.safetensors'), join(modelPath, 'no-dir', 'x.safetensors'))), optionsFor({ metadata: orJunk(fc.constant({ a: 'b' })) }))),
  load: asyncFn(sig(pathArg)), loadMetadata: asyncFn(sig(pathArg)),
  loadInto: asyncFn(sig(orJunk(fc.constant(new nn.Linear(2, 1))), pathArg, optionsFor({ strict: bool })), { names: ['loadStateDict', 'load'] }),
};

/** Exports that are not called directly, with the reason. */
const NOT_SWEPT: Record<string, string> = {
  init: 'a namespace: each of its functions has an entry (init.normal_, ...)',
  Optimizer: 'abstract base class (constructing it is a TypeScript error); swept through SGD, Adam, AdamW, RMSprop, Adagrad',
  LRScheduler: 'abstract base class; swept through StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR',
};

function exportsOf(): string[] {
  const top = Object.keys(nn).filter((k) => k !== 'init');
  return [...top, ...Object.keys(nn.init).map((k) => `init.${k}`), 'init'];
}

function resolve(name: string): unknown {
  return name.startsWith('init.') ? (nn.init as Record<string, unknown>)[name.slice(5)] : (nn as Record<string, unknown>)[name];
}

const RUNS = 60;
const SEED = 20261203;

afterAll(() => {
  rmSync(modelPath, { recursive: true, force: true });
  if (process.env.SWEEP_STATS) console.log([...tally.byName].map(([n, [r, t]]) => `${n} ${r}/${t}`).join('\n'));
  console.log(`nn API sweep: ${tally.calls} calls, ${tally.returned} returned a checked result, ${tally.threw} threw a named Error`);
});

test('every export of @tensorgrad/nn has a sweep entry (or a reason it has none)', () => {
  const names = exportsOf();
  expect(names.length).toBeGreaterThan(80);
  expect({ missing: names.filter((k) => !(k in ENTRIES) && !(k in NOT_SWEPT)), stale: Object.keys(ENTRIES).filter((k) => !names.includes(k)) })
    .toEqual({ missing: [], stale: [] });
});

describe('@tensorgrad/nn exports: a correct result or an Error naming the function', () => {
  test.each(Object.keys(ENTRIES))('%s', async (name) => {
    const entry = ENTRIES[name];
    const short = name.replace(/^init\./, '');
    const aliases = [...(entry.names ?? []), ...(short.endsWith('_') ? [] : [`${short}_`])];
    const e = { ...entry, names: aliases };
    if (entry.async) await fc.assert(sweepAsyncProperty(short, resolve(name), e), { seed: SEED, numRuns: entry.runs ?? 25 });
    else fc.assert(sweepProperty(short, resolve(name), e), { seed: SEED, numRuns: entry.runs ?? RUNS });
  });
});

test('every entry also produced valid calls (its generator is not all junk)', () => {
  expect(neverReturned()).toEqual([]);
});
