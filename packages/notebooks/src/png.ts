/** A minimal PNG encoder for 8-bit greyscale and RGB images, enough to show MNIST digits and attributions inside a chart. */
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

/** Throws unless `pixels` holds `width` × `height` values and `scale` is a positive integer; `fn` names the caller. */
function checkImage(fn: string, pixels: ArrayLike<number>, width: number, height: number, scale: number): void {
  if (pixels.length !== width * height) {
    throw new Error(`${fn}: expected ${width}x${height} = ${width * height} pixels, got ${pixels.length}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${fn}: scale must be a positive integer, got ${scale}`);
}

/** A PNG of `outWidth` × `outHeight` pixels with `channels` bytes each (1 greyscale, 3 RGB) filled by `pixel`. */
function encodePng(outWidth: number, outHeight: number, channels: 1 | 3, pixel: (x: number, y: number, out: Uint8Array, at: number) => void): Buffer {
  // Each row starts with filter byte 0 (none).
  const stride = outWidth * channels + 1;
  const raw = new Uint8Array(outHeight * stride);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) pixel(x, y, raw, y * stride + 1 + x * channels);
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
 * paper) as a greyscale PNG, each pixel repeated `scale` times in both directions so that viewers which
 * smooth upscaled images still show crisp pixels.
 */
export function greyscalePng(pixels: ArrayLike<number>, width: number, height: number, scale = 1): Buffer {
  checkImage('greyscalePng', pixels, width, height, scale);
  return encodePng(width * scale, height * scale, 1, (x, y, out, at) => {
    const v = Math.min(1, Math.max(0, pixels[Math.floor(y / scale) * width + Math.floor(x / scale)]));
    out[at] = Math.round(255 * (1 - v));
  });
}

/**
 * Encodes signed `pixels` (values in [-1, 1]) as an RGB PNG on a diverging scale: 0 white, positive values red and
 * negative values blue, deeper the larger |v| (attributions, weights). Pixels repeat `scale` times, as greyscalePng.
 */
export function divergingPng(pixels: ArrayLike<number>, width: number, height: number, scale = 1): Buffer {
  checkImage('divergingPng', pixels, width, height, scale);
  // White to ColorBrewer's dark red (178, 24, 43) or dark blue (33, 102, 172).
  const red = [178, 24, 43], blue = [33, 102, 172];
  return encodePng(width * scale, height * scale, 3, (x, y, out, at) => {
    const v = Math.min(1, Math.max(-1, pixels[Math.floor(y / scale) * width + Math.floor(x / scale)]));
    const end = v >= 0 ? red : blue, t = Math.abs(v);
    for (let c = 0; c < 3; c++) out[at + c] = Math.round(255 + t * (end[c] - 255));
  });
}

/** The same image as a `data:` URL, for a Vega-Lite `image` mark. */
export function greyscalePngDataUrl(pixels: ArrayLike<number>, width: number, height: number, scale = 1): string {
  return `data:image/png;base64,${greyscalePng(pixels, width, height, scale).toString('base64')}`;
}

/** A signed image as a `data:` URL (see divergingPng). */
export function divergingPngDataUrl(pixels: ArrayLike<number>, width: number, height: number, scale = 1): string {
  return `data:image/png;base64,${divergingPng(pixels, width, height, scale).toString('base64')}`;
}
