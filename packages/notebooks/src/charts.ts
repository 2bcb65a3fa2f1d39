/**
 * Chart specs for the tutorials: small functions that turn arrays into Vega-Lite (or, for contours, Vega)
 * specs. They only build JSON; `show` in render.ts draws them. Notebooks may also write specs by hand.
 */
import { VEGA_LITE_SCHEMA, VEGA_SCHEMA, type ChartSpec } from './render.js';
import { greyscalePng, pngDataUrl, rgbPng } from './png.js';

/** One named curve. */
export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Draw dashed, so that a curve lying on top of another stays visible. */
  dashed?: boolean;
}

export interface AxesOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Logarithmic y axis (loss curves, gradient norms spanning many orders of magnitude). */
  logY?: boolean;
  xDomain?: [number, number];
  yDomain?: [number, number];
}

/** A function sampled on a regular grid: `values[i * xs.length + j]` is the value at `(xs[j], ys[i])`. */
export interface Grid {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface Point {
  x: number;
  y: number;
  label: string | number;
}

const DEFAULT_WIDTH = 360;

// Vega's 'tableau10' colours, the hard-to-read yellow moved last. A series name keeps the colour it was first given for the rest of the process
// (one notebook), so that 'Adam' or 'sigmoid' looks the same in every chart of a notebook.
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#54a24b', '#72b7b2', '#b279a2', '#9d755d', '#ff9da6', '#bab0ac', '#eeca3b'];
const seriesColors = new Map<string, string>();

function colorOf(name: string): string {
  let color = seriesColors.get(name);
  if (color === undefined) {
    color = PALETTE[seriesColors.size % PALETTE.length];
    seriesColors.set(name, color);
  }
  return color;
}
const DEFAULT_HEIGHT = 240;

function topLevel(spec: ChartSpec, title?: string): ChartSpec {
  // aria: false drops the per-mark ARIA labels, which repeat every datum's values and double an SVG's size.
  const config = { view: { stroke: '#ddd' }, legend: { labelLimit: 320 }, aria: false, ...((spec.config as object | undefined) ?? {}) };
  return { $schema: VEGA_LITE_SCHEMA, ...(title === undefined ? {} : { title }), ...spec, config };
}

function scale(opts: AxesOptions, axis: 'x' | 'y'): Record<string, unknown> {
  const domain = axis === 'x' ? opts.xDomain : opts.yDomain;
  const out: Record<string, unknown> = { nice: axis === 'y' };
  if (axis === 'y' && opts.logY) out.type = 'log';
  else out.zero = false;
  if (domain !== undefined) {
    out.domain = domain;
    out.nice = false;
  }
  return out;
}

function checkLengths(fn: string, name: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new Error(`${fn}: series "${name}" has ${x.length} x values but ${y.length} y values`);
}

/** Lines, one colour per series; a legend appears when there is more than one. */
export function lineChart(series: Series[], opts: AxesOptions = {}): ChartSpec {
  const values: { series: string; x: number; y: number | null; dashed: boolean }[] = [];
  for (const s of series) {
    checkLengths('lineChart', s.name, s.x, s.y);
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      // A non-finite value breaks the line instead of failing the whole chart; on a log axis so does 0.
      values.push({ series: s.name, x: s.x[i], y: Number.isFinite(y) && !(opts.logY && y <= 0) ? y : null, dashed: s.dashed ?? false });
    }
  }
  return topLevel(
    {
      width: opts.width ?? DEFAULT_WIDTH,
      height: opts.height ?? DEFAULT_HEIGHT,
      data: { values },
      mark: { type: 'line', clip: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x', scale: scale(opts, 'x') },
        y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'y', scale: scale(opts, 'y') },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: series.map((s) => s.name), range: series.map((s) => colorOf(s.name)) },
          legend: series.length > 1 ? { orient: 'right' } : null,
        },
        strokeDash: { field: 'dashed', type: 'nominal', scale: { domain: [false, true], range: [[1, 0], [6, 4]] }, legend: null },
      },
    },
    opts.title,
  );
}

export interface ScatterOptions extends AxesOptions {
  /** Area of each point in square pixels (default 40); a few thousand points read better at 10–15. */
  pointSize?: number;
  /** Give each class its own marker shape as well as its colour (default true). */
  shapes?: boolean;
}

/** Points coloured by their label (class), e.g. a 2-D classification data set or a latent space coloured by digit. */
export function scatterChart(points: Point[], opts: ScatterOptions = {}): ChartSpec {
  const shapes = opts.shapes ?? true;
  return topLevel(
    {
      width: opts.width ?? DEFAULT_WIDTH,
      height: opts.height ?? DEFAULT_HEIGHT,
      data: { values: points.map((p) => ({ x: p.x, y: p.y, label: String(p.label) })) },
      mark: { type: 'point', filled: true, size: opts.pointSize ?? 40, stroke: 'white', strokeWidth: 0.5, opacity: 0.9 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x', scale: scale(opts, 'x') },
        y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'y', scale: scale(opts, 'y') },
        color: { field: 'label', type: 'nominal', title: 'class' },
        ...(shapes ? { shape: { field: 'label', type: 'nominal', title: 'class' } } : {}),
      },
    },
    opts.title,
  );
}

function checkGrid(fn: string, grid: Grid): void {
  const { xs, ys, values } = grid;
  if (values.length !== xs.length * ys.length) {
    throw new Error(`${fn}: grid needs ${ys.length}x${xs.length} = ${xs.length * ys.length} values, got ${values.length}`);
  }
  if (xs.length < 2 || ys.length < 2) throw new Error(`${fn}: grid needs at least 2 points per axis, got ${xs.length}x${ys.length}`);
}

function evenLevels(values: number[], count: number): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  // Levels strictly between min and max: a level at the minimum itself would be a single point.
  return Array.from({ length: count }, (_, k) => min + ((k + 1) * (max - min)) / (count + 1));
}

interface GridChartParts {
  grid: Grid;
  thresholds: number[];
  filled: boolean;
  /** Transform applied to grid values before contouring (e.g. log). */
  values: number[];
  paths: Series[];
  points: Point[];
  /** Bold contour at this level (a decision boundary). */
  boundary?: number;
  colorScheme: string;
  colorDomain?: [number, number];
  /** A filled band is coloured at its lower level plus this offset (the middle of the band). */
  bandOffset?: number;
  opts: AxesOptions & { valueTitle?: string };
}

/**
 * Contours of a function on a grid, optionally filled, with paths and points drawn over them. A full Vega
 * spec, because Vega-Lite has no contour mark: Vega's `isocontour` transform traces the levels.
 */
function gridChart(parts: GridChartParts): ChartSpec {
  const { grid, opts, paths, points } = parts;
  const { xs, ys } = grid;
  const width = opts.width ?? 360;
  const height = opts.height ?? 320;
  // isocontour's grid has row 0 at the top (image coordinates) and cell j spanning [j, j + 1], so the value
  // at xs[j] sits at j + 0.5; our grid has ys increasing upwards.
  const flipped: number[] = [];
  for (let i = ys.length - 1; i >= 0; i--) flipped.push(...parts.values.slice(i * xs.length, (i + 1) * xs.length));
  const sx = width / (xs.length - 1);
  const sy = height / (ys.length - 1);
  const contourData = (name: string, thresholds: number[]) => ({
    name,
    values: [{ width: xs.length, height: ys.length, values: flipped }],
    transform: [{ type: 'isocontour', thresholds, scale: { expr: `[${sx}, ${sy}]` }, translate: [-0.5 * sx, -0.5 * sy] }],
  });
  const pathValues = paths.flatMap((p) => {
    checkLengths('contourChart', p.name, p.x, p.y);
    return Array.from(p.x, (x, i) => ({ series: p.name, step: i, x, y: p.y[i] }));
  });
  const pointValues = points.map((p) => ({ x: p.x, y: p.y, label: String(p.label) }));
  const labels = [...new Set(pointValues.map((p) => p.label))].sort();
  const colorDomain = parts.colorDomain ?? [Math.min(...parts.thresholds), Math.max(...parts.thresholds)];
  const xy = { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' } };
  const data: unknown[] = [contourData('contours', parts.thresholds), { name: 'paths', values: pathValues }, { name: 'points', values: pointValues }];
  const marks: unknown[] = [
    {
      type: 'path',
      from: { data: 'contours' },
      clip: true,
      encode: {
        enter: parts.filled
          ? { fill: { scale: 'level', signal: `datum.contour.value + ${parts.bandOffset ?? 0}` }, stroke: { value: null } }
          : { stroke: { scale: 'level', field: 'contour.value' }, strokeWidth: { value: 1 }, fill: { value: null } },
      },
      transform: [{ type: 'geopath', field: 'datum.contour' }],
    },
  ];
  if (parts.boundary !== undefined) {
    data.push(contourData('boundary', [parts.boundary]));
    marks.push({
      type: 'path',
      from: { data: 'boundary' },
      clip: true,
      encode: { enter: { stroke: { value: 'black' }, strokeWidth: { value: 2 }, fill: { value: null } } },
      transform: [{ type: 'geopath', field: 'datum.contour' }],
    });
  }
  if (paths.length > 0) {
    marks.push({
      type: 'group',
      from: { facet: { name: 'path', data: 'paths', groupby: 'series' } },
      // A group is 0x0 unless sized, and its marks are clipped to it.
      encode: { enter: { width: { value: width }, height: { value: height } } },
      clip: true,
      marks: [
        {
          type: 'line',
          from: { data: 'path' },
          sort: { field: 'datum.step' },
          encode: { enter: { ...xy, stroke: { scale: 'color', field: 'series' }, strokeWidth: { value: 2 } } },
        },
        {
          type: 'symbol',
          from: { data: 'path' },
          encode: { enter: { ...xy, fill: { scale: 'color', field: 'series' }, size: { value: 12 } } },
        },
      ],
    });
  }
  if (points.length > 0) {
    marks.push({
      type: 'symbol',
      from: { data: 'points' },
      clip: true,
      encode: {
        enter: {
          ...xy,
          fill: { scale: 'pointColor', field: 'label' },
          shape: { scale: 'pointShape', field: 'label' },
          stroke: { value: 'black' },
          strokeWidth: { value: 0.6 },
          size: { value: 36 },
        },
      },
    });
  }
  const legends: unknown[] = [];
  if (parts.filled) legends.push({ fill: 'level', title: opts.valueTitle ?? 'value', orient: 'right', gradientLength: 120 });
  if (paths.length > 0) legends.push({ stroke: 'color', title: null, symbolType: 'stroke', orient: 'right' });
  if (points.length > 0) legends.push({ fill: 'pointColor', shape: 'pointShape', title: 'class', orient: 'right' });
  return {
    $schema: VEGA_SCHEMA,
    width,
    height,
    padding: 5,
    ...(opts.title === undefined ? {} : { title: { text: opts.title } }),
    data,
    scales: [
      // Ranges in pixels rather than 'width'/'height', so the chart also works nested in concatCharts.
      { name: 'x', type: 'linear', domain: [xs[0], xs[xs.length - 1]], range: [0, width], zero: false, nice: false },
      { name: 'y', type: 'linear', domain: [ys[0], ys[ys.length - 1]], range: [height, 0], zero: false, nice: false },
      { name: 'level', type: 'linear', domain: colorDomain, range: { scheme: parts.colorScheme }, zero: false, reverse: parts.filled },
      { name: 'color', type: 'ordinal', domain: paths.map((p) => p.name), range: paths.map((p) => colorOf(p.name)) },
      { name: 'pointColor', type: 'ordinal', domain: labels, range: ['#2166ac', '#b2182b', '#1b9e77', '#d95f02', '#7570b3'] },
      { name: 'pointShape', type: 'ordinal', domain: labels, range: 'symbol' },
    ],
    axes: [
      { scale: 'x', orient: 'bottom', title: opts.xTitle ?? 'x₁', grid: false },
      { scale: 'y', orient: 'left', title: opts.yTitle ?? 'x₂', grid: false },
    ],
    legends,
    marks: marks.map((m) => noAria(m)),
    config: { legend: { labelLimit: 320 } },
  };
}

/** A Vega mark (and the marks inside a group) without ARIA labels; see `topLevel`. */
function noAria(mark: unknown): unknown {
  const m = mark as Record<string, unknown>;
  return { ...m, aria: false, ...(Array.isArray(m.marks) ? { marks: m.marks.map(noAria) } : {}) };
}

export interface ContourOptions extends AxesOptions {
  /** Number of contour levels. */
  levels?: number;
  /** Space levels evenly in log(value): loss surfaces are steep far from the minimum and flat near it. */
  logLevels?: boolean;
}

/** Contour lines of a function on a grid (a loss surface) with paths (optimiser trajectories) drawn over them. */
export function contourChart(grid: Grid, paths: Series[], opts: ContourOptions = {}): ChartSpec {
  checkGrid('contourChart', grid);
  const raw = Array.from(grid.values);
  if (opts.logLevels && raw.some((v) => !(v > 0))) throw new Error('contourChart: logLevels needs every grid value > 0');
  const values = opts.logLevels ? raw.map(Math.log) : raw;
  const thresholds = evenLevels(values, opts.levels ?? 14);
  return gridChart({ grid, values, thresholds, filled: false, paths, points: [], colorScheme: 'viridis', opts });
}

export interface DecisionBoundaryOptions extends AxesOptions {
  /** Title of the colour legend for the background, e.g. 'P(class 1)'. */
  valueTitle?: string;
}

/**
 * A binary classifier's output probability on a grid as filled bands (blue near 0, red near 1), its decision
 * boundary (the 0.5 level) in black, and the data points on top.
 */
export function decisionBoundaryChart(grid: Grid, points: Point[], opts: DecisionBoundaryOptions = {}): ChartSpec {
  checkGrid('decisionBoundaryChart', grid);
  const values = Array.from(grid.values);
  // A band starting at 0 covers the whole plot; the others are drawn on top of it in increasing order.
  const thresholds = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  return gridChart({ grid, values, thresholds, filled: true, paths: [], points, boundary: 0.5, colorScheme: 'redblue', colorDomain: [0, 1], bandOffset: 0.05, opts: { valueTitle: 'P(class 1)', ...opts } });
}

export interface Bar {
  label: string;
  value: number;
  /** Bars with the same label and different groups stand side by side. */
  group?: string;
}

/** Vertical bars in the order given. */
export function barChart(bars: Bar[], opts: AxesOptions = {}): ChartSpec {
  const grouped = bars.some((b) => b.group !== undefined);
  return topLevel(
    {
      width: opts.width ?? DEFAULT_WIDTH,
      height: opts.height ?? DEFAULT_HEIGHT,
      data: { values: bars.map((b) => ({ label: b.label, value: b.value, group: b.group ?? '' })) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'label', type: 'nominal', title: opts.xTitle ?? null, sort: null, axis: { labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: opts.yTitle ?? 'value', scale: scale(opts, 'y') },
        ...(grouped
          ? { xOffset: { field: 'group', sort: null }, color: { field: 'group', type: 'nominal', title: null, sort: null } }
          : {}),
      },
    },
    opts.title,
  );
}

export interface MatrixOptions {
  title?: string;
  rowTitle?: string;
  columnTitle?: string;
  rowLabels?: string[];
  columnLabels?: string[];
  cellSize?: number;
}

/** A matrix as coloured cells with each value printed in its cell (a confusion matrix, a weight matrix). */
export function matrixChart(matrix: number[][], opts: MatrixOptions = {}): ChartSpec {
  const rows = matrix.length;
  const cols = rows === 0 ? 0 : matrix[0].length;
  const rowLabels = opts.rowLabels ?? matrix.map((_, i) => String(i));
  const colLabels = opts.columnLabels ?? Array.from({ length: cols }, (_, j) => String(j));
  const values = matrix.flatMap((row, i) => {
    if (row.length !== cols) throw new Error(`matrixChart: row ${i} has ${row.length} values, row 0 has ${cols}`);
    return row.map((v, j) => ({ row: rowLabels[i], col: colLabels[j], v }));
  });
  const max = Math.max(...values.map((d) => d.v));
  const maxAbs = Math.max(...values.map((d) => Math.abs(d.v)));
  // Signed values (weights, a Hessian) get a diverging scale centred on 0; counts a sequential one.
  const signed = values.some((d) => d.v < 0);
  const colorScale = signed ? { scheme: 'redblue', domain: [-maxAbs, maxAbs] } : { scheme: 'blues' };
  const integer = values.every((d) => Number.isInteger(d.v));
  const cell = opts.cellSize ?? (integer ? 30 : 40);
  const encoding = {
    x: { field: 'col', type: 'ordinal', title: opts.columnTitle ?? null, sort: colLabels, axis: { orient: 'top', labelAngle: 0 } },
    y: { field: 'row', type: 'ordinal', title: opts.rowTitle ?? null, sort: rowLabels },
  };
  return topLevel(
    {
      width: cell * cols,
      height: cell * rows,
      data: { values },
      layer: [
        { mark: 'rect', encoding: { ...encoding, color: { field: 'v', type: 'quantitative', title: null, scale: colorScale } } },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            ...encoding,
            text: { field: 'v', type: 'quantitative', format: integer ? 'd' : '.2f' },
            // White text on the dark cells.
            color: { condition: { test: signed ? `abs(datum.v) > ${0.6 * maxAbs}` : `datum.v > ${max / 2}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    opts.title,
  );
}

export interface HeatmapOptions {
  title?: string;
  rowTitle?: string;
  columnTitle?: string;
  /** One label per row / column; repeats are fine (the letters of a word). Default: the indices. */
  rowLabels?: string[];
  columnLabels?: string[];
  cellSize?: number;
  /** Colour domain. Default [0, max] when no value is negative, else symmetric around 0 on a diverging scale. */
  domain?: [number, number];
}

/**
 * A matrix as coloured cells without numbers (attention weights, bigger matrices than matrixChart prints): white to blue
 * for non-negative values, blue–white–red for signed ones. Rows and columns are placed by index and labelled through
 * the axes, so repeated labels stay separate cells.
 */
export function heatmapChart(matrix: number[][], opts: HeatmapOptions = {}): ChartSpec {
  const rows = matrix.length;
  const cols = rows === 0 ? 0 : matrix[0].length;
  const values = matrix.flatMap((row, i) => {
    if (row.length !== cols) throw new Error(`heatmapChart: row ${i} has ${row.length} values, row 0 has ${cols}`);
    return row.map((v, j) => ({ i, j, v }));
  });
  for (const [name, labels, n] of [['rowLabels', opts.rowLabels, rows], ['columnLabels', opts.columnLabels, cols]] as const) {
    if (labels !== undefined && labels.length !== n) throw new Error(`heatmapChart: ${name} has ${labels.length} labels for ${n} ${name === 'rowLabels' ? 'rows' : 'columns'}`);
  }
  const signed = values.some((d) => d.v < 0);
  const maxAbs = Math.max(0, ...values.map((d) => Math.abs(d.v)));
  const domain = opts.domain ?? (signed ? [-maxAbs, maxAbs] : [0, Math.max(0, ...values.map((d) => d.v))]);
  const cell = opts.cellSize ?? 20;
  const labelExpr = (labels: string[] | undefined) => (labels === undefined ? {} : { labelExpr: `${JSON.stringify(labels)}[datum.value]` });
  return topLevel(
    {
      width: cell * cols,
      height: cell * rows,
      data: { values },
      mark: 'rect',
      encoding: {
        x: { field: 'j', type: 'ordinal', title: opts.columnTitle ?? null, axis: { orient: 'top', labelAngle: 0, ...labelExpr(opts.columnLabels) } },
        y: { field: 'i', type: 'ordinal', title: opts.rowTitle ?? null, axis: labelExpr(opts.rowLabels) },
        // White at 0 in both cases, so that masked-out or unused cells read as empty.
        color: { field: 'v', type: 'quantitative', title: null, scale: signed ? { scheme: 'redblue', domain, reverse: true } : { domain, range: ['#ffffff', '#08519c'], interpolate: 'lab' } },
      },
    },
    opts.title,
  );
}

export interface Image {
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  caption?: string;
}

export interface ImageGridOptions {
  title?: string;
  columns?: number;
  /** Displayed size of each image in pixels. */
  size?: number;
  /**
   * How values become colours. 'unit' (default): values in [0, 1], 0 white and 1 black, as ink on paper (digits).
   * 'auto': each image stretched from its own minimum (white) to its maximum (black) (feature maps). 'signed': each
   * image on a blue–white–red scale symmetric about 0, ±(its largest |value|) fully coloured (filters, weights,
   * signed responses). With 'auto' and 'signed' every image has its own scale: compare shapes, not brightness.
   */
  range?: 'unit' | 'auto' | 'signed';
}

// The ends of the diverging scale: ColorBrewer RdBu's dark blue (negative) and dark red (positive).
const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];

/** One image as a PNG data URL, coloured as `ImageGridOptions.range` says. */
function imageUrl(img: Image, range: 'unit' | 'auto' | 'signed', scale: number): string {
  const { pixels, width, height } = img;
  if (range === 'unit') return pngDataUrl(greyscalePng(pixels, width, height, scale));
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    lo = Math.min(lo, pixels[i]);
    hi = Math.max(hi, pixels[i]);
  }
  if (range === 'auto') {
    // A constant image (a dead feature map) is drawn blank rather than dividing by zero.
    const span = hi > lo ? hi - lo : Infinity;
    return pngDataUrl(greyscalePng(Array.from(pixels, (v) => (v - lo) / span), width, height, scale));
  }
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const rgb = new Uint8Array(3 * pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const t = Math.max(-1, Math.min(1, pixels[i] / m));
    const end = t < 0 ? NEGATIVE : POSITIVE;
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.round(255 + Math.abs(t) * (end[c] - 255));
  }
  return pngDataUrl(rgbPng(rgb, width, height, scale));
}

/** Images in a grid, each with a caption underneath; see `ImageGridOptions.range` for how values are coloured. */
export function imageGrid(images: Image[], opts: ImageGridOptions = {}): ChartSpec {
  const columns = opts.columns ?? 8;
  const size = opts.size ?? 56;
  const range = opts.range ?? 'unit';
  const rows = Math.ceil(images.length / columns);
  const cellHeight = size + 16;
  const values = images.map((img, i) => ({
    col: i % columns,
    row: Math.floor(i / columns),
    url: imageUrl(img, range, Math.max(1, Math.round(size / img.width))),
    caption: img.caption ?? '',
  }));
  const x = { field: 'col', type: 'quantitative', scale: { domain: [-0.5, columns - 0.5] }, axis: null };
  // Row 0 at the top.
  const y = { field: 'row', type: 'quantitative', scale: { domain: [-0.5, rows - 0.5], reverse: true }, axis: null };
  return topLevel(
    {
      // Wide enough for the longest caption (about 6.5 px per character at font size 11).
      width: columns * Math.max(size + 8, Math.ceil(6.5 * Math.max(0, ...values.map((v) => v.caption.length)))),
      height: rows * cellHeight,
      data: { values },
      layer: [
        {
          mark: { type: 'image', width: size, height: size, aria: false },
          encoding: { x, y, url: { field: 'url', type: 'nominal' } },
        },
        {
          mark: { type: 'text', baseline: 'top', dy: size / 2 + 2, fontSize: 11 },
          encoding: { x, y, text: { field: 'caption' } },
        },
      ],
      config: { view: { stroke: null } },
    },
    opts.title,
  );
}

/** Charts side by side (or wrapped after `columns`), each keeping its own scales and legends. */
export function concatCharts(charts: ChartSpec[], columns?: number, title?: string): ChartSpec {
  if (charts.every((c) => c.$schema === VEGA_SCHEMA)) return concatVega(charts, columns ?? charts.length, title);
  const inner = charts.map((c) => {
    if (c.$schema !== VEGA_LITE_SCHEMA) {
      throw new Error('concatCharts: charts must be all Vega-Lite (lineChart, scatterChart, …) or all Vega (contourChart, decisionBoundaryChart)');
    }
    const { $schema: _schema, config: _config, ...rest } = c;
    return rest;
  });
  // Config applies to the whole spec, so an inner chart's own is lost; keep the one setting image grids rely on
  // (no frame around the images) when every chart asks for it.
  const frameless = charts.every((c) => (c.config as { view?: { stroke?: unknown } } | undefined)?.view?.stroke === null);
  return topLevel(
    {
      ...(columns === undefined ? { hconcat: inner } : { concat: inner, columns }),
      resolve: { scale: { color: 'independent', shape: 'independent', fill: 'independent' } },
      ...(frameless ? { config: { view: { stroke: null } } } : {}),
    },
    title,
  );
}

/** Vega charts side by side: each becomes a group mark with its own data, scales, axes and legends. */
function concatVega(charts: ChartSpec[], columns: number, title?: string): ChartSpec {
  return {
    $schema: VEGA_SCHEMA,
    padding: 5,
    ...(title === undefined ? {} : { title: { text: title } }),
    layout: { columns, padding: 40, bounds: 'full', align: 'none' },
    marks: charts.map((c) => ({
      type: 'group',
      ...(c.title === undefined ? {} : { title: c.title }),
      encode: { update: { width: { value: c.width }, height: { value: c.height } } },
      data: c.data,
      scales: c.scales,
      axes: c.axes,
      legends: c.legends,
      marks: c.marks,
    })),
    config: { legend: { labelLimit: 320 } },
  };
}
