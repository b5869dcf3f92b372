// The student's data budget: parsing, the proportional allocation, the stratified and nested subset
// (counts per class, the same images for one seed, others for another), age bins, the subset's pixels.
import { describe, expect, it } from 'vitest';
import {
  allocate,
  budgetCount,
  budgetError,
  budgetSplit,
  budgetsError,
  parseBudgets,
  strataOf,
  stratifiedSubset,
  subsetImages,
} from '../../../src/core/budget/subset';
import type { ImageSet } from '../../../src/core/data/types';
import { configErrors, makeConfig } from '../../../src/core/config';

function imageSet(labels: number[], ages?: number[]): ImageSet {
  const n = labels.length;
  return {
    height: 2,
    width: 2,
    channels: 1,
    count: n,
    pixels: Uint8Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4) % 256),
    expression: Int32Array.from(labels),
    gender: null,
    age: ages ? Float32Array.from(ages) : null,
    classNames: {},
  };
}

describe('budget values', () => {
  it('reads counts and percentages, refuses the rest by name', () => {
    expect(budgetError(null)).toBeNull();
    expect(budgetError(120)).toBeNull();
    expect(budgetError('120')).toBeNull();
    expect(budgetError('5%')).toBeNull();
    expect(budgetError('100%')).toBeNull();
    expect(budgetError(0)).toMatch(/whole number/);
    expect(budgetError(1.5)).toMatch(/whole number/);
    expect(budgetError('0%')).toMatch(/above 0%/);
    expect(budgetError('120%')).toMatch(/at most 100%/);
    expect(budgetError('lots')).toMatch(/"lots"/);
    expect(budgetsError([120, '5%'])).toBeNull();
    expect(budgetsError([120, null])).toMatch(/entry 2/);
    expect(parseBudgets('120, 300,1200,100%')).toEqual([120, 300, 1200, '100%']);
    expect(() => parseBudgets('120,abc')).toThrow(/entry 2/);
    expect(budgetCount('5%', 6000)).toBe(300);
    expect(budgetCount(120, 6000)).toBe(120);
    expect(budgetCount(9000, 6000)).toBe(6000);
    expect(budgetCount(null, 6000)).toBe(6000);
  });

  it('is a setting of the config, checked by name', () => {
    expect(configErrors(makeConfig({ budget: 120 }))).toEqual([]);
    expect(configErrors(makeConfig({ budgets: [120, '100%'] }))).toEqual([]);
    expect(configErrors(makeConfig({ budget: -3 }))).toEqual([
      { field: 'budget', message: expect.stringMatching(/whole number/) },
    ]);
    expect(configErrors(makeConfig({ budgets: [120, 'x'] }))[0].field).toBe('budgets');
  });
});

describe('allocation', () => {
  it('is proportional by the largest remainder and adds up to the budget', () => {
    expect(allocate([600, 300, 100], 100)).toEqual([60, 30, 10]);
    // quotas 33.3 / 33.3 / 33.3: one remainder seat, to the first.
    expect(allocate([10, 10, 10], 10)).toEqual([4, 3, 3]);
    // a small class still gets one image while the budget allows
    expect(allocate([990, 10], 20)).toEqual([19, 1]);
    expect(allocate([5, 0, 5], 4)).toEqual([2, 0, 2]);
    expect(allocate([3, 4], 100)).toEqual([3, 4]);
    for (const k of [1, 7, 50, 333]) expect(allocate([400, 250, 17, 3, 90], k).reduce((a, b) => a + b, 0)).toBe(k);
  });
});

describe('stratified subset', () => {
  // 8 classes, unbalanced: class c has 20 + 10c images, interleaved.
  const labels: number[] = [];
  for (let c = 0; c < 8; c++) for (let i = 0; i < 20 + 10 * c; i++) labels.push(c);
  const shuffled = labels
    .map((l, i) => [l, (i * 7919) % labels.length] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([l]) => l);
  const set = imageSet(shuffled);

  it('keeps the class proportions (counts per class) and the budget exactly', () => {
    const { strata, count } = strataOf(set, 'expression');
    const idx = stratifiedSubset(strata, count, 96, 1);
    expect(idx.length).toBe(96);
    const per = new Array(8).fill(0);
    for (const i of idx) per[shuffled[i]]++;
    const sizes = Array.from({ length: 8 }, (_, c) => 20 + 10 * c);
    expect(per).toEqual(allocate(sizes, 96));
    // 96 of 440: every class within one image of its share
    per.forEach((n, c) => expect(Math.abs(n - (sizes[c] * 96) / 440)).toBeLessThan(1));
    expect(new Set(idx).size).toBe(96);
  });

  it('draws the same images for a seed every time, others for another seed, nested across budgets', () => {
    const { strata, count } = strataOf(set, 'expression');
    const a = stratifiedSubset(strata, count, 60, 1);
    expect(Array.from(stratifiedSubset(strata, count, 60, 1))).toEqual(Array.from(a));
    const b = stratifiedSubset(strata, count, 60, 2);
    expect(Array.from(b)).not.toEqual(Array.from(a));
    const big = new Set(stratifiedSubset(strata, count, 200, 1));
    for (const i of a) expect(big.has(i)).toBe(true);
  });

  it('stratifies age by decade', () => {
    const ages = Array.from({ length: 200 }, (_, i) => (i < 150 ? 20 + (i % 10) : 60 + (i % 10)));
    const s = imageSet(new Array(200).fill(0), ages);
    const { strata, count } = strataOf(s, 'age');
    expect(count).toBe(7);
    const idx = stratifiedSubset(strata, count, 40, 3);
    expect(idx.filter((i) => ages[i] < 30).length).toBe(30);
    expect(idx.filter((i) => ages[i] >= 60).length).toBe(10);
  });

  it('copies the chosen images and labels; the whole split is returned as is', () => {
    const sub = subsetImages(set, [5, 2]);
    expect(sub.count).toBe(2);
    expect(Array.from(sub.pixels)).toEqual([5, 5, 5, 5, 2, 2, 2, 2]);
    expect(Array.from(sub.expression!)).toEqual([shuffled[5], shuffled[2]]);
    expect(budgetSplit(set, 'expression', null, 1).set).toBe(set);
    expect(budgetSplit(set, 'expression', '100%', 1).set).toBe(set);
    const half = budgetSplit(set, 'expression', '50%', 1);
    expect(half.set.count).toBe(220);
    expect(half.indices!.length).toBe(220);
  });
});
