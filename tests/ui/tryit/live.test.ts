// The Try it panel's plain helpers: camera failures in words, the prediction rate, where the virtual
// headset or mask goes on the frame, and a prediction in words.
import { describe, expect, it } from 'vitest';
import { cameraProblem, hiddenBand, keepTimes, predictionText, ratePerSecond } from '../../../src/ui/tryit/live';

const err = (name: string) => Object.assign(new Error('x'), { name });

describe('cameraProblem', () => {
  it('says what a denied permission, a missing camera and a busy camera mean, and offers a photo', () => {
    expect(cameraProblem(err('NotAllowedError'))).toMatch(/^Camera permission was denied\./);
    expect(cameraProblem(err('NotFoundError'))).toMatch(/^No camera was found/);
    expect(cameraProblem(err('OverconstrainedError'))).toMatch(/^No camera was found/);
    expect(cameraProblem(err('NotReadableError'))).toMatch(/in use by another program/);
    expect(cameraProblem(null, false)).toMatch(/secure page/);
    expect(cameraProblem(new Error('odd'))).toBe('The camera could not start: odd. Choose a photo instead.');
    for (const n of ['NotAllowedError', 'NotFoundError', 'NotReadableError', 'Whatever'])
      expect(cameraProblem(err(n))).toMatch(/photo/);
  });
});

describe('ratePerSecond', () => {
  it('counts results per second over the window, null until two results', () => {
    expect(ratePerSecond([], 1000)).toBeNull();
    expect(ratePerSecond([1000], 1000)).toBeNull();
    expect(ratePerSecond([0, 100, 200, 300, 400], 400)).toBeCloseTo(10, 9);
    // Results older than the window do not count.
    expect(ratePerSecond([0, 50, 3000, 3250, 3500], 3500, 2000)).toBeCloseTo(4, 9);
  });
  it('keepTimes drops what left the window and appends', () => {
    expect(keepTimes([0, 1000, 2500], 3000, 2000)).toEqual([1000, 2500, 3000]);
  });
});

describe('hiddenBand', () => {
  const square = { x: 100, y: 40, w: 200, h: 200 };
  it('lower (VR headset): the upper half of the square; upper (mask): the lower half; full: none', () => {
    expect(hiddenBand(square, 48, 'lower')).toEqual({ x: 100, y: 40, w: 200, h: 100 });
    expect(hiddenBand(square, 48, 'upper')).toEqual({ x: 100, y: 140, w: 200, h: 100 });
    expect(hiddenBand(square, 48, 'full')).toBeNull();
  });
  it('odd heights: the middle row is the lower half’s, as in training', () => {
    // 5 rows: rows 0-1 upper, 2-4 lower.
    expect(hiddenBand(square, 5, 'lower')).toEqual({ x: 100, y: 40, w: 200, h: 80 });
    expect(hiddenBand(square, 5, 'upper')).toEqual({ x: 100, y: 120, w: 200, h: 120 });
  });
});

describe('predictionText', () => {
  it('names the top class with its probability, or the age in years', () => {
    expect(predictionText('expression', ['neutral', 'happiness'], [0.25, 0.75])).toBe('happiness 75%');
    expect(predictionText('gender', ['male', 'female'], [0.9, 0.1])).toBe('male 90%');
    expect(predictionText('age', [], [33.6])).toBe('34 years');
  });
});
