// Runs side by side (pure): one line per grid row (model and test half), one column per run, the task's
// primary metric in each cell, the best of each line marked, and the spread of the line.
import { VISIBILITY_SYMBOL, type Task } from '../../core/data/types';
import type { GridRow } from '../../core/events';

export interface CompareRun {
  id: string;
  name: string;
  task: Task;
  rows: GridRow[];
  /** The dataset in words (shown under the run's name). */
  dataset?: string;
}

export interface CompareLine {
  key: string;
  label: string;
  /** Accuracy in % or MAE in years per run; null where the run has no such row. */
  cells: (number | null)[];
  /** Index of the best cell (-1: none). */
  best: number;
  /** Largest minus smallest cell (null with fewer than two values). */
  spread: number | null;
}

export function compareRuns(runs: CompareRun[]): {
  task: Task | null;
  mixed: boolean;
  metric: string;
  lines: CompareLine[];
} {
  const task = runs[0]?.task ?? null;
  const mixed = runs.some((r) => r.task !== task);
  const age = task === 'age';
  const value = (r: GridRow) =>
    age ? (r.metrics.mae ?? null) : r.metrics.accuracy !== undefined ? 100 * r.metrics.accuracy : null;
  const keys: { key: string; label: string }[] = [];
  for (const run of runs) {
    for (const r of run.rows) {
      const key = `${r.model}|${r.test}`;
      if (!keys.some((k) => k.key === key))
        keys.push({ key, label: `${r.label.replace(/ \(C = [^)]*\)$/, '')} · ${VISIBILITY_SYMBOL[r.test]}${r.test}` });
    }
  }
  const lines = keys.map(({ key, label }) => {
    const cells = runs.map((run) => {
      const r = run.rows.find((x) => `${x.model}|${x.test}` === key);
      return r ? value(r) : null;
    });
    let best = -1;
    cells.forEach((c, i) => {
      if (c !== null && (best < 0 || (age ? c < cells[best]! : c > cells[best]!))) best = i;
    });
    const vals = cells.filter((c): c is number => c !== null);
    return { key, label, cells, best, spread: vals.length >= 2 ? Math.max(...vals) - Math.min(...vals) : null };
  });
  return { task, mixed, metric: age ? 'MAE (years)' : 'accuracy %', lines };
}
