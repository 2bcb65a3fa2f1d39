/** Plotting and display helpers shared by the tutorial notebooks (import from './dist/index.js' after `tsc -p .`). */
export { show, renderSvg, showDot, dotToSvg, showMarkdown, progressLine, type ChartSpec, type ProgressLine } from './render.js';
export {
  lineChart,
  scatterChart,
  decisionBoundaryChart,
  contourChart,
  barChart,
  matrixChart,
  heatmapChart,
  imageGrid,
  concatCharts,
  type Series,
  type AxesOptions,
  type Grid,
  type Point,
  type ScatterOptions,
  type Bar,
  type Image,
  type HeatmapOptions,
  type ImageGridOptions,
} from './charts.js';
export { greyscalePng, rgbPng } from './png.js';
