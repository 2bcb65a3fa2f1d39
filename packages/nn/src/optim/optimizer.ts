/**
 * The Optimizer base class: parameter groups, per-parameter state, an all-or-nothing `step()`, and state dicts that
 * resume training exactly. Subclasses only say which options they take and how one parameter is updated.
 *
 * The contract, PyTorch's: `step()` validates everything first, then every optimizer updates each parameter and its
 * state buffers in place, under `noGrad`. References to a parameter or to a state tensor therefore stay valid across
 * steps, and a step allocates no new tensors (the fused kernels of @tensorgrad/core do one pass per parameter).
 */
import { Tensor, enableGrad, noGrad } from '@tensorgrad/core';
import { sameShape, shapeStr } from '../util.js';

/** A hyperparameter value: a number, a flag, or a pair such as Adam's `betas`. */
export type OptionValue = number | boolean | readonly [number, number];

/** One parameter group as stored on `optimizer.paramGroups`: its tensors plus a full set of options. */
export type ParamGroup<O> = O & {
  params: Tensor[];
  /** The lr a scheduler started from; set by the first scheduler attached to the optimizer. */
  initialLr?: number;
};

/** A parameter group as passed to a constructor: options it omits come from the optimizer's defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** Either the parameters themselves (e.g. `model.parameters()`) or an array of parameter groups. */
export type ParamsInput<O> = Iterable<Tensor> | ReadonlyArray<ParamGroupInput<O>>;

/** Per-parameter optimizer state: buffers (tensors shaped like the parameter) and counters such as `step`. */
export type ParamState = Record<string, Tensor | number>;

/** A parameter group in a state dict: its options and the indices of its parameters (numbered across groups). */
export type SavedParamGroup<O> = O & { params: number[]; initialLr?: number };

/** The optimizer's state, in PyTorch's layout: `state` is keyed by parameter index. */
export interface OptimizerStateDict<O = Record<string, OptionValue>> {
  state: Record<number, ParamState>;
  paramGroups: Array<SavedParamGroup<O>>;
}

/** Which state keys a parameter may have under a group's options (checked by loadStateDict). */
export interface StateLayout {
  /** Buffers every non-empty state must have. */
  required: string[];
  /** Buffers that may be present (e.g. an SGD momentum buffer before the first step). */
  optional: string[];
  /** Non-negative integer counters every non-empty state must have. */
  counters: string[];
  /** Buffers whose values must be >= 0 (running averages of squares such as Adam's expAvgSq). Every buffer must be finite. */
  nonNegative?: string[];
}

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /**
   * Update each parameter with one fused core kernel (`fusedAdamStep_` and friends; WebAssembly SIMD for float32).
   * Default true. `false` runs the same rule as separate in-place tensor ops, the readable reference the kernels are
   * tested against; results agree to float rounding.
   */
  fused?: boolean;
}

const GROUP_KEYS_OUTSIDE_OPTIONS = new Set(['params', 'initialLr']);


function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

function cloneOption(v: OptionValue): OptionValue {
  return Array.isArray(v) ? ([v[0], v[1]] as const) : v;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !isTensor(x);
}

/** Throws unless `value` is a finite number in [min, max] (bounds optional); `where` names the caller. */
export function checkNumber(where: string, name: string, value: unknown, min = -Infinity, max = Infinity): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${where}: ${name} must be a finite number ${range}, got ${String(value)}`);
  }
}

export function checkBoolean(where: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new Error(`${where}: ${name} must be a boolean, got ${String(value)}`);
}

export abstract class Optimizer<O extends { lr: number }> {
  /** Parameter groups; options (notably `lr`) may be changed between steps, e.g. by a scheduler. */
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** Options a group gets when it does not set them. */
  readonly defaults: Readonly<Partial<O>>;
  /** Per-parameter state, created on a parameter's first update. */
  protected readonly state = new Map<Tensor, ParamState>();
  /** Whether updates run as one fused kernel per parameter (see OptimizerOptions.fused). */
  readonly fused: boolean;

  /**
   * `builtIn` lists every option with its default (undefined where the option is required, like SGD's lr);
   * `options` are the caller's overrides (plus `fused`), checked for unknown names so a misspelt option is not
   * silently ignored.
   */
  protected constructor(
    protected readonly name: string,
    params: ParamsInput<O>,
    builtIn: { [K in keyof O]: O[K] | undefined },
    options: (Partial<O> & OptimizerOptions) | undefined,
  ) {
    if (options !== undefined && !isPlainObject(options)) throw new Error(`${name}: options must be an object, got ${String(options)}`);
    const { fused, ...hyper } = options ?? {};
    if (fused !== undefined) checkBoolean(name, 'fused', fused);
    this.fused = fused ?? true;
    const defaults: Record<string, unknown> = { ...builtIn };
    for (const [key, value] of Object.entries(hyper)) {
      if (!(key in builtIn)) throw new Error(`${name}: unknown option '${key}'; ${name} takes ${[...Object.keys(builtIn), 'fused'].join(', ')}`);
      if (value !== undefined) defaults[key] = cloneOption(value as OptionValue);
    }
    this.defaults = defaults as Partial<O>;
    const groups = toGroupInputs(name, params);
    if (groups.length === 0) throw new Error(`${name}: got an empty parameter list`);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks one group's options, throwing an Error that names `where`, the group and the bad value. */
  protected abstract validateGroup(where: string, group: O): void;

  /** The state keys a parameter may carry under `group`'s options. */
  protected abstract stateLayout(group: O): StateLayout;

  /**
   * Updates one parameter in place, under noGrad: writes its new values into `param`, updates the buffers of `state`
   * in place (creating them on the first update), and returns the parameter's state after the update. Called only
   * once step() has validated every group's options and every gradient, so nothing a user controls can make it throw
   * part way through a step.
   */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: O): ParamState;

  /** Adds a parameter group (e.g. layers unfrozen during fine-tuning); unset options come from the defaults. */
  addParamGroup(input: ParamGroupInput<O>): void {
    const where = `${this.name}.addParamGroup`;
    if (!isPlainObject(input)) throw new Error(`${where}: a parameter group must be an object with params, got ${String(input)}`);
    const params = toParamList(where, input.params);
    const seen = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (p.dtype === 'int32') throw new Error(`${where}: parameter ${i} has dtype int32; only float tensors can be optimized`);
      if (!p.isLeaf) throw new Error(`${where}: parameter ${i} (shape ${shapeStr(p.shape)}) is not a leaf tensor; optimize leaves only`);
      if (seen.has(p)) throw new Error(`${where}: parameter ${i} (shape ${shapeStr(p.shape)}) appears more than once across parameter groups`);
      seen.add(p);
    });
    const group = { params } as ParamGroup<O>;
    const record = group as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(input)) {
      if (key === 'params' || value === undefined) continue;
      if (!(key in this.defaults) && !GROUP_KEYS_OUTSIDE_OPTIONS.has(key)) {
        throw new Error(`${where}: unknown option '${key}'; ${this.name} takes ${Object.keys(this.defaults).join(', ')}`);
      }
      record[key] = cloneOption(value as OptionValue);
    }
    for (const [key, value] of Object.entries(this.defaults)) {
      if (record[key] === undefined) {
        if (value === undefined) throw new Error(`${where}: parameter group ${this.paramGroups.length} does not set '${key}' and ${this.name} has no default for it`);
        record[key] = cloneOption(value as OptionValue);
      }
    }
    if (group.initialLr !== undefined) checkNumber(`${where} (group ${this.paramGroups.length})`, 'initialLr', group.initialLr, 0);
    this.validateGroup(`${where} (group ${this.paramGroups.length})`, group);
    this.paramGroups.push(group);
  }

  /** Clears every parameter's gradient (PyTorch's default `set_to_none=True`), or zeroes it in place. */
  zeroGrad(setToNone = true): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (setToNone) p.grad = null;
          else p.grad.zero();
        }
      }
    });
  }

  /**
   * Updates every parameter that has a gradient, in place. Everything a user can get wrong (options, gradient shapes
   * and dtypes) is checked before anything is written, so on such an error no parameter or state has changed.
   * `closure`, if given, recomputes the loss (with grad enabled) before the update; its result is returned.
   */
  step<L>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    const where = `${this.name}.step`;
    this.paramGroups.forEach((group, gi) => {
      this.validateGroup(`${where} (group ${gi})`, group);
      group.params.forEach((p, pi) => {
        const g = p.grad;
        if (g === null) return;
        if (!sameShape(g.shape, p.shape)) {
          throw new Error(`${where}: gradient of parameter ${pi} in group ${gi} has shape ${shapeStr(g.shape)} but the parameter has shape ${shapeStr(p.shape)}`);
        }
        if (g.dtype !== p.dtype) {
          throw new Error(`${where}: gradient of parameter ${pi} in group ${gi} has dtype ${g.dtype} but the parameter has dtype ${p.dtype}`);
        }
      });
    });
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          const next = this.update(p, p.grad.detach(), this.state.get(p) ?? {}, group);
          // Stateless updates (plain SGD) keep no entry, so state dicts list only parameters that carry state.
          if (Object.keys(next).length > 0) this.state.set(p, next);
        }
      }
    });
    return loss;
  }

  /**
   * A snapshot of the optimizer: per-parameter state (tensors copied) keyed by the parameter's index across groups,
   * and each group's options with its parameters' indices.
   */
  stateDict(): OptimizerStateDict<O> {
    const indices = this.paramIndices();
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = typeof v === 'number' ? v : noGrad(() => v.clone());
      state[indices.get(p) as number] = copy;
    }
    const paramGroups = this.paramGroups.map((group) => {
      const saved: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k !== 'params' && v !== undefined) saved[k] = cloneOption(v as OptionValue);
      }
      saved.params = group.params.map((p) => indices.get(p) as number);
      return saved as SavedParamGroup<O>;
    });
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot taken by `stateDict()` (of an optimizer of the same kind over parameters of the same
   * shapes). The whole dict is validated before anything changes: on error the optimizer is left as it was.
   */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const where = `${this.name}.loadStateDict`;
    if (!isPlainObject(stateDict) || !isPlainObject(stateDict.state) || !Array.isArray(stateDict.paramGroups)) {
      throw new Error(`${where}: expected { state, paramGroups } as returned by stateDict()`);
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`${where}: the state dict has ${saved.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    // Saved parameter index -> the current parameter at the same position.
    const byIndex = new Map<number, { param: Tensor; group: number }>();
    const newGroups = saved.map((sg, gi) => {
      if (!isPlainObject(sg) || !Array.isArray(sg.params)) throw new Error(`${where}: parameter group ${gi} must be an object with a params array`);
      const current = this.paramGroups[gi].params;
      if (sg.params.length !== current.length) {
        throw new Error(`${where}: parameter group ${gi} has ${sg.params.length} parameters in the state dict but ${current.length} in the optimizer`);
      }
      sg.params.forEach((index: unknown, pi: number) => {
        if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new Error(`${where}: parameter index ${String(index)} in group ${gi} is not a non-negative integer`);
        if (byIndex.has(index)) throw new Error(`${where}: parameter index ${index} appears more than once`);
        byIndex.set(index, { param: current[pi], group: gi });
      });
      const group: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(sg)) {
        if (key === 'params') continue;
        if (!(key in this.defaults) && !GROUP_KEYS_OUTSIDE_OPTIONS.has(key)) throw new Error(`${where}: parameter group ${gi} has unknown option '${key}'; ${this.name} takes ${Object.keys(this.defaults).join(', ')}`);
        group[key] = cloneOption(value as OptionValue);
      }
      for (const key of Object.keys(this.defaults)) {
        if (group[key] === undefined) throw new Error(`${where}: parameter group ${gi} lacks option '${key}'`);
      }
      if (group.initialLr !== undefined) checkNumber(`${where} (group ${gi})`, 'initialLr', group.initialLr, 0);
      this.validateGroup(`${where} (group ${gi})`, group as unknown as O);
      return group as unknown as O;
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const index = Number(key);
      const target = byIndex.get(index);
      if (target === undefined) throw new Error(`${where}: state for parameter index ${key}, which no parameter group lists`);
      newState.set(target.param, copyState(`${where} (parameter ${key})`, entry, target.param, this.stateLayout(newGroups[target.group])));
    }
    // Everything checked: commit. Groups are updated in place so references to them stay valid.
    this.paramGroups.forEach((group, gi) => {
      const record = group as unknown as Record<string, unknown>;
      for (const key of Object.keys(record)) if (key !== 'params') delete record[key];
      Object.assign(record, newGroups[gi]);
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  private paramIndices(): Map<Tensor, number> {
    const indices = new Map<Tensor, number>();
    for (const group of this.paramGroups) for (const p of group.params) indices.set(p, indices.size);
    return indices;
  }
}

/** Validates one saved parameter state against the layout and copies it (tensors cast to the parameter's dtype). */
function copyState(where: string, entry: unknown, param: Tensor, layout: StateLayout): ParamState {
  if (!isPlainObject(entry)) throw new Error(`${where}: state must be an object, got ${String(entry)}`);
  const out: ParamState = {};
  const keys = Object.keys(entry);
  if (keys.length === 0) return out;
  const allowedTensors = new Set([...layout.required, ...layout.optional]);
  for (const key of [...layout.required, ...layout.counters]) {
    if (!(key in entry)) throw new Error(`${where}: state lacks '${key}' (has ${keys.join(', ')})`);
  }
  for (const key of keys) {
    const value = entry[key];
    if (layout.counters.includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${where}: '${key}' must be a non-negative integer, got ${String(value)}`);
      out[key] = value;
    } else if (allowedTensors.has(key)) {
      if (!isTensor(value)) throw new Error(`${where}: '${key}' must be a Tensor, got ${String(value)}`);
      if (!sameShape(value.shape, param.shape)) throw new Error(`${where}: '${key}' has shape ${shapeStr(value.shape)} but the parameter has shape ${shapeStr(param.shape)}`);
      if (value.dtype === 'int32') throw new Error(`${where}: '${key}' has dtype int32; optimizer buffers are float`);
      const copy = noGrad(() => value.detach().to(param.dtype).clone());
      const nonNegative = layout.nonNegative?.includes(key) ?? false;
      for (let i = 0; i < copy.size; i++) {
        const v = copy.data[i];
        if (!Number.isFinite(v) || (nonNegative && v < 0)) {
          throw new Error(`${where}: '${key}' has ${v} at flat index ${i}; it must be ${nonNegative ? 'finite and >= 0 (a running average of squares)' : 'finite'}`);
        }
      }
      out[key] = copy;
    } else {
      throw new Error(`${where}: unknown state key '${key}'; expected ${[...layout.required, ...layout.optional, ...layout.counters].join(', ')}`);
    }
  }
  return out;
}

function toParamList(where: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (isTensor(params)) return [params];
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new Error(`${where}: params must be a Tensor or an iterable of Tensors, got ${String(params)}`);
  }
  if (params instanceof Set) {
    // Same reason as PyTorch: the order of a set is the order of insertion, which state dicts silently depend on.
    throw new Error(`${where}: params must be an ordered collection (an array or model.parameters()), not a Set`);
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new Error(`${where}: params[${i}] is not a Tensor (got ${String(p)})`);
  });
  return list;
}

function toGroupInputs<O>(where: string, params: ParamsInput<O>): Array<ParamGroupInput<O>> {
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new Error(`${where}: params must be an iterable of Tensors or an array of parameter groups, got ${String(params)}`);
  }
  const items = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
  if (items.length > 0 && items.every((x) => !isTensor(x) && isPlainObject(x))) return items as Array<ParamGroupInput<O>>;
  if (items.some((x) => !isTensor(x))) {
    throw new Error(`${where}: params must be all Tensors or all parameter groups ({ params, ...options })`);
  }
  return items.length === 0 ? [] : [{ params: items as Tensor[] } as unknown as ParamGroupInput<O>];
}
