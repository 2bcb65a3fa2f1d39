/** Global switches of the engine: whether ops record a graph, and whether anomaly detection checks every result. */
import { describeValue } from '../describe.js';

let gradEnabled = true;
let anomalyEnabled = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new Error(`setGradEnabled: expected true or false, got ${describeValue(enabled)}`);
  gradEnabled = enabled;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` synchronously with grad mode set to `enabled`. JavaScript has no way to carry a mode across an `await`: the
 * mode is a global that the `finally` below restores as soon as `fn` returns its promise, so the rest of an async
 * function would run with whatever mode is current then. Rather than silently record (or not record) the wrong ops,
 * async callbacks are refused: an AsyncFunction before it runs, any other callback that returns a promise after
 * (its synchronous part ran in the requested mode; the promise is left to settle, with a rejection handler attached
 * so it cannot crash the process on top of this error).
 */
function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new Error(`${name}: expected a function, got ${describeValue(fn)}`);
  const asyncHint = `${name}: the callback is async, but grad mode cannot follow an await (it is a global restored when the callback returns its promise). ` +
    `Do the awaiting outside and call ${name} on the synchronous tensor code: const batch = await load(); const y = ${name}(() => model.forward(batch));`;
  if (fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction') throw new Error(asyncHint);
  const prev = gradEnabled;
  gradEnabled = enabled;
  let result: T;
  try {
    result = fn();
  } finally {
    gradEnabled = prev;
  }
  if (isThenable(result)) {
    Promise.resolve(result).catch(() => undefined);
    throw new Error(asyncHint.replace('the callback is async', 'the callback returned a Promise'));
  }
  return result;
}

/**
 * Runs `fn` without recording a graph (like `with torch.no_grad()`): results do not require grad. `fn` must be
 * synchronous: an async callback throws, since the mode cannot follow an await (see docs/core.md).
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Runs `fn` with graph recording on, even inside `noGrad`. `fn` must be synchronous, as for noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}

export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/** @internal The engine marks vjp calls, so anomalies inside them are reported once, under the op being differentiated. */
let inVjp = 0;
export function enterVjp(): void { inVjp++; }
export function exitVjp(): void { inVjp--; }
export function isForwardChecked(): boolean {
  return anomalyEnabled && inVjp === 0;
}

export function setDetectAnomaly(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new Error(`setDetectAnomaly: expected true or false, got ${describeValue(enabled)}`);
  anomalyEnabled = enabled;
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward result or backward gradient contains NaN or ±Inf
 * throws an Error naming that op.
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`detectAnomaly: expected a function, got ${describeValue(fn)}`);
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}
