import { describe, expect, it } from 'vitest';
import {
  evaluationBatches,
  fillImages,
  fillTargets,
  trainingBatches,
  AGE_OFFSET,
  AGE_SCALE,
} from '../../../src/core/data/batching';
import { hiddenRows, occluded, rowMask, splitRow } from '../../../src/core/data/occlusion';
import { createRng, permutation, sampleWithoutReplacement } from '../../../src/core/random';
import { hash32 } from '../../../src/core/hash';
import type { ImageSet } from '../../../src/core/data/types';

describe('occlusion', () => {
  it('zeroes the hidden half; an odd height gives its middle row to the lower half', () => {
    expect(splitRow(5)).toBe(2);
    expect(hiddenRows(5, 'lower')).toEqual([0, 2]); // VR headset: upper rows 0,1 hidden
    expect(hiddenRows(5, 'upper')).toEqual([2, 5]); // mask: rows 2,3,4 hidden
    expect(hiddenRows(5, 'full')).toEqual([0, 0]);
    const img = new Uint8Array(5 * 2).fill(9); // 5 rows x 2 cols x 1 channel
    expect(Array.from(occluded(img, 1, 5, 2, 1, 'lower'))).toEqual([0, 0, 0, 0, 9, 9, 9, 9, 9, 9]);
    expect(Array.from(occluded(img, 1, 5, 2, 1, 'upper'))).toEqual([9, 9, 9, 9, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(img).every((v) => v === 9)).toBe(true);
    expect(Array.from(rowMask(4, 'upper'))).toEqual([1, 1, 0, 0]);
  });
});

describe('batching', () => {
  const set: ImageSet = {
    height: 2,
    width: 1,
    channels: 1,
    count: 3,
    pixels: new Uint8Array([255, 51, 0, 102, 255, 255]),
    expression: new Int32Array([3, 1, 7]),
    gender: null,
    age: new Float32Array([40, 60, 20]),
    classNames: {},
  };
  it('images as [0,1] floats with the hidden rows zeroed, targets per task', () => {
    const out = new Float32Array(4);
    fillImages(set, [1, 0], 'upper', out);
    expect(Array.from(out)).toEqual([0, 0, 1, 0]);
    fillImages(set, [0], 'full', out);
    expect(out[1]).toBeCloseTo(0.2, 6);
    expect(Array.from(fillTargets(set, 'expression', [2, 0], new Float32Array(2)))).toEqual([7, 3]);
    expect(Array.from(fillTargets(set, 'age', [1, 2], new Float32Array(2)))).toEqual([
      (60 - AGE_OFFSET) / AGE_SCALE,
      (20 - AGE_OFFSET) / AGE_SCALE,
    ]);
    expect(() => fillTargets(set, 'gender', [0], new Float32Array(1))).toThrow(/no gender labels/);
  });
  it('training drops the ragged batch, evaluation pads it', () => {
    const order = Int32Array.from([4, 2, 0, 1, 3]);
    expect(trainingBatches(order, 2).map((b) => Array.from(b))).toEqual([
      [4, 2],
      [0, 1],
    ]);
    const ev = evaluationBatches(5, 2);
    expect(ev.map((b) => [Array.from(b.indices), b.valid])).toEqual([
      [[0, 1], 2],
      [[2, 3], 2],
      [[4, 0], 1],
    ]);
  });
});

describe('seeded randomness', () => {
  it('same seed, same stream; permutations are permutations', () => {
    const a = createRng(5),
      b = createRng(5);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    const p = permutation(100, createRng(hash32(1, 2)));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(hash32(1, 2)).not.toBe(hash32(2, 1));
    const s = sampleWithoutReplacement([5, 6, 7, 8], 3, createRng(1));
    expect(new Set(s).size).toBe(3);
  });
});
