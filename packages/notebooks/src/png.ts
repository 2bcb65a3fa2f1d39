/** A minimal PNG encoder for 8-bit greyscale and RGB images, enough to show MNIST digits and filters inside a chart. */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function checkSize(fn: string, values: number, perPixel: number, width: number, height: number, scale: number): void {
  if (values !== width * height * perPixel) {
    throw new Error(`${fn}: expected ${width}x${height}${perPixel > 1 ? `x${perPixel}` : ''} = ${width * height * perPixel} values, got ${values}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${fn}: scale must be a positive integer, got ${scale}`);
}

/**
 * A PNG of 8-bit samples, `channels` per pixel (1: greyscale, 3: RGB), each pixel repeated `scale` times in both
 * directions so that viewers which smooth upscaled images still show crisp pixels.
 */
function encode(sample: (pixel: number, channel: number) => number, width: number, height: number, channels: 1 | 3, scale: number): Buffer {
  const outWidth = width * scale;
  const outHeight = height * scale;
  const stride = outWidth * channels + 1;
  // Each row starts with filter byte 0 (none).
  const raw = new Uint8Array(outHeight * stride);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const pixel = Math.floor(y / scale) * width + Math.floor(x / scale);
      for (let c = 0; c < channels; c++) raw[y * stride + 1 + x * channels + c] = sample(pixel, c);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(outWidth, 0);
  header.writeUInt32BE(outHeight, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type: greyscale or RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Encodes `pixels` (row-major, `height * width` values in [0, 1]; 0 is drawn white, 1 black, as ink on
 * paper) as a greyscale PNG, each pixel repeated `scale` times in both directions.
 */
export function greyscalePng(pixels: ArrayLike<number>, width: number, height: number, scale = 1): Buffer {
  checkSize('greyscalePng', pixels.length, 1, width, height, scale);
  return encode((i) => Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[i])))), width, height, 1, scale);
}

/** Encodes `rgb` (row-major, three values in 0–255 per pixel) as a colour PNG, each pixel repeated `scale` times. */
export function rgbPng(rgb: ArrayLike<number>, width: number, height: number, scale = 1): Buffer {
  checkSize('rgbPng', rgb.length, 3, width, height, scale);
  return encode((i, c) => Math.min(255, Math.max(0, Math.round(rgb[3 * i + c]))), width, height, 3, scale);
}

/** A PNG as a `data:` URL, for a Vega-Lite `image` mark. */
export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
