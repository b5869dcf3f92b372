// Plain-text views of results for the runner's terminal output and the docs: the evaluation grid as
// the paper prints it (○ ◑ ◐), with the test-set size.
import { type Task, VISIBILITY_SYMBOL } from '../data/types';
import type { GridRow, PairedTest } from '../events';
import { printableText } from '../text';

function metricCells(row: GridRow, task: Task): string[] {
  const m = row.metrics;
  if (task === 'age') return [m.mae !== undefined ? m.mae.toFixed(2) : '-'];
  const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
  return task === 'expression' ? [pct(m.accuracy), pct(m.weightedAccuracy)] : [pct(m.accuracy)];
}

function trainCell(train: string): string {
  return train
    .split('+')
    .map((v) => `${VISIBILITY_SYMBOL[v as keyof typeof VISIBILITY_SYMBOL] ?? ''}${v}`)
    .join(' + ');
}

/** "95% CI" and "vs student" cells: the bootstrap interval, and the paired test's p (with McNemar's
 *  discordant counts b/c: images only this model / only the student got right). */
export function statsCells(row: GridRow, task: Task): [string, string, string] {
  const st = row.stats;
  if (!st) return ['', '', ''];
  const f = (x: number) => (task === 'age' ? x.toFixed(2) : (100 * x).toFixed(1));
  const ci = `${f(st.ci.lo)}–${f(st.ci.hi)}`;
  const test = (v: PairedTest | undefined) => {
    if (!v) return '';
    const p = v.p < 0.001 ? 'p<0.001' : `p=${v.p.toFixed(3)}`;
    return v.test === 'mcnemar' ? `${p} (${v.b}/${v.c})` : `${p} (n=${v.n})`;
  };
  return [ci, test(st.vsStudent), test(st.vsControl)];
}

/** The grid as an aligned text table. */
export function formatGrid(rows: GridRow[], task: Task): string {
  const stats = rows.some((r) => r.stats);
  const head = [
    'model',
    'trained on',
    'tested on',
    ...(task === 'age' ? ['MAE (years)'] : task === 'expression' ? ['accuracy %', 'weighted acc. %'] : ['accuracy %']),
    ...(stats ? ['95% CI', 'vs student', 'vs control'] : []),
  ];
  const body = rows.map((r) => [
    r.label,
    trainCell(r.train),
    `${VISIBILITY_SYMBOL[r.test]}${r.test}`,
    ...metricCells(r, task),
    ...(stats ? statsCells(r, task) : []),
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i] - [...c].length))
      .join('  ')
      .trimEnd();
  const n = rows[0]?.metrics.count;
  const notes = [
    ...(n !== undefined ? [`(test split: ${n} images)`] : []),
    ...(stats
      ? [
          task === 'age'
            ? '95% CI: bootstrap over test images; vs student / vs control: Wilcoxon signed-rank on absolute errors against the student / the same-budget control on the same half.'
            : '95% CI: bootstrap over test images; vs student / vs control: McNemar against the student / the same-budget control on the same half (b/c: images only this model / only the other got right).',
        ]
      : []),
  ];
  return printableText(
    [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...notes].join('\n'),
  );
}

const csvCell = (v: unknown): string => {
  const t = v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** The grid as CSV (one row per grid row; metrics as fractions / years; CI and the paired test). */
export function gridCsv(rows: GridRow[]): string {
  const head = [
    'model',
    'label',
    'trained_on',
    'tested_on',
    'test_images',
    'accuracy',
    'weighted_accuracy',
    'mae_years',
    'ci95_lo',
    'ci95_hi',
    'vs_student_test',
    'vs_student_p',
    'only_this_right',
    'only_student_right',
  ];
  const body = rows.map((r) =>
    [
      r.model,
      r.label,
      r.train,
      r.test,
      r.metrics.count,
      r.metrics.accuracy,
      r.metrics.weightedAccuracy,
      r.metrics.mae,
      r.stats?.ci.lo,
      r.stats?.ci.hi,
      r.stats?.vsStudent?.test,
      r.stats?.vsStudent?.p,
      r.stats?.vsStudent?.b,
      r.stats?.vsStudent?.c,
    ]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...body].join('\n') + '\n';
}
