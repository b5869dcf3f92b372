import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  confusionMatrix,
  isBetter,
  meanAbsoluteError,
  perClassRecall,
  weightedAccuracy,
} from '../../../src/core/metrics';

describe('metrics', () => {
  // truth: 0 0 0 0 1 1 2 ; pred: 0 0 0 1 1 0 2 → 5/7 correct; recalls 3/4, 1/2, 1 → weighted 0.75
  const truth = [0, 0, 0, 0, 1, 1, 2];
  const pred = [0, 0, 0, 1, 1, 0, 2];
  it('accuracy, confusion matrix, per-class recall and weighted accuracy', () => {
    expect(accuracy(truth, pred)).toBeCloseTo(5 / 7, 12);
    const cm = confusionMatrix(truth, pred, 4);
    expect(cm).toEqual([
      [3, 1, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(perClassRecall(cm).slice(0, 3)).toEqual([0.75, 0.5, 1]);
    expect(Number.isNaN(perClassRecall(cm)[3])).toBe(true);
    // class 3 has no test image: it is left out of the mean
    expect(weightedAccuracy(cm)).toBeCloseTo((0.75 + 0.5 + 1) / 3, 12);
  });
  it('MAE and argmax', () => {
    expect(meanAbsoluteError([20, 30, 40], [25, 30, 31])).toBeCloseTo(14 / 3, 12);
    expect(Array.from(argmaxRows([0.1, 0.9, 0.5, 0.2, 0.1, 0.3], 3))).toEqual([1, 2]);
  });
  it('errors name the mismatch', () => {
    expect(() => confusionMatrix([0, 5], [0, 0], 3)).toThrow(/out of range at 1/);
    expect(() => meanAbsoluteError([1], [1, 2])).toThrow(/1 targets but 2 predictions/);
  });
  it('isBetter: higher accuracy, lower MAE, NaN never better', () => {
    expect(isBetter({ count: 1, loss: 0, accuracy: 0.6 }, { count: 1, loss: 0, accuracy: 0.5 })).toBe(true);
    expect(isBetter({ count: 1, loss: 0, mae: 6 }, { count: 1, loss: 0, mae: 5 })).toBe(false);
    expect(isBetter({ count: 1, loss: 0, accuracy: NaN }, null)).toBe(false);
  });
});
