/** PyTorch-style printing: aligned values, summarised with … past 1000 elements, plus shape, dtype and grad state. */
import type { Tensor } from './tensor.js';
import { fmtShape } from './shape.js';

const THRESHOLD = 1000;
const EDGE = 3;

function chooseFormatter(values: ArrayLike<number>, isInt: boolean): (v: number) => string {
  if (isInt) return (v) => String(v);
  let maxAbs = 0, minAbs = Infinity, allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || maxAbs / minAbs > 1e5) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4) : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

export function formatTensor(t: Tensor): string {
  const { shape, data } = t;
  const summarize = t.size > THRESHOLD;
  const shown: number[] = [];
  const fmtAll = (dim: number, off: number, visit: (i: number) => void): void => {
    if (dim === shape.length) return visit(off);
    const n = shape[dim];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) i = n - EDGE;
      fmtAll(dim + 1, off + i * stride, visit);
    }
  };
  fmtAll(0, 0, (i) => shown.push(data[i]));
  const fmt = chooseFormatter(shown, t.dtype === 'int32');
  const width = shown.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const cell = (v: number) => fmt(v).padStart(width);
  const indent = 'tensor('.length;
  const build = (dim: number, off: number): string => {
    if (shape.length === 0) return cell(data[0]);
    const n = shape[dim];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) {
        parts.push('...');
        i = n - EDGE;
      }
      parts.push(dim === shape.length - 1 ? cell(data[off + i]) : build(dim + 1, off + i * stride));
    }
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - 1 - dim) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const extras = [`shape=${fmtShape(shape)}`, `dtype=${t.dtype}`];
  if (t.op) extras.push(`gradFn=${t.op}`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${build(0, 0)}, ${extras.join(', ')})`;
}
