// Where the cues live (docs/method.md#synthetic-faces): pixel-level checks that each half carries the information the
// lab's story needs. They fail if a cue moves to the other half or disappears.
import { describe, it, expect } from 'vitest';
import { splitRow } from '../../../src/core/data/occlusion';
import { EXPRESSION_CLASSES } from '../../../src/core/data/types';
import { generateFaces, type SynthImageSet } from '../../../src/core/synth';

const H = 48;
const W = 48;
const cls = (name: string) => EXPRESSION_CLASSES.indexOf(name as (typeof EXPRESSION_CLASSES)[number]);
const only = (k: number) => EXPRESSION_CLASSES.map((_, i) => (i === k ? 1 : 0));

/** Mean |a - b| per pixel over the upper rows and over the lower rows, for two [n, H, W, 1] byte arrays. */
function halfDiffs(diff: Float64Array): { upper: number; lower: number } {
  const s = splitRow(H);
  let up = 0;
  let lo = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (y < s) up += diff[y * W + x];
      else lo += diff[y * W + x];
    }
  }
  return { upper: up / (s * W), lower: lo / ((H - s) * W) };
}

/**
 * Paired difference of two expressions: with one-hot class weights the same (seed, index) gives the
 * same person, pose, light and noise, so the images differ by the expression cue alone.
 */
function expressionDiff(a: string, b: string, n = 120): { upper: number; lower: number } {
  const opts = { count: n, seed: 77, height: H, width: W, labelNoise: 0 };
  const A = generateFaces({ ...opts, classWeights: only(cls(a)) });
  const B = generateFaces({ ...opts, classWeights: only(cls(b)) });
  const diff = new Float64Array(H * W);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < H * W; p++) diff[p] += Math.abs(A.pixels[i * H * W + p] - B.pixels[i * H * W + p]) / n;
  }
  return halfDiffs(diff);
}

/** |mean image of group 1 - mean image of group 0| per pixel; `group` returns 0, 1 or -1 (skip). */
function meanImageDiff(s: SynthImageSet, group: (i: number) => number): { upper: number; lower: number } {
  const sums = [new Float64Array(H * W), new Float64Array(H * W)];
  const counts = [0, 0];
  for (let i = 0; i < s.count; i++) {
    const g = group(i);
    if (g < 0) continue;
    counts[g]++;
    for (let p = 0; p < H * W; p++) sums[g][p] += s.pixels[i * H * W + p];
  }
  const diff = new Float64Array(H * W);
  for (let p = 0; p < H * W; p++) diff[p] = Math.abs(sums[1][p] / counts[1] - sums[0][p] / counts[0]);
  return halfDiffs(diff);
}

describe('expression cues (paired images, same person and pose)', () => {
  it('neutral and contempt look alike in the upper half and differ in the lower', () => {
    const d = expressionDiff('neutral', 'contempt');
    expect(d.upper).toBeLessThan(0.05); // nothing above the mouth moves
    expect(d.lower).toBeGreaterThan(0.5);
  });

  it('anger differs from neutral mostly in the upper half', () => {
    const d = expressionDiff('neutral', 'anger');
    expect(d.upper).toBeGreaterThan(2 * d.lower);
  });

  it('fear differs from surprise mostly in the upper half', () => {
    const d = expressionDiff('fear', 'surprise');
    expect(d.upper).toBeGreaterThan(d.lower);
  });

  it('happiness, surprise and sadness are readable from the mouth', () => {
    for (const e of ['happiness', 'surprise', 'sadness'])
      expect(expressionDiff('neutral', e, 60).lower).toBeGreaterThan(0.8);
  });
});

describe('gender and age cues (class-mean images)', () => {
  const s = generateFaces({ count: 1500, seed: 5, height: H, width: W, labelNoise: 0 });
  const L = s.latents;

  it('gender: the mean faces differ more in the upper half (hair, brows, lashes)', () => {
    const d = meanImageDiff(s, (i) => (L.trueAge[i] >= 18 ? L.trueGender[i] : -1));
    expect(d.upper).toBeGreaterThan(1.3 * d.lower);
    expect(d.lower).toBeGreaterThan(0.5); // the lower half still carries a weaker cue (jaw, beard, lips)
  });

  it('age: old and young adults differ more in the upper half (lines, grey hair)', () => {
    const d = meanImageDiff(s, (i) => (L.trueAge[i] >= 55 ? 1 : L.trueAge[i] >= 18 && L.trueAge[i] < 35 ? 0 : -1));
    expect(d.upper).toBeGreaterThan(1.3 * d.lower);
  });
});
