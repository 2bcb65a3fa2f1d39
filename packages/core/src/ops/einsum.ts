/**
 * einsum and outer: contractions written as index equations, lowered to diagonal, sum, permute, expand, reshape, mul and
 * matmul, so they need no gradient of their own and run on the fast matmul kernel.
 *
 * Lowering: each operand first takes the diagonal of repeated subscripts ('ii->i') and sums subscripts that no other
 * operand and not the output use; operands are then combined left to right. Two operands sharing subscripts that are
 * needed later (batch) and subscripts that are not (contracted) become one batched matmul [batch, left, contracted] ·
 * [batch, contracted, right]; with nothing to contract (outer products, elementwise products) or nothing left on either
 * side (row-wise dot products) a broadcast mul and a sum do the same without per-batch matmul calls.
 */
import type { Tensor } from '../tensor.js';
import { fmtShape, sizeOf } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { expectTensor } from './args.js';
import { diagonal } from './diagonal.js';
import { expand, permute, reshape } from './shape.js';
import { matmul } from './matmul.js';
import { mul } from './binary.js';
import { sum } from './reduce.js';

/** A tensor with one subscript per dimension (ellipsis dimensions get the labels '…0', '…1', … aligned from the right). */
interface Term { t: Tensor; labels: string[] }

const LETTER = /[a-zA-Z]/;

/** Splits one side of the equation into letters and an optional '...', rejecting anything else. */
function tokens(term: string, where: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length;) {
    if (term.startsWith('...', i)) {
      if (out.includes('...')) throw new Error(`einsum: more than one '...' in ${where} '${term}'`);
      out.push('...');
      i += 3;
    } else if (LETTER.test(term[i])) {
      out.push(term[i++]);
    } else {
      throw new Error(`einsum: invalid subscript '${term[i]}' in ${where} '${term}' (use letters a-z, A-Z and '...')`);
    }
  }
  return out;
}

function ellipsisLabels(count: number, total: number): string[] {
  return Array.from({ length: count }, (_, k) => `…${total - count + k}`);
}

const show = (label: string) => (label.startsWith('…') ? `'...' dimension ${label.slice(1)}` : `subscript '${label}'`);

/** Applies the diagonal to every repeated subscript of one operand: 'ii' → one axis 'i'. */
function takeDiagonals(term: Term): Term {
  let { t, labels } = term;
  for (;;) {
    const p = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (p < 0) return { t, labels };
    const first = labels.indexOf(labels[p]);
    t = diagonal(t, 0, first, p);
    labels = [...labels.filter((_, i) => i !== first && i !== p), labels[p]];
  }
}

/** Sums the axes whose subscripts are not in `keep`. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = term.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return term;
  return { t: sum(term.t, axes), labels: term.labels.filter((l) => keep.has(l)) };
}

/** Permutes (and, where sizes are given, broadcasts) a term to the label order `order`; labels it lacks become size 1. */
function arrange(term: Term, order: readonly string[], sizes?: Map<string, number>): Tensor {
  const own = order.filter((l) => term.labels.includes(l));
  let t = permute(term.t, own.map((l) => term.labels.indexOf(l)));
  t = reshape(t, order.map((l) => (term.labels.includes(l) ? term.t.shape[term.labels.indexOf(l)] : 1)));
  if (sizes) t = expand(t, order.map((l) => sizes.get(l) ?? 1));
  return t;
}

/** Combines two terms, keeping the labels in `needed` (wanted by the output or a later operand) and summing the rest. */
function contract(a: Term, b: Term, needed: Set<string>, sizes: Map<string, number>): Term {
  const common = a.labels.filter((l) => b.labels.includes(l));
  const batch = common.filter((l) => needed.has(l));
  const summed = common.filter((l) => !needed.has(l));
  const left = a.labels.filter((l) => !common.includes(l));
  const right = b.labels.filter((l) => !common.includes(l));
  const size = (ls: string[]) => sizeOf(ls.map((l) => sizes.get(l) as number));
  if (summed.length === 0 || (left.length === 0 && right.length === 0)) {
    const order = [...batch, ...left, ...right, ...summed];
    const product = mul(arrange(a, order), arrange(b, order));
    const kept = order.length - summed.length;
    return { t: summed.length > 0 ? sum(product, summed.map((_, i) => kept + i)) : product, labels: order.slice(0, kept) };
  }
  const x = reshape(arrange(a, [...batch, ...left, ...summed], sizes), [size(batch), size(left), size(summed)]);
  const y = reshape(arrange(b, [...batch, ...summed, ...right], sizes), [size(batch), size(summed), size(right)]);
  const labels = [...batch, ...left, ...right];
  return { t: reshape(matmul(x, y), labels.map((l) => sizes.get(l) as number)), labels };
}

/**
 * Einstein summation (torch.einsum): `einsum('bhqd,bhkd->bhqk', q, k)`. Subscripts are letters, `...` stands for
 * broadcast leading dimensions, a subscript repeated within an operand takes a diagonal, and subscripts missing from the
 * output are summed; without `->` the output is the ellipsis then the letters used once, in alphabetical order. Lowered
 * to matmul, mul, sum, diagonal and permutes, so gradients of every order come from those ops.
 */
export const einsum = /* @__PURE__ */ defineOp({
  name: 'einsum', family: 'linalg', differentiable: true, primitive: false,
  summary: "Einstein summation, e.g. 'bij,bjk->bik', 'bhqd,bhkd->bhqk', 'i,j->ij', 'ii->', 'ii->i', 'ij->ji', '...ij->...ji' (torch.einsum)",
  grad: 'composite (diagonal, sum, permute, expand, mul, matmul)',
}, (equation: string, ...args: Tensor[] | [readonly Tensor[]]): Tensor => {
  if (typeof equation !== 'string') throw new Error(`einsum: the first argument must be the equation string, got ${describeValue(equation)}`);
  // PyTorch also accepts the operands as one list: einsum('ij,jk', [a, b]).
  const operands: readonly Tensor[] = args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as Tensor[]);
  if (operands.length === 0) throw new Error('einsum: give at least one operand tensor after the equation');
  operands.forEach((t, i) => expectTensor(t, 'einsum', `operand ${i}`));
  const eq = equation.replace(/\s+/g, '');
  const sides = eq.split('->');
  if (sides.length > 2) throw new Error(`einsum: '->' appears more than once in '${equation}'`);
  const terms = sides[0].split(',');
  if (terms.length !== operands.length) {
    throw new Error(`einsum: the equation '${equation}' has ${terms.length} operand subscript(s) but ${operands.length} tensor(s) were given`);
  }

  // Subscripts per operand, with '...' expanded to right-aligned ellipsis labels.
  const parsed = terms.map((term, i) => tokens(term, `operand ${i}`));
  const ellipsisDims = parsed.map((p, i) => {
    const letters = p.filter((l) => l !== '...').length;
    const nd = operands[i].ndim;
    if (p.includes('...') ? letters > nd : letters !== nd) {
      throw new Error(`einsum: operand ${i} has shape ${fmtShape(operands[i].shape)} (${nd} dimensions) but its subscripts '${terms[i]}' name ${letters}${p.includes('...') ? ' or more' : ''}`);
    }
    return p.includes('...') ? nd - letters : 0;
  });
  const ell = Math.max(0, ...ellipsisDims);
  const inputs: Term[] = parsed.map((p, i) => ({
    t: operands[i],
    labels: p.flatMap((l) => (l === '...' ? ellipsisLabels(ellipsisDims[i], ell) : [l])),
  }));

  // A subscript repeated within one operand ('ii') names a diagonal: its sizes must be equal, not just broadcastable.
  inputs.forEach(({ t, labels }, i) => labels.forEach((l, d) => {
    const first = labels.indexOf(l);
    if (first < d && t.shape[first] !== t.shape[d]) {
      throw new Error(`einsum: ${show(l)} is repeated in operand ${i} but its sizes differ (${t.shape[first]} ≠ ${t.shape[d]}, shape ${fmtShape(t.shape)})`);
    }
  }));
  // Sizes: equal, or 1 (which broadcasts), for each subscript across operands.
  const sizes = new Map<string, number>();
  const seenIn = new Map<string, number>();
  inputs.forEach(({ t, labels }, i) => labels.forEach((l, d) => {
    const n = t.shape[d], prev = sizes.get(l);
    if (prev === undefined || prev === 1) {
      sizes.set(l, n);
      seenIn.set(l, i);
    } else if (n !== prev && n !== 1) {
      throw new Error(`einsum: ${show(l)} has size ${n} in operand ${i} (shape ${fmtShape(t.shape)}) but size ${prev} in operand ${seenIn.get(l)}; sizes must match or be 1`);
    }
  }));

  // Output subscripts: explicit, or (implicit form) the ellipsis then the letters used once, in alphabetical order.
  let output: string[];
  if (sides.length === 2) {
    const p = tokens(sides[1], 'the output');
    output = p.flatMap((l) => (l === '...' ? ellipsisLabels(ell, ell) : [l]));
    for (const l of output) {
      if (!sizes.has(l)) throw new Error(`einsum: output ${show(l)} does not appear in any operand of '${equation}'`);
    }
    const dup = output.find((l, i) => output.indexOf(l) !== i);
    if (dup !== undefined) throw new Error(`einsum: output ${show(dup)} appears more than once in '${equation}'`);
  } else {
    const counts = new Map<string, number>();
    for (const p of parsed) for (const l of p) if (l !== '...') counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ellipsisLabels(ell, ell), ...[...counts.keys()].filter((l) => counts.get(l) === 1).sort()];
  }

  const wanted = (from: number): Set<string> => new Set([...output, ...inputs.slice(from).flatMap((term) => term.labels)]);
  let acc = sumOut(takeDiagonals(inputs[0]), wanted(1));
  for (let i = 1; i < inputs.length; i++) {
    const next = sumOut(takeDiagonals(inputs[i]), new Set([...wanted(i + 1), ...acc.labels]));
    acc = sumOut(contract(acc, next, wanted(i + 1), sizes), wanted(i + 1));
  }
  return arrange(acc, output, sizes);
});

/** The outer product of two 1-D tensors: out[i][j] = a[i] · b[j] (torch.outer). */
export const outer = /* @__PURE__ */ defineOp({
  name: 'outer', family: 'linalg', differentiable: true, primitive: false,
  summary: 'outer product of two 1-D tensors: out[i][j] = a[i] · b[j]', grad: 'composite (mul)',
}, (a: Tensor, b: Tensor): Tensor => {
  expectTensor(a, 'outer', 'first operand');
  expectTensor(b, 'outer', 'second operand');
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: both operands must be 1-D, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
});
