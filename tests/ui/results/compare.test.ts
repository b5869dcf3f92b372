// Runs side by side: lines per model and test half across runs, best and spread per line, gaps where a
// run lacks a row, and a warning flag when tasks differ.
import { describe, expect, it } from 'vitest';
import type { GridRow } from '../../../src/core/events';
import { compareRuns } from '../../../src/ui/results/compare';

const r = (model: GridRow['model'], test: GridRow['test'], acc: number, label: string = model): GridRow => ({
  model,
  label,
  train: test,
  test,
  metrics: { count: 10, loss: 0, accuracy: acc },
  predictions: [],
});

describe('compareRuns', () => {
  it('aligns rows across runs and marks the best', () => {
    const t = compareRuns([
      { id: 'a', name: 'A', task: 'gender', rows: [r('student', 'upper', 0.8), r('triplet', 'upper', 0.85)] },
      {
        id: 'b',
        name: 'B',
        task: 'gender',
        rows: [r('student', 'upper', 0.9), r('svm', 'upper', 0.91, 'SVM on standard + triplet embeddings (C = 0.1)')],
      },
    ]);
    expect(t.mixed).toBe(false);
    expect(t.lines.map((l) => [l.label, l.cells, l.best])).toEqual([
      ['student · ◐upper', [80, 90], 1],
      ['triplet · ◐upper', [85, null], 0],
      ['SVM on standard + triplet embeddings · ◐upper', [null, 91], 1],
    ]);
    expect(t.lines[0].spread).toBeCloseTo(10, 10);
    expect(t.lines[1].spread).toBeNull();
  });

  it('lower MAE is better for age; mixed tasks are flagged', () => {
    const age = (mae: number): GridRow => ({
      model: 'student',
      label: 'student',
      train: 'lower',
      test: 'lower',
      metrics: { count: 5, loss: 0, mae },
      predictions: [],
    });
    const t = compareRuns([
      { id: 'a', name: 'A', task: 'age', rows: [age(9)] },
      { id: 'b', name: 'B', task: 'age', rows: [age(7.5)] },
    ]);
    expect([t.metric, t.lines[0].best, t.lines[0].spread]).toEqual(['MAE (years)', 1, 1.5]);
    expect(
      compareRuns([
        { id: 'a', name: 'A', task: 'age', rows: [] },
        { id: 'b', name: 'B', task: 'gender', rows: [] },
      ]).mixed,
    ).toBe(true);
  });
});
