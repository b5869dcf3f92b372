// Pixel helpers for the Grad-CAM view: colour map, heat-map overlay, upscaling, legend and tile layout.
// Pure byte arithmetic (no DOM, React or tfjs) so Node tests can pin every value the canvas will show.

// Turbo (Mikhailov 2019) as its published 6th-degree polynomial fit, coefficients for t^0 .. t^5 per channel.
// The fit overshoots [0, 1] slightly near the ends, hence the clamp when building the table.
const TURBO_RED = [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943];
const TURBO_GREEN = [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604];
const TURBO_BLUE = [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973];

function polynomial(coefficients: number[], t: number): number {
  // Horner's rule, highest power first.
  let acc = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = acc * t + coefficients[k];
  return acc;
}

const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);

function buildTurbo(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    lut[3 * i] = toByte(polynomial(TURBO_RED, t));
    lut[3 * i + 1] = toByte(polynomial(TURBO_GREEN, t));
    lut[3 * i + 2] = toByte(polynomial(TURBO_BLUE, t));
  }
  return lut;
}

/** Turbo colour map: 256 RGB entries (768 bytes), index 0 = cold (dark), 255 = hot (dark red). */
export const TURBO: Uint8Array = buildTurbo();

function checkDims(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`${what}: width and height must be non-negative integers, got ${width} x ${height}`);
  }
}

function checkLength(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new RangeError(`${what}: expected ${expected} values, got ${actual}`);
}

// NaN maps to 0 so a map with holes (e.g. a 0/0 normalisation) renders cold instead of throwing mid-draw.
const unit = (v: number): number => (Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v)));

function lutIndex(v: number, lut: Uint8Array): number {
  const entries = Math.floor(lut.length / 3);
  if (entries < 1) throw new RangeError('colour map needs at least one RGB entry');
  return Math.round(unit(v) * (entries - 1));
}

/** Colour of a value in [0, 1] (clamped; NaN -> 0). */
export function colourOf(v: number, lut: Uint8Array = TURBO): [number, number, number] {
  const i = 3 * lutIndex(v, lut);
  return [lut[i], lut[i + 1], lut[i + 2]];
}

/** Grey or RGB image bytes [h*w*c] (c = 1 or 3) to RGBA bytes [h*w*4] (alpha 255). */
export function toRgba(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8ClampedArray {
  checkDims('toRgba', width, height);
  if (channels !== 1 && channels !== 3) throw new RangeError(`toRgba: channels must be 1 or 3, got ${channels}`);
  const n = width * height;
  checkLength('toRgba', pixels.length, n * channels);
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    const d = p * 4;
    out[d] = pixels[s];
    // Grey repeats its one byte; RGB reads the next two.
    out[d + 1] = pixels[channels === 1 ? s : s + 1];
    out[d + 2] = pixels[channels === 1 ? s : s + 2];
    out[d + 3] = 255;
  }
  return out;
}

/**
 * Heat-map overlay: out = (1 - opacity * m) * image + opacity * m * colour(m) per pixel, m the map value in [0, 1],
 * so cold areas keep the image. Alpha is the image's. Rounded to nearest (half up).
 */
export function overlay(
  imageRgba: Uint8ClampedArray,
  map: Float32Array | number[],
  width: number,
  height: number,
  opacity: number,
  lut: Uint8Array = TURBO,
): Uint8ClampedArray {
  checkDims('overlay', width, height);
  const n = width * height;
  checkLength('overlay image', imageRgba.length, n * 4);
  checkLength('overlay map', map.length, n);
  const alpha = unit(opacity);
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const m = unit(map[p]);
    const w = alpha * m;
    const c = 3 * lutIndex(m, lut);
    const d = p * 4;
    // Math.round explicitly: storing a fraction into Uint8ClampedArray rounds half to even, not half up.
    out[d] = Math.round((1 - w) * imageRgba[d] + w * lut[c]);
    out[d + 1] = Math.round((1 - w) * imageRgba[d + 1] + w * lut[c + 1]);
    out[d + 2] = Math.round((1 - w) * imageRgba[d + 2] + w * lut[c + 2]);
    out[d + 3] = imageRgba[d + 3];
  }
  return out;
}

/** Nearest-neighbour upscale of RGBA bytes by an integer factor (for crisp display of 48x48 faces). */
export function upscaleRgba(rgba: Uint8ClampedArray, width: number, height: number, factor: number): Uint8ClampedArray {
  checkDims('upscaleRgba', width, height);
  if (!Number.isInteger(factor) || factor < 1)
    throw new RangeError(`upscaleRgba: factor must be an integer >= 1, got ${factor}`);
  checkLength('upscaleRgba', rgba.length, width * height * 4);
  const outW = width * factor;
  const rowBytes = outW * 4;
  const out = new Uint8ClampedArray(rowBytes * height * factor);
  for (let y = 0; y < height; y++) {
    const first = y * factor * rowBytes;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 4;
      for (let k = 0; k < factor; k++) out.set(rgba.subarray(s, s + 4), first + (x * factor + k) * 4);
    }
    // The other factor - 1 output rows of this source row are byte copies of the first one.
    for (let k = 1; k < factor; k++) out.copyWithin(first + k * rowBytes, first, first + rowBytes);
  }
  return out;
}

/** A horizontal legend bar: RGBA bytes of width x height, left = 0, right = 1. */
export function legendRgba(width: number, height: number, lut: Uint8Array = TURBO): Uint8ClampedArray {
  checkDims('legendRgba', width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let x = 0; x < width; x++) {
    // A one-pixel bar has nowhere to go from 0 to 1; it shows the cold end.
    const [r, g, b] = colourOf(width === 1 ? 0 : x / (width - 1), lut);
    for (let y = 0; y < height; y++) {
      const d = (y * width + x) * 4;
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
      out[d + 3] = 255;
    }
  }
  return out;
}

/**
 * Lays out `count` equal tiles row by row in up to `cols` columns, `gap` pixels between tiles, `margin` around, and a
 * caption band of `captionHeight` under each tile. Fewer tiles than `cols` shrink the canvas to the used columns.
 */
export function gridLayout(
  count: number,
  cols: number,
  tileW: number,
  tileH: number,
  gap: number,
  margin: number,
  captionHeight: number,
): { width: number; height: number; tiles: { x: number; y: number }[] } {
  const args = { count, tileW, tileH, gap, margin, captionHeight };
  for (const [name, v] of Object.entries(args)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`gridLayout: ${name} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(cols) || cols < 1)
    throw new RangeError(`gridLayout: cols must be an integer >= 1, got ${cols}`);
  const usedCols = Math.min(cols, count);
  const rows = Math.ceil(count / cols);
  const cellH = tileH + captionHeight;
  const width = 2 * margin + usedCols * tileW + Math.max(0, usedCols - 1) * gap;
  const height = 2 * margin + rows * cellH + Math.max(0, rows - 1) * gap;
  const tiles: { x: number; y: number }[] = [];
  for (let i = 0; i < count; i++) {
    tiles.push({ x: margin + (i % cols) * (tileW + gap), y: margin + Math.floor(i / cols) * (cellH + gap) });
  }
  return { width, height, tiles };
}

/** Copies an RGBA tile into an RGBA canvas buffer at (x, y) (clipped to the canvas; alpha copied, not blended). */
export function blit(
  dst: Uint8ClampedArray,
  dstW: number,
  dstH: number,
  src: Uint8ClampedArray,
  srcW: number,
  srcH: number,
  x: number,
  y: number,
): void {
  checkDims('blit canvas', dstW, dstH);
  checkDims('blit tile', srcW, srcH);
  checkLength('blit canvas', dst.length, dstW * dstH * 4);
  checkLength('blit tile', src.length, srcW * srcH * 4);
  if (!Number.isInteger(x) || !Number.isInteger(y))
    throw new RangeError(`blit: position must be integers, got (${x}, ${y})`);
  // Clip the tile's rectangle to the canvas, in canvas coordinates.
  const x0 = Math.max(0, x);
  const x1 = Math.min(dstW, x + srcW);
  const y0 = Math.max(0, y);
  const y1 = Math.min(dstH, y + srcH);
  if (x0 >= x1 || y0 >= y1) return;
  for (let cy = y0; cy < y1; cy++) {
    const s = ((cy - y) * srcW + (x0 - x)) * 4;
    dst.set(src.subarray(s, s + (x1 - x0) * 4), (cy * dstW + x0) * 4);
  }
}

/** A Grad-CAM map with no positive value anywhere (no positive gradient: nothing to show). */
export function isEmptyMap(map: ArrayLike<number>): boolean {
  for (let i = 0; i < map.length; i++) if (map[i] > 0) return false;
  return true;
}
