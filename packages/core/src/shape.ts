/** Shape algebra: sizes, strides, broadcasting and axis normalisation. Pure functions, no tensors. */
import { describeValue } from './describe.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** The shape two shapes broadcast to (NumPy/PyTorch rules), for users; ops call `broadcastPair` on shapes known valid. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  for (const s of [a, b]) {
    if (!Array.isArray(s) || !s.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`broadcastShapes: shapes must be arrays of non-negative integers, got ${describeValue(s)}`);
    }
  }
  return broadcastPair(a, b, 'broadcastShapes');
}

/** NumPy/PyTorch broadcasting of two valid shapes; `op` names the caller in the error. */
export function broadcastPair(a: Shape, b: Shape, op: string): number[] {
  if (sameShape(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i - n} is ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides for reading a tensor of `shape` as if broadcast to `target` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const off = target.length - shape.length;
  const s = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) s[i + off] = shape[i] === 1 && target[i + off] !== 1 ? 0 : own[i];
  return s;
}

/** True when `shape` broadcasts to `target` exactly (the rule used to sum a gradient back to its input). */
export function broadcastsTo(shape: Shape, target: Shape): boolean {
  if (shape.length > target.length) return false;
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1 && shape[i] !== target[i + off]) return false;
  return true;
}

/** `axis` as an index in [0, ndim): an integer, negatives counting from the end; `op` names the caller in errors. */
export function normAxis(axis: unknown, ndim: number, op: string, shape?: Shape): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new Error(`${op}: axis must be an integer, got ${describeValue(axis)}`);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    const where = shape ? `a tensor of shape ${fmtShape(shape)}` : `a tensor with ${ndim} dimensions`;
    throw new Error(`${op}: axis ${axis} is out of range for ${where} (valid: ${-ndim}..${ndim - 1})`);
  }
  return a;
}

/** Normalised, sorted, de-duplicated axes from an integer or an array of integers; undefined or null means all axes. */
export function normAxes(axis: unknown, shape: Shape, op: string): number[] {
  const ndim = shape.length;
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  let list: readonly unknown[];
  if (typeof axis === 'number') list = [axis];
  else if (Array.isArray(axis)) list = axis;
  else throw new Error(`${op}: axis must be an integer or an array of integers, got ${describeValue(axis)}`);
  const out = list.map((a) => normAxis(a, ndim, op, shape));
  const sorted = [...new Set(out)].sort((x, y) => x - y);
  if (sorted.length !== out.length) throw new Error(`${op}: repeated axis in [${list.join(', ')}]`);
  return sorted;
}

/** Shape after reducing `axes`, keeping them as size 1 when keepdim. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}
