/** A minimal PNG encoder for 8-bit greyscale images, enough to show MNIST digits inside a chart. */
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

/**
 * Encodes `pixels` (row-major, `height * width` values in [0, 1]; 0 is drawn white, 1 black, as ink on
 * paper) as a greyscale PNG, each pixel repeated `scale` times in both directions so that viewers which
 * smooth upscaled images still show crisp pixels.
 */
export function greyscalePng(pixels: ArrayLike<number>, width: number, height: number, scale = 1): Buffer {
  if (pixels.length !== width * height) {
    throw new Error(`greyscalePng: expected ${width}x${height} = ${width * height} pixels, got ${pixels.length}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`greyscalePng: scale must be a positive integer, got ${scale}`);
  const outWidth = width * scale;
  const outHeight = height * scale;
  // Each row starts with filter byte 0 (none).
  const raw = new Uint8Array(outHeight * (outWidth + 1));
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const v = Math.min(1, Math.max(0, pixels[Math.floor(y / scale) * width + Math.floor(x / scale)]));
      raw[y * (outWidth + 1) + 1 + x] = Math.round(255 * (1 - v));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(outWidth, 0);
  header.writeUInt32BE(outHeight, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** The same image as a `data:` URL, for a Vega-Lite `image` mark. */
export function greyscalePngDataUrl(pixels: ArrayLike<number>, width: number, height: number, scale = 1): string {
  return `data:image/png;base64,${greyscalePng(pixels, width, height, scale).toString('base64')}`;
}
