/** Canvas drawings of values over the plane: the output map with its data points, and the small thumbnails. */
import { DOMAIN } from '../config.js';
import { writeColor, BLUE_CSS, ORANGE_CSS } from './colors.js';

/**
 * Paints `values` (a size×size grid, row by row from the top) onto `canvas`, each value v coloured as `scale(v)` in
 * [-1, 1]. The canvas bitmap is the grid itself and CSS stretches it (with the browser's smooth filtering), so a frame
 * costs one putImageData per canvas and nothing is resampled in script.
 */
export function paintGrid(canvas: HTMLCanvasElement, values: Float32Array, size: number, scale: (v: number) => number, fade = 0): void {
  if (canvas.width !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const image = imageOf(size);
  for (let i = 0; i < size * size; i++) writeColor(image.data, 4 * i, scale(values[i]), fade);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

const images = new Map<number, ImageData>();
/** One reusable ImageData per grid size (putImageData copies it, so sharing is safe). */
function imageOf(size: number): ImageData {
  let image = images.get(size);
  if (!image) images.set(size, (image = new ImageData(size, size)));
  return image;
}

/** Colour scale of a neuron thumbnail: values over its largest magnitude, so its shape shows at any scale. */
export function symmetricScale(values: Float32Array): (v: number) => number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m > 1e-12 ? (v) => v / m : () => 0;
}

/** Probability of class 1 → [-1, 1]; with `discretize`, only which side of 0.5 it is on. */
export function probabilityScale(discretize: boolean): (p: number) => number {
  return discretize ? (p) => (p >= 0.5 ? 1 : -1) : (p) => 2 * p - 1;
}

/** Draws data points (interleaved x, y in the domain) coloured by label on top of what the canvas holds; test points get a dark outline. */
export function drawPoints(canvas: HTMLCanvasElement, xy: Float32Array, labels: Float32Array, test: boolean): void {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.width;
  const h = canvas.height;
  const r = Math.max(2, w / 110);
  ctx.lineWidth = Math.max(1, w / 320);
  for (let i = 0; i < labels.length; i++) {
    const px = ((xy[2 * i] + DOMAIN) / (2 * DOMAIN)) * w;
    const py = ((DOMAIN - xy[2 * i + 1]) / (2 * DOMAIN)) * h;
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = labels[i] > 0.5 ? BLUE_CSS : ORANGE_CSS;
    ctx.fill();
    ctx.strokeStyle = test ? '#1f2328' : '#ffffff';
    ctx.stroke();
  }
}

/** Sizes a canvas's bitmap to its CSS box times the device pixel ratio, so drawings stay sharp. */
export function fitCanvas(canvas: HTMLCanvasElement, cssSize: number): void {
  const px = Math.round(cssSize * (window.devicePixelRatio || 1));
  if (canvas.width !== px) {
    canvas.width = px;
    canvas.height = px;
  }
}
