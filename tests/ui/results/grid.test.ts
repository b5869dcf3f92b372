// Results grid helpers against hand-worked values: metric headers and cells per task (rounding, missing and NaN),
// ○ ◑ ◐ visibility text, the best row per test half (ties, NaN, lower-is-better MAE) and confusion-cell colours.
import { describe, expect, it } from 'vitest';
import type { Visibility } from '../../../src/core/data/types';
import type { GridRow } from '../../../src/core/events';
import { bestRow, confusionColour, metricCells, metricHeaders, visibilityText } from '../../../src/ui/results/grid';

type M = GridRow['metrics'];
const row = (test: Visibility, metrics: Partial<M>): GridRow => ({
  model: 'student',
  label: 'student',
  train: 'full+lower',
  test,
  metrics: { count: 10, loss: 0, ...metrics },
  predictions: [],
});
const acc = (test: Visibility, accuracy: number | undefined): GridRow => row(test, { accuracy });
const mae = (test: Visibility, m: number | undefined): GridRow => row(test, { mae: m });

describe('metricHeaders', () => {
  it('names one or two columns per task', () => {
    expect(metricHeaders('age')).toEqual(['MAE (years)']);
    expect(metricHeaders('expression')).toEqual(['accuracy %', 'weighted acc. %']);
    expect(metricHeaders('gender')).toEqual(['accuracy %']);
  });
});

describe('metricCells', () => {
  it('prints accuracy as a percentage with one decimal', () => {
    expect(metricCells(row('full', { accuracy: 0.5 }), 'gender')).toEqual(['50.0']);
    expect(metricCells(row('full', { accuracy: 1 }), 'gender')).toEqual(['100.0']);
    expect(metricCells(row('full', { accuracy: 0 }), 'gender')).toEqual(['0.0']);
  });

  it('rounds an exact half up', () => {
    // 0.8125 = 13/16 is exact: 81.25 -> "81.3"; 0.34567 -> 34.567 -> "34.6".
    expect(metricCells(row('full', { accuracy: 0.8125 }), 'gender')).toEqual(['81.3']);
    expect(metricCells(row('full', { accuracy: 0.34567 }), 'gender')).toEqual(['34.6']);
  });

  it('prints a dash for a missing or NaN accuracy', () => {
    expect(metricCells(row('full', {}), 'gender')).toEqual(['–']);
    expect(metricCells(row('full', { accuracy: Number.NaN }), 'gender')).toEqual(['–']);
  });

  it('gives expression both accuracy and weighted accuracy, each on its own', () => {
    expect(metricCells(row('lower', { accuracy: 0.75, weightedAccuracy: 0.625 }), 'expression')).toEqual([
      '75.0',
      '62.5',
    ]);
    expect(metricCells(row('lower', { accuracy: 0.5 }), 'expression')).toEqual(['50.0', '–']);
    expect(metricCells(row('lower', { weightedAccuracy: Number.NaN }), 'expression')).toEqual(['–', '–']);
  });

  it('leaves weighted accuracy out for gender', () => {
    expect(metricCells(row('full', { accuracy: 0.75, weightedAccuracy: 0.25 }), 'gender')).toEqual(['75.0']);
  });

  it('prints MAE in years with two decimals, not as a percentage', () => {
    // 4.125 = 33/8 is exact: the half rounds up to "4.13".
    expect(metricCells(row('upper', { mae: 4.125 }), 'age')).toEqual(['4.13']);
    expect(metricCells(row('upper', { mae: 7 }), 'age')).toEqual(['7.00']);
    expect(metricCells(row('upper', { mae: 0 }), 'age')).toEqual(['0.00']);
  });

  it('ignores accuracy for age and MAE for classification', () => {
    expect(metricCells(row('upper', { accuracy: 0.9 }), 'age')).toEqual(['–']);
    expect(metricCells(row('upper', { mae: 3 }), 'gender')).toEqual(['–']);
  });
});

describe('visibilityText', () => {
  it('puts the symbol before each single visibility', () => {
    expect(visibilityText('full')).toBe('○ full');
    expect(visibilityText('lower')).toBe('◑ lower');
    expect(visibilityText('upper')).toBe('◐ upper');
  });

  it('joins a distillation pair with " + "', () => {
    expect(visibilityText('full+lower')).toBe('○ full + ◑ lower');
    expect(visibilityText('full+upper')).toBe('○ full + ◐ upper');
  });

  it('keeps unknown parts without a symbol or stray space', () => {
    expect(visibilityText('side')).toBe('side');
    expect(visibilityText('full+side')).toBe('○ full + side');
    expect(visibilityText('')).toBe('');
  });
});

describe('bestRow', () => {
  it('picks the highest accuracy among rows of the asked test half', () => {
    const rows = [acc('upper', 0.8), acc('lower', 0.95), acc('upper', 0.9), acc('upper', 0.85)];
    expect(bestRow(rows, 'gender', 'upper')).toBe(2);
    expect(bestRow(rows, 'expression', 'lower')).toBe(1);
  });

  it('returns -1 when no row was tested on that half, or there are no rows', () => {
    expect(bestRow([acc('upper', 0.8), acc('lower', 0.9)], 'gender', 'full')).toBe(-1);
    expect(bestRow([], 'age', 'full')).toBe(-1);
  });

  it('picks the lowest MAE for age', () => {
    expect(bestRow([mae('full', 5), mae('full', 4), mae('full', 4.5)], 'age', 'full')).toBe(1);
  });

  it('reads MAE for age and accuracy otherwise', () => {
    const rows = [row('full', { accuracy: 0.9, mae: 7 }), row('full', { accuracy: 0.1, mae: 3 })];
    expect(bestRow(rows, 'age', 'full')).toBe(1);
    expect(bestRow(rows, 'gender', 'full')).toBe(0);
  });

  it('keeps the first of equal values', () => {
    expect(bestRow([acc('full', 0.7), acc('full', 0.9), acc('full', 0.9)], 'gender', 'full')).toBe(1);
    expect(bestRow([mae('full', 2), mae('full', 2)], 'age', 'full')).toBe(0);
  });

  it('skips rows whose metric is missing or NaN', () => {
    expect(bestRow([acc('full', Number.NaN), acc('full', undefined), acc('full', 0.3)], 'gender', 'full')).toBe(2);
    expect(bestRow([mae('full', Number.NaN), mae('full', 9)], 'age', 'full')).toBe(1);
    expect(bestRow([acc('full', Number.NaN), acc('full', undefined)], 'gender', 'full')).toBe(-1);
  });

  it('accepts zero as a first value (accuracy 0, MAE 0)', () => {
    expect(bestRow([acc('full', 0)], 'gender', 'full')).toBe(0);
    expect(bestRow([acc('full', 0), acc('full', 0.25)], 'gender', 'full')).toBe(1);
    expect(bestRow([mae('full', 2), mae('full', 0)], 'age', 'full')).toBe(1);
  });
});

describe('confusionColour', () => {
  const blue = (a: string): string => `rgba(37, 99, 235, ${a})`;

  it('is transparent with dark text for an empty cell', () => {
    expect(confusionColour(0, 10)).toEqual({ background: blue('0.000'), color: '#111827' });
  });

  it('is fully blue with white text for the whole row', () => {
    expect(confusionColour(10, 10)).toEqual({ background: blue('1.000'), color: '#fff' });
  });

  it('uses the share of the row with three decimals', () => {
    expect(confusionColour(1, 3)).toEqual({ background: blue('0.333'), color: '#111827' });
    expect(confusionColour(2, 3)).toEqual({ background: blue('0.667'), color: '#fff' });
    expect(confusionColour(1, 8).background).toBe(blue('0.125'));
  });

  it('switches to white text only above 0.55', () => {
    expect(confusionColour(11, 20)).toEqual({ background: blue('0.550'), color: '#111827' });
    expect(confusionColour(56, 100)).toEqual({ background: blue('0.560'), color: '#fff' });
  });

  it('treats an empty or negative row total as share 0 (no NaN, no Infinity)', () => {
    expect(confusionColour(0, 0)).toEqual({ background: blue('0.000'), color: '#111827' });
    expect(confusionColour(3, 0)).toEqual({ background: blue('0.000'), color: '#111827' });
    expect(confusionColour(3, -1)).toEqual({ background: blue('0.000'), color: '#111827' });
  });
});
