// The lab's shell: run controls and backend, the resume offer after an interrupted run, dataset
// progress, notices, presenter mode, and the panels as WAI-ARIA tabs (arrow keys, Home and End move
// between them). Monitor and Results (which draw charts) load on first use, so the page's first
// JavaScript stays small.
import { lazy, Suspense, useDeferredValue, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useActions, useLab } from '../state/react';
import type { BackendChoice, Tab } from '../state/labState';
import { BACKEND_CHOICES } from '../core/backends';
import { ProgressBar } from './common/ProgressBar';
import { DatasetsPanel } from './datasets/DatasetsPanel';
import { ExperimentPanel } from './experiment/ExperimentPanel';
import { RunControls } from './RunControls';
import { PresenterContext } from './presenter';

const MonitorPanel = lazy(() => import('./monitor/MonitorPanel'));
const ResultsPanel = lazy(() => import('./results/ResultsPanel'));
const GradCamPanel = lazy(() => import('./gradcam/GradCamPanel'));
const TryItPanel = lazy(() => import('./tryit/TryItPanel'));

const TABS: { id: Tab; label: string }[] = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'experiment', label: 'Experiment' },
  { id: 'monitor', label: 'Monitor' },
  { id: 'results', label: 'Results' },
  { id: 'explain', label: 'Grad-CAM' },
  { id: 'tryit', label: 'Try it' },
];

function DatasetProgress() {
  const p = useLab((s) => s.datasets.progress);
  if (!p) return null;
  const what =
    p.phase === 'generating'
      ? 'Generating the synthetic faces'
      : p.phase === 'storing'
        ? 'Storing them in the browser'
        : 'Reading the dataset';
  const unit = p.phase === 'generating' ? ' images' : p.phase === 'storing' ? ' chunks' : ' splits';
  return (
    <div className="banner info" data-testid="dataset-progress">
      <ProgressBar value={p.total ? p.done / p.total : null} label={`${what}: ${p.done} / ${p.total}${unit}`} />
    </div>
  );
}

function ResumeBanner() {
  const r = useLab((s) => s.resumable);
  const labels = useLab((s) => s.worker.stageLabels);
  const choice = useLab((s) => s.backendChoice);
  const a = useActions();
  if (!r) return null;
  const where = r.checkpoint
    ? r.checkpoint.epoch >= 0
      ? `from its checkpoint in ${labels[r.checkpoint.stage] ?? r.checkpoint.stage}, epoch ${r.checkpoint.epoch + 1}`
      : `from its checkpoint after ${labels[r.checkpoint.stage] ?? r.checkpoint.stage}`
    : 'from the start (it stopped before its first checkpoint)';
  return (
    <div className="banner warn" data-testid="resume-banner">
      <div>
        <strong>The run “{r.name}” did not finish.</strong> {r.message ?? ''} It can go on {where}.
      </div>
      <div className="row">
        <label>
          backend{' '}
          <select
            value={choice}
            onChange={(e) => a.setBackendChoice(e.target.value as BackendChoice)}
            data-testid="resume-backend"
          >
            {BACKEND_CHOICES.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        <button className="primary" onClick={() => void a.resumeRun(r.id)} data-testid="resume-run">
          Resume
        </button>
        <button onClick={() => void a.discardRun(r.id)}>Discard</button>
      </div>
    </div>
  );
}

function Notices() {
  const notices = useLab((s) => s.notices);
  const a = useActions();
  if (!notices.length) return null;
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`banner ${n.level}`} data-testid="notice">
          <span>{n.text}</span>
          <button className="link" onClick={() => a.dismissNotice(n.id)} aria-label="dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** The tab a key moves to from `i` (WAI-ARIA tabs: arrows wrap around, Home and End), or null. */
export function tabAfterKey(key: string, i: number, n: number): number | null {
  if (key === 'ArrowRight') return (i + 1) % n;
  if (key === 'ArrowLeft') return (i - 1 + n) % n;
  if (key === 'Home') return 0;
  if (key === 'End') return n - 1;
  return null;
}

function Tabs({ current }: { current: Tab }) {
  const a = useActions();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const next = tabAfterKey(e.key, i, TABS.length);
    if (next === null) return;
    e.preventDefault();
    a.setTab(TABS[next].id);
    refs.current[next]?.focus();
  };
  return (
    <nav className="tabs" aria-label="Panels">
      <div role="tablist" aria-label="Panels of the lab">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            id={`tab-${t.id}`}
            aria-controls="panel"
            aria-selected={current === t.id}
            tabIndex={current === t.id ? 0 : -1}
            className={current === t.id ? 'tab active' : 'tab'}
            onClick={() => a.setTab(t.id)}
            onKeyDown={(e) => onKey(e, i)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
    </nav>
  );
}

export function App({
  presenter: initialPresenter = false,
  onPresenter,
}: {
  presenter?: boolean;
  onPresenter?: (on: boolean) => void;
}) {
  // The panel switch renders as a transition: mounting the charts can be split into small slices.
  const current = useLab((s) => s.tab);
  const tab = useDeferredValue(current);
  const [presenting, setPresenting] = useState(initialPresenter);
  const presenter = useMemo(
    () => ({
      on: presenting,
      set: (on: boolean) => {
        setPresenting(on);
        onPresenter?.(on);
      },
    }),
    [presenting, onPresenter],
  );
  return (
    <PresenterContext.Provider value={presenter}>
      <div className={presenting ? 'app present' : 'app'} data-testid="app" data-presenter={presenting}>
        <header className="top">
          <div className="brand">
            <h1>Occlusion Distillation Lab</h1>
            <span className="sub">
              teacher → student → standard T-S → triplet T-S, on faces with half hidden (○ full, ◑ lower, ◐ upper)
            </span>
          </div>
          <div className="row wrap">
            <RunControls />
            <button
              aria-pressed={presenting}
              onClick={() => presenter.set(!presenting)}
              data-testid="presenter-toggle"
              title="Full width, larger type and charts, settings hidden (also ?present=1 in the address)"
            >
              Presenter mode
            </button>
          </div>
        </header>
        <ResumeBanner />
        <DatasetProgress />
        <Notices />
        <Tabs current={current} />
        <main className="panel">
          <div id="panel" role="tabpanel" aria-labelledby={`tab-${current}`}>
            <Suspense fallback={<p className="muted">Loading…</p>}>
              {tab === 'datasets' && <DatasetsPanel />}
              {tab === 'experiment' && <ExperimentPanel />}
              {tab === 'monitor' && <MonitorPanel />}
              {tab === 'results' && <ResultsPanel />}
              {tab === 'explain' && <GradCamPanel />}
              {tab === 'tryit' && <TryItPanel />}
            </Suspense>
          </div>
        </main>
      </div>
    </PresenterContext.Provider>
  );
}
