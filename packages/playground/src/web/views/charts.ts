/** Small SVG line charts over epochs: the loss curves and the per-layer gradient norms (on a log scale). */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** One line of a chart. */
export interface Series {
  name: string;
  color: string;
  values: readonly number[];
  /** Dashed line (used for the training loss, drawn under the test loss). */
  dashed?: boolean;
}

/** How a chart looks, fixed at creation. */
export interface ChartOptions {
  height: number;
  /** Logarithmic y axis (base 10); non-positive values are left out. */
  log?: boolean;
  /** Accessible description of what the chart shows. */
  label: string;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Compact number for an axis: 0.5, 12, 1e-3. */
function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 0.01 && a < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0).replace('e+', 'e');
}

const PAD = { left: 34, right: 6, top: 6, bottom: 16 };

/** An SVG line chart that reuses its elements from frame to frame and never reads layout while drawing. */
export class LineChart {
  private readonly svg: SVGSVGElement;
  /** The root's width, kept by a ResizeObserver so drawing never forces a layout. */
  private width = 300;

  constructor(root: HTMLElement, private readonly options: ChartOptions) {
    this.svg = svgEl('svg', { role: 'img', 'aria-label': options.label, class: 'chart-svg' });
    root.append(this.svg);
    new ResizeObserver(([entry]) => { this.width = Math.round(entry.contentRect.width) || this.width; }).observe(root);
  }

  /** Axis range and size the grid was last drawn for, and the elements reused from frame to frame. */
  private axisKey = '';
  private readonly axis = svgEl('g');
  private readonly xLabel = svgEl('text', { class: 'tick', 'text-anchor': 'end' });
  private readonly lines: SVGPolylineElement[] = [];

  /** Redraws the chart for these series (each indexed by epoch from 0), labelled with the current epoch. */
  draw(epoch: number, series: readonly Series[]): void {
    const width = Math.max(120, this.width);
    const height = this.options.height;
    const log = this.options.log === true;
    const n = Math.max(0, ...series.map((s) => s.values.length));
    const t = (v: number) => (log ? Math.log10(v) : v);
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      for (const v of s.values) {
        if (!Number.isFinite(v) || (log && v <= 0)) continue;
        lo = Math.min(lo, t(v));
        hi = Math.max(hi, t(v));
      }
    }
    if (!Number.isFinite(lo)) {
      [lo, hi] = log ? [-3, 0] : [0, 1];
    }
    if (log) {
      lo = Math.floor(lo);
      hi = Math.max(Math.ceil(hi), lo + 1);
    } else {
      lo = 0;
      hi = hi > 0 ? hi * 1.05 : 1;
    }
    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const px = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * plotW);
    const py = (v: number) => PAD.top + plotH - ((t(v) - lo) / (hi - lo)) * plotH;

    // Grid lines and y labels (decades on a log axis, quarters on a linear one), redrawn only when the range moves.
    const key = `${width}:${lo}:${log ? hi : hi.toPrecision(2)}`;
    if (key !== this.axisKey) {
      this.axisKey = key;
      this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
      this.svg.setAttribute('width', String(width));
      this.svg.setAttribute('height', String(height));
      const ticks = log ? Array.from({ length: hi - lo + 1 }, (_, k) => 10 ** (lo + k)) : [0, 0.25, 0.5, 0.75, 1].map((f) => f * hi);
      const step = log ? Math.ceil(ticks.length / 5) : 2;
      this.axis.replaceChildren();
      ticks.forEach((v, k) => {
        const y = py(v);
        this.axis.append(svgEl('line', { x1: PAD.left, x2: width - PAD.right, y1: y, y2: y, class: 'grid-line' }));
        if (k % step === 0 || k === ticks.length - 1) {
          const label = svgEl('text', { x: PAD.left - 4, y: y + 3, class: 'tick', 'text-anchor': 'end' });
          label.textContent = tickLabel(v);
          this.axis.append(label);
        }
      });
      this.xLabel.setAttribute('x', String(width - PAD.right));
      this.xLabel.setAttribute('y', String(height - 3));
      if (!this.axis.isConnected) this.svg.append(this.axis, this.xLabel);
    }
    this.xLabel.textContent = `epoch ${epoch.toLocaleString('en-US')}`;

    // At most ~2 points per pixel: long runs are sampled evenly, always keeping the last epoch.
    const stride = Math.max(1, Math.floor(n / (2 * plotW)));
    series.forEach((s, k) => {
      const pts: string[] = [];
      for (let i = 0; i < s.values.length; i += stride) this.addPoint(pts, s.values, i, px, py, log);
      if (s.values.length > 0 && (s.values.length - 1) % stride !== 0) this.addPoint(pts, s.values, s.values.length - 1, px, py, log);
      let line = this.lines[k];
      if (!line) {
        line = this.lines[k] = svgEl('polyline', { fill: 'none', 'stroke-width': 1.6, 'stroke-linejoin': 'round' });
        this.svg.append(line);
      }
      line.setAttribute('stroke', s.color);
      if (s.dashed) line.setAttribute('stroke-dasharray', '4 3');
      else line.removeAttribute('stroke-dasharray');
      line.setAttribute('points', pts.join(' '));
    });
    // Fewer series than last time (a layer was removed): drop the extra lines.
    for (const line of this.lines.splice(series.length)) line.remove();
  }

  private addPoint(pts: string[], values: readonly number[], i: number, px: (i: number) => number, py: (v: number) => number, log: boolean): void {
    const v = values[i];
    if (!Number.isFinite(v) || (log && v <= 0)) return;
    pts.push(`${px(i).toFixed(1)},${py(v).toFixed(1)}`);
  }
}
