// Monitor chart data against hand-built series: loss components present (fixed order, zero counts), stage
// boundaries, the task's metric name, and per-epoch points (accuracy in %, MAE in years, NaN and gaps as null).
import { describe, expect, it } from 'vitest';
import type { StageName } from '../../../src/core/config/config';
import type { EpochRecord } from '../../../src/core/events';
import type { LossPoint } from '../../../src/core/records';
import {
  LOSS_KEYS,
  LOSS_LABEL,
  epochPoints,
  lossKeys,
  metricName,
  stageStarts,
} from '../../../src/ui/monitor/chartData';

const lp = (x: number, stage: StageName, extra: Partial<LossPoint> = {}): LossPoint => ({
  x,
  stage,
  epoch: 1,
  total: 1,
  task: 1,
  ...extra,
});
type M = EpochRecord['train'];
const rec = (stage: StageName, epoch: number, train: Partial<M>, val: Partial<M>, best = false): EpochRecord => ({
  stage,
  epoch,
  train: { count: 8, loss: 0.5, ...train },
  val: { count: 4, loss: 0.6, ...val },
  learningRate: 1e-3,
  losses: { total: 0.5, task: 0.5 },
  trainMs: 10,
  miningMs: 0,
  imagesPerSec: 100,
  best,
});

describe('LOSS_KEYS and LOSS_LABEL', () => {
  it('lists the components in chart order with a label each', () => {
    expect([...LOSS_KEYS]).toEqual(['total', 'task', 'kd', 'hint', 'triplet']);
    expect(LOSS_LABEL).toEqual({
      total: 'total',
      task: 'task',
      kd: 'KD (soft targets)',
      hint: 'hint (embedding)',
      triplet: 'triplet',
    });
  });
});

describe('lossKeys', () => {
  it('is empty for no points', () => {
    expect(lossKeys([])).toEqual([]);
  });

  it('has total and task alone for plain training', () => {
    expect(lossKeys([lp(1, 'teacher'), lp(2, 'teacher')])).toEqual(['total', 'task']);
  });

  it('keeps the fixed order whatever the order of appearance', () => {
    const points = [
      lp(1, 'triplet', { triplet: 0.3 }),
      lp(2, 'standard', { kd: 0.2 }),
      lp(3, 'standard', { hint: 0.1 }),
    ];
    expect(lossKeys(points)).toEqual(['total', 'task', 'kd', 'hint', 'triplet']);
  });

  it('counts a component present in any one point', () => {
    expect(lossKeys([lp(1, 'teacher'), lp(2, 'teacher'), lp(3, 'standard', { hint: 2 })])).toEqual([
      'total',
      'task',
      'hint',
    ]);
  });

  it('counts a zero value as present and an explicit undefined as absent', () => {
    expect(lossKeys([lp(1, 'standard', { kd: 0, hint: undefined })])).toEqual(['total', 'task', 'kd']);
  });
});

describe('stageStarts', () => {
  it('is empty for no points', () => {
    expect(stageStarts([], () => 0)).toEqual([]);
  });

  it('gives the x of the first point of each stage', () => {
    const points = [
      lp(10, 'teacher'),
      lp(20, 'teacher'),
      lp(30, 'student'),
      lp(40, 'student'),
      lp(50, 'student'),
      lp(60, 'triplet'),
    ];
    expect(stageStarts(points, (p) => p.x)).toEqual([
      { stage: 'teacher', x: 10 },
      { stage: 'student', x: 30 },
      { stage: 'triplet', x: 60 },
    ]);
  });

  it('passes the index to x', () => {
    const points = [
      { stage: 'teacher' as const },
      { stage: 'student' as const },
      { stage: 'student' as const },
      { stage: 'control' as const },
    ];
    expect(stageStarts(points, (_p, i) => i + 1)).toEqual([
      { stage: 'teacher', x: 1 },
      { stage: 'student', x: 2 },
      { stage: 'control', x: 4 },
    ]);
  });

  it('marks every change of stage, so a stage that comes back is marked again', () => {
    const points = [lp(1, 'teacher'), lp(2, 'student'), lp(3, 'teacher')];
    expect(stageStarts(points, (p) => p.x)).toEqual([
      { stage: 'teacher', x: 1 },
      { stage: 'student', x: 2 },
      { stage: 'teacher', x: 3 },
    ]);
  });

  it('gives a single start for a single stage', () => {
    expect(stageStarts([lp(5, 'control'), lp(6, 'control')], (p) => p.x)).toEqual([{ stage: 'control', x: 5 }]);
  });
});

describe('metricName', () => {
  it('is MAE in years, lower better, for age', () => {
    expect(metricName('age')).toEqual({ name: 'MAE', unit: 'years', higherIsBetter: false });
  });

  it('is accuracy in %, higher better, for classification', () => {
    expect(metricName('expression')).toEqual({ name: 'accuracy', unit: '%', higherIsBetter: true });
    expect(metricName('gender')).toEqual({ name: 'accuracy', unit: '%', higherIsBetter: true });
  });
});

describe('epochPoints', () => {
  it('is empty for no history', () => {
    expect(epochPoints([], 'gender')).toEqual([]);
  });

  it('gives accuracy in percent, a running 1-based n, and copies stage, epoch and best', () => {
    const history = [
      rec('teacher', 1, { accuracy: 0.5 }, { accuracy: 0.625 }),
      rec('teacher', 2, { accuracy: 0.75 }, { accuracy: 0.875 }, true),
      rec('student', 1, { accuracy: 0.25 }, { accuracy: 0.125 }),
    ];
    expect(epochPoints(history, 'expression')).toEqual([
      { n: 1, stage: 'teacher', epoch: 1, train: 50, val: 62.5, best: false },
      { n: 2, stage: 'teacher', epoch: 2, train: 75, val: 87.5, best: true },
      { n: 3, stage: 'student', epoch: 1, train: 25, val: 12.5, best: false },
    ]);
  });

  it('keeps accuracy 0 as 0, and makes a missing or NaN accuracy null', () => {
    const p = epochPoints(
      [rec('teacher', 1, { accuracy: 0 }, {}), rec('teacher', 2, { accuracy: Number.NaN }, { accuracy: 1 })],
      'gender',
    );
    expect(p.map((e) => [e.train, e.val])).toEqual([
      [0, null],
      [null, 100],
    ]);
  });

  it('gives MAE in years unscaled for age, ignoring accuracy', () => {
    const p = epochPoints(
      [rec('teacher', 1, { mae: 3.25, accuracy: 0.5 }, { mae: 4.5 }), rec('teacher', 2, { accuracy: 0.5 }, { mae: 0 })],
      'age',
    );
    expect(p.map((e) => [e.train, e.val])).toEqual([
      [3.25, 4.5],
      [null, 0],
    ]);
  });

  it('makes a NaN MAE null for age, and ignores MAE for classification', () => {
    expect(
      epochPoints([rec('teacher', 1, { mae: Number.NaN }, { mae: 2 })], 'age').map((e) => [e.train, e.val]),
    ).toEqual([[null, 2]]);
    expect(epochPoints([rec('teacher', 1, { mae: 3 }, { mae: 2 })], 'gender').map((e) => [e.train, e.val])).toEqual([
      [null, null],
    ]);
  });
});
