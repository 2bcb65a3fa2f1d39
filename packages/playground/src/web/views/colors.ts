/**
 * The two-sided colour scale every view shares: orange for negative values (class 0), white at zero, blue for
 * positive values (class 1), as in TensorFlow Playground, so a neuron, an edge and the output read the same way.
 */

/** RGB of negative values and class 0. */
export const ORANGE: readonly [number, number, number] = [232, 121, 36];
/** RGB of positive values and class 1. */
export const BLUE: readonly [number, number, number] = [24, 112, 196];
export const ORANGE_CSS = `rgb(${ORANGE.join(',')})`;
export const BLUE_CSS = `rgb(${BLUE.join(',')})`;

/** Colours of the per-layer lines in the gradient chart, input side first (distinct in hue and lightness). */
export const LAYER_COLORS = ['#7b61c9', '#2f8fce', '#2aa198', '#79a832', '#d3a21c', '#e0693a', '#c4386f'];

/**
 * Writes the colour of `t` in [-1, 1] (clamped) into `out` at `offset` as RGBA bytes. `fade` in [0, 1] mixes the
 * result towards white, which keeps a background lighter than the points drawn on it.
 */
export function writeColor(out: Uint8ClampedArray, offset: number, t: number, fade = 0): void {
  const v = t > 1 ? 1 : t < -1 ? -1 : Number.isNaN(t) ? 0 : t;
  const [r, g, b] = v >= 0 ? BLUE : ORANGE;
  const a = Math.abs(v) * (1 - fade);
  out[offset] = 255 + (r - 255) * a;
  out[offset + 1] = 255 + (g - 255) * a;
  out[offset + 2] = 255 + (b - 255) * a;
  out[offset + 3] = 255;
}
