// The run as it trains: the stage timeline (teacher → student → standard T-S → triplet T-S → control),
// the backend and why others were skipped, images/s, ETA, the last checkpoint, and live charts.
import { startTransition, useEffect, useRef, useState } from 'react';
import { useLab } from '../../state/react';
import { etaSeconds, isLive, runProgress, type RunView, type StageView } from '../../state/runView';
import { ProgressBar } from '../common/ProgressBar';
import { formatDuration } from '../format';
import { LossChart, MetricChart } from './Charts';
import { foldLogs } from './logs';
import { usePresenter } from '../presenter';

/** `value`, updated at most every `ms` and as a transition: charts need not redraw as often as the
 *  numbers move, and React may split their (costly) redraw into small slices of main-thread time. */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (ms <= 0) return;
    const apply = () => {
      last.current = Date.now();
      startTransition(() => setShown(value));
    };
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      apply();
      return;
    }
    const t = setTimeout(apply, wait);
    return () => clearTimeout(t);
  }, [value, ms]);
  return ms <= 0 ? value : shown;
}

function StageBox({ st, label }: { st: StageView; label: string }) {
  const frac =
    st.status === 'done'
      ? 1
      : st.epochs && st.stepsPerEpoch
        ? (st.epoch * st.stepsPerEpoch + (st.status === 'running' ? st.step : 0)) / (st.epochs * st.stepsPerEpoch)
        : 0;
  return (
    <li className={`stage stage-${st.status}`} data-testid={`stage-${st.stage}`} data-status={st.status}>
      <div className="stage-name">{label}</div>
      <div className="stage-meta">
        {st.status === 'pending'
          ? `${st.epochs} epoch(s)`
          : st.status === 'running'
            ? `epoch ${Math.min(st.epoch + 1, st.epochs)}/${st.epochs} · step ${st.step}/${st.stepsPerEpoch}`
            : `done${st.ms != null ? ` in ${formatDuration(st.ms / 1000)}` : ''}`}
      </div>
      <ProgressBar value={frac} label={`${label}: ${(100 * frac).toFixed(0)}%`} hideLabel />
      {st.bestEpoch != null && (
        <div className="stage-meta muted">
          {st.keep === 'last' ? 'kept the last epoch,' : 'best epoch'} {st.bestEpoch + 1}
          {st.epochsRun != null
            ? ` of ${st.epochsRun} run${st.earlyStopped ? ` (early stop; cap ${st.epochs})` : ''}`
            : ''}
          {st.stoppedEarly ? ' · stopped on a fault' : ''}
        </div>
      )}
    </li>
  );
}

export function Timeline({ run }: { run: RunView }) {
  const labels = useLab((s) => s.worker.stageLabels);
  return (
    <ol className="timeline" data-testid="timeline">
      {run.stages.map((s) => run.stageInfo[s] && <StageBox key={s} st={run.stageInfo[s]!} label={labels[s] ?? s} />)}
    </ol>
  );
}

/** The time now, read once a second while `ticking` (and at once when it starts), for the elapsed time. */
function useClock(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const read = () => setNow(Date.now());
    const first = setTimeout(read, 0);
    const t = setInterval(read, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [ticking]);
  return now;
}

function Stats({ run }: { run: RunView }) {
  const labels = useLab((s) => s.worker.stageLabels);
  const now = useClock(run.status === 'running');
  const elapsed =
    run.elapsedMs / 1000 +
    (run.status === 'running' && run.sessionStartedAt ? Math.max(0, now - run.sessionStartedAt) / 1000 : 0);
  const eta = run.status === 'running' ? etaSeconds(run) : null;
  // Before the first batch of this session has answered there is no speed yet: say so, not "–".
  const waiting =
    (run.status === 'running' || run.status === 'starting') && run.imagesPerSec == null
      ? run.steps === 0
        ? 'first batch…'
        : 'measuring…'
      : '–';
  const cp = run.lastCheckpoint;
  return (
    <div className="stats">
      <dl>
        <div>
          <dt>status</dt>
          <dd data-testid="monitor-status">{run.status}</dd>
        </div>
        <div>
          <dt>backend</dt>
          <dd data-testid="monitor-backend">{run.backend ?? '…'}</dd>
        </div>
        {run.backendDetail && (
          <div>
            <dt>runs as</dt>
            <dd data-testid="monitor-backend-detail">{run.backendDetail}</dd>
          </div>
        )}
        <div>
          <dt>images/s</dt>
          <dd data-testid="images-per-sec">{run.imagesPerSec != null ? run.imagesPerSec.toFixed(0) : waiting}</dd>
        </div>
        <div>
          <dt>time left</dt>
          <dd data-testid="eta">{eta != null ? `≈ ${formatDuration(eta)}` : waiting}</dd>
        </div>
        <div>
          <dt>elapsed</dt>
          <dd>{formatDuration(elapsed)}</dd>
        </div>
        <div>
          <dt>checkpoint</dt>
          <dd data-testid="checkpoint">
            {cp
              ? cp.epoch >= 0
                ? `${labels[cp.stage] ?? cp.stage}, before epoch ${cp.epoch + 1}`
                : `after ${labels[cp.stage] ?? cp.stage}`
              : '–'}
          </dd>
        </div>
      </dl>
      {run.skipped.length > 0 && (
        <ul className="skipped" data-testid="skipped-backends">
          {run.skipped.map((s) => (
            <li key={s.name}>
              <strong>{s.name}</strong> skipped: {s.reason}
            </li>
          ))}
        </ul>
      )}
      {run.mining && (
        <p className="muted small">
          triplet mining (epoch {run.mining.epoch + 1}): {run.mining.validTriplets} of {run.mining.anchors} anchors have
          a triplet, {run.mining.ms.toFixed(0)} ms
        </p>
      )}
      {run.message && (
        <p
          className={run.status === 'failed' || run.status === 'interrupted' ? 'error' : 'muted'}
          data-testid="run-message"
        >
          {run.message}
        </p>
      )}
      <ProgressBar
        value={runProgress(run)}
        label={`${(100 * runProgress(run)).toFixed(0)}% of the training images`}
        testId="run-progress"
      />
    </div>
  );
}

export function RunCharts({ run, throttleMs = 0 }: { run: RunView; throttleMs?: number }) {
  const labels = useLab((s) => s.worker.stageLabels);
  const losses = useThrottled(run.losses, throttleMs);
  const history = useThrottled(run.history, throttleMs);
  const presenter = usePresenter();
  const classes = useLab((s) => classCount(run, s.datasets.list));
  const live = isLive(run.status);
  return (
    <div className="charts">
      <LossChart losses={losses} labels={labels} live={live} big={presenter.on} />
      <MetricChart
        history={history}
        task={run.config.task}
        labels={labels}
        live={live}
        classes={classes}
        big={presenter.on}
      />
    </div>
  );
}

/** Classes of the run's task (for the chance line), from its stored dataset when it names its own. */
function classCount(
  run: RunView,
  list: { id: string; classNames: Partial<Record<string, string[]>> }[],
): number | null {
  const t = run.config.task;
  if (t === 'age') return null;
  const ds = run.config.dataset;
  const named = ds.source === 'stored' ? list.find((d) => d.id === ds.id)?.classNames[t] : undefined;
  return named?.length ?? (t === 'expression' ? 8 : 2);
}

function Messages({ logs }: { logs: RunView['logs'] }) {
  const { lines, progress } = foldLogs(logs);
  if (!lines.length && !progress) return null;
  return (
    <section className="card">
      <h2>Messages</h2>
      {progress && (
        <div className="svm-progress" data-testid="svm-progress">
          <ProgressBar
            value={progress.total ? progress.done / progress.total : null}
            label={`${progress.what}: choosing C on validation, ${Number.isInteger(progress.done) ? progress.done : progress.done.toFixed(2)} of ${progress.total}`}
          />
        </div>
      )}
      <ul className="logs">
        {lines.slice(-20).map((l, i) => (
          <li key={i} className={l.level}>
            {l.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function MonitorPanel() {
  // After a fresh open nothing is training: the last run kept in this browser is shown.
  const live = useLab((s) => s.run);
  const last = useLab((s) => s.viewed);
  const run = live ?? last;
  if (!run) {
    return (
      <div className="monitor" data-testid="monitor-panel">
        <p className="muted">No run yet. Choose the settings in Experiment, then “Run the curriculum”.</p>
      </div>
    );
  }
  return (
    <div className="monitor" data-testid="monitor-panel">
      <section className="card">
        {!live && (
          <p className="muted small" data-testid="monitor-last">
            The last run kept in this browser (nothing is training now).
          </p>
        )}
        <h2 data-testid="monitor-run-name">{run.name}</h2>
        <Timeline run={run} />
        <Stats run={run} />
      </section>
      <RunCharts run={run} throttleMs={1000} />
      <Messages logs={run.logs} />
    </div>
  );
}
