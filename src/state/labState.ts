// The page's whole state as plain data, and the pure reducer of worker events into it. The zustand store
// (store.ts) only holds this and applies the reducer; tests drive the reducer directly.
import type { ConfigError, ExperimentConfig, StageName } from '../core/config/config';
import { configErrors } from '../core/config/validate';
import type { Split, Visibility } from '../core/data/types';
import type { DatasetMeta, ImportedModelMeta, LabStorage, RunRecord } from '../core/records';
import type { ImportReport, ImportProgress } from '../core/data/importReport';
import type { ImportEvent } from '../worker/import/protocol';
import type { CamRequest, CamSheet } from '../core/explain/sheet';
import { CALIBRATION_BUSY, type RunPhase, type WorkerEvent } from '../worker/lab/protocol';
import { isLive, newRunView, reduceRun, runViewFromRecord, type RunView } from './runView';

/** What the page itself reads from storage (metadata, runs, models); images stay with the worker. */
export type PageStorage = Pick<
  LabStorage,
  | 'listDatasets'
  | 'deleteDataset'
  | 'listRuns'
  | 'getRun'
  | 'putRun'
  | 'deleteRun'
  | 'listModels'
  | 'getModel'
  | 'listImportedModels'
  | 'deleteImportedModel'
>;

export type Tab = 'datasets' | 'experiment' | 'monitor' | 'results' | 'explain' | 'tryit';
export type { BackendChoice } from '../core/backends';
import type { BackendChoice } from '../core/backends';
import type { StepCost } from '../core/distill/estimate';
import type { RepeatRow } from '../core/results/repeats';

/** A stored run as the history list shows it. */
export interface RunSummary {
  id: string;
  name: string;
  status: RunRecord['status'];
  message: string | null;
  createdAt: number;
  backend: string | null;
  task: ExperimentConfig['task'];
  scenario: ExperimentConfig['scenario'];
  rows: number;
  checkpoint: RunRecord['checkpoint'];
}

export interface PreviewSheet {
  requestId: number;
  datasetId: string;
  split: Split;
  visibility: Visibility;
  height: number;
  width: number;
  channels: number;
  count: number;
  pixels: Uint8Array;
  labels: string[];
}

export interface LabState {
  tab: Tab;
  worker: {
    ready: boolean;
    tfjs: string | null;
    stageLabels: Partial<Record<StageName, string>>;
    crashed: string | null;
  };
  datasets: {
    list: DatasetMeta[];
    progress: { datasetId: string; phase: 'generating' | 'storing' | 'loading'; done: number; total: number } | null;
    storage: { usage: number; quota: number } | null;
    preview: PreviewSheet | null;
  };
  experiment: {
    config: ExperimentConfig;
    /** configErrors(config), computed by the store on every edit. */
    errors: ConfigError[];
    preset: string | null;
  };
  backendChoice: BackendChoice;
  /** The run in the Monitor: live, or the last one. */
  run: RunView | null;
  /** Stored runs, newest first. */
  runs: RunSummary[];
  /** The run the Results panel shows (live run or a reopened one). */
  viewed: RunView | null;
  /** A stored run that did not finish (reload, crash, lost device) and can go on from its checkpoint. */
  resumable: RunSummary | null;
  notices: { id: number; level: 'info' | 'warn' | 'error'; text: string }[];
  /** The Grad-CAM viewer: the request in flight, the last sheet, or why it failed. */
  explain: {
    pending: number | null;
    request: CamRequest | null;
    sheet: (CamSheet & { backend: string }) | null;
    error: string | null;
  };
  /** A sweep in the lab: one run per value of a setting, one after another; the result once all are done. */
  sweep: SweepState | null;
  /** Models imported from files; the import in flight; its outcome in words. */
  models: { imported: ImportedModelMeta[]; pending: number | null; message: string | null; error: boolean };
  /** A model export the worker is preparing (its request id), or the last one's message. */
  exporting: { pending: number | null; message: string | null };
  /** Calibrations by key (core/distill/calibrate.ts calibrationKey), kept per machine; `pending` keys are
   *  being timed; `failed` keys could not be. */
  calibrations: { costs: Record<string, StepCost>; pending: string[]; failed: Record<string, string> };
  /** The dataset import going on, and how the last one ended (its report). */
  imports: {
    job: {
      jobId: string;
      label: string;
      startedAt: number;
      progress: ImportProgress | null;
      cancelling: boolean;
    } | null;
    last: {
      jobId: string;
      label: string;
      status: 'done' | 'cancelled' | 'failed';
      message: string;
      report: ImportReport | null;
      datasetId: string | null;
    } | null;
  };
}

export interface SweepState {
  path: string;
  values: number[];
  /** The run of each value, as they start. */
  runIds: string[];
  /** The stage whose best validation epoch decides. */
  stage: StageName;
  status: 'running' | 'done' | 'stopped';
  message: string | null;
  /** Per value: the deciding stage's best validation figure, and that stage's test figure (accuracy or MAE). */
  result: { validation: (number | null)[]; test: (number | null)[]; chosen: number } | null;
  /** `repeats`: the same curriculum over seeds (path `seed`); its grid across seeds once all are done. */
  kind?: 'sweep' | 'repeats';
  repeats?: { rows: RepeatRow[]; text: string; lessons: string[]; notMeaningful: number[] } | null;
}

export function initialLabState(config: ExperimentConfig, preset: string | null = null): LabState {
  return {
    tab: 'experiment',
    worker: { ready: false, tfjs: null, stageLabels: {}, crashed: null },
    datasets: { list: [], progress: null, storage: null, preview: null },
    experiment: { config, errors: configErrors(config), preset },
    backendChoice: 'auto',
    run: null,
    runs: [],
    viewed: null,
    resumable: null,
    notices: [],
    imports: { job: null, last: null },
    calibrations: { costs: {}, pending: [], failed: {} },
    explain: { pending: null, request: null, sheet: null, error: null },
    exporting: { pending: null, message: null },
    models: { imported: [], pending: null, message: null, error: false },
    sweep: null,
  };
}

/** Applies an import worker event (events of another job than the current one are ignored). */
export function reduceImport(s: LabState, e: ImportEvent): LabState {
  const job = s.imports.job;
  if (!job || job.jobId !== e.jobId) return s;
  if (e.type === 'progress') return { ...s, imports: { ...s.imports, job: { ...job, progress: e.progress } } };
  if (e.type === 'done') {
    const list = [...s.datasets.list.filter((d) => d.id !== e.meta.id), e.meta].sort(
      (a, b) => a.createdAt - b.createdAt,
    );
    return {
      ...s,
      datasets: { ...s.datasets, list },
      imports: {
        job: null,
        last: {
          jobId: e.jobId,
          label: job.label,
          status: 'done',
          message: `${e.report.images} images imported.`,
          report: e.report,
          datasetId: e.meta.id,
        },
      },
    };
  }
  return {
    ...s,
    imports: {
      job: null,
      last: {
        jobId: e.jobId,
        label: job.label,
        status: e.status,
        message: e.message,
        report: e.report,
        datasetId: null,
      },
    },
  };
}

export function summarise(r: RunRecord): RunSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    message: r.message,
    createdAt: r.createdAt,
    backend: r.backend,
    task: r.config.task,
    scenario: r.config.scenario,
    rows: r.rows.length,
    checkpoint: r.checkpoint,
  };
}

let noticeId = 0;
export function notice(s: LabState, level: 'info' | 'warn' | 'error', text: string): LabState {
  return { ...s, notices: [...s.notices, { id: ++noticeId, level, text }].slice(-5) };
}

/** Runs whose record says they were going when the page (re)opened: nothing is running them now. */
export function isUnfinished(r: { status: RunRecord['status'] }): boolean {
  return r.status === 'running' || r.status === 'paused' || r.status === 'interrupted';
}

/** Training time: a session runs from 'running' to any other status; its length joins elapsedMs. */
function sessionClock(v: RunView, status: RunPhase): Pick<RunView, 'elapsedMs' | 'sessionStartedAt'> {
  const now = Date.now();
  if (status === 'running') return { elapsedMs: v.elapsedMs, sessionStartedAt: v.sessionStartedAt ?? now };
  return { elapsedMs: v.elapsedMs + (v.sessionStartedAt ? now - v.sessionStartedAt : 0), sessionStartedAt: null };
}

function withRun(s: LabState, runId: string, f: (v: RunView) => RunView): LabState {
  if (!s.run || s.run.runId !== runId) return s;
  const run = f(s.run);
  return { ...s, run, viewed: s.viewed?.runId === runId ? run : s.viewed };
}

function upsertSummary(list: RunSummary[], sum: RunSummary): RunSummary[] {
  const i = list.findIndex((r) => r.id === sum.id);
  if (i < 0) return [sum, ...list];
  const out = list.slice();
  out[i] = sum;
  return out;
}

/** Folds one worker event into the lab state. */
export function reduceLab(s: LabState, e: WorkerEvent): LabState {
  switch (e.type) {
    case 'ready':
      return { ...s, worker: { ...s.worker, ready: true, tfjs: e.tfjs, stageLabels: e.stageLabels, crashed: null } };
    case 'datasetProgress': {
      // Reading a stored dataset ends without a datasetReady: its last progress event clears the bar.
      const finished = e.phase === 'loading' && e.done >= e.total;
      return {
        ...s,
        datasets: {
          ...s.datasets,
          progress: finished ? null : { datasetId: e.datasetId, phase: e.phase, done: e.done, total: e.total },
        },
      };
    }
    case 'datasetReady': {
      const list = [...s.datasets.list.filter((d) => d.id !== e.meta.id), e.meta].sort(
        (a, b) => a.createdAt - b.createdAt,
      );
      return { ...s, datasets: { ...s.datasets, list, progress: null } };
    }
    case 'preview':
      return { ...s, datasets: { ...s.datasets, preview: { ...e } } };
    case 'backend':
      return withRun(s, e.runId, (v) => ({
        ...v,
        backend: e.name,
        backendDetail: e.detail ?? null,
        skipped: e.skipped,
      }));
    case 'runState': {
      let next = s;
      if (e.record) {
        // A run starting or resuming: the Monitor shows what is stored for it, then the live events.
        const v = {
          ...runViewFromRecord(e.record),
          status: e.status,
          message: e.message,
          sessionStartedAt: e.status === 'running' ? Date.now() : null,
        };
        next = { ...next, run: v, viewed: next.viewed?.runId === e.runId || !next.viewed ? v : next.viewed };
        next = { ...next, runs: upsertSummary(next.runs, summarise(e.record)) };
      } else if (!s.run || s.run.runId !== e.runId) {
        return s;
      }
      next = withRun(next, e.runId, (v) => ({
        ...v,
        status: e.status,
        message: e.message,
        ...sessionClock(v, e.status),
        ...(e.status === 'done'
          ? {
              current: null,
              stageInfo: Object.fromEntries(
                Object.entries(v.stageInfo).map(([k, st]) => [k, { ...st!, status: 'done' }]),
              ),
            }
          : {}),
      }));
      const i = next.runs.findIndex((r) => r.id === e.runId);
      if (i >= 0 && e.status !== 'starting') {
        const runs = next.runs.slice();
        runs[i] = {
          ...runs[i],
          status: e.status,
          message: e.message,
          rows: next.run?.rows.length ?? runs[i].rows,
          backend: next.run?.backend ?? runs[i].backend,
        };
        next = { ...next, runs };
      }
      if (s.resumable?.id === e.runId && (e.status === 'running' || e.status === 'starting'))
        next = { ...next, resumable: null };
      if (e.status === 'interrupted' && next.runs[i])
        next = { ...next, resumable: { ...next.runs[i], checkpoint: next.runs[i].checkpoint } };
      if (e.status === 'failed') next = notice(next, 'error', e.message ?? 'The run failed.');
      return next;
    }
    case 'events': {
      if (!s.run || s.run.runId !== e.runId) return s;
      let v = s.run;
      for (const ev of e.events) v = reduceRun(v, ev);
      return withRun(s, e.runId, () => v);
    }
    case 'checkpoint': {
      const next = withRun(s, e.runId, (v) => ({ ...v, lastCheckpoint: { stage: e.stage, epoch: e.epoch } }));
      const runs = next.runs.map((r) =>
        r.id === e.runId
          ? { ...r, checkpoint: { stage: e.stage, epoch: e.epoch, steps: next.run?.steps ?? 0, savedAt: Date.now() } }
          : r,
      );
      return { ...next, runs };
    }
    case 'gradcam': {
      if (s.explain.pending !== e.requestId) return s;
      const { type: _t, requestId: _r, ...sheet } = e;
      return { ...s, explain: { ...s.explain, pending: null, sheet, error: null } };
    }
    case 'modelExport':
      if (s.exporting.pending !== e.requestId) return s;
      return {
        ...s,
        exporting: { pending: null, message: `${e.name} (${(e.bytes.byteLength / 1e6).toFixed(2)} MB) saved.` },
      };
    case 'modelImported':
      if (s.models.pending !== e.requestId) return s;
      return {
        ...s,
        models: {
          imported: [e.meta, ...s.models.imported.filter((m) => m.id !== e.meta.id)],
          pending: null,
          message: `${e.meta.name} imported.`,
          error: false,
        },
      };
    case 'error':
      if (e.requestId !== undefined && e.requestId === s.models.pending)
        return { ...s, models: { ...s.models, pending: null, message: e.message, error: true } };
      if (e.requestId !== undefined && e.requestId === s.explain.pending)
        return { ...s, explain: { ...s.explain, pending: null, error: e.message } };
      if (e.requestId !== undefined && e.requestId === s.exporting.pending)
        return { ...s, exporting: { pending: null, message: e.message } };
      return notice(s, 'error', e.message);
    case 'calibration': {
      const pending = s.calibrations.pending.filter((k) => k !== e.key);
      if (!e.cost) {
        // A busy worker is not a failure: the key is simply asked again later.
        const failed =
          e.message && e.message !== CALIBRATION_BUSY
            ? { ...s.calibrations.failed, [e.key]: e.message }
            : s.calibrations.failed;
        return { ...s, calibrations: { ...s.calibrations, pending, failed } };
      }
      return {
        ...s,
        calibrations: { costs: { ...s.calibrations.costs, [e.key]: e.cost }, pending, failed: s.calibrations.failed },
      };
    }
    case 'crashed': {
      let next: LabState = { ...s, worker: { ...s.worker, ready: false, crashed: e.message } };
      if (isLive(s.run?.status)) {
        const msg = `${e.message} The run is kept up to its last checkpoint; resume it, on another backend if this keeps happening.`;
        next = withRun(next, s.run!.runId, (v) => ({ ...v, status: 'interrupted', message: msg }));
        const sum = next.runs.find((r) => r.id === s.run!.runId);
        next = {
          ...next,
          runs: next.runs.map((r) =>
            r.id === s.run!.runId ? { ...r, status: 'interrupted' as const, message: msg } : r,
          ),
        };
        if (sum) next = { ...next, resumable: { ...sum, status: 'interrupted', message: msg } };
      }
      return notice(next, 'error', e.message);
    }
  }
}

/** A new run's view before the worker answers (so the Monitor moves at once). */
export function startingRun(s: LabState, runId: string, cfg: ExperimentConfig): LabState {
  const v = newRunView(runId, cfg);
  return { ...s, run: v, viewed: v, tab: 'monitor' };
}
