// One curriculum over several seeds (`repeats`): each grid row as mean ± sd across the seeds, and a
// paired t-test across seeds of each row against the step-2 student and against the same-budget control
// (the per-seed figures are paired: the same data, the same seed for both rows). A grid from one seed
// proves little; this is how the lab says how much a difference holds.
import type { ExperimentConfig } from '../config/config';
import type { Visibility } from '../data/types';
import type { GridRow, RowModel } from '../events';
import { pairedTTest, type PairedT } from '../metrics/stats';
import { distillationGuard, lessons, type Guard, type GuardConfig } from './lessons';
import type { EpochRecord } from '../events';

/** The seeds a config's repeats run with. */
export function repeatSeeds(cfg: Pick<ExperimentConfig, 'seed' | 'repeats'>): number[] {
  return Array.from({ length: Math.max(1, cfg.repeats ?? 1) }, (_, i) => cfg.seed + i);
}

/** The config of the i-th repeat: its seed, its name, no nested repeats. */
export function repeatConfig(cfg: ExperimentConfig, i: number): ExperimentConfig {
  const seeds = repeatSeeds(cfg);
  return { ...cfg, seed: seeds[i], repeats: 1, name: `${cfg.name} [seed ${seeds[i]}, ${i + 1} of ${seeds.length}]` };
}

export interface RepeatRow {
  model: RowModel;
  label: string;
  train: string;
  test: Visibility;
  /** Accuracy (fraction) or MAE (years) per seed, in seed order. */
  values: number[];
  mean: number;
  /** Sample standard deviation across seeds (NaN for one seed). */
  sd: number;
  vsStudent?: PairedT;
  vsControl?: PairedT;
}

const value = (r: GridRow, age: boolean) => (age ? r.metrics.mae : r.metrics.accuracy) ?? NaN;

/** Rows present in every run, aggregated across runs (one GridRow[] per seed, in seed order). */
export function aggregateRepeats(runs: GridRow[][], task: ExperimentConfig['task']): RepeatRow[] {
  const age = task === 'age';
  if (!runs.length) return [];
  const out: RepeatRow[] = [];
  for (const first of runs[0]) {
    const same = runs.map((rows) => rows.find((r) => r.model === first.model && r.test === first.test));
    if (same.some((r) => !r)) continue;
    const values = same.map((r) => value(r!, age));
    const n = values.length;
    const mean = values.reduce((s, x) => s + x, 0) / n;
    const sd = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : NaN;
    out.push({ model: first.model, label: first.label, train: first.train, test: first.test, values, mean, sd });
  }
  const find = (model: string, test: Visibility) => out.find((r) => r.model === model && r.test === test);
  for (const r of out) {
    if (['teacher', 'student', 'studentOther'].includes(r.model)) continue;
    const student = find('student', r.test);
    if (student && runs.length > 1) r.vsStudent = pairedTTest(r.values, student.values);
    const control = r.model === 'control' ? undefined : find('control', r.test);
    if (control && runs.length > 1) r.vsControl = pairedTTest(r.values, control.values);
  }
  return out;
}

/** The aggregated grid as text: mean ± sd per row, then each seed's value, then the paired tests. */
export function formatRepeats(rows: RepeatRow[], task: ExperimentConfig['task'], seeds: number[]): string {
  const age = task === 'age';
  const f = (x: number) => (Number.isNaN(x) ? '–' : age ? x.toFixed(2) : (100 * x).toFixed(1));
  const p = (t: PairedT | undefined) => (!t ? '' : Number.isNaN(t.p) ? 'n/a' : t.p < 0.001 ? '<0.001' : t.p.toFixed(3));
  const d = (t: PairedT | undefined) => (!t ? '' : `${t.meanDiff >= 0 ? '+' : ''}${f(t.meanDiff)}`);
  const head = [
    'row',
    'test',
    `${age ? 'MAE' : 'acc %'} mean ± sd`,
    ...seeds.map((s) => `seed ${s}`),
    'Δ vs student',
    'p',
    'Δ vs control',
    'p',
  ];
  const body = rows.map((r) => [
    r.label,
    r.test,
    `${f(r.mean)} ± ${f(r.sd)}`,
    ...r.values.map(f),
    d(r.vsStudent),
    p(r.vsStudent),
    d(r.vsControl),
    p(r.vsControl),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    line(head),
    ...body.map(line),
    '',
    `Mean ± sample sd over ${seeds.length} seeds; Δ: mean per-seed difference (row − other${age ? ', years: negative is better' : ', points'}); ` +
      'p: two-sided paired t-test across seeds (few seeds: low power, read it as a guide).',
  ].join('\n');
}

/** Mean rows as GridRows (metrics only, the tests across seeds as `stats`), for the lessons. */
export function meanRows(rows: RepeatRow[], task: ExperimentConfig['task']): GridRow[] {
  const age = task === 'age';
  return rows.map((r) => ({
    model: r.model,
    label: r.label,
    train: r.train,
    test: r.test,
    predictions: [],
    metrics: age ? { count: 0, loss: NaN, mae: r.mean } : { count: 0, loss: NaN, accuracy: r.mean },
    stats: {
      ci: { lo: NaN, hi: NaN, level: 0.95, reps: 0 },
      ...(r.vsStudent
        ? { vsStudent: { test: 't' as const, method: 'exact' as const, p: r.vsStudent.p, n: r.vsStudent.n } }
        : {}),
      ...(r.vsControl
        ? { vsControl: { test: 't' as const, method: 'exact' as const, p: r.vsControl.p, n: r.vsControl.n } }
        : {}),
    },
  }));
}

/** Everything the runner writes and the lab shows after a config's repeats: the rows across seeds, each
 *  seed's guard, the seeds whose comparison is not meaningful, the table and the lessons of the means. */
export function summariseRepeats(
  runs: { seed: number; rows: GridRow[]; history: EpochRecord[] }[],
  cfg: GuardConfig,
): {
  seeds: number[];
  rows: RepeatRow[];
  guards: (Guard & { seed: number })[];
  notMeaningful: number[];
  text: string;
  lessons: string[];
} {
  const seeds = runs.map((r) => r.seed);
  const rows = aggregateRepeats(
    runs.map((r) => r.rows),
    cfg.task,
  );
  const guards = runs.map((r) => ({ seed: r.seed, ...distillationGuard(r.history, cfg) }));
  return {
    seeds,
    rows,
    guards,
    notMeaningful: guards.filter((g) => g.meaningful === false).map((g) => g.seed),
    text: formatRepeats(rows, cfg.task, seeds),
    lessons: lessons(meanRows(rows, cfg.task), [], cfg, 'seeds'),
  };
}
