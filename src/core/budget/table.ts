// A budget sweep's figures (what the runner writes as budgets.json and the lab stores with the run), and
// the statistics read from them: per budget, each distilled row's gain over the same-budget control and
// over the step-2 student, as a mean over seeds with a 95% t interval and a paired t-test across seeds.
// Pure: no tfjs.
import type { ExperimentConfig } from '../config/config';
import type { GridRow } from '../events';
import { pairedTTest, tTwoSided } from '../metrics/stats';

/** The rows a budget sweep keeps per budget. */
export const BUDGET_MODELS = ['student', 'standard', 'triplet', 'control', 'svm'] as const;
export type BudgetModel = (typeof BUDGET_MODELS)[number];

/** The rows the lesson compares with the control and the student. */
export const DISTILLED: readonly Exclude<BudgetModel, 'student' | 'control'>[] = ['standard', 'triplet', 'svm'];

export const MODEL_NAME: Record<BudgetModel, string> = {
  student: 'step-2 student',
  standard: 'standard T-S',
  triplet: 'triplet T-S',
  control: 'same-budget control',
  svm: 'SVM on both students',
};

export interface BudgetEntry {
  /** Labelled training images of the student at this budget. */
  images: number;
  /** The budget as given (a count, or "p%"). */
  budget: number | string;
  /** One value per seed, in `seeds` order, as the grid reports it (accuracy as a fraction, MAE in years);
   *  a row the run did not produce holds null. */
  models: Record<BudgetModel, (number | null)[]>;
}

export interface BudgetTable {
  metric: 'accuracy' | 'mae';
  task: ExperimentConfig['task'];
  scenario: ExperimentConfig['scenario'];
  /** Training images of the whole split (the teacher's). */
  trainImages: number;
  seeds: number[];
  budgets: BudgetEntry[];
  /** The teacher's test figure on full faces, per seed. */
  teacher: (number | null)[];
}

/** The figure of a row in a grid (the scenario's half; the teacher on full faces). */
export function rowValue(rows: GridRow[], model: string, test: string, metric: BudgetTable['metric']): number | null {
  const r = rows.find((x) => x.model === model && x.test === test);
  const v = r ? (metric === 'mae' ? r.metrics.mae : r.metrics.accuracy) : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** An empty table for a config's sweep; runs are added with `addRun`. */
export function emptyTable(
  cfg: ExperimentConfig,
  trainImages: number,
  seeds: number[],
  budgets: { budget: number | string; images: number }[],
): BudgetTable {
  const nulls = () => seeds.map(() => null);
  return {
    metric: cfg.task === 'age' ? 'mae' : 'accuracy',
    task: cfg.task,
    scenario: cfg.scenario,
    trainImages,
    seeds,
    budgets: budgets.map((b) => ({
      ...b,
      models: Object.fromEntries(BUDGET_MODELS.map((m) => [m, nulls()])) as BudgetEntry['models'],
    })),
    teacher: nulls(),
  };
}

/** The table with one finished run (seed index `s`, budget index `b`) filled in. */
export function addRun(t: BudgetTable, s: number, b: number, rows: GridRow[]): BudgetTable {
  const budgets = t.budgets.map((e, i) =>
    i !== b
      ? e
      : {
          ...e,
          models: Object.fromEntries(
            BUDGET_MODELS.map((m) => {
              const list = [...e.models[m]];
              list[s] = rowValue(rows, m, t.scenario, t.metric);
              return [m, list];
            }),
          ) as BudgetEntry['models'],
        },
  );
  const teacher = [...t.teacher];
  teacher[s] = rowValue(rows, 'teacher', 'full', t.metric) ?? teacher[s];
  return { ...t, budgets, teacher };
}

/** The two-sided 97.5% quantile of Student's t (by bisection on the tail). */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return NaN;
  let lo = 0,
    hi = 1000;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSided(mid, df) > 0.05) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A gain of one row over another across seeds: positive is better (points of accuracy as a fraction,
 *  or years of MAE less). */
export interface Gain {
  /** Per-seed gains of the seeds where both rows have a value. */
  perSeed: number[];
  n: number;
  mean: number;
  /** 95% t interval of the mean gain (NaN with fewer than 2 seeds). */
  lo: number;
  hi: number;
  /** Paired t-test across seeds (NaN with fewer than 2 seeds or no spread). */
  p: number;
  /** Seeds where the row was better. */
  wins: number;
}

/** The gain of `a` over `b`, seed by seed (`higherIsBetter`: accuracy; else MAE, where lower wins). */
export function gainOf(a: (number | null)[], b: (number | null)[], higherIsBetter: boolean): Gain {
  const pairs = a
    .map((x, i) => [x, b[i]] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null);
  const perSeed = pairs.map(([x, y]) => (higherIsBetter ? x - y : y - x));
  const n = perSeed.length;
  const mean = n ? perSeed.reduce((s, x) => s + x, 0) / n : NaN;
  const t = pairedTTest(
    perSeed,
    perSeed.map(() => 0),
  );
  const half = n > 1 && Number.isFinite(t.sdDiff) ? tQuantile975(n - 1) * (t.sdDiff / Math.sqrt(n)) : NaN;
  return {
    perSeed,
    n,
    mean,
    lo: mean - half,
    hi: mean + half,
    p: n > 1 ? t.p : NaN,
    wins: perSeed.filter((g) => g > 0).length,
  };
}

export interface BudgetStats {
  images: number;
  budget: number | string;
  /** Each distilled row over the same-budget control and over the step-2 student. */
  vsControl: Record<(typeof DISTILLED)[number], Gain>;
  vsStudent: Record<(typeof DISTILLED)[number], Gain>;
  /** The control over the step-2 student (negative: extra training alone hurt, as when it overfits). */
  controlVsStudent: Gain;
}

export function budgetStats(t: BudgetTable): BudgetStats[] {
  const up = t.metric === 'accuracy';
  return t.budgets.map((e) => {
    const over = (ref: BudgetModel) =>
      Object.fromEntries(DISTILLED.map((m) => [m, gainOf(e.models[m], e.models[ref], up)])) as BudgetStats['vsControl'];
    return {
      images: e.images,
      budget: e.budget,
      vsControl: over('control'),
      vsStudent: over('student'),
      controlVsStudent: gainOf(e.models.control, e.models.student, up),
    };
  });
}

/** A gain in the metric's display unit: points (accuracy) or years. */
export const gainUnit = (t: Pick<BudgetTable, 'metric'>, g: number): number => (t.metric === 'accuracy' ? 100 * g : g);

const fmtP = (p: number) => (Number.isNaN(p) ? 'n/a' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** budgets.txt: per budget and row, the mean figure, the gain over the control with its 95% CI and p,
 *  and the gain over the step-2 student. */
export function formatBudgets(t: BudgetTable): string {
  const acc = t.metric === 'accuracy';
  const f = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : acc ? (100 * x).toFixed(1) : x.toFixed(2));
  const g = (x: number) => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : ''}${gainUnit(t, x).toFixed(acc ? 1 : 2)}`);
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const stats = budgetStats(t);
  const head = [
    'images',
    'row',
    acc ? 'acc % (mean)' : 'MAE (mean)',
    'per seed',
    'gain vs control',
    '95% CI',
    'p',
    'seeds better',
    'gain vs student',
    'p',
  ];
  const body: string[][] = [];
  t.budgets.forEach((e, i) => {
    for (const m of ['student', 'control', ...DISTILLED] as BudgetModel[]) {
      const vs = m === 'student' || m === 'control' ? null : stats[i].vsControl[m];
      const st = m === 'student' ? null : m === 'control' ? stats[i].controlVsStudent : stats[i].vsStudent[m];
      body.push([
        String(e.images),
        MODEL_NAME[m],
        f(mean(e.models[m])),
        e.models[m].map(f).join(' '),
        vs ? g(vs.mean) : '',
        vs ? `${g(vs.lo)} … ${g(vs.hi)}` : '',
        vs ? fmtP(vs.p) : '',
        vs ? `${vs.wins} of ${vs.n}` : '',
        st ? g(st.mean) : '',
        st ? fmtP(st.p) : '',
      ]);
    }
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 3 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line(head),
    ...body.map(line),
    '',
    `${t.task}, ${t.scenario} half visible; the teacher trained on all ${t.trainImages} training images, once per seed (seeds ${t.seeds.join(', ')}). ` +
      `Gains in ${acc ? 'accuracy points' : 'years of MAE saved'} (positive: better than the other row), mean over seeds with a 95% t interval; ` +
      'p: paired t-test across seeds (few seeds: low power, read it as a guide).',
  ].join('\n');
}

const csvCell = (v: unknown) =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);

/** The lesson's table as CSV: one line per budget and distilled row (gains in points or years). */
export function budgetsCsv(t: BudgetTable): string {
  const head = [
    'images',
    'budget',
    'row',
    'vs',
    'gain_mean',
    'ci95_lo',
    'ci95_hi',
    'p',
    'seeds_better',
    'seeds',
    ...t.seeds.map((s) => `seed_${s}`),
  ];
  const lines = [head.join(',')];
  budgetStats(t).forEach((s) => {
    for (const [vs, gains] of [
      ['control', s.vsControl],
      ['student', s.vsStudent],
    ] as const) {
      for (const m of DISTILLED) {
        const gn = gains[m];
        const u = (x: number) => gainUnit(t, x);
        lines.push(
          [s.images, s.budget, m, vs, u(gn.mean), u(gn.lo), u(gn.hi), gn.p, gn.wins, gn.n, ...gn.perSeed.map(u)]
            .map(csvCell)
            .join(','),
        );
      }
    }
  });
  return `${lines.join('\n')}\n`;
}
