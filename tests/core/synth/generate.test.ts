// Contract of the synthetic face generator: determinism per (seed, stream, index), shapes, labels,
// class weights, label noise, progress and abort.
import { describe, it, expect } from 'vitest';
import { EXPRESSION_CLASSES } from '../../../src/core/data/types';
import {
  FERPLUS_LIKE_WEIGHTS,
  SPLIT_STREAMS,
  generateFaces,
  generateSplits,
  type SynthImageSet,
} from '../../../src/core/synth';

const imgLen = (s: SynthImageSet) => s.height * s.width * s.channels;
const image = (s: SynthImageSet, i: number) => s.pixels.subarray(i * imgLen(s), (i + 1) * imgLen(s));

function std(a: Uint8Array): number {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let v2 = 0;
  for (const v of a) v2 += (v - m) ** 2;
  return Math.sqrt(v2 / a.length);
}

describe('generateFaces: determinism', () => {
  it('gives identical bytes and labels for the same seed', () => {
    const a = generateFaces({ count: 12, seed: 7 });
    const b = generateFaces({ count: 12, seed: 7 });
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(a.expression).toEqual(b.expression);
    expect(a.gender).toEqual(b.gender);
    expect(a.age).toEqual(b.age);
    expect(a.latents).toEqual(b.latents);
  });

  it('gives different images for another seed', () => {
    const a = generateFaces({ count: 4, seed: 7 });
    const b = generateFaces({ count: 4, seed: 8 });
    for (let i = 0; i < 4; i++) expect(Buffer.from(image(a, i)).equals(Buffer.from(image(b, i)))).toBe(false);
  });

  it('makes sample i independent of the batch size and chunking', () => {
    const small = generateFaces({ count: 10, seed: 3, height: 24, width: 24 });
    const big = generateFaces({ count: 100, seed: 3, height: 24, width: 24 });
    expect(Buffer.from(big.pixels.subarray(0, small.pixels.length)).equals(Buffer.from(small.pixels))).toBe(true);
    expect(big.expression!.subarray(0, 10)).toEqual(small.expression);
    const chunk = generateFaces({ count: 30, seed: 3, height: 24, width: 24, startIndex: 70 });
    expect(Buffer.from(chunk.pixels).equals(Buffer.from(big.pixels.subarray(70 * imgLen(big))))).toBe(true);
    expect(chunk.latents.trueAge).toEqual(big.latents.trueAge.subarray(70));
  });

  it('draws the same faces (labels and latents) whatever the image size or channels', () => {
    const a = generateFaces({ count: 20, seed: 11 });
    const b = generateFaces({ count: 20, seed: 11, height: 17, width: 23, channels: 3 });
    expect(b.expression).toEqual(a.expression);
    expect(b.latents.trueAge).toEqual(a.latents.trueAge);
    expect(b.latents.dx).toEqual(a.latents.dx);
  });

  it('keeps a stored checksum (catches accidental changes to the generator)', () => {
    const s = generateFaces({ count: 3, seed: 2024, height: 20, width: 20 });
    let h = 0x811c9dc5; // FNV-1a over the bytes
    for (const v of s.pixels) h = Math.imul(h ^ v, 0x01000193) >>> 0;
    expect(h.toString(16)).toBe(GOLDEN);
  });
});

describe('generateFaces: shapes and labels', () => {
  for (const [h, w, c] of [
    [48, 48, 1],
    [48, 48, 3],
    [17, 23, 1],
    [17, 23, 3],
    [8, 8, 1],
  ] as const) {
    it(`makes [n, ${h}, ${w}, ${c}] images with full-range content`, () => {
      const s = generateFaces({ count: 6, seed: 1, height: h, width: w, channels: c });
      expect([s.count, s.height, s.width, s.channels]).toEqual([6, h, w, c]);
      expect(s.pixels).toBeInstanceOf(Uint8Array);
      expect(s.pixels.length).toBe(6 * h * w * c);
      for (let i = 0; i < 6; i++) expect(std(image(s, i))).toBeGreaterThan(5); // not blank
      expect(s.classNames.expression).toEqual([...EXPRESSION_CLASSES]);
      expect(s.classNames.gender).toEqual(['male', 'female']);
    });
  }

  it('colours differ between channels in RGB and a grey image is one channel', () => {
    const s = generateFaces({ count: 4, seed: 9, channels: 3 });
    let diff = 0;
    for (let i = 0; i < s.pixels.length; i += 3) diff += Math.abs(s.pixels[i] - s.pixels[i + 2]);
    expect(diff / (s.pixels.length / 3)).toBeGreaterThan(3);
  });

  it('gives labels and latents in range', () => {
    const s = generateFaces({ count: 400, seed: 5, height: 8, width: 8, intensity: [0.3, 0.7], rotationDeg: 6 });
    const L = s.latents;
    for (let i = 0; i < s.count; i++) {
      expect(s.expression![i]).toBeGreaterThanOrEqual(0);
      expect(s.expression![i]).toBeLessThan(8);
      expect([0, 1]).toContain(s.gender![i]);
      expect(Number.isInteger(s.age![i])).toBe(true);
      expect(s.age![i]).toBeGreaterThanOrEqual(1);
      expect(s.age![i]).toBeLessThanOrEqual(80);
      expect(L.trueAge[i]).toBeGreaterThanOrEqual(1);
      expect(L.trueAge[i]).toBeLessThanOrEqual(80);
      expect(L.intensity[i]).toBeGreaterThanOrEqual(0.3 - 1e-6);
      expect(L.intensity[i]).toBeLessThanOrEqual(0.7 + 1e-6);
      expect(Math.abs(L.rotation[i])).toBeLessThanOrEqual(6 + 1e-4);
      expect(Math.abs(L.dx[i])).toBeLessThanOrEqual(0.05 + 1e-6);
      expect(Math.abs(L.dy[i])).toBeLessThanOrEqual(0.05 + 1e-6);
      expect(Math.abs(L.scale[i] - 1)).toBeLessThanOrEqual(0.1 + 1e-6);
      for (const k of ['skin', 'hair', 'grey'] as const) {
        expect(L[k][i]).toBeGreaterThanOrEqual(0);
        expect(L[k][i]).toBeLessThanOrEqual(1);
      }
    }
    // both genders, children and elderly all occur
    expect(new Set(L.trueGender).size).toBe(2);
    expect(L.trueAge.some((a) => a < 12)).toBe(true);
    expect(L.trueAge.some((a) => a > 60)).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => generateFaces({ count: 1, seed: 1, classWeights: [1, 1] })).toThrow(/classWeights/);
    expect(() => generateFaces({ count: 1, seed: 1, classWeights: [0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(/classWeights/);
    expect(() => generateFaces({ count: 1, seed: 1, height: 0 })).toThrow(/size/);
    expect(() => generateFaces({ count: 1, seed: 1, channels: 2 as 1 })).toThrow(/channels/);
    expect(() => generateFaces({ count: -1, seed: 1 })).toThrow(/count/);
    expect(() => generateFaces({ count: 1, seed: 1, labelNoise: 2 })).toThrow(/labelNoise/);
  });
});

describe('generateFaces: class weights and label noise', () => {
  const n = 6000;
  const weighted = generateFaces({
    count: n,
    seed: 21,
    height: 8,
    width: 8,
    classWeights: [...FERPLUS_LIKE_WEIGHTS],
    labelNoise: 0.1,
  });

  it('draws true classes with the asked frequencies', () => {
    const total = FERPLUS_LIKE_WEIGHTS.reduce((a, b) => a + b, 0);
    const counts = new Array(8).fill(0);
    for (const e of weighted.latents.trueExpression) counts[e]++;
    FERPLUS_LIKE_WEIGHTS.forEach((w, k) => {
      const p = w / total;
      expect(Math.abs(counts[k] / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 1e-3);
    });
  });

  it('balances classes by default and never draws a class of weight zero', () => {
    const s = generateFaces({ count: 2000, seed: 4, height: 8, width: 8, classWeights: [1, 1, 1, 0, 1, 1, 1, 1] });
    const counts = new Array(8).fill(0);
    for (const e of s.latents.trueExpression) counts[e]++;
    expect(counts[3]).toBe(0);
    const b = generateFaces({ count: 2000, seed: 4, height: 8, width: 8 });
    const cb = new Array(8).fill(0);
    for (const e of b.latents.trueExpression) cb[e]++;
    for (const c of cb) expect(Math.abs(c / 2000 - 1 / 8)).toBeLessThan(0.03);
  });

  it('flips about labelNoise of the expression and gender labels and jitters that many ages', () => {
    let e = 0;
    let g = 0;
    let a = 0;
    for (let i = 0; i < n; i++) {
      if (weighted.expression![i] !== weighted.latents.trueExpression[i]) e++;
      if (weighted.gender![i] !== weighted.latents.trueGender[i]) g++;
      if (Math.abs(weighted.age![i] - weighted.latents.trueAge[i]) > 0.5 + 1e-4) a++;
    }
    const tol = 4 * Math.sqrt((0.1 * 0.9) / n);
    expect(Math.abs(e / n - 0.1)).toBeLessThan(tol);
    expect(Math.abs(g / n - 0.1)).toBeLessThan(tol);
    expect(a / n).toBeGreaterThan(0.05); // some jitters are smaller than the rounding
    expect(a / n).toBeLessThan(0.1 + tol);
  });

  it('keeps every label when labelNoise is 0', () => {
    const s = generateFaces({ count: 1000, seed: 21, height: 8, width: 8, labelNoise: 0 });
    expect(s.expression).toEqual(s.latents.trueExpression);
    expect(s.gender).toEqual(s.latents.trueGender);
    for (let i = 0; i < s.count; i++)
      expect(s.age![i]).toBe(Math.min(80, Math.max(1, Math.round(s.latents.trueAge[i]))));
  });
});

describe('generateSplits', () => {
  it('uses disjoint streams and matches generateFaces on each stream', () => {
    const sp = generateSplits({ train: 20, val: 5, test: 5, seed: 9, height: 16, width: 16 });
    expect([sp.train.count, sp.val.count, sp.test.count]).toEqual([20, 5, 5]);
    const asTrain = generateFaces({ count: 20, seed: 9, height: 16, width: 16, stream: SPLIT_STREAMS.train });
    expect(Buffer.from(asTrain.pixels).equals(Buffer.from(sp.train.pixels))).toBe(true);
    const len = 16 * 16;
    const all = [sp.train, sp.val, sp.test].flatMap((s) =>
      Array.from({ length: s.count }, (_, i) => Buffer.from(image(s, i)).toString('base64')),
    );
    expect(new Set(all).size).toBe(all.length);
    expect(sp.val.pixels.length).toBe(5 * len);
    // a bigger train split leaves val and test as they were
    const sp2 = generateSplits({ train: 40, val: 5, test: 5, seed: 9, height: 16, width: 16 });
    expect(Buffer.from(sp2.test.pixels).equals(Buffer.from(sp.test.pixels))).toBe(true);
  });
});

describe('progress and abort', () => {
  it('reports progress at most ~100 times, ending at the total', () => {
    const calls: [number, number][] = [];
    generateFaces({ count: 1000, seed: 1, height: 8, width: 8 }, (d, t) => calls.push([d, t]));
    expect(calls.length).toBeLessThanOrEqual(101);
    expect(calls.length).toBeGreaterThan(10);
    expect(calls[calls.length - 1]).toEqual([1000, 1000]);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
    const split: [number, number][] = [];
    generateSplits({ train: 300, val: 50, test: 50, seed: 1, height: 8, width: 8 }, (d, t) => split.push([d, t]));
    expect(split[split.length - 1]).toEqual([400, 400]);
    expect(split.length).toBeLessThanOrEqual(101);
  });

  it('throws an AbortError when the signal is aborted, before or during the run', () => {
    const before = new AbortController();
    before.abort();
    expect(() => generateFaces({ count: 10, seed: 1 }, undefined, before.signal)).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    const during = new AbortController();
    let last = 0;
    const run = () =>
      generateFaces(
        { count: 500, seed: 1, height: 8, width: 8 },
        (d) => {
          last = d;
          if (d >= 100) during.abort();
        },
        during.signal,
      );
    expect(run).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(last).toBeLessThan(500);
    const splits = new AbortController();
    splits.abort();
    expect(() => generateSplits({ train: 5, val: 5, test: 5, seed: 1 }, undefined, splits.signal)).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
  });
});

// FNV-1a of generateFaces({ count: 3, seed: 2024, height: 20, width: 20 }).pixels; update it only on
// purpose, when the generator's look is changed deliberately.
const GOLDEN = '7a63505d';
