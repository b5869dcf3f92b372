// The grid in sentences and the guard, from hand-made rows and histories: the numbers in each sentence
// are the rows' own, significance is said only when the paired test says so, and a teacher that is not
// clearly above its student is flagged.
import { describe, expect, it } from 'vitest';
import type { EpochRecord, GridRow } from '../../../src/core/events';
import { distillationGuard, epochsRun, lessons } from '../../../src/core/results/lessons';
import { makeConfig } from '../../../src/core/config/config';

const row = (model: string, test: 'full' | 'lower' | 'upper', acc: number, pControl?: number): GridRow => ({
  model: model as GridRow['model'],
  label: model,
  train: 'x',
  test,
  predictions: [],
  metrics: { count: 100, loss: 0, accuracy: acc },
  ...(pControl !== undefined
    ? {
        stats: {
          ci: { lo: 0, hi: 1, level: 0.95, reps: 1 },
          vsControl: { test: 'mcnemar', method: 'exact', p: pControl, b: 1, c: 2, n: 100 },
        },
      }
    : {}),
});
const epoch = (stage: string, e: number, acc: number, best = false): EpochRecord => ({
  stage: stage as EpochRecord['stage'],
  epoch: e,
  train: { count: 1, loss: 1 },
  val: { count: 1, loss: 1, accuracy: acc },
  learningRate: 1e-3,
  losses: { total: 1, task: 1 },
  trainMs: 1,
  miningMs: 0,
  imagesPerSec: 1,
  best,
});
const cfg = { task: 'expression' as const, scenario: 'lower' as const };

describe('guard', () => {
  it('meaningful when the teacher is 2 points or more above the student', () => {
    const g = distillationGuard([epoch('teacher', 0, 0.7), epoch('teacher', 1, 0.8), epoch('student', 0, 0.75)], cfg);
    expect(g).toMatchObject({ meaningful: true, teacher: 0.8, student: 0.75 });
    const no = distillationGuard([epoch('teacher', 0, 0.72), epoch('student', 0, 0.754)], cfg);
    expect(no.meaningful).toBe(false);
    expect(no.message).toMatch(/not meaningful.*72\.0%.*75\.4%/);
    expect(distillationGuard([epoch('teacher', 0, 0.7)], cfg).meaningful).toBeNull();
  });

  it('judges each model by the epoch its stage kept: the last one with keep: last', () => {
    const h = [
      epoch('teacher', 0, 0.7),
      epoch('teacher', 1, 0.8),
      epoch('teacher', 2, 0.74),
      epoch('student', 0, 0.7),
      epoch('student', 1, 0.73),
    ];
    expect(distillationGuard(h, cfg)).toMatchObject({ meaningful: true, teacher: 0.8, student: 0.73 });
    const last = distillationGuard(h, { ...cfg, teacher: { keep: 'last' }, student: { keep: 'last' } });
    expect(last).toMatchObject({ meaningful: false, teacher: 0.74, student: 0.73 });
    expect(last.message).toMatch(/validation accuracy \(of the epoch each stage kept\).*74\.0%.*73\.0%/);
  });

  it("age: the teacher's MAE must be at least 3% lower", () => {
    const mae = (stage: string, v: number): EpochRecord => ({
      ...epoch(stage, 0, 0),
      val: { count: 1, loss: 1, mae: v },
    });
    expect(
      distillationGuard([mae('teacher', 9.6), mae('student', 10)], { task: 'age', scenario: 'upper' }).meaningful,
    ).toBe(true);
    expect(
      distillationGuard([mae('teacher', 9.8), mae('student', 10)], { task: 'age', scenario: 'upper' }).meaningful,
    ).toBe(false);
  });
});

describe('lessons', () => {
  const rows = [
    row('teacher', 'full', 0.8),
    row('teacher', 'lower', 0.42),
    row('teacher', 'upper', 0.2),
    row('student', 'lower', 0.66),
    row('studentOther', 'upper', 0.35),
    row('standard', 'lower', 0.691, 0.01),
    row('triplet', 'lower', 0.67, 0.4),
    row('control', 'lower', 0.66),
  ];
  const history = [epoch('teacher', 0, 0.8), epoch('student', 0, 0.7)];

  it('says the collapse, the recovery, the informative half and each gain over the control with its p', () => {
    const l = lessons(rows, history, cfg);
    expect(l[0]).toBe(
      'Hiding the upper half costs the teacher 38.0 points (80.0% on full faces, 42.0% on lower halves).',
    );
    expect(l[1]).toBe('Fine-tuning on lower halves recovers 24.0 points (42.0% → 66.0%).');
    expect(l[2]).toMatch(
      /^The lower half is the more informative one for expression: a student on it reaches 66\.0%, one on the upper half 35\.0%\.$/,
    );
    expect(l).toContain('Standard T-S adds 3.1 points against the same-budget student (69.1% vs 66.0%, p = 0.01).');
    expect(l).toContain(
      'Triplet T-S adds 1.0 points against the same-budget student (67.0% vs 66.0%, p = 0.40): not significant on this test set.',
    );
  });

  it('is honest when an effect is absent, and adds the guard when the teacher is too weak', () => {
    const flat = [
      row('teacher', 'full', 0.5),
      row('teacher', 'lower', 0.5),
      row('student', 'lower', 0.5),
      row('standard', 'lower', 0.48, 0.3),
      row('control', 'lower', 0.5),
    ];
    const l = lessons(flat, [epoch('teacher', 0, 0.5), epoch('student', 0, 0.6)], cfg);
    expect(l[0]).toMatch(/does not hurt the teacher/);
    expect(l[1]).toMatch(/does not recover anything/);
    expect(l.some((x) => /not meaningful/.test(x))).toBe(true);
    expect(l).toContain('Standard T-S loses 2.0 points against the same-budget student (48.0% vs 50.0%, p = 0.30).');
  });

  it('lists the epochs each stage trained against its cap', () => {
    const c = makeConfig({ teacher: { epochs: 5 } });
    const h = [epoch('teacher', 0, 0.5, true), epoch('teacher', 1, 0.6, true), epoch('teacher', 2, 0.55)];
    expect(epochsRun(h, c)).toEqual(['teacher 3 of 5 (early stop, kept 2)']);
    // keep: last keeps the last epoch trained, whatever validation said.
    expect(epochsRun(h, makeConfig({ teacher: { epochs: 5, keep: 'last' } }))).toEqual([
      'teacher 3 of 5 (early stop, kept 3)',
    ]);
  });
});
