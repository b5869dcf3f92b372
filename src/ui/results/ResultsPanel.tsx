// Results: the evaluation grid as the paper prints it (○ ◑ ◐), confusion matrices, the run's charts,
// its trained models and results to download, and the history of runs kept in the browser.
import { useEffect, useState } from 'react';
import { type Task } from '../../core/data/types';
import type { GridRow } from '../../core/events';
import { statsCells } from '../../core/results/report';
import { distillationGuard, epochsRun, lessons } from '../../core/results/lessons';
import { useActions, useLab } from '../../state/react';
import { isLive, type RunView } from '../../state/runView';
import { formatDate, formatDuration } from '../format';
import { RunCharts } from '../monitor/MonitorPanel';
import { compareRuns, type CompareRun } from './compare';
import { SweepChart } from './SweepChart';
import { Downloads, useClassNames } from './Downloads';
import { BudgetLesson } from './BudgetLesson';
import { datasetText } from '../../state/runName';
import { bestRow, confusionColour, metricCells, metricHeaders, significantDirection, visibilityText } from './grid';

function Grid({ rows, task }: { rows: GridRow[]; task: Task }) {
  const heads = metricHeaders(task);
  const best = new Set((['full', 'lower', 'upper'] as const).map((t) => bestRow(rows, task, t)));
  const stats = rows.some((r) => r.stats);
  return (
    <table className="grid" data-testid="results-grid">
      <thead>
        <tr>
          <th>model</th>
          <th>trained on</th>
          <th>tested on</th>
          {heads.map((h) => (
            <th key={h} className="num">
              {h}
            </th>
          ))}
          {stats && (
            <>
              <th className="num" title="95% bootstrap interval over the test images">
                95% CI
              </th>
              <th
                title={
                  task === 'age'
                    ? 'Wilcoxon signed-rank on absolute errors, against the student on the same half'
                    : 'McNemar against the student on the same half; b/c: images only this model / only the student got right'
                }
              >
                vs student
              </th>
              <th
                title={
                  task === 'age'
                    ? 'Wilcoxon signed-rank on absolute errors, against the same-budget control'
                    : 'McNemar against the same-budget control (the student trained as long without distillation); b/c: images only this model / only the control got right'
                }
              >
                vs control
              </th>
            </>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${r.model}-${r.test}`} data-testid="grid-row" className={best.has(i) ? 'best' : ''}>
            <td>{r.label}</td>
            <td>{visibilityText(r.train)}</td>
            <td>{visibilityText(r.test)}</td>
            {metricCells(r, task).map((c, j) => (
              <td key={j} className="num">
                {c}
              </td>
            ))}
            {stats &&
              statsCells(r, task).map((c, j) => {
                const dir = j === 0 ? null : significantDirection(rows, r, j === 1 ? 'student' : 'control', task);
                const cls =
                  j === 0 ? 'num muted' : dir === 'better' ? 'signif' : dir === 'worse' ? 'signif-worse' : 'muted';
                return (
                  <td
                    key={`s${j}`}
                    className={cls}
                    title={dir ? `significantly ${dir} (p < 0.05)` : undefined}
                    data-testid={j === 1 ? 'row-p' : j === 2 ? 'row-p-control' : undefined}
                    data-direction={dir ?? undefined}
                  >
                    {c}
                  </td>
                );
              })}
          </tr>
        ))}
      </tbody>
      {rows[0] && (
        <caption className="muted">
          test split: {rows[0].metrics.count} images; bold: best on each test visibility
        </caption>
      )}
    </table>
  );
}

/** What the grid's columns mean, on the page (not only in the README). */
function GridLegend({ task, stats }: { task: Task; stats: boolean }) {
  return (
    <dl className="legend-terms" data-testid="grid-legend" aria-label="How to read the grid">
      <dt>○ ◑ ◐</dt>
      <dd>the whole face, only the lower half (VR headset), only the upper half (surgical mask)</dd>
      {task === 'age' ? (
        <>
          <dt>MAE</dt>
          <dd>mean absolute error of the predicted age, in years: lower is better</dd>
        </>
      ) : (
        <>
          <dt>accuracy</dt>
          <dd>share of the test images whose class the model got right</dd>
        </>
      )}
      {task === 'expression' && (
        <>
          <dt>weighted acc.</dt>
          <dd>
            the accuracy of each class, averaged over the classes: a model that only ever answers the most common class
            scores low here
          </dd>
        </>
      )}
      {stats && (
        <>
          <dt>95% CI</dt>
          <dd>
            the range the figure would likely fall in with another test set of the same size (bootstrap over the test
            images)
          </dd>
          <dt>p</dt>
          <dd>
            how likely a difference this large is by chance when the two models are really equally good; below 0.05 the
            difference is unlikely to be luck: green ▲ when this row is the better one, red ▼ when it is worse
          </dd>
          {task !== 'age' && (
            <>
              <dt>(b/c)</dt>
              <dd>
                test images only this model got right / only the other model (the student, or the control) got right;
                the test (McNemar) looks only at these
              </dd>
            </>
          )}
          {task === 'age' && (
            <>
              <dt>(n=…)</dt>
              <dd>test images in the paired test (Wilcoxon signed-rank on the absolute errors)</dd>
            </>
          )}
          <dt>vs control</dt>
          <dd>
            against a student trained as long without distillation: does the teacher help, or only the extra epochs?
          </dd>
        </>
      )}
    </dl>
  );
}

/** The grid in sentences, the guard, and the epochs each stage trained. */
function Lessons({ run }: { run: RunView }) {
  const guard = distillationGuard(run.history, run.config);
  const said = lessons(run.rows, run.history, run.config).filter((l) => l !== guard.message);
  const eps = epochsRun(run.history, run.config);
  return (
    <section className="lessons" data-testid="lessons" aria-label="What this grid shows">
      {guard.meaningful === false && (
        <p className="notice warn" data-testid="guard" role="note">
          {guard.message}
        </p>
      )}
      {said.length > 0 && (
        <>
          <h3>What this grid shows</h3>
          <ul>
            {said.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </>
      )}
      {guard.meaningful === true && (
        <p className="muted" data-testid="guard">
          {guard.message}
        </p>
      )}
      <p className="muted">
        One seed and one test set: set <em>repeats</em> to 3 (or run <code>npm run experiment</code> with{' '}
        <code>"repeats": 3</code>) before drawing conclusions.
      </p>
      {eps.length > 0 && (
        <p className="muted" data-testid="epochs-run">
          Epochs trained: {eps.join('; ')}.
        </p>
      )}
    </section>
  );
}

function Confusion({ row, classes }: { row: GridRow; classes: readonly string[] }) {
  const cm = row.metrics.confusion;
  if (!cm) return null;
  return (
    <figure className="confusion" data-testid="confusion">
      <figcaption>
        {row.label} · {visibilityText(row.test)}
      </figcaption>
      <table>
        <thead>
          <tr>
            <th className="corner">true ↓ / predicted →</th>
            {classes.map((c) => (
              <th key={c} scope="col" className="cm-col">
                <span>{c}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cm.map((counts, t) => {
            const total = counts.reduce((a, b) => a + b, 0);
            return (
              <tr key={t}>
                <th scope="row">{classes[t]}</th>
                {counts.map((n, p) => (
                  <td key={p} style={confusionColour(n, total)} title={`${n} of ${total}`}>
                    {n || ''}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}

/** The class names of a run's task: its stored dataset's (imported datasets name their own), else the defaults. */
function RunDetail({ run }: { run: RunView }) {
  const classes = useClassNames(run);
  const dataset = useLab((s) => datasetText(run.config, s.datasets.list));
  const [cm, setCm] = useState(false);
  return (
    <>
      <BudgetLesson run={run} />
      <section className="card">
        <header className="row spread">
          <div>
            <h2 data-testid="viewed-run-name">{run.name}</h2>
            <div className="muted">
              {formatDate(run.createdAt)} · <span data-testid="results-dataset">{dataset}</span> · {run.config.task},{' '}
              {run.config.scenario === 'lower' ? '◑ lower half visible' : '◐ upper half visible'} ·{' '}
              {run.config.model.arch} · backend {run.backend ?? '–'} · {run.status} ·{' '}
              {formatDuration(run.elapsedMs / 1000)} training
            </div>
          </div>
          <Downloads run={run} />
        </header>
        {run.rows.length ? (
          <>
            <Grid rows={run.rows} task={run.config.task} />
            <GridLegend task={run.config.task} stats={run.rows.some((r) => r.stats)} />
          </>
        ) : (
          <p className="muted">No test results yet: rows appear as each stage finishes.</p>
        )}
        {run.rows.length > 0 && <Lessons run={run} />}
      </section>
      {classes && run.rows.some((r) => r.metrics.confusion) && (
        <section className="card">
          <h2>
            Confusion matrices{' '}
            <button className="link" aria-expanded={cm} onClick={() => setCm(!cm)} data-testid="confusions-toggle">
              {cm ? 'hide' : 'show'}
            </button>
          </h2>
          {cm && (
            <div className="confusions">
              {run.rows.map((r) => (
                <Confusion key={`${r.model}-${r.test}`} row={r} classes={classes} />
              ))}
            </div>
          )}
        </section>
      )}
      <div data-testid="results-charts">
        <RunCharts run={run} />
      </div>
    </>
  );
}

function Compare({ ids }: { ids: string[] }) {
  const a = useActions();
  const list = useLab((s) => s.datasets.list);
  const [runs, setRuns] = useState<CompareRun[]>([]);
  useEffect(() => {
    let live = true;
    void Promise.all(ids.map((id) => a.loadRun(id))).then((rs) => {
      if (live)
        setRuns(
          rs
            .filter((r): r is NonNullable<typeof r> => !!r)
            .map((r) => ({
              id: r.id,
              name: r.name,
              task: r.config.task,
              rows: r.rows,
              dataset: datasetText(r.config, list),
            })),
        );
    });
    return () => {
      live = false;
    };
  }, [a, ids, list]);
  if (ids.length < 2) return <p className="muted small">Tick two or more runs to compare them side by side.</p>;
  const t = compareRuns(runs);
  return (
    <div data-testid="compare">
      {t.mixed && <p className="error">These runs are of different tasks; their metrics do not compare.</p>}
      <table className="grid">
        <thead>
          <tr>
            <th>{t.metric}</th>
            {runs.map((r) => (
              <th key={r.id} className="num" title={r.id}>
                {r.name}
                <br />
                <span className="muted small" data-testid="compare-dataset">
                  {r.dataset}
                </span>
              </th>
            ))}
            <th className="num">spread</th>
          </tr>
        </thead>
        <tbody>
          {t.lines.map((l) => (
            <tr key={l.key} data-testid="compare-line">
              <td>{l.label}</td>
              {l.cells.map((c, i) => (
                <td key={i} className={`num${i === l.best && l.spread ? ' best' : ''}`}>
                  {c === null ? '–' : c.toFixed(t.task === 'age' ? 2 : 1)}
                </td>
              ))}
              <td className="num muted">{l.spread === null ? '' : l.spread.toFixed(t.task === 'age' ? 2 : 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History() {
  const runs = useLab((s) => s.runs);
  const [picked, setPicked] = useState<string[]>([]);
  const viewed = useLab((s) => s.viewed?.runId ?? null);
  const live = useLab((s) => (isLive(s.run?.status) ? s.run!.runId : null));
  const a = useActions();
  return (
    <section className="card">
      <h2>Runs kept in this browser</h2>
      {!runs.length && <p className="muted">None yet.</p>}
      <table className="history" data-testid="run-history">
        <caption className="visually-hidden">Runs kept in this browser: tick runs to compare them</caption>
        <tbody>
          {runs.map((r) => (
            <tr
              key={r.id}
              className={r.id === viewed ? 'selected' : ''}
              data-testid="history-row"
              data-status={r.status}
            >
              <td>
                <input
                  type="checkbox"
                  aria-label={`compare ${r.name}`}
                  title="compare"
                  checked={picked.includes(r.id)}
                  data-testid="compare-pick"
                  onChange={(e) => setPicked((p) => (e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id)))}
                />
              </td>
              <td>{formatDate(r.createdAt)}</td>
              <td>{r.name}</td>
              <td>
                {r.task}, {r.scenario === 'lower' ? '◑' : '◐'}
              </td>
              <td>{r.backend ?? '–'}</td>
              <td className={`status-${r.status}`} title={r.message ?? ''}>
                {r.status}
              </td>
              <td className="actions">
                <button onClick={() => void a.openRun(r.id)} data-testid="open-run">
                  Open
                </button>
                {r.id !== live && r.status !== 'done' && <button onClick={() => void a.resumeRun(r.id)}>Resume</button>}
                {r.id !== live && (
                  <button
                    className="danger"
                    onClick={() => {
                      if (confirm('Delete this run, its models and checkpoint?')) void a.discardRun(r.id);
                    }}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Compare runs</h3>
      <Compare ids={picked} />
    </section>
  );
}

export default function ResultsPanel() {
  const viewed = useLab((s) => s.viewed);
  return (
    <div className="results" data-testid="results-panel">
      <SweepChart />
      {viewed ? <RunDetail run={viewed} /> : <p className="muted">No finished run to show yet.</p>}
      <History />
    </div>
  );
}
