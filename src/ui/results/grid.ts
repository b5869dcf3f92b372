// The evaluation grid as the paper prints it (pure): one row per model and test visibility, what it was
// trained on and tested on with ○ ◑ ◐, and the task's metrics (accuracy and weighted accuracy in %,
// or MAE in years). Also confusion-matrix colouring.
import { type Task, type Visibility, VISIBILITY_SYMBOL } from '../../core/data/types';
import type { GridRow } from '../../core/events';

export function metricHeaders(task: Task): string[] {
  return task === 'age' ? ['MAE (years)'] : task === 'expression' ? ['accuracy %', 'weighted acc. %'] : ['accuracy %'];
}

export function metricCells(row: GridRow, task: Task): string[] {
  const m = row.metrics;
  const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
  if (task === 'age') return [m.mae === undefined ? '–' : m.mae.toFixed(2)];
  return task === 'expression' ? [pct(m.accuracy), pct(m.weightedAccuracy)] : [pct(m.accuracy)];
}

/** `full+lower` → `○ full + ◑ lower`. */
export function visibilityText(v: string): string {
  return v
    .split('+')
    .map((p) => `${VISIBILITY_SYMBOL[p as Visibility] ?? ''} ${p}`.trim())
    .join(' + ');
}

/** Row index of the best value of the primary metric among rows tested on `test` (to bold it). */
export function bestRow(rows: GridRow[], task: Task, test: Visibility): number {
  let best = -1;
  let bv = 0;
  rows.forEach((r, i) => {
    if (r.test !== test) return;
    const v = task === 'age' ? r.metrics.mae : r.metrics.accuracy;
    if (v === undefined || Number.isNaN(v)) return;
    if (best < 0 || (task === 'age' ? v < bv : v > bv)) {
      best = i;
      bv = v;
    }
  });
  return best;
}

/** Background and text colour of a confusion cell: share of its true class, blue. */
export function confusionColour(count: number, rowTotal: number): { background: string; color: string } {
  const a = rowTotal > 0 ? count / rowTotal : 0;
  return { background: `rgba(37, 99, 235, ${a.toFixed(3)})`, color: a > 0.55 ? '#fff' : '#111827' };
}

/** The direction of a row's significant paired difference (p < 0.05) against the step-2 student or the
 *  same-budget control on the same half: `better`, `worse`, or null when not significant (or no test).
 *  A distilled row significantly below the control is `worse`, never coloured like a win. */
export function significantDirection(
  rows: GridRow[],
  row: GridRow,
  against: 'student' | 'control',
  task: Task,
): 'better' | 'worse' | null {
  const t = against === 'student' ? row.stats?.vsStudent : row.stats?.vsControl;
  if (!t || !(t.p < 0.05)) return null;
  const ref = rows.find((r) => r.model === against && r.test === row.test);
  const v = (r: GridRow) => (task === 'age' ? r.metrics.mae : r.metrics.accuracy);
  const a = v(row),
    b = ref ? v(ref) : undefined;
  if (a !== undefined && b !== undefined && a !== b) return (task === 'age' ? a < b : a > b) ? 'better' : 'worse';
  // Without the other row's figure, McNemar's discordant counts say who got more right.
  if (t.b !== undefined && t.c !== undefined && t.b !== t.c) return t.b > t.c ? 'better' : 'worse';
  return null;
}
