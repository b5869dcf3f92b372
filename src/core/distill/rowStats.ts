// Statistics beside each grid row: a seeded bootstrap CI of its accuracy or MAE over the test images,
// and for every model tested on the scenario's half other than the student itself, a paired test
// against the step-2 student on the same images (McNemar; Wilcoxon signed-rank on absolute errors);
// distilled and combined rows also against the same-budget control.
import type { Task } from '../data/types';
import type { GridRow, PairedTest, RowStats } from '../events';
import { accuracyCi, maeCi, mcnemar, wilcoxonSignedRank } from '../metrics/stats';

/** Bootstrap resamples per CI: enough for stable 95% percentiles, fast for 10k test images. */
export const CI_REPS = 1000;

/** A paired test of `row` against `other` on the same test images, or undefined when they differ. */
export function pairedTest(
  row: GridRow,
  other: GridRow | undefined,
  truth: ArrayLike<number>,
  task: Task,
): PairedTest | undefined {
  const n = row.predictions.length;
  if (!other || other === row || other.predictions.length !== n) return undefined;
  if (task === 'age') {
    const err = (r: GridRow) => Float64Array.from({ length: n }, (_, i) => Math.abs(r.predictions[i] - truth[i]));
    const w = wilcoxonSignedRank(err(row), err(other));
    return { test: 'wilcoxon', method: w.method, p: w.p, n: w.n };
  }
  const ok = (r: GridRow) => Uint8Array.from({ length: n }, (_, i) => (r.predictions[i] === truth[i] ? 1 : 0));
  const m = mcnemar(ok(row), ok(other));
  return { test: 'mcnemar', method: m.method, p: m.p, b: m.b, c: m.c, n: m.n };
}

/** The row's statistics; `student` is the student's row on the same test half (none: CI only), `control`
 *  the same-budget control's (distilled and combined rows only). */
export function rowStats(
  row: GridRow,
  truth: ArrayLike<number>,
  task: Task,
  student: GridRow | undefined,
  seed: number,
  control?: GridRow,
): RowStats {
  const n = row.predictions.length;
  const opts = { reps: CI_REPS, level: 0.95, seed };
  const ci =
    task === 'age'
      ? maeCi(
          Float64Array.from({ length: n }, (_, i) => Math.abs(row.predictions[i] - truth[i])),
          opts,
        )
      : accuracyCi(
          Uint8Array.from({ length: n }, (_, i) => (row.predictions[i] === truth[i] ? 1 : 0)),
          opts,
        );
  const stats: RowStats = { ci: { lo: ci.lo, hi: ci.hi, level: ci.level, reps: ci.reps } };
  const vsStudent = pairedTest(row, student, truth, task);
  if (vsStudent) stats.vsStudent = vsStudent;
  const vsControl = pairedTest(row, control, truth, task);
  if (vsControl) stats.vsControl = vsControl;
  return stats;
}

/** Adds statistics to every row (rows tested on a half are compared with the student on that half). */
export function withRowStats(rows: GridRow[], truth: ArrayLike<number>, task: Task, seed: number): GridRow[] {
  return rows.map((r) => {
    const student =
      r.model === 'student' || r.model === 'teacher' || r.model === 'studentOther'
        ? undefined
        : rows.find((x) => x.model === 'student' && x.test === r.test);
    const distilled = !['teacher', 'student', 'studentOther', 'control'].includes(r.model);
    const control = distilled ? rows.find((x) => x.model === 'control' && x.test === r.test) : undefined;
    return { ...r, stats: rowStats(r, truth, task, student, seed, control) };
  });
}
