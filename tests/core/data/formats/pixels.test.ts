// centerCropBox, resizeImage and toChannels against values worked out by hand, plus a brute-force 2-D reference
// for the separable resize on random images and odd ratios.
import { describe, expect, it } from 'vitest';
import { centerCropBox, resizeImage, toChannels, type Box } from '../../../../src/core/data/formats/pixels';
import { createRng } from '../../../../src/core/random';

const arr = (a: Uint8Array): number[] => Array.from(a);
const u8 = (a: number[]): Uint8Array => Uint8Array.from(a);

describe('centerCropBox', () => {
  it('keeps the largest centred box of the target ratio', () => {
    expect(centerCropBox(200, 100, 48, 48)).toEqual({ x: 50, y: 0, w: 100, h: 100 });
    expect(centerCropBox(100, 200, 48, 48)).toEqual({ x: 0, y: 50, w: 100, h: 100 });
    expect(centerCropBox(64, 64, 48, 48)).toEqual({ x: 0, y: 0, w: 64, h: 64 });
    // 100 x 200 to 3:4: width stays, height 100 * 64 / 48 = 133.33 -> 133, top (200 - 133) / 2 = 33.5 -> 33.
    expect(centerCropBox(100, 200, 48, 64)).toEqual({ x: 0, y: 33, w: 100, h: 133 });
    // 201 wide to square of 100 high: 101 px spare, 50 on the left.
    expect(centerCropBox(201, 100, 1, 1)).toEqual({ x: 50, y: 0, w: 100, h: 100 });
    expect(() => centerCropBox(0, 10, 1, 1)).toThrow(RangeError);
  });
});

describe('resizeImage', () => {
  it('averages 2x2 blocks when halving', () => {
    const src = u8([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    // Blocks: (0+10+40+50)/4, (20+30+60+70)/4, (80+90+120+130)/4, (100+110+140+150)/4.
    expect(arr(resizeImage(src, 4, 4, 1, 2, 2))).toEqual([25, 45, 105, 125]);
  });

  it('weights partial pixels by area for 3x3 -> 2x2', () => {
    // Each output covers 1.5 source pixels per axis: weights 2/3, 1/3 and 1/3, 2/3.
    // Rows combined: [20, 60, 110] and [180, 180, 170]; then columns: 33.33, 93.33, 180, 173.33.
    const src = u8([0, 30, 90, 60, 120, 150, 240, 210, 180]);
    expect(arr(resizeImage(src, 3, 3, 1, 2, 2))).toEqual([33, 93, 180, 173]);
  });

  it('rounds halves up', () => {
    expect(arr(resizeImage(u8([10, 11]), 2, 1, 1, 1, 1))).toEqual([11]);
    expect(arr(resizeImage(u8([0, 1, 0, 0]), 4, 1, 1, 2, 1))).toEqual([1, 0]);
    expect(arr(resizeImage(u8([254, 255]), 2, 1, 1, 1, 1))).toEqual([255]);
  });

  it('interpolates bilinearly with centres aligned for 2x2 -> 4x4', () => {
    // Per axis: out 0 = p0, out 1 = .75 p0 + .25 p1, out 2 = .25 p0 + .75 p1, out 3 = p1 (edges clamp).
    // Rows [0, 100] and [200, 40] -> [0, 25, 75, 100] and [200, 160, 80, 40]; between them
    // .75/.25 -> [50, 58.75, 76.25, 85] and .25/.75 -> [150, 126.25, 78.75, 55].
    const out = resizeImage(u8([0, 100, 200, 40]), 2, 2, 1, 4, 4);
    expect(arr(out)).toEqual([0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40]);
  });

  it('shrinks one axis and enlarges the other', () => {
    // 4x2 -> 2x4: columns averaged in pairs ([5, 25] and [105, 125]), rows interpolated .75/.25 and .25/.75.
    const src = u8([0, 10, 20, 30, 100, 110, 120, 130]);
    expect(arr(resizeImage(src, 4, 2, 1, 2, 4))).toEqual([5, 25, 30, 50, 80, 100, 105, 125]);
  });

  it('keeps channels apart', () => {
    const src = u8([10, 20, 30, 40, 50, 61]); // two RGB pixels side by side
    expect(arr(resizeImage(src, 2, 1, 3, 1, 1))).toEqual([25, 35, 46]);
    expect(arr(resizeImage(u8([0, 200, 100, 0]), 2, 1, 2, 4, 1))).toEqual([0, 200, 25, 150, 75, 50, 100, 0]);
  });

  it('returns equal bytes at the same size', () => {
    const rng = createRng(3);
    const src = Uint8Array.from({ length: 7 * 5 * 3 }, () => rng.int(256));
    const out = resizeImage(src, 7, 5, 3, 7, 5);
    expect(arr(out)).toEqual(arr(src));
    expect(out).not.toBe(src);
  });

  it('reads only the crop box', () => {
    const src = u8([1, 2, 100, 200, 3, 4, 50, 150]); // 4x2: the right 2x2 block is [100, 200, 50, 150]
    const box: Box = { x: 2, y: 0, w: 2, h: 2 };
    expect(arr(resizeImage(src, 4, 2, 1, 2, 2, box))).toEqual([100, 200, 50, 150]);
    expect(arr(resizeImage(src, 4, 2, 1, 1, 1, box))).toEqual([125]);
    // Enlarging a crop clamps at the crop's edge, not the image's: column 1 (values 2 and 4) never leaks in.
    expect(arr(resizeImage(src, 4, 2, 1, 4, 1, { x: 2, y: 0, w: 2, h: 1 }))).toEqual([100, 125, 175, 200]);
    // A fractional box covers partial pixels: [0.5, 2.5) of [0, 100, 200, 100] weighs them .25, .5, .25 -> 100.
    expect(arr(resizeImage(u8([0, 100, 200, 100]), 4, 1, 1, 1, 1, { x: 0.5, y: 0, w: 2, h: 1 }))).toEqual([100]);
    // Enlarging a sub-pixel box near the right edge reads only the last pixel.
    expect(arr(resizeImage(u8([0, 100, 200, 100]), 4, 1, 1, 2, 1, { x: 3.2, y: 0, w: 0.5, h: 1 }))).toEqual([100, 100]);
  });

  it('matches a brute-force 2-D reference on random images', () => {
    const rng = createRng(11);
    const cases: [number, number, number, number, number, Box | undefined][] = [
      [13, 9, 3, 5, 4, undefined],
      [200, 150, 3, 48, 48, { x: 25, y: 0, w: 150, h: 150 }],
      [7, 5, 1, 3, 2, undefined],
      [5, 4, 1, 11, 9, undefined],
      [6, 6, 4, 4, 10, { x: 1, y: 1, w: 4, h: 5 }],
    ];
    for (const [sw, sh, c, dw, dh, crop] of cases) {
      const src = Uint8Array.from({ length: sw * sh * c }, () => rng.int(256));
      const got = resizeImage(src, sw, sh, c, dw, dh, crop);
      const want = reference(src, sw, sh, c, dw, dh, crop ?? { x: 0, y: 0, w: sw, h: sh });
      // The reference sums in another order; an exact tie may round the other way, never more than 1 off.
      let diffs = 0;
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1);
        if (got[i] !== want[i]) diffs++;
      }
      expect(diffs).toBeLessThanOrEqual(Math.ceil(want.length / 500));
    }
  });

  it('rejects sizes, lengths and crops that do not fit', () => {
    expect(() => resizeImage(new Uint8Array(5), 2, 2, 1, 1, 1)).toThrow(/expected 2x2x1/);
    expect(() => resizeImage(new Uint8Array(4), 2, 2, 1, 0, 1)).toThrow(RangeError);
    expect(() => resizeImage(new Uint8Array(4), 2, 2, 1, 1, 1, { x: 1, y: 0, w: 2, h: 2 })).toThrow(/not inside/);
  });
});

/** Per output pixel, the 2-D weights straight from the definition (no separability, no precomputed tables). */
function reference(src: Uint8Array, sw: number, sh: number, c: number, dw: number, dh: number, box: Box): number[] {
  const axis = (c0: number, n: number, dn: number, i: number, srcN: number): [number, number][] => {
    const s = n / dn;
    if (s >= 1) {
      const out: [number, number][] = [];
      for (let j = 0; j < srcN; j++) {
        const overlap = Math.min(c0 + (i + 1) * s, j + 1) - Math.max(c0 + i * s, j);
        if (overlap > 0) out.push([j, overlap / s]);
      }
      return out;
    }
    const u = Math.min(Math.max(c0 + (i + 0.5) * s - 0.5, c0), c0 + n - 1);
    const j = Math.floor(u);
    return u === j
      ? [[j, 1]]
      : [
          [j, 1 - (u - j)],
          [j + 1, u - j],
        ];
  };
  const out: number[] = [];
  for (let y = 0; y < dh; y++) {
    const ys = axis(box.y, box.h, dh, y, sh);
    for (let x = 0; x < dw; x++) {
      const xs = axis(box.x, box.w, dw, x, sw);
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (const [yy, wy] of ys) for (const [xx, wx] of xs) acc += wy * wx * src[(yy * sw + xx) * c + ch];
        out.push(Math.round(acc));
      }
    }
  }
  return out;
}

describe('toChannels', () => {
  it('grey from RGB by ITU-R 601 weights, rounded', () => {
    // 0.299*255 = 76.245, 0.587*255 = 149.685, 0.114*255 = 29.07; (10, 20, 30): 2.99 + 11.74 + 3.42 = 18.15.
    expect(arr(toChannels(u8([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30]), 5, 3, 1))).toEqual([
      76, 150, 29, 255, 18,
    ]);
  });

  it('composites alpha over white', () => {
    // RGBA alpha 0 is white whatever the colour; alpha 255 is the colour itself.
    expect(arr(toChannels(u8([0, 0, 0, 0, 12, 34, 56, 255]), 2, 4, 3))).toEqual([255, 255, 255, 12, 34, 56]);
    expect(arr(toChannels(u8([0, 0, 0, 0]), 1, 4, 1))).toEqual([255]);
    // Red at alpha 128: (255, 127, 127) after compositing -> grey 76.245 + 74.549 + 14.478 = 165.27.
    expect(arr(toChannels(u8([255, 0, 0, 128]), 1, 4, 3))).toEqual([255, 127, 127]);
    expect(arr(toChannels(u8([255, 0, 0, 128]), 1, 4, 1))).toEqual([165]);
    // Grey+alpha: 100 at alpha 128 -> 100 * 128/255 + 127 = 177.196; black opaque stays 0; alpha 0 is white.
    expect(arr(toChannels(u8([100, 128, 0, 255, 0, 0]), 3, 2, 1))).toEqual([177, 0, 255]);
    expect(arr(toChannels(u8([100, 128]), 1, 2, 3))).toEqual([177, 177, 177]);
  });

  it('replicates grey into RGB and copies same-channel input', () => {
    expect(arr(toChannels(u8([0, 128, 255]), 3, 1, 3))).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
    const rgb = u8([1, 2, 3, 4, 5, 6]);
    const copy = toChannels(rgb, 2, 3, 3);
    expect(arr(copy)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(copy).not.toBe(rgb);
  });

  it('rejects a length that does not match', () => {
    expect(() => toChannels(new Uint8Array(5), 2, 3, 1)).toThrow(RangeError);
  });
});
