/**
 * The network drawing: input features, hidden neurons and the output as thumbnails of what each computes over the
 * plane, joined by edges whose colour is the weight's sign and whose width is its size. DOM (buttons, canvases, an
 * SVG of edges) is rebuilt only when the architecture changes; each frame only repaints and restyles it.
 */
import { FEATURES, FEATURE_INFO, MAX_NEURONS, gridPoints, type FeatureName } from '../config.js';
import type { Probe, Weights } from '../model.js';
import { BLUE_CSS, ORANGE_CSS } from './colors.js';
import { paintGrid, probabilityScale, symmetricScale } from './heatmap.js';

/** What the pointer is on: a feature (index in FEATURES), a hidden neuron, or the output. */
export type NodeRef = { kind: 'feature'; index: number } | { kind: 'neuron'; layer: number; index: number } | { kind: 'output' };

export interface NetworkActions {
  toggleFeature(feature: FeatureName): void;
  addNeuron(layer: number): void;
  removeNeuron(layer: number): void;
  /** The pointer entered a node (or left all of them: null); the page shows that node on the output map. */
  hover(node: NodeRef | null): void;
}

const NODE = 36;
const PITCH = 48;
const TOP = 58;
const LABEL_WIDTH = 62;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Side of the grid the feature squares are painted from. */
const FEATURE_GRID = 24;

interface Geometry {
  x: number[];
  /** y of each node in each column (column 0: all features, then hidden layers, then the output). */
  y: number[][];
  width: number;
  height: number;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The network drawing inside one container element; `setArchitecture` rebuilds it, `update` repaints it. */
export class NetworkView {
  private features: FeatureName[] = [];
  private hidden: number[] = [];
  private geometry: Geometry | null = null;
  private neuronCanvases: HTMLCanvasElement[][] = [];
  private outputCanvas: HTMLCanvasElement | null = null;
  /** edges[l][o][i]: the path for weight [o, i] of Linear layer l. */
  private edges: SVGPathElement[][][] = [];
  /** The colour, width and opacity last written to each edge. */
  private looks = new WeakMap<SVGPathElement, string>();
  private weights: Weights | null = null;
  private probe: Probe | null = null;

  constructor(private readonly root: HTMLElement, private readonly actions: NetworkActions) {
    new ResizeObserver(() => {
      if (this.geometry && Math.abs(this.geometry.width - this.root.clientWidth) > 1) this.build();
    }).observe(root);
  }

  /** Rebuilds the drawing for these active features and hidden layer sizes. */
  setArchitecture(features: readonly FeatureName[], hidden: readonly number[]): void {
    this.features = [...features];
    this.hidden = [...hidden];
    this.weights = null;
    this.probe = null;
    this.build();
  }

  private layout(): Geometry {
    const width = Math.max(320, this.root.clientWidth);
    const columns = this.hidden.length + 2;
    const first = LABEL_WIDTH;
    const last = width - NODE - 2;
    const x = Array.from({ length: columns }, (_, c) => first + ((last - first) * c) / (columns - 1));
    const rows = [FEATURES.length, ...this.hidden, 1];
    const y = rows.map((n, c) => Array.from({ length: n }, (_, i) => TOP + (c === columns - 1 ? ((FEATURES.length - 1) * PITCH) / 2 : i * PITCH)));
    const height = TOP + Math.max(FEATURES.length, ...this.hidden) * PITCH;
    return { x, y, width, height };
  }

  private build(): void {
    const g = (this.geometry = this.layout());
    this.root.replaceChildren();
    this.root.style.height = `${g.height}px`;

    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'edges');
    svg.setAttribute('width', String(g.width));
    svg.setAttribute('height', String(g.height));
    svg.setAttribute('aria-hidden', 'true');
    this.root.append(svg);

    // Column 0: every feature, on or off.
    FEATURES.forEach((f, i) => {
      const on = this.features.includes(f);
      const button = el('button', {
        class: `node feature${on ? '' : ' off'}`,
        'data-testid': `feature-${f}`,
        'aria-pressed': String(on),
        title: `${on ? 'Stop feeding' : 'Feed'} ${FEATURE_INFO[f].label} to the network`,
        style: `left:${g.x[0]}px;top:${g.y[0][i]}px`,
      });
      const canvas = el('canvas', { 'aria-hidden': 'true' });
      // A feature is a fixed function of the point, so its square is painted once (faded when it is off).
      const grid = featureGrid(f, FEATURE_GRID);
      paintGrid(canvas, grid, FEATURE_GRID, symmetricScale(grid), on ? 0 : 0.6);
      button.append(canvas, el('span', { class: 'feature-label' }, FEATURE_INFO[f].label));
      button.addEventListener('click', () => this.actions.toggleFeature(f));
      this.hoverable(button, { kind: 'feature', index: i });
      this.root.append(button);
    });

    // Hidden layers, each with its own +/- buttons and neuron count.
    this.neuronCanvases = [];
    this.hidden.forEach((n, l) => {
      const c = l + 1;
      const head = el('div', { class: 'layer-head', style: `left:${g.x[c] + NODE / 2}px` });
      const add = el('button', { class: 'mini', 'data-testid': `add-neuron-${l + 1}`, 'aria-label': `Add a neuron to hidden layer ${l + 1}`, title: 'Add a neuron' }, '+');
      const remove = el('button', { class: 'mini', 'data-testid': `remove-neuron-${l + 1}`, 'aria-label': `Remove a neuron from hidden layer ${l + 1}`, title: 'Remove a neuron' }, '−');
      add.disabled = n >= MAX_NEURONS;
      remove.disabled = n <= 1;
      add.addEventListener('click', () => this.actions.addNeuron(l));
      remove.addEventListener('click', () => this.actions.removeNeuron(l));
      const buttons = el('div', { class: 'mini-buttons' });
      buttons.append(add, remove);
      head.append(buttons, el('span', { class: 'layer-size', 'data-testid': `layer-size-${l + 1}` }, `${n} neuron${n === 1 ? '' : 's'}`));
      this.root.append(head);
      const canvases: HTMLCanvasElement[] = [];
      for (let i = 0; i < n; i++) {
        const node = el('div', { class: 'node neuron', role: 'img', 'aria-label': `Hidden layer ${l + 1}, neuron ${i + 1}`, style: `left:${g.x[c]}px;top:${g.y[c][i]}px` });
        const canvas = el('canvas');
        node.append(canvas);
        this.hoverable(node, { kind: 'neuron', layer: l, index: i });
        this.root.append(node);
        canvases.push(canvas);
      }
      this.neuronCanvases.push(canvases);
    });

    const c = this.hidden.length + 1;
    const out = el('div', { class: 'node output', role: 'img', 'aria-label': 'Output: probability of the blue class', style: `left:${g.x[c]}px;top:${g.y[c][0]}px` });
    this.outputCanvas = el('canvas');
    out.append(this.outputCanvas, el('span', { class: 'output-label' }, 'output'));
    this.hoverable(out, { kind: 'output' });
    this.root.append(out);

    // Edges: one path per weight, between the right edge of its input node and the left edge of its output node.
    const active = FEATURES.map((f, i) => [f, i] as const).filter(([f]) => this.features.includes(f)).map(([, i]) => i);
    const sizes = [active.length, ...this.hidden, 1];
    this.edges = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const from = l === 0 ? active.map((i) => g.y[0][i]) : g.y[l];
      const to = g.y[l + 1];
      const layer: SVGPathElement[][] = [];
      for (let o = 0; o < sizes[l + 1]; o++) {
        const row: SVGPathElement[] = [];
        for (let i = 0; i < sizes[l]; i++) {
          const x1 = g.x[l] + NODE;
          const y1 = from[i] + NODE / 2;
          const x2 = g.x[l + 1];
          const y2 = to[o] + NODE / 2;
          const mid = (x1 + x2) / 2;
          const path = document.createElementNS(SVG_NS, 'path');
          path.setAttribute('d', `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
          path.setAttribute('class', 'edge');
          const title = document.createElementNS(SVG_NS, 'title');
          path.append(title);
          // The tooltip is written when the pointer arrives, not on every frame.
          path.addEventListener('pointerenter', () => {
            const w = this.weights?.weights[l]?.[o * sizes[l] + i];
            title.textContent = w === undefined ? '' : `Weight ${w.toFixed(3)}`;
          });
          svg.append(path);
          row.push(path);
        }
        layer.push(row);
      }
      this.edges.push(layer);
    }
    if (this.probe && this.weights) this.update(this.probe, this.weights);
  }

  private hoverable(node: HTMLElement, ref: NodeRef): void {
    node.addEventListener('pointerenter', () => this.actions.hover(ref));
    node.addEventListener('pointerleave', () => this.actions.hover(null));
    node.addEventListener('focus', () => this.actions.hover(ref));
    node.addEventListener('blur', () => this.actions.hover(null));
  }

  /** Repaints thumbnails and restyles edges for the network's current state. */
  update(probe: Probe, weights: Weights): void {
    this.probe = probe;
    this.weights = weights;
    probe.hidden.forEach((layer, l) => layer.forEach((values, i) => {
      const canvas = this.neuronCanvases[l]?.[i];
      if (!canvas) return;
      paintGrid(canvas, values, probe.size, symmetricScale(values));
    }));
    if (this.outputCanvas) {
      paintGrid(this.outputCanvas, probe.output, probe.size, probabilityScale(false));
    }
    // Widths and opacities are rounded and only written when they change: a new stroke width makes the browser
    // lay the SVG out again, which for hundreds of curves every frame would cost more than all the rest together.
    this.edges.forEach((layer, l) => {
      const [, inputs] = weights.shapes[l] ?? [0, 0];
      layer.forEach((row, o) => row.forEach((path, i) => {
        const w = weights.weights[l]?.[o * inputs + i] ?? 0;
        const width = Math.round(2 * Math.min(7, 0.4 + 2.4 * Math.abs(w))) / 2;
        const opacity = Math.round(10 * (0.25 + 0.65 * Math.min(1, Math.abs(w)))) / 10;
        const look = `${w >= 0 ? 'b' : 'o'}${width}:${opacity}`;
        if (this.looks.get(path) === look) return;
        this.looks.set(path, look);
        path.style.stroke = w >= 0 ? BLUE_CSS : ORANGE_CSS;
        path.style.strokeWidth = String(width);
        path.style.strokeOpacity = String(opacity);
      }));
    });
  }
}

const featureGrids = new Map<string, Float32Array>();
/** A feature's values over the size×size grid (for drawing features that are switched off). */
function featureGrid(f: FeatureName, size: number): Float32Array {
  const key = `${f}:${size}`;
  let grid = featureGrids.get(key);
  if (!grid) {
    const xy = gridPoints(size);
    grid = new Float32Array(size * size);
    for (let i = 0; i < grid.length; i++) grid[i] = FEATURE_INFO[f].fn(xy[2 * i], xy[2 * i + 1]);
    featureGrids.set(key, grid);
  }
  return grid;
}
