// Grad-CAM drawing helpers against hand-computed bytes: colour map ends, overlay blend and rounding, upscale,
// legend, grid layout and clipped blits. Expected values are literals so a changed formula fails here.
import { describe, expect, it } from 'vitest';
import {
  TURBO,
  blit,
  colourOf,
  gridLayout,
  legendRgba,
  overlay,
  toRgba,
  upscaleRgba,
} from '../../../src/ui/gradcam/draw';

const rgbAt = (i: number): number[] => [TURBO[3 * i], TURBO[3 * i + 1], TURBO[3 * i + 2]];
const luminance = ([r, g, b]: number[]): number => 0.2126 * r + 0.7152 * g + 0.0722 * b;
const px = (a: Uint8ClampedArray, i: number): number[] => Array.from(a.subarray(4 * i, 4 * i + 4));

describe('TURBO', () => {
  it('has 256 RGB entries', () => {
    expect(TURBO).toBeInstanceOf(Uint8Array);
    expect(TURBO.length).toBe(768);
  });

  it('starts at the polynomial constant terms', () => {
    // t = 0 leaves only c0: 0.13572138, 0.09140261, 0.1066733 times 255 = 34.6, 23.3, 27.2.
    expect(rgbAt(0)).toEqual([35, 23, 27]);
  });

  it('ends at the coefficient sums, blue clamped', () => {
    // t = 1 sums the coefficients: red 0.56585921 -> 144.3, green 0.05038886 -> 12.8, blue -0.02552066 -> 0.
    expect(rgbAt(255)).toEqual([144, 13, 0]);
  });

  it('is cold and dark at 0, dark red at 1, green in the middle', () => {
    expect(Math.max(...rgbAt(0))).toBeLessThan(64);
    const hot = rgbAt(255);
    expect(hot[0]).toBeGreaterThan(3 * hot[1]);
    expect(hot[0]).toBeGreaterThan(3 * hot[2]);
    const [r, g, b] = rgbAt(128);
    expect(g).toBeGreaterThan(r);
    expect(g).toBeGreaterThan(b);
  });

  it('brightens over the first half', () => {
    const samples = [0, 16, 32, 48, 64, 80, 96, 112, 128].map((i) => luminance(rgbAt(i)));
    for (let k = 1; k < samples.length; k++) expect(samples[k]).toBeGreaterThan(samples[k - 1]);
    expect(samples[8] - samples[0]).toBeGreaterThan(150);
  });
});

describe('colourOf', () => {
  it('reads the table at round(v * 255)', () => {
    expect(colourOf(0)).toEqual(rgbAt(0));
    expect(colourOf(1)).toEqual(rgbAt(255));
    expect(colourOf(0.5)).toEqual(rgbAt(128)); // 127.5 rounds up
    expect(colourOf(0.5)).toEqual([152, 250, 79]);
  });

  it('clamps out-of-range values and sends NaN to the cold end', () => {
    expect(colourOf(-1)).toEqual(colourOf(0));
    expect(colourOf(2)).toEqual(colourOf(1));
    expect(colourOf(Number.NaN)).toEqual(rgbAt(0));
  });

  it('uses a custom table of any length', () => {
    const lut = new Uint8Array([0, 0, 0, 10, 20, 30, 255, 255, 255]);
    expect(colourOf(0, lut)).toEqual([0, 0, 0]);
    expect(colourOf(0.5, lut)).toEqual([10, 20, 30]);
    expect(colourOf(1, lut)).toEqual([255, 255, 255]);
  });
});

describe('toRgba', () => {
  it('repeats grey into RGB with opaque alpha', () => {
    expect(Array.from(toRgba(new Uint8Array([10, 200]), 2, 1, 1))).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
  });

  it('copies RGB and adds alpha', () => {
    const out = toRgba(new Uint8Array([1, 2, 3, 4, 5, 6]), 1, 2, 3);
    expect(out).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(out)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => toRgba(new Uint8Array(5), 2, 1, 3)).toThrow(RangeError);
  });
});

describe('overlay', () => {
  const image = new Uint8ClampedArray([100, 100, 100, 255, 0, 50, 250, 255, 7, 8, 9, 128]);

  it('returns the image at opacity 0', () => {
    expect(Array.from(overlay(image, [0.2, 0.9, 1], 3, 1, 0))).toEqual(Array.from(image));
  });

  it('returns the image where the map is 0 or NaN', () => {
    expect(Array.from(overlay(image, new Float32Array([0, 0, Number.NaN]), 3, 1, 1))).toEqual(Array.from(image));
  });

  it('returns the hot colour where map and opacity are 1, keeping alpha', () => {
    const out = overlay(image, [1, 1, 1], 3, 1, 1);
    expect(px(out, 0)).toEqual([144, 13, 0, 255]);
    expect(px(out, 2)).toEqual([144, 13, 0, 128]);
  });

  it('blends a mid value by opacity * m', () => {
    // m = 0.5, opacity 0.8 -> weight 0.4; colour(0.5) = (152, 250, 79).
    // r = 0.6*100 + 0.4*152 = 120.8 -> 121; g = 60 + 100 = 160; b = 60 + 31.6 = 91.6 -> 92.
    const out = overlay(new Uint8ClampedArray([100, 100, 100, 255]), [0.5], 1, 1, 0.8);
    expect(px(out, 0)).toEqual([121, 160, 92, 255]);
  });

  it('rounds halves up', () => {
    // Weight 0.5: r = (101 + 152) / 2 = 126.5 -> 127 (a plain Uint8ClampedArray store would give 126).
    const out = overlay(new Uint8ClampedArray([101, 101, 101, 255]), [0.5], 1, 1, 1);
    expect(px(out, 0)).toEqual([127, 176, 90, 255]);
  });

  it('rejects a map of the wrong size', () => {
    expect(() => overlay(image, [0, 0], 3, 1, 1)).toThrow(RangeError);
  });
});

describe('upscaleRgba', () => {
  it('turns one pixel into a 3x3 block', () => {
    const out = upscaleRgba(new Uint8ClampedArray([9, 8, 7, 6]), 1, 1, 3);
    expect(out.length).toBe(36);
    for (let i = 0; i < 9; i++) expect(px(out, i)).toEqual([9, 8, 7, 6]);
  });

  it('lays out a 2x1 image scaled by 2 column by column, row by row', () => {
    const a = [1, 2, 3, 4];
    const b = [5, 6, 7, 8];
    const out = upscaleRgba(new Uint8ClampedArray([...a, ...b]), 2, 1, 2);
    expect(Array.from(out)).toEqual([...a, ...a, ...b, ...b, ...a, ...a, ...b, ...b]);
  });

  it('repeats each source row factor times', () => {
    const a = [1, 2, 3, 4];
    const b = [5, 6, 7, 8];
    const out = upscaleRgba(new Uint8ClampedArray([...a, ...b]), 1, 2, 2);
    expect(Array.from(out)).toEqual([...a, ...a, ...a, ...a, ...b, ...b, ...b, ...b]);
  });

  it('rejects non-integer factors', () => {
    expect(() => upscaleRgba(new Uint8ClampedArray(4), 1, 1, 1.5)).toThrow(RangeError);
  });
});

describe('legendRgba', () => {
  it('runs from colour(0) on the left to colour(1) on the right on every row', () => {
    const out = legendRgba(5, 2);
    expect(out.length).toBe(40);
    for (const row of [0, 1]) {
      expect(px(out, row * 5)).toEqual([...colourOf(0), 255]);
      expect(px(out, row * 5 + 2)).toEqual([...colourOf(0.5), 255]);
      expect(px(out, row * 5 + 4)).toEqual([...colourOf(1), 255]);
    }
  });
});

describe('gridLayout', () => {
  it('places 5 captioned tiles in 3 columns', () => {
    const layout = gridLayout(5, 3, 48, 48, 4, 8, 14);
    expect(layout.width).toBe(168); // 8 + 3*48 + 2*4 + 8
    expect(layout.height).toBe(144); // 8 + 2*(48+14) + 4 + 8
    expect(layout.tiles).toEqual([
      { x: 8, y: 8 },
      { x: 60, y: 8 },
      { x: 112, y: 8 },
      { x: 8, y: 74 },
      { x: 60, y: 74 },
    ]);
  });

  it('shrinks to the used columns and to the margins when empty', () => {
    const two = gridLayout(2, 3, 48, 48, 4, 8, 14);
    expect([two.width, two.height]).toEqual([116, 78]); // 8 + 2*48 + 4 + 8; 8 + 62 + 8
    expect(gridLayout(0, 3, 48, 48, 4, 8, 14)).toEqual({ width: 16, height: 16, tiles: [] });
  });

  it('rejects zero columns', () => {
    expect(() => gridLayout(1, 0, 48, 48, 4, 8, 14)).toThrow(RangeError);
  });
});

describe('blit', () => {
  const A = [1, 1, 1, 255];
  const B = [2, 2, 2, 255];
  const C = [3, 3, 3, 255];
  const D = [4, 4, 4, 255];
  const Z = [0, 0, 0, 0];
  const tile = new Uint8ClampedArray([...A, ...B, ...C, ...D]);

  it('clips at the top-left edge', () => {
    const canvas = new Uint8ClampedArray(16);
    blit(canvas, 2, 2, tile, 2, 2, -1, -1);
    expect(Array.from(canvas)).toEqual([...D, ...Z, ...Z, ...Z]);
  });

  it('clips at the bottom-right edge', () => {
    const canvas = new Uint8ClampedArray(16);
    blit(canvas, 2, 2, tile, 2, 2, 1, 1);
    expect(Array.from(canvas)).toEqual([...Z, ...Z, ...Z, ...A]);
  });

  it('copies a tile inside a larger canvas row by row', () => {
    const canvas = new Uint8ClampedArray(3 * 3 * 4);
    blit(canvas, 3, 3, tile, 2, 2, 1, 0);
    expect(Array.from(canvas)).toEqual([...Z, ...A, ...B, ...Z, ...C, ...D, ...Z, ...Z, ...Z]);
  });

  it('leaves the canvas alone when the tile is entirely outside', () => {
    const canvas = new Uint8ClampedArray(16).fill(9);
    blit(canvas, 2, 2, tile, 2, 2, 2, 0);
    blit(canvas, 2, 2, tile, 2, 2, -2, -2);
    expect(Array.from(canvas)).toEqual(new Array(16).fill(9));
  });
});
