/**
 * Sampling from tensors of probabilities: multinomial (categorical draws, with or without replacement) and bernoulli.
 * Both draw from a seeded Generator (the global one unless `{ generator }` is given), so results are reproducible.
 */
import { Tensor } from '../tensor.js';
import { Generator, defaultGenerator } from '../random.js';
import { floatDType } from '../dtype.js';
import { topkK } from '../kernels/sort.js';
import { fmtShape } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { expectBool, expectInt, expectOptions, expectTensor } from './args.js';

export interface MultinomialOptions {
  /** Draw with replacement (a category can come up again). Default false, as in PyTorch. */
  replacement?: boolean;
  /** Generator to draw from (default: the global one seeded by `manualSeed`). */
  generator?: Generator;
}

export interface BernoulliOptions {
  generator?: Generator;
}

function generatorOf(g: unknown, op: string): Generator {
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new Error(`${op}: generator must be a Generator, got ${describeValue(g)}`);
  return g;
}

/** First index whose cumulative weight exceeds u (binary search over a non-decreasing cdf). */
function searchCdf(cdf: Float64Array, n: number, u: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `numSamples` category indices (int32) drawn from each row of non-negative weights `probs` (1-D → `[numSamples]`, 2-D →
 * `[rows, numSamples]`; rows need not sum to 1), as torch.multinomial. Without replacement (the default) a category is
 * drawn at most once, so numSamples may not exceed the number of non-zero weights.
 */
export const multinomial = /* @__PURE__ */ defineOp({
  name: 'multinomial', family: 'sampling', differentiable: false, primitive: true,
  summary: 'numSamples int32 category indices per row of non-negative weights (1-D or 2-D; rows need not sum to 1), { replacement, generator }',
  grad: '',
}, (probs: Tensor, numSamples: number, opts?: MultinomialOptions): Tensor => {
  expectTensor(probs, 'multinomial', 'probs');
  const o = expectOptions(opts, ['replacement', 'generator'], 'multinomial');
  const replacement = o.replacement === undefined ? false : expectBool(o.replacement, 'multinomial', 'replacement');
  const gen = generatorOf(o.generator, 'multinomial');
  expectInt(numSamples, 'multinomial', 'numSamples');
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`multinomial: probs must be 1-D or 2-D, got shape ${fmtShape(probs.shape)}`);
  if (probs.dtype === 'int32') throw new Error(`multinomial: probs must be float32 or float64, got int32 (shape ${fmtShape(probs.shape)})`);
  if (numSamples <= 0) throw new Error(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  const rows = probs.ndim === 1 ? 1 : probs.shape[0], n = probs.shape[probs.ndim - 1];
  if (n === 0) throw new Error(`multinomial: probs has no categories (shape ${fmtShape(probs.shape)})`);
  if (!replacement && numSamples > n) {
    throw new Error(`multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories (shape ${fmtShape(probs.shape)}); pass { replacement: true }`);
  }
  const p = probs.data;
  for (let r = 0; r < rows; r++) {
    let total = 0, positive = 0;
    for (let c = 0; c < n; c++) {
      const w = p[r * n + c];
      if (!(w >= 0) || w === Infinity) {
        throw new Error(`multinomial: weights must be finite and non-negative, got ${w} at ${probs.ndim === 1 ? `index ${c}` : `row ${r}, index ${c}`} (shape ${fmtShape(probs.shape)})`);
      }
      total += w;
      if (w > 0) positive++;
    }
    const where = probs.ndim === 1 ? 'probs' : `row ${r} of probs`;
    if (!(total > 0) || total === Infinity) throw new Error(`multinomial: ${where} sums to ${total}; each row needs a positive, finite total`);
    if (!replacement && positive < numSamples) {
      throw new Error(`multinomial: ${where} has only ${positive} non-zero weights, too few for ${numSamples} samples without replacement`);
    }
  }

  const out = new Int32Array(rows * numSamples);
  if (replacement) {
    const cdf = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      let acc = 0, last = 0;
      for (let c = 0; c < n; c++) {
        const w = p[r * n + c];
        acc += w;
        cdf[c] = acc;
        if (w > 0) last = c;
      }
      // min(…, last): rounding can never pick a trailing zero-weight category.
      for (let s = 0; s < numSamples; s++) out[r * numSamples + s] = Math.min(searchCdf(cdf, n, gen.random() * acc), last);
    }
  } else {
    // Exponential races: category c finishes at time E_c / w_c with E_c ~ Exp(1); the order of finishing is a draw
    // without replacement in proportion to the weights. The numSamples earliest come out of a top-k on log(u) / w.
    const keys = new Float64Array(rows * n);
    for (let i = 0; i < keys.length; i++) {
      const w = p[i];
      const u = 1 - gen.random(); // in (0, 1], so the log is finite
      keys[i] = w > 0 ? Math.log(u) / w : -Infinity;
    }
    topkK(keys, rows, n, 1, numSamples, true, true, new Float64Array(rows * numSamples), out);
  }
  return new Tensor(out, probs.ndim === 1 ? [numSamples] : [rows, numSamples], 'int32');
});

/** 1 with probability p, else 0, elementwise for p in [0, 1], in p's float dtype (torch.bernoulli). */
export const bernoulli = /* @__PURE__ */ defineOp({
  name: 'bernoulli', family: 'sampling', differentiable: false, primitive: true,
  summary: '1 with probability p (elementwise, p in [0, 1]), else 0, in p’s float dtype; { generator }', grad: '',
}, (p: Tensor, opts?: BernoulliOptions): Tensor => {
  expectTensor(p, 'bernoulli', 'p');
  const o = expectOptions(opts, ['generator'], 'bernoulli');
  const gen = generatorOf(o.generator, 'bernoulli');
  const d = p.data;
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] >= 0 && d[i] <= 1)) throw new Error(`bernoulli: probabilities must be in [0, 1], got ${d[i]} at flat index ${i} (shape ${fmtShape(p.shape)})`);
  }
  const out = Tensor.empty(p.shape, floatDType(p.dtype));
  for (let i = 0; i < d.length; i++) out.data[i] = gen.random() < d[i] ? 1 : 0;
  return out;
});
