// The grid colours a significant difference by its direction: the demo's seed-1 case (standard T-S
// 73.7% vs the control 75.3%, p = 0.034) is `worse`, never a green win; MAE counts lower as better;
// not significant is null.
import { describe, expect, it } from 'vitest';
import type { GridRow, PairedTest } from '../../../src/core/events';
import { significantDirection } from '../../../src/ui/results/grid';

const test = (p: number, b?: number, c?: number): PairedTest => ({
  test: 'mcnemar',
  method: 'exact',
  p,
  n: 1000,
  b,
  c,
});
const r = (
  model: GridRow['model'],
  v: number,
  age = false,
  vsControl?: PairedTest,
  vsStudent?: PairedTest,
): GridRow => ({
  model,
  label: model,
  train: 'lower',
  test: 'lower',
  predictions: [],
  metrics: age ? { count: 1000, loss: 0, mae: v } : { count: 1000, loss: 0, accuracy: v },
  stats: {
    ci: { lo: 0, hi: 0, level: 0.95, reps: 0 },
    ...(vsControl ? { vsControl } : {}),
    ...(vsStudent ? { vsStudent } : {}),
  },
});

describe('significantDirection', () => {
  it('a distilled row significantly below the control is worse', () => {
    const rows = [r('student', 0.737), r('control', 0.753), r('standard', 0.737, false, test(0.034, 40, 56), test(1))];
    expect(significantDirection(rows, rows[2], 'control', 'expression')).toBe('worse');
    expect(significantDirection(rows, rows[2], 'student', 'expression')).toBeNull();
  });

  it('above the control and significant is better; p at 0.05 or more is null', () => {
    const rows = [r('control', 0.753), r('svm', 0.776, false, test(0.005)), r('triplet', 0.746, false, test(0.35))];
    expect(significantDirection(rows, rows[1], 'control', 'expression')).toBe('better');
    expect(significantDirection(rows, rows[2], 'control', 'expression')).toBeNull();
    expect(significantDirection(rows, r('svm', 0.8, false, test(0.05)), 'control', 'expression')).toBeNull();
  });

  it('MAE: lower is better', () => {
    const rows = [
      r('control', 10.25, true),
      r('triplet', 10.92, true, test(0.0001)),
      r('standard', 10.0, true, test(0.01)),
    ];
    expect(significantDirection(rows, rows[1], 'control', 'age')).toBe('worse');
    expect(significantDirection(rows, rows[2], 'control', 'age')).toBe('better');
  });

  it('without the other row, the discordant counts decide', () => {
    expect(significantDirection([], r('standard', 0.7, false, test(0.01, 10, 30)), 'control', 'expression')).toBe(
      'worse',
    );
    expect(significantDirection([], r('standard', 0.7, false, test(0.01, 30, 10)), 'control', 'expression')).toBe(
      'better',
    );
  });
});
