// Dataset preview sheet maths against hand-laid bytes: grid size with gaps, grey and RGB pixels scaled up into
// RGBA, transparent gaps and empty slots, row wrapping, and the integer preview scale.
import { describe, expect, it } from 'vitest';
import { previewScale, sheetLayout, sheetPixels } from '../../../src/ui/datasets/preview';

const T = [0, 0, 0, 0]; // a transparent gap pixel
const grey = (v: number): number[] => [v, v, v, 255];
const rgb = (r: number, g: number, b: number): number[] => [r, g, b, 255];

describe('sheetLayout', () => {
  it('lays out full rows and a partial last row with the default gap of 2', () => {
    // 10 images of 8x6 at scale 2, 4 per row: 3 rows; 4*6*2 + 3*2 = 54 wide, 3*8*2 + 2*2 = 52 high.
    expect(sheetLayout(10, 8, 6, 4, 2)).toEqual({ cols: 4, rows: 3, scale: 2, gap: 2, width: 54, height: 52 });
  });

  it('fills rows exactly when the count is a multiple of cols', () => {
    expect(sheetLayout(8, 1, 1, 4, 1)).toEqual({ cols: 4, rows: 2, scale: 1, gap: 2, width: 10, height: 4 });
  });

  it('uses fewer columns than asked when there are fewer images', () => {
    expect(sheetLayout(3, 5, 5, 8, 1, 0)).toEqual({ cols: 3, rows: 1, scale: 1, gap: 0, width: 15, height: 5 });
  });

  it('keeps one slot for zero images', () => {
    expect(sheetLayout(0, 4, 4, 5, 3)).toEqual({ cols: 1, rows: 1, scale: 3, gap: 2, width: 12, height: 12 });
  });

  it('uses one column when asked for zero', () => {
    // 5 images of 2x2 stacked: 5*2 + 4*1 = 14 high.
    expect(sheetLayout(5, 2, 2, 0, 1, 1)).toEqual({ cols: 1, rows: 5, scale: 1, gap: 1, width: 2, height: 14 });
  });

  it('handles non-square images (h rows, w columns)', () => {
    expect(sheetLayout(2, 3, 7, 2, 1, 0)).toMatchObject({ width: 14, height: 3 });
  });
});

describe('sheetPixels', () => {
  it('repeats grey into RGB with opaque alpha', () => {
    const layout = sheetLayout(1, 2, 2, 1, 1, 0);
    const out = sheetPixels(new Uint8Array([10, 20, 30, 40]), 1, 2, 2, 1, layout);
    expect(out).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(out)).toEqual([...grey(10), ...grey(20), ...grey(30), ...grey(40)]);
  });

  it('copies RGB channels in order', () => {
    const layout = sheetLayout(1, 1, 2, 1, 1, 0);
    expect(Array.from(sheetPixels(new Uint8Array([1, 2, 3, 4, 5, 6]), 1, 1, 2, 3, layout))).toEqual([
      ...rgb(1, 2, 3),
      ...rgb(4, 5, 6),
    ]);
  });

  it('blows each pixel up into a scale x scale block', () => {
    // One 1x2 grey image at scale 2: 4 wide, 2 high.
    const layout = sheetLayout(1, 1, 2, 1, 2);
    expect(layout).toMatchObject({ width: 4, height: 2 });
    const row = [...grey(7), ...grey(7), ...grey(9), ...grey(9)];
    expect(Array.from(sheetPixels(new Uint8Array([7, 9]), 1, 1, 2, 1, layout))).toEqual([...row, ...row]);
  });

  it('leaves the gap between images transparent', () => {
    // Two 1x1 images side by side, gap 2: 50, gap, gap, 60.
    const layout = sheetLayout(2, 1, 1, 2, 1, 2);
    expect(layout).toMatchObject({ width: 4, height: 1 });
    expect(Array.from(sheetPixels(new Uint8Array([50, 60]), 2, 1, 1, 1, layout))).toEqual([
      ...grey(50),
      ...T,
      ...T,
      ...grey(60),
    ]);
  });

  it('wraps to the next row and leaves empty slots transparent', () => {
    // Three 1x2 images, 2 per row, gap 1: 5 wide, 3 high (image row, gap row, image row).
    const layout = sheetLayout(3, 1, 2, 2, 1, 1);
    expect(layout).toMatchObject({ cols: 2, rows: 2, width: 5, height: 3 });
    const out = sheetPixels(new Uint8Array([1, 2, 3, 4, 5, 6]), 3, 1, 2, 1, layout);
    expect(Array.from(out)).toEqual([
      ...grey(1),
      ...grey(2),
      ...T,
      ...grey(3),
      ...grey(4),
      ...T,
      ...T,
      ...T,
      ...T,
      ...T,
      ...grey(5),
      ...grey(6),
      ...T,
      ...T,
      ...T,
    ]);
  });

  it('stacks scaled RGB images in one column with a gap row', () => {
    // Two 1x1 RGB images, one column, scale 2, gap 1: 2 wide, 2*2 + 1 = 5 high.
    const layout = sheetLayout(2, 1, 1, 1, 2, 1);
    expect(layout).toMatchObject({ width: 2, height: 5 });
    const a = rgb(10, 20, 30);
    const b = rgb(40, 50, 60);
    expect(Array.from(sheetPixels(new Uint8Array([10, 20, 30, 40, 50, 60]), 2, 1, 1, 3, layout))).toEqual([
      ...a,
      ...a,
      ...a,
      ...a,
      ...T,
      ...T,
      ...b,
      ...b,
      ...b,
      ...b,
    ]);
  });

  it('reads each image at its own offset in a multi-row grey image', () => {
    // Two 2x1 images (h = 2, w = 1) side by side, no gap: image 0 is [1, 2] down, image 1 is [3, 4] down.
    const layout = sheetLayout(2, 2, 1, 2, 1, 0);
    expect(Array.from(sheetPixels(new Uint8Array([1, 2, 3, 4]), 2, 2, 1, 1, layout))).toEqual([
      ...grey(1),
      ...grey(3),
      ...grey(2),
      ...grey(4),
    ]);
  });

  it('is an all-transparent slot for zero images', () => {
    const layout = sheetLayout(0, 2, 2, 3, 1);
    const out = sheetPixels(new Uint8Array(0), 0, 2, 2, 1, layout);
    expect(out.length).toBe(16);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('has width * height * 4 bytes', () => {
    const layout = sheetLayout(10, 8, 6, 4, 2);
    expect(sheetPixels(new Uint8Array(10 * 8 * 6), 10, 8, 6, 1, layout).length).toBe(54 * 52 * 4);
  });
});

describe('previewScale', () => {
  it('rounds target / width to an integer (default target 64)', () => {
    expect(previewScale(16)).toBe(4);
    expect(previewScale(20)).toBe(3); // 3.2
    expect(previewScale(24)).toBe(3); // 2.67
    expect(previewScale(48)).toBe(1); // 1.33
    expect(previewScale(64)).toBe(1);
  });

  it('rounds a half up', () => {
    expect(previewScale(48, 72)).toBe(2); // 1.5
    expect(previewScale(10, 45)).toBe(5); // 4.5
  });

  it('never goes below 1 for wide images', () => {
    expect(previewScale(128)).toBe(1); // 0.5 rounds to 1
    expect(previewScale(200)).toBe(1); // 0.32 would round to 0
  });

  it('uses a custom target', () => {
    expect(previewScale(8, 96)).toBe(12);
  });
});
