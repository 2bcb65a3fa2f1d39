/**
 * Turns chart specs and Graphviz DOT into SVG, and shows SVG, PNG or text in the notebook through tslab.
 *
 * vega, vega-lite and @hpcc-js/wasm-graphviz are ESM-only (vega even uses top-level await), so they are
 * loaded with a real dynamic `import()`. This file is compiled by tsc as CommonJS with `module: NodeNext`,
 * which keeps `import()` as is; tslab's own compiler would turn it into `require()`, which cannot load them.
 */
import * as tslab from 'tslab';

/** A Vega-Lite spec (detected by its `$schema`) or a full Vega spec; both are plain JSON objects. */
export type ChartSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const VEGA_SCHEMA = 'https://vega.github.io/schema/vega/v6.json';

/**
 * Vega and Vega-Lite log problems (a bad field, an invalid transform) and carry on drawing a broken or
 * empty chart. This logger collects errors and warnings so that renderSvg can fail instead.
 */
function strictLogger() {
  const problems: string[] = [];
  let level = 2;
  const logger = {
    problems,
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: (...args: unknown[]) => (problems.push(`error: ${args.map(String).join(' ')}`), logger),
    warn: (...args: unknown[]) => (problems.push(`warning: ${args.map(String).join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Renders a Vega-Lite or Vega spec to an SVG string, headlessly (no canvas, no browser). */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const vega = await import('vega');
  const logger = strictLogger();
  let vegaSpec: ChartSpec = spec;
  if (spec.$schema === VEGA_LITE_SCHEMA) {
    const vegaLite = await import('vega-lite');
    vegaSpec = vegaLite.compile(spec as never, { logger: logger as never }).spec as unknown as ChartSpec;
  } else if (spec.$schema !== VEGA_SCHEMA) {
    throw new Error(`renderSvg: spec.$schema must be ${VEGA_LITE_SCHEMA} or ${VEGA_SCHEMA}, got ${String(spec.$schema)}`);
  }
  const view = new vega.View(vega.parse(vegaSpec as never), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (logger.problems.length > 0) throw new Error(`renderSvg: the chart has problems:\n${logger.problems.join('\n')}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** Renders a chart spec and displays it as an SVG image in the notebook output. */
export async function show(spec: ChartSpec): Promise<void> {
  tslab.display.svg(await renderSvg(spec));
}

let graphvizInstance: Promise<{ dot(source: string): string }> | null = null;

/** Lays out a Graphviz DOT graph (e.g. core's `toDot(tensor)`) and returns it as SVG. */
export async function dotToSvg(dot: string): Promise<string> {
  if (graphvizInstance === null) {
    graphvizInstance = import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  }
  return (await graphvizInstance).dot(dot);
}

/** Displays a Graphviz DOT graph as an SVG image. */
export async function showDot(dot: string): Promise<void> {
  tslab.display.svg(await dotToSvg(dot));
}

/** Displays Markdown (a table of results, say) as a rich output. */
export function showMarkdown(markdown: string): void {
  tslab.display.markdown(markdown);
}

/** One output line that is overwritten in place: training progress without hundreds of printed lines. */
export interface ProgressLine {
  update(text: string): void;
}

export function progressLine(): ProgressLine {
  const display = tslab.newDisplay();
  return { update: (text: string) => display.text(text) };
}
