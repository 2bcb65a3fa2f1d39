/** Argument checks shared by the public entry points, so every message names the function the user called. */

/** A short, safe description of any value for an error message (never throws, never prints a huge array). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map((x) => (typeof x === 'object' && x !== null ? '…' : String(x))).join(', ')}]` : `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${(v as object).constructor.name}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Rejects option keys a function does not know (a typo such as `{ retainGrpah: true }` must not pass silently). */
export function checkOptionKeys(opts: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new Error(`${fn}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
