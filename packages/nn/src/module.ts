/**
 * `Module`: the base class of every layer and model. A module declares its parameters, buffers and sub-modules as
 * ordinary fields; `parameters()`, `stateDict()`, `train()`… find them by walking those fields, so a layer never keeps a
 * registry of its own (PyTorch's `__setattr__` bookkeeping, done lazily by reflection instead).
 *
 * What the walk recognises, for each own enumerable field in declaration order:
 * - a Tensor made by `parameter()` or with `requiresGrad` set → a parameter;
 * - a Tensor whose name was passed to `registerBuffer()` → a buffer (state that is saved but not trained);
 * - a Module → a child, named after the field;
 * - an array of Modules / parameter Tensors → children / parameters named `field.0`, `field.1`, …
 * Anything else (numbers, strings, options, plain tensors used as constants) is ignored — except that a Module or a
 * parameter kept inside a plain object, a Map, a Set or a nested array throws (naming the field), instead of being
 * silently left out of `parameters()` and the state dict: ModuleList and ModuleDict are the containers for those.
 */
import { Tensor, noGrad, type DType } from '@tensorgrad/core';
import { sameShape, shapeStr, checkOptions, describeValue, expectBoolean, expectTensor, isPlainObject } from './util.js';

/** Tensors that are parameters even while their `requiresGrad` is off (a frozen layer keeps its weights in the state dict). */
const parameterTensors = new WeakSet<Tensor>();

/**
 * Marks a leaf tensor as a trainable parameter (like `torch.nn.Parameter`): sets `requiresGrad` and remembers that it is a
 * parameter, so it stays one when frozen later with `requiresGrad = false`.
 */
export function parameter(t: Tensor, requiresGrad = true): Tensor {
  expectTensor(t, 'parameter', 'the tensor');
  expectBoolean(requiresGrad, 'parameter', 'requiresGrad');
  if (!t.isLeaf) throw new Error(`parameter: expected a leaf tensor, got the output of '${t.op}' (call .detach() first)`);
  t.requiresGrad = requiresGrad;
  parameterTensors.add(t);
  return t;
}

/** True when `t` is a parameter: created by `parameter()` or a leaf with `requiresGrad`. */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && (parameterTensors.has(t) || (t.isLeaf && t.requiresGrad));
}

export interface LoadStateDictResult {
  /** Names the module expects that were absent from the record (only possible with `strict: false`). */
  missingKeys: string[];
  /** Names in the record that the module does not have (only possible with `strict: false`). */
  unexpectedKeys: string[];
}

/** Where a tensor lives, so `to(dtype)` and `loadStateDict` can replace it. */
interface TensorSlot {
  name: string;
  /** The module that declares it, and the name it has there (`weight`, or `layers.0` for an array item). */
  module: Module;
  localName: string;
  owner: Record<string, unknown>;
  key: string | number;
  tensor: Tensor;
  kind: 'parameter' | 'buffer';
  /** False only for buffers registered with `persistent: false`: they are converted by `to()` but not saved. */
  persistent: boolean;
}

/** Parameters and buffers of `m` and its descendants with their locations: the walk behind every accessor above. */
function* tensorSlots(m: Module, prefix = '', seenModules: Set<Module> = new Set()): Generator<TensorSlot> {
  if (seenModules.has(m)) return;
  seenModules.add(m);
  const owner = m as unknown as Record<string, unknown>;
  const full = (key: string) => (prefix ? `${prefix}.${key}` : key);
  const buffers = buffersOf(m);
  for (const [key, value] of Object.entries(m)) {
    if (value instanceof Tensor) {
      const persistent = buffers.get(key);
      if (persistent !== undefined) yield { name: full(key), module: m, localName: key, owner, key, tensor: value, kind: 'buffer', persistent };
      else if (isParameter(value)) yield { name: full(key), module: m, localName: key, owner, key, tensor: value, kind: 'parameter', persistent: true };
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (isParameter(item)) {
          yield { name: full(`${key}.${i}`), module: m, localName: `${key}.${i}`, owner: value as unknown as Record<string, unknown>, key: i, tensor: item, kind: 'parameter', persistent: true };
        }
      }
    }
  }
  for (const [name, child] of m.namedChildren()) yield* tensorSlots(child, full(name), seenModules);
}

/**
 * Runs `module.forward(...inputs)` with some of its parameters or buffers replaced by the given tensors (by dotted name),
 * then puts the originals back (torch.func.functional_call). Useful to differentiate a module's output with respect to
 * tensors it does not own, e.g. with gradcheck. Unknown names throw.
 */
export function functionalCall<M extends Module>(module: M, tensors: Record<string, Tensor>, ...inputs: Parameters<M['forward']>): ReturnType<M['forward']> {
  if (!(module instanceof Module)) throw new Error(`functionalCall: expected a Module, got ${describeValue(module)}`);
  if (!isPlainObject(tensors)) throw new Error(`functionalCall: tensors must be a record of name -> Tensor, got ${describeValue(tensors)}`);
  for (const [name, t] of Object.entries(tensors)) expectTensor(t, 'functionalCall', `'${name}'`);
  const slots = new Map<string, TensorSlot[]>();
  for (const slot of tensorSlots(module)) slots.set(slot.name, [...(slots.get(slot.name) ?? []), slot]);
  const unknown = Object.keys(tensors).filter((k) => !slots.has(k));
  if (unknown.length > 0) throw new Error(`functionalCall: ${module.constructor.name} has no parameter or buffer named ${unknown.map((k) => `'${k}'`).join(', ')}`);
  const replaced: TensorSlot[] = [];
  try {
    for (const [name, t] of Object.entries(tensors)) {
      for (const slot of slots.get(name) as TensorSlot[]) {
        slot.owner[slot.key] = t;
        replaced.push(slot);
      }
    }
    return module.forward(...inputs);
  } finally {
    for (const slot of replaced) slot.owner[slot.key] = slot.tensor;
  }
}

/**
 * A deep copy of a module (PyTorch's copy.deepcopy, as TransformerEncoder uses to stack copies of one layer): parameters
 * and buffers get their own storage with the same values and stay parameters and buffers; sub-modules, and arrays of
 * modules or tensors, are copied; a module or tensor reachable twice in `m` is copied once and stays shared in the copy.
 * Every other field (numbers, strings, options, generators) is shared with the original. Gradients are not copied.
 */
export function deepCopy<M extends Module>(m: M): M {
  if (!(m instanceof Module)) throw new Error(`deepCopy: expected a Module, got ${describeValue(m)}`);
  return copyValue(m, new Map()) as M;
}

function copyValue(v: unknown, memo: Map<object, unknown>): unknown {
  if (v instanceof Module) {
    if (memo.has(v)) return memo.get(v);
    const copy = Object.create(Object.getPrototypeOf(v) as object) as Module;
    memo.set(v, copy);
    const buffers = bufferNames.get(v);
    if (buffers) bufferNames.set(copy, new Map(buffers));
    for (const [key, value] of Object.entries(v)) (copy as unknown as Record<string, unknown>)[key] = copyValue(value, memo);
    return copy;
  }
  if (v instanceof Tensor) {
    if (memo.has(v)) return memo.get(v);
    const copy = v.detach().clone();
    if (parameterTensors.has(v) || isParameter(v)) parameter(copy, v.requiresGrad);
    memo.set(v, copy);
    return copy;
  }
  if (Array.isArray(v) && v.some((x) => x instanceof Module || x instanceof Tensor)) return v.map((x) => copyValue(x, memo));
  return v;
}

/** Per module: buffer field name → persistent (saved in the state dict) or not. Kept off the instance so the walk ignores it. */
const bufferNames = new WeakMap<Module, Map<string, boolean>>();

function buffersOf(m: Module): Map<string, boolean> {
  let names = bufferNames.get(m);
  if (!names) bufferNames.set(m, (names = new Map()));
  return names;
}

/**
 * Where `value` (a field of `owner` named `key`, not itself a Module or a flat array of them) hides a Module or a
 * parameter tensor — inside a plain object, Map, Set or nested array — the path to it; null when it hides none.
 */
function hiddenModulePath(value: unknown, path: string, seen: Set<object>): string | null {
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  let items: Iterable<[string, unknown]>;
  if (Array.isArray(value)) items = value.map((v, i) => [String(i), v] as [string, unknown]);
  else if (value instanceof Map) items = [...value].map(([k, v]) => [String(k), v] as [string, unknown]);
  else if (value instanceof Set) items = [...value].map((v, i) => [`<item ${i}>`, v] as [string, unknown]);
  else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) items = Object.entries(value);
  else return null;
  for (const [k, v] of items) {
    const here = `${path}.${k}`;
    if (v instanceof Module || isParameter(v)) return here;
    const deeper = hiddenModulePath(v, here, seen);
    if (deeper !== null) return deeper;
  }
  return null;
}

function containerKind(value: unknown): string {
  return Array.isArray(value) ? 'a nested array' : value instanceof Map ? 'a Map' : value instanceof Set ? 'a Set' : 'a plain object';
}

/** Throws when field `key` of `m` keeps a Module or parameter where the field walk would silently miss it. */
function checkNotHidden(m: Module, key: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || value instanceof Module || value instanceof Tensor) return;
  const seen = new Set<object>();
  let path: string | null = null;
  let holder: unknown = value;
  if (Array.isArray(value)) {
    // Modules and parameters directly in an array are walked; only deeper nesting is hidden.
    for (let i = 0; i < value.length && path === null; i++) {
      const item: unknown = value[i];
      if (item instanceof Module || isParameter(item)) continue;
      path = hiddenModulePath(item, `${key}.${i}`, seen);
      holder = item;
    }
  } else {
    path = hiddenModulePath(value, key, seen);
  }
  if (path === null) return;
  throw new Error(
    `${m.constructor.name}: field '${key}' keeps a Module or parameter at '${path}' inside ${containerKind(holder)}, where parameters(), ` +
    `stateDict() and train() do not look, so it would be silently left out of training and saving. ` +
    `Keep modules in a field of their own, an array, a ModuleList or a ModuleDict.`,
  );
}

export abstract class Module {
  /** Training mode flag; `train()` / `eval()` set it on the whole tree. Dropout and BatchNorm read it. */
  training = true;

  /** The computation. Subclasses narrow the signature, e.g. `forward(x: Tensor): Tensor`. */
  abstract forward(...inputs: any[]): any;

  /** Same as `forward`; reads well when a module is passed around as a function (`model.call(x)`). */
  call(...inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this.forward(...inputs);
  }

  /**
   * Declares the field `name` as a buffer holding `tensor` (like PyTorch `register_buffer`): saved in `stateDict()`, converted by
   * `to()`, never returned by `parameters()`. `persistent: false` keeps it out of the state dict. Read and replace it as `this.name`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    const { persistent = true } = checkOptions(options, ['persistent'], 'registerBuffer');
    expectBoolean(persistent, 'registerBuffer', 'persistent');
    if (typeof name !== 'string' || name === '' || name.includes('.')) throw new Error(`registerBuffer: invalid buffer name ${describeValue(name)} (must be a non-empty string without '.')`);
    if (tensor !== null && !(tensor instanceof Tensor)) throw new Error(`registerBuffer: '${name}' must be a Tensor or null`);
    if ((this as unknown as Record<string, unknown>)[name] instanceof Module) throw new Error(`registerBuffer: '${name}' is already a sub-module`);
    buffersOf(this).set(name, persistent);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }


  /** Direct sub-modules with their names (`fc1`, `0`, `layers.2`). Fields are walked in declaration order (integer keys,
   * such as Sequential's, come first). */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [key, value] of Object.entries(this)) {
      checkNotHidden(this, key, value);
      if (value instanceof Module) {
        if (!seen.has(value)) { seen.add(value); yield [key, value]; }
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const m = value[i];
          if (m instanceof Module && !seen.has(m)) { seen.add(m); yield [`${key}.${i}`, m]; }
        }
      }
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all its descendants, depth first, each once (the root has the name ''). */
  *namedModules(prefix = '', seen: Set<Module> = new Set()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names (`0.weight`, `encoder.fc1.bias`); a tensor shared by two layers is listed once. */
  *namedParameters(): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const slot of tensorSlots(this)) {
      if (slot.kind === 'parameter' && !seen.has(slot.tensor)) {
        seen.add(slot.tensor);
        yield [slot.name, slot.tensor];
      }
    }
  }

  /** All parameters, as an array (what an optimizer takes). */
  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Buffers with dotted names (`bn.running_mean`), persistent or not. */
  *namedBuffers(): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const slot of tensorSlots(this)) {
      if (slot.kind === 'buffer' && !seen.has(slot.tensor)) {
        seen.add(slot.tensor);
        yield [slot.name, slot.tensor];
      }
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /** Number of scalar parameters; `{ trainableOnly: true }` counts only those with `requiresGrad`. */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    const { trainableOnly = false } = checkOptions(options, ['trainableOnly'], 'numParameters');
    expectBoolean(trainableOnly, 'numParameters', 'trainableOnly');
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout passes inputs through, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (`grad = null`, PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Turns gradient tracking of all parameters on or off (freezing a pre-trained part); returns this. */
  requiresGrad(flag = true): this {
    for (const p of this.parameters()) parameter(p, flag);
    return this;
  }

  /** Calls `fn` on every sub-module (children first) and then on this module, like PyTorch `apply`; returns this. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * A snapshot of parameters and persistent buffers by dotted name. The tensors are detached copies, so training further
   * does not change a saved state (PyTorch returns references; copy semantics make `best = model.stateDict()` safe).
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const slot of tensorSlots(this)) {
      if (slot.persistent && !(slot.name in out)) out[slot.name] = slot.tensor.detach().clone();
    }
    return out;
  }

  /**
   * Copies values from `record` into this module's parameters and buffers (in place, so optimizers holding the parameters
   * keep working). All or nothing: every entry is checked first — missing or unexpected names (when `strict`), values
   * that are not tensors, shape mismatches, an integer value for a float tensor or the reverse, and values a layer
   * refuses (such as BatchNorm's negative or non-finite running variance) — and any problem is reported in one Error
   * that lists them all, with nothing modified. float32 and float64 convert into the module's dtype, as in PyTorch.
   * A buffer that is currently the output of a graph (e.g. reassigned from a computation in `forward`) cannot be
   * written in place; it is replaced by a detached tensor holding the loaded values.
   */
  loadStateDict(record: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    if (!isPlainObject(record)) throw new Error(`loadStateDict: expected a record of tensors (name -> Tensor), got ${describeValue(record)}`);
    const { strict = true } = checkOptions(options, ['strict'], 'loadStateDict');
    expectBoolean(strict, 'loadStateDict', 'strict');
    record = this.renameLegacyKeys(record);
    const targets = new Map<string, TensorSlot[]>();
    for (const slot of tensorSlots(this)) if (slot.persistent) targets.set(slot.name, [...(targets.get(slot.name) ?? []), slot]);
    // Own keys only: a record (for instance parsed from a file) may name a tensor '__proto__' or 'constructor'.
    const has = (k: string) => Object.prototype.hasOwnProperty.call(record, k);
    const missingKeys = [...targets.keys()].filter((k) => !has(k));
    const unexpectedKeys = Object.keys(record).filter((k) => !targets.has(k));
    const problems: string[] = [];
    if (strict) {
      for (const k of missingKeys) problems.push(`missing key '${k}'`);
      for (const k of unexpectedKeys) problems.push(`unexpected key '${k}'`);
    }
    const values = new Map<string, Tensor>();
    for (const [name, slots] of targets) {
      if (!has(name)) continue;
      const target = slots[0].tensor;
      const src: unknown = record[name];
      if (!(src instanceof Tensor)) {
        problems.push(`'${name}' is not a Tensor (got ${describeValue(src)})`);
        continue;
      }
      if (!sameShape(src.shape, target.shape)) {
        problems.push(`shape mismatch for '${name}': the module has ${shapeStr(target.shape)}, the record has ${shapeStr(src.shape)}`);
        continue;
      }
      if ((src.dtype === 'int32') !== (target.dtype === 'int32')) {
        problems.push(`dtype mismatch for '${name}': the module has ${target.dtype}, the record ${src.dtype} (integer and float values do not convert silently)`);
        continue;
      }
      const value = noGrad(() => src.detach().to(target.dtype).clone());
      const refused = slots[0].module.validateStateValue(slots[0].localName, value);
      if (refused !== null) {
        problems.push(`'${name}' ${refused}`);
        continue;
      }
      values.set(name, value);
    }
    if (problems.length > 0) {
      throw new Error(`loadStateDict: ${problems.length} problem(s) loading into ${this.constructor.name}, nothing was modified:\n  ${problems.join('\n  ')}`);
    }
    // Everything is valid: commit. Nothing below can throw.
    const replaced = new Map<Tensor, Tensor>();
    noGrad(() => {
      for (const [name, value] of values) {
        for (const slot of targets.get(name) as TensorSlot[]) {
          const target = slot.tensor;
          if (target.isLeaf) {
            target.assign(value);
            continue;
          }
          // A graph node cannot be modified in place; tensors shared by several slots stay shared after the swap.
          let copy = replaced.get(target);
          if (copy === undefined) replaced.set(target, (copy = value));
          slot.owner[slot.key] = copy;
        }
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Checks a value about to be loaded into this module's parameter or buffer `name` (a field name, or `field.i` for an
   * array item); returns a description of the problem, or null to accept it. The value already has the module tensor's
   * shape and dtype. Layers override it to refuse values they cannot work with (BatchNorm: a negative or non-finite
   * running variance); the default accepts everything, as PyTorch does.
   */
  validateStateValue(_name: string, _value: Tensor): string | null {
    return null;
  }

  /**
   * Names this module's parameters or buffers had in older versions, mapped to their current names (both local to
   * the module, e.g. `{ runningMean: 'running_mean' }`), so `loadStateDict` still accepts files saved before a rename.
   * Override when renaming a field.
   */
  protected legacyStateDictNames(): Record<string, string> {
    return {};
  }

  /** `record` with every legacy key of every sub-module renamed to its current name (unless that name is present too). */
  private renameLegacyKeys(record: Record<string, Tensor>): Record<string, Tensor> {
    let out = record;
    const has = (r: object, k: string) => Object.prototype.hasOwnProperty.call(r, k);
    for (const [prefix, m] of this.namedModules()) {
      for (const [old, current] of Object.entries(m.legacyStateDictNames())) {
        const from = prefix ? `${prefix}.${old}` : old, to = prefix ? `${prefix}.${current}` : current;
        if (!has(out, from) || has(out, to)) continue;
        // A copy without a prototype, so the caller's record is untouched and any key stays an ordinary own key.
        if (out === record) out = Object.assign(Object.create(null) as Record<string, Tensor>, record);
        out[to] = out[from];
        delete out[from];
      }
    }
    return out;
  }

  /**
   * Converts every parameter and buffer to `dtype` (e.g. 'float64' for gradcheck), replacing the tensors; parameters stay
   * parameters. Create optimizers after calling this. Returns this.
   */
  to(dtype: DType): this {
    noGrad(() => {
      for (const slot of [...tensorSlots(this)]) {
        if (slot.tensor.dtype === dtype) continue;
        const converted = slot.tensor.detach().to(dtype).detach();
        slot.owner[slot.key] = slot.kind === 'parameter' ? parameter(converted, slot.tensor.requiresGrad) : converted;
      }
    });
    return this;
  }

  /** The part inside the parentheses of this module's one-line description, e.g. `inFeatures=2, outFeatures=4, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /**
   * A summary in the style of PyTorch's repr, with each sub-module on its own line, the parameter count of every module that
   * has parameters, and a total line at the root.
   */
  toString(): string {
    const total = this.numParameters();
    const trainable = this.numParameters({ trainableOnly: true });
    const totalLine = `Total parameters: ${formatCount(total)}` + (trainable !== total ? ` (trainable: ${formatCount(trainable)})` : '');
    return `${this.reprLines()}\n${totalLine}`;
  }

  private reprLines(ancestors: Set<Module> = new Set()): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})${paramNote(this)}`;
    const inner = new Set(ancestors).add(this);
    const body = children.map(([name, child]) => {
      const text = inner.has(child) ? `<cycle: ${child.constructor.name}>` : child.reprLines(inner);
      return `  (${name}): ${text.split('\n').join('\n  ')}`;
    });
    return `${head}${head.endsWith('(') ? '' : ','}\n${body.join('\n')}\n)${paramNote(this)}`;
  }

}

function paramNote(m: Module): string {
  const n = m.numParameters();
  return n > 0 ? `  # ${formatCount(n)} params` : '';
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

