// The data-budget lesson's chart as data (pure): one point per budget and distilled row, the mean gain
// over the reference row (the same-budget control, or the step-2 student) with its 95% interval, x on a
// log scale of labelled images, y in points (or years of MAE saved) with round ticks around zero.
import { budgetStats, DISTILLED, gainUnit, MODEL_NAME, type BudgetTable } from '../../core/budget/table';

export type Reference = 'control' | 'student';

export interface ChartPoint {
  images: number;
  mean: number;
  lo: number;
  hi: number;
  p: number;
  wins: number;
  n: number;
}
export interface ChartLine {
  key: (typeof DISTILLED)[number];
  name: string;
  colour: string;
  points: ChartPoint[];
}

export const LINE_COLOUR: Record<(typeof DISTILLED)[number], string> = {
  standard: '#2563eb',
  triplet: '#d97706',
  svm: '#059669',
};

/** The lines of the chart, gains in display units (points or years), rows without figures left out. */
export function chartLines(t: BudgetTable, ref: Reference): ChartLine[] {
  const stats = budgetStats(t);
  return DISTILLED.map((m) => ({
    key: m,
    name: MODEL_NAME[m],
    colour: LINE_COLOUR[m],
    points: stats.flatMap((s) => {
      const g = (ref === 'control' ? s.vsControl : s.vsStudent)[m];
      if (!g.n) return [];
      return [
        {
          images: s.images,
          mean: gainUnit(t, g.mean),
          lo: gainUnit(t, g.lo),
          hi: gainUnit(t, g.hi),
          p: g.p,
          wins: g.wins,
          n: g.n,
        },
      ];
    }),
  })).filter((l) => l.points.length > 0);
}

/** Round ticks covering [lo, hi] and zero, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toFixed(10)));
  return out;
}

/** The y range of the lines' intervals (finite ends only; a one-seed point counts by its mean). */
export function yRange(lines: ChartLine[]): [number, number] {
  const v = lines.flatMap((l) => l.points.flatMap((p) => [p.mean, p.lo, p.hi])).filter(Number.isFinite);
  return v.length ? [Math.min(...v), Math.max(...v)] : [-1, 1];
}

/** x position of a budget on a log scale between the smallest and the largest. */
export function logX(images: number, min: number, max: number, left: number, width: number): number {
  if (max <= min) return left + width / 2;
  return left + ((Math.log(images) - Math.log(min)) / (Math.log(max) - Math.log(min))) * width;
}
