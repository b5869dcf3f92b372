// Grid-row statistics against hand-worked cases: McNemar's discordant counts and exact p against the
// student on the same half, Wilcoxon on absolute errors for age, CIs around the metric, and the CSV.
import { describe, expect, it } from 'vitest';
import { rowStats, withRowStats } from '../../../src/core/distill/rowStats';
import type { GridRow } from '../../../src/core/events';
import { gridCsv, formatGrid } from '../../../src/core/results/report';

const row = (
  model: GridRow['model'],
  test: GridRow['test'],
  predictions: number[],
  accuracy?: number,
  mae?: number,
): GridRow => ({
  model,
  label: model,
  train: test,
  test,
  metrics: { count: predictions.length, loss: 0, accuracy, mae },
  predictions,
});

describe('grid row statistics', () => {
  it('McNemar against the student on the same half: b, c and the exact p', () => {
    const truth = Array.from({ length: 20 }, (_, i) => i % 3);
    // student right on 0..9 only; triplet right on 0..9 and on 10..18 (9 more): b = 9, c = 0.
    const student = row(
      'student',
      'lower',
      truth.map((t, i) => (i < 10 ? t : (t + 1) % 3)),
    );
    const triplet = row(
      'triplet',
      'lower',
      truth.map((t, i) => (i < 19 ? t : (t + 1) % 3)),
    );
    const teacher = row('teacher', 'full', truth.slice());
    const out = withRowStats([teacher, student, triplet], truth, 'expression', 1);
    expect(out[2].stats!.vsStudent).toEqual({ test: 'mcnemar', method: 'exact', p: 2 / 512, b: 9, c: 0, n: 9 });
    expect(out[1].stats!.vsStudent).toBeUndefined(); // the student against itself: no test
    expect(out[0].stats!.vsStudent).toBeUndefined(); // the teacher is not compared
    expect(out[0].stats!.ci).toMatchObject({ lo: 1, hi: 1, level: 0.95 }); // always right
    const ci = out[2].stats!.ci;
    expect(ci.lo).toBeLessThanOrEqual(0.95);
    expect(ci.hi).toBeGreaterThanOrEqual(0.95);
    const text = formatGrid(out, 'expression');
    expect(text).toContain('p=0.004 (9/0)');
    expect(gridCsv(out).split('\n')[3]).toBe(
      'triplet,triplet,lower,lower,20,,,,' + `${ci.lo},${ci.hi},mcnemar,${2 / 512},9,0`,
    );
  });

  it('Wilcoxon on absolute errors for age; MAE CI around the MAE', () => {
    const truth = [20, 30, 40, 50, 60, 70];
    const student = row('student', 'upper', [25, 36, 47, 58, 69, 80]); // errors 5..10
    const better = row('standard', 'upper', [21, 31, 41, 51, 61, 71]); // errors all 1: every difference negative
    const s = rowStats(better, truth, 'age', student, 3);
    // differences 1-5, 1-6, ..., 1-10 = -4..-9, all negative, distinct: W+ = 0, exact p = 2/64
    expect(s.vsStudent).toEqual({ test: 'wilcoxon', method: 'exact', p: 2 / 64, n: 6 });
    expect(s.ci.lo).toBe(1);
    expect(s.ci.hi).toBe(1);
  });
});
