// The lesson's statistics and sentences against hand-made tables: the issue's measured table (gains
// +2.0 +4.2 +1.3 at 120 images ...), an MAE table, and the text and CSV forms. Expected p values and
// intervals are worked out independently: for 2 degrees of freedom Student's t has the closed form
// P(|T| > t) = 1 − t / √(t² + 2), and its 97.5% quantile is 4.302653.
import { describe, expect, it } from 'vitest';
import { budgetLessons, gainSentence, trendSentence } from '../../../src/core/budget/lesson';
import {
  budgetsCsv,
  budgetStats,
  formatBudgets,
  gainOf,
  tQuantile975,
  type BudgetTable,
} from '../../../src/core/budget/table';

const pDf2 = (t: number) => 1 - Math.abs(t) / Math.sqrt(t * t + 2);

/** The issue's table: KD − control per seed, control fixed at 70%, the student 1 point above the control. */
function issueTable(): BudgetTable {
  const gains: [number, number[]][] = [
    [120, [2.0, 4.2, 1.3]],
    [300, [2.3, 1.1, 1.4]],
    [1200, [1.2, -1.4, 2.4]],
    [6000, [-1.2, -1.3, 0.2]],
  ];
  return {
    metric: 'accuracy',
    task: 'expression',
    scenario: 'lower',
    trainImages: 6000,
    seeds: [0, 1, 2],
    teacher: [0.8, 0.8, 0.8],
    budgets: gains.map(([images, g]) => ({
      images,
      budget: images === 6000 ? '100%' : images,
      models: {
        control: [0.7, 0.7, 0.7],
        student: [0.71, 0.71, 0.71],
        standard: g.map((x) => 0.7 + x / 100),
        triplet: [0.7, 0.7, 0.7],
        svm: [null, null, null],
      },
    })),
  };
}

describe('gains across seeds', () => {
  it('mean, 95% t interval and paired p as computed by hand', () => {
    expect(tQuantile975(2)).toBeCloseTo(4.302653, 5);
    expect(tQuantile975(10)).toBeCloseTo(2.228139, 5);
    const g = gainOf([0.72, 0.742, 0.713], [0.7, 0.7, 0.7], true);
    const sd = Math.sqrt(((2.0 - 2.5) ** 2 + (4.2 - 2.5) ** 2 + (1.3 - 2.5) ** 2) / 2) / 100;
    expect(g.mean).toBeCloseTo(0.025, 10);
    expect(g.hi - g.mean).toBeCloseTo((4.302653 * sd) / Math.sqrt(3), 6);
    expect(g.p).toBeCloseTo(pDf2(0.025 / (sd / Math.sqrt(3))), 6);
    expect(g.wins).toBe(3);
    // MAE: lower is better, so a row 0.5 years under the control gains +0.5
    const m = gainOf([9.5, 9.4, 9.6], [10, 10, 10], false);
    expect(m.mean).toBeCloseTo(0.5, 10);
    // a seed without a figure is left out of the pairs
    expect(gainOf([0.8, null, 0.9], [0.7, 0.7, 0.7], true).n).toBe(2);
  });
});

describe('sentences', () => {
  it('say the issue table in words', () => {
    const t = issueTable();
    const lines = budgetLessons(t);
    const p120 = pDf2(2.8614284764369335).toFixed(2); // 0.10
    const p300 = pDf2(4.437601569801833).toFixed(2); // 0.05 (0.047)
    expect(p120).toBe('0.10');
    expect(lines[0]).toBe(
      `With 120 labelled half-faces, standard distillation did not clearly beat the same-budget control: +2.5 points on average, better in 3 of 3 seeds, not significant (p = ${p120}).`,
    );
    expect(lines[1]).toBe(
      `With 300 labelled half-faces, standard distillation beat the same-budget control by 1.6 points, better in 3 of 3 seeds (p = ${p300}).`,
    );
    expect(lines[3]).toBe(
      `With all 6,000 labelled half-faces, standard distillation did not beat the same-budget control: −0.8 points on average, better in 1 of 3 seeds, not significant (p = ${pDf2(1.5833852988894825).toFixed(2)}).`,
    );
    expect(lines[4]).toBe(
      'The gain of standard distillation over the control shrinks as the budget grows (+2.5 points with 120 images, −0.8 points with 6,000).',
    );
    // the triplet row equals the control everywhere; the SVM row has no figures and says nothing
    expect(lines[5]).toBe(
      'With 120 labelled half-faces, triplet distillation matched the same-budget control exactly on average (p = 1.00).',
    );
    expect(lines.some((l) => l.includes('SVM'))).toBe(false);
    // the control is 1 point under the student at every budget
    expect(lines.filter((l) => l.includes('fell 1.0 point below the step-2 student'))).toHaveLength(4);
  });

  it('say a significant loss as a loss, and MAE in years', () => {
    const t: BudgetTable = { ...issueTable(), metric: 'mae', task: 'age', trainImages: 1000 };
    const lower = gainOf([10.5, 10.6, 10.7], [10, 10, 10.1], false);
    expect(gainSentence(t, 100, 'triplet distillation', 'the same-budget control', lower)).toBe(
      `With 100 labelled half-faces, triplet distillation had an MAE 0.57 years higher than the same-budget control, worse in 3 of 3 seeds (p = 0.003).`,
    );
    expect(lower.p).toBeCloseTo(pDf2(17), 4); // gains 0.5, 0.6, 0.6: t = 17
    const acc = issueTable();
    const below = gainOf([0.68, 0.685, 0.675], [0.7, 0.7, 0.7], true);
    expect(gainSentence(acc, 120, 'standard distillation', 'the same-budget control', below)).toBe(
      `With 120 labelled half-faces, standard distillation fell 2.0 points below the same-budget control, worse in 3 of 3 seeds (p = 0.02).`,
    ); // t = 4/√(1/3) = 6.93, p = 0.020
    const one = gainOf([0.72], [0.7], true);
    expect(gainSentence(acc, 120, 'x', 'y', one)).toMatch(/no test with one seed/);
  });

  it('say when the gain does not shrink', () => {
    const t = issueTable();
    const s = budgetStats(t)
      .reverse()
      .map((x, i) => ({ ...x, images: [120, 300, 1200, 6000][i] }));
    expect(trendSentence(t, s, 'standard')).toBe(
      'The gain of standard distillation over the control does not shrink with more data here (−0.8 points with 120 images, +2.5 points with 6,000).',
    );
  });
});

describe('text and CSV', () => {
  it('budgets.txt lists every budget and row with the CI and p; the CSV one line per budget, row and reference', () => {
    const t = issueTable();
    const text = formatBudgets(t);
    expect(text.split('\n')[0]).toMatch(
      /^images\s+row\s+acc % \(mean\)\s+per seed\s+gain vs control\s+95% CI\s+p\s+seeds better\s+gain vs student\s+p$/,
    );
    const kd120 = text.split('\n').find((l) => /^\s+120\s+standard T-S/.test(l))!;
    expect(kd120).toMatch(/\+2\.5\s+-1\.3 … \+6\.3\s+0\.104\s+3 of 3/);
    const csv = budgetsCsv(t).trim().split('\n');
    expect(csv[0]).toBe('images,budget,row,vs,gain_mean,ci95_lo,ci95_hi,p,seeds_better,seeds,seed_0,seed_1,seed_2');
    expect(csv).toHaveLength(1 + 4 * 2 * 3);
    const row = csv[1].split(',');
    expect(row.slice(0, 4)).toEqual(['120', '120', 'standard', 'control']);
    expect(Number(row[4])).toBeCloseTo(2.5, 6);
  });
});
