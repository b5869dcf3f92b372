// The live charts' arithmetic: round ticks, the y axis from 0 to a round top, series paths broken at
// missing values, and the hover's nearest row.
import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../../src/ui/monitor/chartData';
import { zeroToTop } from '../../../src/ui/monitor/Charts';
import { nearestRow, seriesPath } from '../../../src/ui/monitor/SvgChart';

describe('niceTicks', () => {
  it('steps of 1, 2 or 5 times a power of ten inside [lo, hi]', () => {
    expect(niceTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(3, 1234, 6, true)).toEqual([500, 1000]);
    expect(niceTicks(3, 1900, 6, true)).toEqual([500, 1000, 1500]);
    expect(niceTicks(0, 2.3, 5)).toEqual([0, 1, 2]);
    expect(niceTicks(0.1, 0.37, 5)).toEqual([0.1, 0.2, 0.3]);
    expect(niceTicks(1, 3, 6, true)).toEqual([1, 2, 3]);
  });
  it('a single value, reversed bounds, and non-finite bounds', () => {
    expect(niceTicks(4, 4)).toEqual([4]);
    expect(niceTicks(10, 0, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, Number.NaN)).toEqual([]);
  });
});

describe('zeroToTop', () => {
  it('ends on the first round tick at or above the largest value', () => {
    expect(zeroToTop([0.3, 2.3, 1])).toEqual({ ticks: [0, 1, 2, 3], top: 3 });
    expect(zeroToTop([2])).toEqual({ ticks: [0, 0.5, 1, 1.5, 2], top: 2 });
    expect(zeroToTop([Number.NaN, 0])).toEqual({ ticks: [0, 1], top: 1 });
  });
});

describe('seriesPath', () => {
  const sx = (v: number) => 10 * v;
  const sy = (v: number) => 100 - v;
  it('moves, draws, and starts again after a gap', () => {
    const rows = [{ x: 0, a: 1 }, { x: 1, a: 2 }, { x: 2 }, { x: 3, a: Number.NaN }, { x: 4, a: 5 }, { x: 5, a: 6 }];
    expect(seriesPath(rows, 'x', 'a', sx, sy)).toBe('M0.0 99.0L10.0 98.0M40.0 95.0L50.0 94.0');
  });
});

describe('nearestRow', () => {
  it('finds the nearest x by bisection', () => {
    const xs = [1, 2, 4, 8, 16];
    expect(nearestRow(xs, 0)).toBe(0);
    expect(nearestRow(xs, 5.9)).toBe(2);
    expect(nearestRow(xs, 6.1)).toBe(3);
    expect(nearestRow(xs, 100)).toBe(4);
    expect(nearestRow([], 3)).toBe(-1);
  });
});
