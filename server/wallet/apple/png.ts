// A tiny PNG encoder for the built-in pass images (no image library needed for solid shapes).
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes 8-bit RGBA pixels (row-major, width × height × 4 bytes) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError('pixel buffer does not match the size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    const at = y * (width * 4 + 1);
    rows[at] = 0; // filter: none
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), at + 1);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** `#RRGGBB` → [r, g, b]. */
export function parseHexColor(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new RangeError(`not a #RRGGBB colour: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A square icon in the brand colour with a white keyhole, drawn at any size. */
export function keyholeIcon(size: number, brand: [number, number, number]): Buffer {
  const px = new Uint8Array(size * size * 4);
  const cx = size / 2;
  const cy = size * 0.4;
  const radius = size * 0.16;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const fx = x + 0.5;
      const fy = y + 0.5;
      const inCircle = (fx - cx) ** 2 + (fy - cy) ** 2 <= radius ** 2;
      const t = (fy - cy) / (size * 0.38);
      const inSlot = t >= 0 && t <= 1 && Math.abs(fx - cx) <= size * (0.05 + 0.07 * t);
      const at = (y * size + x) * 4;
      const white = inCircle || inSlot;
      px[at] = white ? 255 : brand[0];
      px[at + 1] = white ? 255 : brand[1];
      px[at + 2] = white ? 255 : brand[2];
      px[at + 3] = 255;
    }
  }
  return encodePng(size, size, px);
}

export const isPng = (bytes: Uint8Array): boolean =>
  bytes.length > SIGNATURE.length && Buffer.from(bytes.subarray(0, 8)).equals(SIGNATURE);
