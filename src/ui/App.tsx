// The lab's shell: run controls and backend, the resume offer after an interrupted run, dataset
// progress, notices, and the four panels. Monitor and Results (which draw charts) load on first use,
// so the page's first JavaScript stays small.
import { lazy, Suspense, useDeferredValue } from 'react';
import { useActions, useLab } from '../state/react';
import type { BackendChoice, Tab } from '../state/labState';
import { BACKEND_CHOICES } from '../core/backends';
import { ProgressBar } from './common/ProgressBar';
import { DatasetsPanel } from './datasets/DatasetsPanel';
import { ExperimentPanel } from './experiment/ExperimentPanel';
import { RunControls } from './RunControls';

const MonitorPanel = lazy(() => import('./monitor/MonitorPanel'));
const ResultsPanel = lazy(() => import('./results/ResultsPanel'));
const GradCamPanel = lazy(() => import('./gradcam/GradCamPanel'));

const TABS: { id: Tab; label: string }[] = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'experiment', label: 'Experiment' },
  { id: 'monitor', label: 'Monitor' },
  { id: 'results', label: 'Results' },
  { id: 'explain', label: 'Grad-CAM' },
];

function DatasetProgress() {
  const p = useLab((s) => s.datasets.progress);
  if (!p) return null;
  const what = p.phase === 'generating' ? 'Generating the synthetic faces' : p.phase === 'storing' ? 'Storing them in the browser' : 'Reading the dataset';
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
          <select value={choice} onChange={(e) => a.setBackendChoice(e.target.value as BackendChoice)} data-testid="resume-backend">
            {BACKEND_CHOICES.map((b) => <option key={b.value} value={b.value}>{b.label}</option>)}
          </select>
        </label>
        <button className="primary" onClick={() => void a.resumeRun(r.id)} data-testid="resume-run">Resume</button>
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
          <button className="link" onClick={() => a.dismissNotice(n.id)} aria-label="dismiss">×</button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  // The panel switch renders as a transition: mounting the charts can be split into small slices.
  const current = useLab((s) => s.tab);
  const tab = useDeferredValue(current);
  const a = useActions();
  return (
    <div className="app">
      <header className="top">
        <div className="brand">
          <h1>Occlusion Distillation Lab</h1>
          <span className="sub">teacher → student → standard T-S → triplet T-S, on faces with half hidden (○ full, ◑ lower, ◐ upper)</span>
        </div>
        <RunControls />
      </header>
      <ResumeBanner />
      <DatasetProgress />
      <Notices />
      <nav className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} role="tab" aria-selected={current === t.id} className={current === t.id ? 'tab active' : 'tab'} onClick={() => a.setTab(t.id)} data-testid={`tab-${t.id}`}>
            {t.label}
          </button>
        ))}
      </nav>
      <main className="panel">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {tab === 'datasets' && <DatasetsPanel />}
          {tab === 'experiment' && <ExperimentPanel />}
          {tab === 'monitor' && <MonitorPanel />}
          {tab === 'results' && <ResultsPanel />}
          {tab === 'explain' && <GradCamPanel />}
        </Suspense>
      </main>
    </div>
  );
}
