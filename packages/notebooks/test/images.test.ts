/** The PNG encoders and imageGrid's colour ranges: decode what they write and check the pixels. */
import { inflateSync } from 'node:zlib';
import { imageGrid, scatterChart } from '../src/charts.js';
import { greyscalePng, rgbPng } from '../src/png.js';

/** Width, height, colour type and the unfiltered rows of a PNG written by png.ts (one IDAT chunk, filter 0). */
function decode(png: Buffer): { width: number; height: number; colourType: number; rows: number[][] } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20), colourType = png[25];
  const idatLength = png.readUInt32BE(33);
  expect(png.toString('ascii', 37, 41)).toBe('IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const stride = raw.length / height;
  const rows = Array.from({ length: height }, (_, y) => {
    expect(raw[y * stride]).toBe(0);
    return [...raw.subarray(y * stride + 1, (y + 1) * stride)];
  });
  return { width, height, colourType, rows };
}

const pngOf = (url: string) => Buffer.from(url.replace('data:image/png;base64,', ''), 'base64');
const urls = (spec: Record<string, unknown>) => (spec.data as { values: { url: string }[] }).values.map((v) => pngOf(v.url));

test('greyscalePng draws 0 white and 1 black, clamps, and repeats pixels `scale` times', () => {
  const { width, height, colourType, rows } = decode(greyscalePng([0, 0.5, 1, 2], 2, 2, 2));
  expect([width, height, colourType]).toEqual([4, 4, 0]);
  expect(rows).toEqual([[255, 255, 128, 128], [255, 255, 128, 128], [0, 0, 0, 0], [0, 0, 0, 0]]);
});

test('rgbPng writes three samples per pixel', () => {
  const { width, height, colourType, rows } = decode(rgbPng([255, 0, 0, 0, 0, 255], 2, 1));
  expect([width, height, colourType]).toEqual([2, 1, 2]);
  expect(rows).toEqual([[255, 0, 0, 0, 0, 255]]);
  expect(() => rgbPng([1, 2, 3], 2, 1)).toThrow('rgbPng: expected 2x1x3 = 6 values, got 3');
});

test("imageGrid's ranges: unit ink, per-image stretch, and a signed blue–white–red scale", () => {
  const img = { pixels: [-2, 0, 1, 2], width: 2, height: 2 };
  const [unit] = urls(imageGrid([img], { size: 2 }));
  expect(decode(unit).rows).toEqual([[255, 255], [0, 0]]);
  const [auto] = urls(imageGrid([img], { size: 2, range: 'auto' }));
  expect(decode(auto).rows).toEqual([[255, 128], [64, 0]]);
  const [signed] = urls(imageGrid([img], { size: 2, range: 'signed' }));
  const { colourType, rows } = decode(signed);
  expect(colourType).toBe(2);
  // −2 is the full blue, 0 white, 1 half-way to red, 2 the full red.
  expect(rows).toEqual([[33, 102, 172, 255, 255, 255], [217, 140, 149, 178, 24, 43]]);
  // A constant image is blank, not NaN.
  const [flat] = urls(imageGrid([{ pixels: [3, 3, 3, 3], width: 2, height: 2 }], { size: 2, range: 'auto' }));
  expect(decode(flat).rows).toEqual([[255, 255], [255, 255]]);
});

test('scatterChart takes a point size and can colour classes without shapes', () => {
  const spec = scatterChart([{ x: 0, y: 1, label: 3 }], { pointSize: 12, shapes: false }) as { mark: { size: number }; encoding: Record<string, unknown> };
  expect(spec.mark.size).toBe(12);
  expect(Object.keys(spec.encoding)).toEqual(['x', 'y', 'color']);
});
