/** describeValue: a short, safe description of any value for error messages. No imports, so any module can use it. */

/** A short, safe description of any value for an error message (never throws, never prints a huge array). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) {
    if (v.length > 8) return `an array of length ${v.length}`;
    return `[${v.map((x) => (typeof x === 'object' && x !== null ? '…' : typeof x === 'string' ? JSON.stringify(x) : String(x))).join(', ')}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${(v as object).constructor.name}`;
  let name: unknown;
  try {
    name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  } catch {
    name = undefined;
  }
  if (name === 'Tensor') {
    const t = v as { dtype?: unknown; shape?: unknown };
    if (Array.isArray(t.shape)) return `a ${String(t.dtype)} Tensor of shape [${t.shape.join(', ')}]`;
  }
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}
