/** heatmapChart's cells, labels and colour scales, and concatCharts keeping image grids frameless. */
import { concatCharts, heatmapChart, imageGrid, lineChart } from '../src/charts.js';

interface HeatmapSpec {
  width: number;
  height: number;
  data: { values: { i: number; j: number; v: number }[] };
  encoding: {
    x: { axis: { labelExpr?: string } };
    y: { axis: { labelExpr?: string } };
    color: { scale: { scheme?: string; range?: string[]; domain: number[]; reverse?: boolean } };
  };
}

test('heatmapChart places cells by index, so repeated labels (the letters of a word) stay separate', () => {
  const spec = heatmapChart([[1, 0, 0], [0.5, 0.5, 0]], { rowLabels: ['.', 'a'], columnLabels: ['.', 'a', 'a'], cellSize: 10 }) as unknown as HeatmapSpec;
  expect([spec.width, spec.height]).toEqual([30, 20]);
  expect(spec.data.values).toHaveLength(6);
  expect(spec.data.values[3]).toEqual({ i: 1, j: 0, v: 0.5 });
  expect(spec.encoding.x.axis.labelExpr).toBe('[".","a","a"][datum.value]');
  expect(spec.encoding.y.axis.labelExpr).toBe('[".","a"][datum.value]');
  // Non-negative values: white (0) to blue, from 0 to the largest value unless a domain is given.
  expect(spec.encoding.color.scale).toMatchObject({ domain: [0, 1], range: ['#ffffff', '#08519c'] });
  const fixed = heatmapChart([[0.2]], { domain: [0, 1] }) as unknown as HeatmapSpec;
  expect(fixed.encoding.color.scale.domain).toEqual([0, 1]);
  expect(fixed.encoding.x.axis.labelExpr).toBeUndefined();
});

test('heatmapChart draws signed values on a blue–white–red scale symmetric about 0, and checks its labels', () => {
  const spec = heatmapChart([[-2, 1]]) as unknown as HeatmapSpec;
  expect(spec.encoding.color.scale).toEqual({ scheme: 'redblue', domain: [-2, 2], reverse: true });
  expect(() => heatmapChart([[1, 2]], { columnLabels: ['a'] })).toThrow('heatmapChart: columnLabels has 1 labels for 2 columns');
  expect(() => heatmapChart([[1, 2], [3]])).toThrow('heatmapChart: row 1 has 1 values, row 0 has 2');
});

test('concatCharts keeps image grids frameless, and other charts framed', () => {
  const image = { pixels: [0, 1, 1, 0], width: 2, height: 2 };
  const grids = concatCharts([imageGrid([image]), imageGrid([image], { range: 'signed' })], 1) as { config: { view: { stroke: unknown } } };
  expect(grids.config.view.stroke).toBeNull();
  const mixed = concatCharts([imageGrid([image]), lineChart([{ name: 'a', x: [0, 1], y: [0, 1] }])]) as { config: { view: { stroke: unknown } } };
  expect(mixed.config.view.stroke).toBe('#ddd');
});
