// Plain-text views of results for the runner's terminal output and the README: the evaluation grid as
// the paper prints it (○ ◑ ◐), with the test-set size.
import type { Task } from './data/types';
import { VISIBILITY_SYMBOL } from './data/types';
import type { GridRow } from './events';

function metricCells(row: GridRow, task: Task): string[] {
  const m = row.metrics;
  if (task === 'age') return [m.mae !== undefined ? m.mae.toFixed(2) : '-'];
  const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
  return task === 'expression' ? [pct(m.accuracy), pct(m.weightedAccuracy)] : [pct(m.accuracy)];
}

function trainCell(train: string): string {
  return train.split('+').map((v) => `${VISIBILITY_SYMBOL[v as keyof typeof VISIBILITY_SYMBOL] ?? ''}${v}`).join(' + ');
}

/** The grid as an aligned text table. */
export function formatGrid(rows: GridRow[], task: Task): string {
  const head = ['model', 'trained on', 'tested on', ...(task === 'age' ? ['MAE (years)'] : task === 'expression' ? ['accuracy %', 'weighted acc. %'] : ['accuracy %'])];
  const body = rows.map((r) => [r.label, trainCell(r.train), `${VISIBILITY_SYMBOL[r.test]}${r.test}`, ...metricCells(r, task)]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
  const n = rows[0]?.metrics.count;
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...(n !== undefined ? [`(test split: ${n} images)`] : [])].join('\n');
}
