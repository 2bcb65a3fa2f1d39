/**
 * Containers: Sequential (modules applied in order), ModuleList and ModuleDict (modules held for a forward you write),
 * and MLP (a Sequential of Linear layers and activations).
 */
import { Tensor, type DType, type Generator } from '@tensorgrad/core';
import { Module } from '../module.js';
import { GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './activation.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { BatchNorm1d, LayerNorm } from './normalization.js';
import { checkOptions, describeValue, expectBoolean, expectDType, expectGenerator, expectTensor } from '../util.js';

/**
 * Applies its modules in order. They are stored as the fields `0`, `1`, …, so their parameters are named `0.weight`,
 * `1.bias`, … as in PyTorch, and `seq[0]` or `seq.at(-1)` reach them.
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.append(m));
  }

  get length(): number {
    let n = 0;
    while (this[n] instanceof Module) n++;
    return n;
  }

  /** The i-th module; negative i counts from the end. */
  at(i: number): Module {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`Sequential.at: index ${i} out of range for ${n} module(s)`);
    return this[j];
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new Error(`Sequential: every element must be a Module, got ${describeValue(m)} at position ${this.length}`);
    this[this.length] = m;
    return this;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Sequential');
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

function checkModule(where: string, m: unknown, what: string): asserts m is Module {
  if (!(m instanceof Module)) throw new Error(`${where}: ${what} must be a Module, got ${m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'an object' : typeof m}`);
}

/**
 * A list of modules (torch.nn.ModuleList): holds sub-modules whose use `forward` of the owner decides, e.g. a stack of
 * blocks applied in a loop. Entries are the fields `0`, `1`, …, so a `layers` field gives parameter names
 * `layers.0.weight` as in PyTorch. Index it with `list[i]` or `list.get(i)` (negative from the end), iterate it with
 * `for … of`; it has no forward of its own.
 */
export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    let n = 0;
    while (this[n] instanceof Module) n++;
    return n;
  }

  private index(i: number, where: string, n = this.length): number {
    const j = Number.isInteger(i) && i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`ModuleList.${where}: index ${i} out of range for ${n} module(s)`);
    return j;
  }

  /** The i-th module; negative i counts from the end. */
  get(i: number): Module {
    return this[this.index(i, 'get')];
  }

  /** Replaces the i-th module (like `list[i] = m` in PyTorch). */
  set(i: number, m: Module): this {
    checkModule('ModuleList.set', m, 'the new entry');
    this[this.index(i, 'set')] = m;
    return this;
  }

  /** Appends modules at the end and returns the new length, like Array.push. */
  push(...modules: Module[]): number {
    modules.forEach((m, i) => checkModule('ModuleList.push', m, `argument ${i}`));
    for (const m of modules) this[this.length] = m;
    return this.length;
  }

  /** Appends one module and returns the list (PyTorch's append). */
  append(m: Module): this {
    checkModule('ModuleList.append', m, 'the new entry');
    this[this.length] = m;
    return this;
  }

  /** Appends every module of an iterable (checked first: on a bad entry nothing is added); returns the list. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw new Error(`ModuleList: expected an iterable of Modules, got ${modules === null ? 'null' : typeof modules}`);
    }
    const list = [...modules];
    list.forEach((m, i) => checkModule('ModuleList', m, `entry ${i}`));
    for (const m of list) this[this.length] = m;
    return this;
  }

  /** Inserts a module before position i (i = length appends); later entries move up by one. */
  insert(i: number, m: Module): this {
    checkModule('ModuleList.insert', m, 'the new entry');
    const n = this.length;
    const at = this.index(i, 'insert', n + 1);
    for (let j = n; j > at; j--) this[j] = this[j - 1];
    this[at] = m;
    return this;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }

  /** Always throws: a ModuleList only holds modules; the module that owns it decides how to call them. */
  forward(): never {
    throw new Error('ModuleList has no forward: iterate over it (for (const layer of this.layers) x = layer.forward(x)) in the forward of the module that owns it');
  }
}

/**
 * Modules by name (torch.nn.ModuleDict). Entries are fields named after their keys, so a `heads` field gives parameter
 * names `heads.<key>.weight`. Keys must be non-empty, without '.', and not the name of a ModuleDict member ('training',
 * 'get', …). Iterating gives `[key, module]` pairs (like a Map; PyTorch iterates keys). Integer-like keys come first,
 * as in any JavaScript object.
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  private static checkKey(where: string, dict: ModuleDict, key: unknown): asserts key is string {
    if (typeof key !== 'string' || key === '' || key.includes('.')) throw new Error(`${where}: keys must be non-empty strings without '.', got ${JSON.stringify(key)}`);
    const own = Object.prototype.hasOwnProperty.call(dict, key);
    if ((own && !((dict as unknown as Record<string, unknown>)[key] instanceof Module)) || (!own && key in dict)) {
      throw new Error(`${where}: key '${key}' is the name of a ModuleDict member; choose another key`);
    }
  }

  private entriesRecord(): Record<string, unknown> {
    return this as unknown as Record<string, unknown>;
  }

  /** The module stored under `key`; throws for an unknown key. */
  get(key: string): Module {
    const m = Object.prototype.hasOwnProperty.call(this, key) ? this.entriesRecord()[key] : undefined;
    if (!(m instanceof Module)) throw new Error(`ModuleDict.get: no module under key '${key}' (keys: ${this.keys().join(', ') || 'none'})`);
    return m;
  }

  /** Stores `m` under `key` (replacing an entry of that key); returns the dict. */
  set(key: string, m: Module): this {
    ModuleDict.checkKey('ModuleDict.set', this, key);
    checkModule('ModuleDict.set', m, `the entry '${key}'`);
    this.entriesRecord()[key] = m;
    return this;
  }

  /** Whether a module is stored under `key`. */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this, key) && this.entriesRecord()[key] instanceof Module;
  }

  /** Removes `key` and returns its module (PyTorch's pop); throws for an unknown key. */
  delete(key: string): Module {
    const m = this.get(key);
    delete this.entriesRecord()[key];
    return m;
  }

  /** Adds or replaces every entry of a record or of `[key, module]` pairs (all checked first). */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    if (modules === null || typeof modules !== 'object') throw new Error(`ModuleDict: expected a record or [key, module] pairs, got ${modules === null ? 'null' : typeof modules}`);
    const pairs: [string, Module][] = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`ModuleDict: expected [key, module] pairs, got ${JSON.stringify(pair)}`);
      ModuleDict.checkKey('ModuleDict', this, pair[0]);
      checkModule('ModuleDict', pair[1], `the entry '${pair[0]}'`);
    }
    for (const [k, m] of pairs) this.entriesRecord()[k] = m;
    return this;
  }

  /** The keys, in insertion order (integer-like keys first, as in any JavaScript object). */
  keys(): string[] {
    return Object.keys(this).filter((k) => this.entriesRecord()[k] instanceof Module);
  }

  /** The modules, in key order. */
  values(): Module[] {
    return this.keys().map((k) => this.entriesRecord()[k] as Module);
  }

  /** `[key, module]` pairs, in key order. */
  entries(): [string, Module][] {
    return this.keys().map((k) => [k, this.entriesRecord()[k] as Module]);
  }

  /** Number of entries. */
  get size(): number {
    return this.keys().length;
  }

  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.entries()[Symbol.iterator]();
  }

  /** Always throws: a ModuleDict only holds modules; the module that owns it decides how to call them. */
  forward(): never {
    throw new Error("ModuleDict has no forward: call its entries (this.heads.get('name').forward(x)) in the forward of the module that owns it");
  }
}

export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'leakyRelu' | 'softmax' | 'identity';

export interface MLPOptions {
  /** Activation after each hidden Linear: a name or a factory returning a fresh module. Default 'relu'. */
  activation?: ActivationName | (() => Module);
  /** Activation after the last Linear (e.g. 'sigmoid'); default none, so the MLP outputs logits. */
  outputActivation?: ActivationName | (() => Module) | null;
  /** Dropout probability after each hidden activation; 0 (default) adds no Dropout layers. */
  dropout?: number;
  /** Normalisation between each hidden Linear and its activation: 'batch' (BatchNorm1d), 'layer' (LayerNorm) or null. */
  norm?: 'batch' | 'layer' | null;
  /** Bias in every Linear (default true). */
  bias?: boolean;
  dtype?: DType;
  /** Generator for initial weights and dropout masks. */
  generator?: Generator;
}

function makeActivation(a: ActivationName | (() => Module)): Module {
  if (typeof a === 'function') {
    const m = a();
    if (!(m instanceof Module)) throw new Error('MLP: an activation factory must return a Module');
    return m;
  }
  switch (a) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'gelu': return new GELU();
    case 'leakyRelu': return new LeakyReLU();
    case 'softmax': return new Softmax(-1);
    case 'identity': return new Identity();
    default: throw new Error(`MLP: unknown activation ${describeValue(a)} (expected relu, tanh, sigmoid, gelu, leakyRelu, softmax, identity or a factory)`);
  }
}

/**
 * Multi-layer perceptron: `new MLP([2, 16, 16, 1])` is Linear(2,16), ReLU, Linear(16,16), ReLU, Linear(16,1). Per hidden
 * layer the order is Linear, norm (optional), activation, Dropout (optional). A Sequential, so names are `0.weight`, ….
 */
export class MLP extends Sequential {
  readonly sizes: number[];

  constructor(sizes: number[], options: MLPOptions = {}) {
    super();
    const { activation = 'relu', outputActivation = null, dropout = 0, norm = null, bias = true, dtype = 'float32', generator } =
      checkOptions(options, ['activation', 'outputActivation', 'dropout', 'norm', 'bias', 'dtype', 'generator'], 'MLP');
    expectBoolean(bias, 'MLP', 'bias');
    expectDType(dtype, 'MLP', 'dtype', { float: true });
    expectGenerator(generator, 'MLP');
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
      throw new Error(`MLP: sizes must list at least 2 positive integers (input, ..., output), got ${describeValue(sizes)}`);
    }
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new Error(`MLP: dropout must be in [0, 1), got ${describeValue(dropout)}`);
    if (norm !== null && norm !== 'batch' && norm !== 'layer') throw new Error(`MLP: norm must be 'batch', 'layer' or null, got ${describeValue(norm)}`);
    // Activations are made for every hidden layer; check them once, up front, so a bad one fails before any layer is built.
    for (const a of [activation, outputActivation]) if (a !== null && typeof a !== 'function') makeActivation(a);
    this.sizes = [...sizes];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.append(new Linear(sizes[i], sizes[i + 1], { bias, dtype, generator }));
      const hidden = i + 2 < sizes.length;
      if (hidden) {
        if (norm === 'batch') this.append(new BatchNorm1d(sizes[i + 1], { dtype }));
        if (norm === 'layer') this.append(new LayerNorm(sizes[i + 1], { dtype }));
        this.append(makeActivation(activation));
        if (dropout > 0) this.append(new Dropout(dropout, { generator }));
      } else if (outputActivation !== null) {
        this.append(makeActivation(outputActivation));
      }
    }
  }
}
