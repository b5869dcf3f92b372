// Repeats over seeds: mean ± sample sd per row, paired t-tests across seeds (values checked against
// scipy.stats.ttest_rel), and the t distribution's tail against tabled critical values.
import { describe, expect, it } from 'vitest';
import type { GridRow } from '../../../src/core/events';
import { pairedTTest, tTwoSided, incompleteBeta } from '../../../src/core/metrics/stats';
import { aggregateRepeats, formatRepeats, repeatConfig, repeatSeeds } from '../../../src/core/results/repeats';
import { makeConfig } from '../../../src/core/config/config';

const r = (model: string, acc: number): GridRow => ({
  model: model as GridRow['model'],
  label: model,
  train: 'x',
  test: 'lower',
  predictions: [],
  metrics: { count: 1, loss: 0, accuracy: acc },
});

describe('Student t', () => {
  it('two-sided tails at the tabled 5% critical values', () => {
    expect(tTwoSided(12.706, 1)).toBeCloseTo(0.05, 4);
    expect(tTwoSided(4.303, 2)).toBeCloseTo(0.05, 4);
    expect(tTwoSided(2.776, 4)).toBeCloseTo(0.05, 4);
    expect(tTwoSided(0, 3)).toBeCloseTo(1, 10);
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
  });

  it('paired t-test equals scipy.stats.ttest_rel', () => {
    // ttest_rel([1,2,3,4], [0.5,1.7,2.1,3.9]) → t = 2.634930, p = 0.077994
    const t = pairedTTest([1, 2, 3, 4], [0.5, 1.7, 2.1, 3.9]);
    expect(t.t).toBeCloseTo(2.63493, 5);
    expect(t.p).toBeCloseTo(0.077994, 5);
    expect(t.df).toBe(3);
    expect(pairedTTest([1, 2], [1, 2]).p).toBe(1);
  });
});

describe('repeats', () => {
  it('seeds and per-seed configs', () => {
    const c = makeConfig({ seed: 5, repeats: 3 });
    expect(repeatSeeds(c)).toEqual([5, 6, 7]);
    expect(repeatConfig(c, 2)).toMatchObject({ seed: 7, repeats: 1 });
    expect(repeatSeeds(makeConfig({}))).toEqual([1]);
  });

  it('mean ± sd per row and paired tests against the student and the control', () => {
    const runs = [
      [r('student', 0.6), r('standard', 0.64), r('control', 0.61)],
      [r('student', 0.62), r('standard', 0.65), r('control', 0.62)],
      [r('student', 0.58), r('standard', 0.63), r('control', 0.6)],
    ];
    const agg = aggregateRepeats(runs, 'expression');
    const std = agg.find((x) => x.model === 'standard')!;
    expect(std.mean).toBeCloseTo(0.64, 10);
    expect(std.sd).toBeCloseTo(0.01, 10);
    // differences vs student 0.04, 0.03, 0.05: mean 0.04, sd 0.01, t = 0.04 / (0.01 / √3) = 6.928, df 2 → p = 0.0202
    expect(std.vsStudent!.t).toBeCloseTo(6.9282, 3);
    expect(std.vsStudent!.p).toBeCloseTo(0.0202, 3);
    expect(std.vsControl!.meanDiff).toBeCloseTo(0.03, 10);
    expect(agg.find((x) => x.model === 'student')!.vsStudent).toBeUndefined();
    const text = formatRepeats(agg, 'expression', [1, 2, 3]);
    expect(text).toMatch(/standard +lower +64\.0 ± 1\.0 +64\.0 +65\.0 +63\.0 +\+4\.0 +0\.020/);
  });

  it('a row missing from one run is left out', () => {
    expect(
      aggregateRepeats([[r('student', 0.5), r('svm', 0.6)], [r('student', 0.5)]], 'expression').map((x) => x.model),
    ).toEqual(['student']);
  });
});
