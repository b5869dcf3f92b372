// Chart data from a run's stored series (pure): which loss components exist, where each stage begins,
// and the per-epoch train / validation metric (accuracy in %, or MAE in years for age).
import type { StageName } from '../../core/config/config';
import type { Task } from '../../core/data/types';
import type { EpochRecord } from '../../core/events';
import type { LossPoint } from '../../core/records';

export const LOSS_KEYS = ['total', 'task', 'kd', 'hint', 'triplet'] as const;
export type LossKey = (typeof LOSS_KEYS)[number];

export const LOSS_LABEL: Record<LossKey, string> = {
  total: 'total',
  task: 'task',
  kd: 'KD (soft targets)',
  hint: 'hint (embedding)',
  triplet: 'triplet',
};

/** Loss components present anywhere in the series, in a fixed order. */
export function lossKeys(points: LossPoint[]): LossKey[] {
  return LOSS_KEYS.filter((k) => points.some((p) => p[k] !== undefined));
}

/** The first x of every stage, in order of appearance. */
export function stageStarts<T extends { stage: StageName }>(
  points: T[],
  x: (p: T, i: number) => number,
): { stage: StageName; x: number }[] {
  const out: { stage: StageName; x: number }[] = [];
  points.forEach((p, i) => {
    if (!out.length || out[out.length - 1].stage !== p.stage) out.push({ stage: p.stage, x: x(p, i) });
  });
  return out;
}

export interface EpochPoint {
  /** Running epoch number over the whole run (1-based). */
  n: number;
  stage: StageName;
  epoch: number;
  train: number | null;
  val: number | null;
  best: boolean;
}

export function metricName(task: Task): { name: string; unit: string; higherIsBetter: boolean } {
  return task === 'age'
    ? { name: 'MAE', unit: 'years', higherIsBetter: false }
    : { name: 'accuracy', unit: '%', higherIsBetter: true };
}

export function epochPoints(history: EpochRecord[], task: Task): EpochPoint[] {
  const v = (m: { accuracy?: number; mae?: number }) => {
    const x = task === 'age' ? m.mae : m.accuracy === undefined ? undefined : 100 * m.accuracy;
    return x === undefined || Number.isNaN(x) ? null : x;
  };
  return history.map((h, i) => ({
    n: i + 1,
    stage: h.stage,
    epoch: h.epoch,
    train: v(h.train),
    val: v(h.val),
    best: h.best,
  }));
}

/** The accuracy a model reaches by guessing (in %), for `classes` classes; null for age (MAE). */
export function chanceLevel(task: Task, classes: number | null): number | null {
  if (task === 'age' || !classes || classes < 2) return null;
  return 100 / classes;
}

/** What an empty chart says instead of looking broken (null once it has points). */
export function emptyChartText(kind: 'loss' | 'accuracy' | 'mae', points: number, live: boolean): string | null {
  if (points > 0) return null;
  if (!live)
    return kind === 'loss' ? 'No training batches recorded for this run.' : 'No finished epoch recorded for this run.';
  if (kind === 'loss') return 'First batch in progress: the loss of every batch appears here as it trains.';
  return `First epoch in progress: ${kind === 'mae' ? 'the validation MAE' : 'validation accuracy'} appears after it.`;
}

/**
 * About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]: the charts pass
 * them to recharts with `interval={0}`, so it never measures tick labels in the DOM to thin them out (each
 * new label a forced layout, and a domain that grows every batch makes every label new).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
