// Statistics beside each grid row: a seeded bootstrap CI of its accuracy or MAE over the test images,
// and for every model tested on the scenario's half other than the student itself, a paired test
// against the step-2 student on the same images (McNemar; Wilcoxon signed-rank on absolute errors).
import type { Task } from '../data/types';
import type { GridRow, RowStats } from '../events';
import { accuracyCi, maeCi, mcnemar, wilcoxonSignedRank } from '../metrics/stats';

/** Bootstrap resamples per CI: enough for stable 95% percentiles, fast for 10k test images. */
export const CI_REPS = 1000;

/** The row's statistics; `student` is the student's row on the same test half (none: CI only). */
export function rowStats(row: GridRow, truth: ArrayLike<number>, task: Task, student: GridRow | undefined, seed: number): RowStats {
  const n = row.predictions.length;
  const opts = { reps: CI_REPS, level: 0.95, seed };
  let stats: RowStats;
  if (task === 'age') {
    const err = Float64Array.from({ length: n }, (_, i) => Math.abs(row.predictions[i] - truth[i]));
    const ci = maeCi(err, opts);
    stats = { ci: { lo: ci.lo, hi: ci.hi, level: ci.level, reps: ci.reps } };
    if (student && student !== row && student.predictions.length === n) {
      const other = Float64Array.from({ length: n }, (_, i) => Math.abs(student.predictions[i] - truth[i]));
      const w = wilcoxonSignedRank(err, other);
      stats.vsStudent = { test: 'wilcoxon', method: w.method, p: w.p, n: w.n };
    }
  } else {
    const ok = Uint8Array.from({ length: n }, (_, i) => (row.predictions[i] === truth[i] ? 1 : 0));
    const ci = accuracyCi(ok, opts);
    stats = { ci: { lo: ci.lo, hi: ci.hi, level: ci.level, reps: ci.reps } };
    if (student && student !== row && student.predictions.length === n) {
      const m = mcnemar(ok, Uint8Array.from({ length: n }, (_, i) => (student.predictions[i] === truth[i] ? 1 : 0)));
      stats.vsStudent = { test: 'mcnemar', method: m.method, p: m.p, b: m.b, c: m.c, n: m.n };
    }
  }
  return stats;
}

/** Adds statistics to every row (rows tested on a half are compared with the student on that half). */
export function withRowStats(rows: GridRow[], truth: ArrayLike<number>, task: Task, seed: number): GridRow[] {
  return rows.map((r) => {
    const student = r.model === 'student' || r.model === 'teacher' || r.model === 'studentOther' ? undefined
      : rows.find((x) => x.model === 'student' && x.test === r.test);
    return { ...r, stats: rowStats(r, truth, task, student, seed) };
  });
}
