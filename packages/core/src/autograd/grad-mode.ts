/** Global switches of the engine: whether ops record a graph, and whether anomaly detection checks every result. */

let gradEnabled = true;
let anomalyEnabled = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` without recording a graph (like `with torch.no_grad()`): results do not require grad. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
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
  anomalyEnabled = enabled;
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward result or backward gradient contains NaN or ±Inf
 * throws an Error naming that op.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}
