// The data-budget lesson on the Results page: each distilled row's gain over the same-budget control (or
// over the step-2 student) against the student's labelled images, mean ± 95% CI over seeds, the paired
// test per budget, the table and the lesson in sentences; the chart as PNG and the table as CSV.
import { useEffect, useRef, useState } from 'react';
import { budgetLessons } from '../../core/budget/lesson';
import { budgetsCsv, formatBudgets, type BudgetTable } from '../../core/budget/table';
import { useActions } from '../../state/react';
import type { RunView } from '../../state/runView';
import { downloadName } from '../../state/downloads';
import { download } from '../download';
import { chartLines, logX, niceTicks, yRange, type Reference } from './budgetChart';
import { svgPng } from './png';

const fmtP = (p: number) => (Number.isNaN(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

function GainChart({ table, reference }: { table: BudgetTable; reference: Reference }) {
  const lines = chartLines(table, reference);
  const images = table.budgets.map((b) => b.images);
  const W = 640,
    H = 280,
    m = { top: 14, right: 130, bottom: 40, left: 52 };
  const w = W - m.left - m.right,
    h = H - m.top - m.bottom;
  const [lo, hi] = yRange(lines);
  const ticks = niceTicks(lo, hi);
  const y0 = ticks[0],
    y1 = ticks[ticks.length - 1];
  const sy = (v: number) => m.top + h - ((v - y0) / (y1 - y0)) * h;
  const sx = (n: number) => logX(n, Math.min(...images), Math.max(...images), m.left + 12, w - 24);
  const unit = table.metric === 'accuracy' ? 'points' : 'years of MAE saved';
  const refName = reference === 'control' ? 'the same-budget control' : 'the step-2 student';
  // Lines side by side at each budget, so their intervals do not hide each other.
  const shift = (i: number) => (i - (lines.length - 1) / 2) * 6;
  return (
    <svg
      className="svg-chart-surface budget-chart"
      width={W}
      height={H}
      role="img"
      data-testid="budget-chart"
      fontFamily="system-ui, sans-serif"
      fontSize={11}
      aria-label={`Gain over ${refName} in ${unit} against the labelled images, mean and 95% interval over ${table.seeds.length} seeds`}
    >
      <g stroke="currentColor" strokeOpacity={0.15} strokeDasharray="3 3">
        {ticks.map((t) => (
          <line key={t} x1={m.left} x2={m.left + w} y1={sy(t)} y2={sy(t)} />
        ))}
      </g>
      <line x1={m.left} x2={m.left + w} y1={sy(0)} y2={sy(0)} stroke="currentColor" strokeOpacity={0.6} />
      <g fill="currentColor">
        {ticks.map((t) => (
          <text key={t} x={m.left - 5} y={sy(t)} dy="0.32em" textAnchor="end">
            {t > 0 ? `+${t}` : t}
          </text>
        ))}
        {images.map((n) => (
          <text key={n} x={sx(n)} y={m.top + h + 16} textAnchor="middle">
            {n.toLocaleString('en-US')}
          </text>
        ))}
        <text x={m.left + w / 2} y={H - 4} textAnchor="middle">
          labelled half-faces the student trains on (log scale)
        </text>
        <text transform={`translate(12 ${m.top + h / 2}) rotate(-90)`} textAnchor="middle">
          gain over {reference === 'control' ? 'control' : 'student'} (
          {table.metric === 'accuracy' ? 'points' : 'years'})
        </text>
      </g>
      {lines.map((l, i) => (
        <g key={l.key} data-testid={`budget-line-${l.key}`}>
          <path
            d={l.points
              .map((p, k) => `${k ? 'L' : 'M'}${(sx(p.images) + shift(i)).toFixed(1)} ${sy(p.mean).toFixed(1)}`)
              .join('')}
            fill="none"
            stroke={l.colour}
            strokeWidth={2}
          />
          {l.points.map((p) => {
            const x = sx(p.images) + shift(i);
            return (
              <g key={p.images}>
                {Number.isFinite(p.lo) && (
                  <line x1={x} x2={x} y1={sy(p.lo)} y2={sy(p.hi)} stroke={l.colour} strokeWidth={1.5} />
                )}
                <circle
                  cx={x}
                  cy={sy(p.mean)}
                  r={p.p < 0.05 ? 5 : 3.5}
                  fill={p.p < 0.05 ? l.colour : '#fff'}
                  stroke={l.colour}
                  strokeWidth={1.5}
                >
                  <title>{`${l.name}, ${p.images} images: ${p.mean >= 0 ? '+' : ''}${p.mean.toFixed(2)} ${unit} (95% CI ${p.lo.toFixed(2)} … ${p.hi.toFixed(2)}), better in ${p.wins} of ${p.n} seeds, p ${fmtP(p.p)}`}</title>
                </circle>
              </g>
            );
          })}
          <g transform={`translate(${m.left + w + 10} ${m.top + 10 + 18 * i})`}>
            <line x1={0} x2={16} y1={0} y2={0} stroke={l.colour} strokeWidth={2} />
            <text x={22} y={0} dy="0.32em" fill="currentColor">
              {l.name}
            </text>
          </g>
        </g>
      ))}
      <text x={m.left + w + 10} y={m.top + 10 + 18 * lines.length + 6} fill="currentColor" fontSize={10}>
        filled: p &lt; 0.05
      </text>
    </svg>
  );
}

export function BudgetLessonView({ table, runId, title }: { table: BudgetTable; runId: string; title: string }) {
  const [reference, setReference] = useState<Reference>('control');
  const chart = useRef<HTMLDivElement>(null);
  const said = budgetLessons(table);
  const done = table.budgets.every((b) => Object.values(b.models).some((v) => v.every((x) => x !== null)));
  return (
    <section className="card" data-testid="budget-lesson" aria-label="When distillation helps: the data-budget lesson">
      <header className="row spread wrap">
        <h2>When distillation helps: gain against the student's data budget</h2>
        <div className="row wrap">
          <label>
            gain over{' '}
            <select
              value={reference}
              onChange={(e) => setReference(e.target.value as Reference)}
              data-testid="budget-reference"
            >
              <option value="control">the same-budget control</option>
              <option value="student">the step-2 student</option>
            </select>
          </label>
          <button
            data-testid="budget-png"
            onClick={() =>
              void (async () => {
                const svg = chart.current?.querySelector<SVGSVGElement>('svg');
                if (svg) download(downloadName(runId, 'budget-chart', 'png'), await svgPng(svg), 'image/png');
              })()
            }
          >
            Chart as PNG
          </button>
          <button
            data-testid="budget-csv"
            onClick={() => download(downloadName(runId, 'budgets', 'csv'), budgetsCsv(table), 'text/csv')}
          >
            Table as CSV
          </button>
          <button
            onClick={() =>
              download(downloadName(runId, 'budgets', 'txt'), `${title}\n${formatBudgets(table)}\n`, 'text/plain')
            }
          >
            Table as text
          </button>
        </div>
      </header>
      <p className="muted">
        The teacher trained on all {table.trainImages.toLocaleString('en-US')} training images, once per seed; for each
        budget the step-2 student, both distillations, the control and the SVM trained on that many labelled half-faces
        (the same images for every row of a seed). Each point: the mean gain over seeds {table.seeds.join(', ')} with
        its 95% interval; filled where the paired test across seeds gives p &lt; 0.05.
        {done ? '' : ' The sweep has not finished: budgets without every seed are partial.'}
      </p>
      <div ref={chart} className="budget-chart-box">
        <GainChart table={table} reference={reference} />
      </div>
      <ul data-testid="budget-sentences">
        {said.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
      <pre className="small budget-table" data-testid="budget-table">
        {formatBudgets(table)}
      </pre>
    </section>
  );
}

/** The lesson of a budget-sweep run, read from its stored record (refreshed while it runs). */
export function BudgetLesson({ run }: { run: RunView }) {
  const a = useActions();
  const [table, setTable] = useState<BudgetTable | null>(null);
  const parts = run.rows.length + run.history.length;
  useEffect(() => {
    let live = true;
    void a.loadRun(run.runId).then((r) => {
      if (live) setTable(r?.budgets ?? null);
    });
    return () => {
      live = false;
    };
  }, [a, run.runId, run.status, parts]);
  if (!run.config.budgets?.length) return null;
  if (!table)
    return (
      <section className="card" data-testid="budget-lesson">
        <p className="muted">The budget sweep's lesson appears here after its first budget.</p>
      </section>
    );
  return <BudgetLessonView table={table} runId={run.runId} title={run.name} />;
}
