// What the page knows about one run, and the pure reducer that folds curriculum events into it. Built
// from a stored run record (reopened or resumed runs) or from scratch; replaying an epoch or a result
// (after a resume) replaces the earlier entry instead of duplicating it. No zustand here: unit-testable.
import type { ExperimentConfig, StageName } from '../core/config/config';
import type { Visibility } from '../core/data/types';
import { curriculumStages, stageConfig } from '../core/distill/schedule';
import type { CurriculumEvent, EpochRecord, GridRow } from '../core/events';
import type { LossPoint, RunRecord } from '../core/records';
import type { RunPhase } from '../worker/lab/protocol';
import { foldTrace, type RunTrace } from '../core/results/runTrace';

/** A run is live while the worker has it: starting, training or paused (any other status has ended). */
export function isLive(status: RunPhase | null | undefined): boolean {
  return status === 'running' || status === 'paused' || status === 'starting';
}

export type StageStatus = 'pending' | 'running' | 'done';

export interface StageView {
  stage: StageName;
  status: StageStatus;
  epochs: number;
  stepsPerEpoch: number;
  /** Epoch in progress (0-based) and batches done in it. */
  epoch: number;
  step: number;
  visibility: Visibility | null;
  bestEpoch: number | null;
  ms: number | null;
  stoppedEarly: string | null;
  /** Epochs trained (fewer than `epochs`, the cap, when early stopping ended the stage). */
  epochsRun: number | null;
  earlyStopped: boolean;
  /** Which epoch the stage kept (its config's `keep`), once it ended; absent before, or in old runs. */
  keep?: 'best' | 'last';
}

export interface RunView extends RunTrace {
  runId: string;
  name: string;
  config: ExperimentConfig;
  status: RunPhase;
  message: string | null;
  backend: string | null;
  /** wasm's build and thread count, when known. */
  backendDetail: string | null;
  skipped: { name: string; reason: string }[];
  stages: StageName[];
  stageInfo: Partial<Record<StageName, StageView>>;
  current: StageName | null;
  history: EpochRecord[];
  rows: GridRow[];
  losses: LossPoint[];
  /** Batches trained over the whole run (the next loss point's x). */
  steps: number;
  /** Training images per second, smoothed (from the last batch event). */
  imagesPerSec: number | null;
  lastCheckpoint: { stage: StageName; epoch: number } | null;
  logs: { level: 'info' | 'warn' | 'error'; message: string }[];
  mining: { stage: StageName; epoch: number; ms: number; validTriplets: number; anchors: number } | null;
  createdAt: number;
  elapsedMs: number;
  /** Wall-clock time (ms since epoch) when the current session of the run started. */
  sessionStartedAt: number | null;
}

/** Training images of the config's dataset, when the config says (synthetic); null for stored ones. */
export function trainCount(cfg: ExperimentConfig): number | null {
  return cfg.dataset.source === 'synth' ? cfg.dataset.train : null;
}

function plannedStage(cfg: ExperimentConfig, s: StageName): StageView {
  const sc = stageConfig(cfg, s);
  const n = trainCount(cfg);
  return {
    stage: s,
    status: 'pending',
    epochs: sc.epochs,
    stepsPerEpoch: n ? Math.floor(n / sc.batchSize) : 0,
    epoch: 0,
    step: 0,
    visibility: null,
    bestEpoch: null,
    ms: null,
    stoppedEarly: null,
    epochsRun: null,
    earlyStopped: false,
  };
}

export function newRunView(runId: string, cfg: ExperimentConfig, createdAt = Date.now()): RunView {
  const stages = curriculumStages(cfg);
  return {
    runId,
    name: cfg.name,
    config: cfg,
    status: 'starting',
    message: null,
    backend: null,
    backendDetail: null,
    skipped: [],
    stages,
    stageInfo: Object.fromEntries(stages.map((s) => [s, plannedStage(cfg, s)])),
    current: null,
    history: [],
    rows: [],
    losses: [],
    stageMs: {},
    steps: 0,
    imagesPerSec: null,
    lastCheckpoint: null,
    logs: [],
    mining: null,
    createdAt,
    elapsedMs: 0,
    sessionStartedAt: null,
  };
}

/** The view of a stored run: stages finished per its rows and history, charts from its series. */
export function runViewFromRecord(r: RunRecord): RunView {
  const v = newRunView(r.id, r.config, r.createdAt);
  v.name = r.name;
  v.status = r.status;
  v.message = r.message;
  v.backend = r.backend;
  v.backendDetail = r.backendDetail ?? null;
  v.skipped = r.skipped;
  v.stages = r.stages.length ? r.stages : v.stages;
  v.history = r.history;
  v.rows = r.rows;
  v.losses = r.losses;
  v.stageMs = r.stageMs;
  v.steps = r.checkpoint?.steps ?? (r.losses.length ? r.losses[r.losses.length - 1].x + 1 : 0);
  v.lastCheckpoint = r.checkpoint ? { stage: r.checkpoint.stage, epoch: r.checkpoint.epoch } : null;
  v.elapsedMs = r.elapsedMs;
  const info: RunView['stageInfo'] = {};
  for (const s of v.stages) {
    const st = { ...(v.stageInfo[s] ?? plannedStage(r.config, s)) };
    const epochs = r.history.filter((h) => h.stage === s);
    const done = r.rows.some((row) => row.model === s) || r.status === 'done';
    if (epochs.length) {
      st.epoch = epochs[epochs.length - 1].epoch + (done ? 0 : 1);
      const best = [...epochs].reverse().find((h) => h.best);
      st.bestEpoch = best ? best.epoch : null;
    }
    st.ms = r.stageMs[s] ?? null;
    if (done && epochs.length) {
      st.epochsRun = epochs.length;
      st.earlyStopped = epochs.length < st.epochs;
    }
    st.status = done ? 'done' : 'pending';
    info[s] = st;
  }
  v.stageInfo = info;
  return v;
}

const MAX_LOGS = 200;

/** Folds one curriculum event into a run view (returns a new object; unchanged parts are shared). */
export function reduceRun(v: RunView, e: CurriculumEvent): RunView {
  switch (e.type) {
    case 'runStart': {
      const info: RunView['stageInfo'] = {};
      for (const s of e.stages) info[s] = v.stageInfo[s] ?? plannedStage(e.config, s);
      return { ...foldTrace(v, e, v.steps), config: e.config, backend: e.backend, stageInfo: info, status: 'running' };
    }
    case 'stageStart': {
      const info = { ...v.stageInfo };
      // Stages before this one are finished (a resumed run does not replay them).
      for (const s of v.stages) {
        if (s === e.stage) break;
        if (info[s] && info[s]!.status !== 'done') info[s] = { ...info[s]!, status: 'done' };
      }
      const prev = info[e.stage];
      info[e.stage] = {
        ...(prev ?? plannedStage(v.config, e.stage)),
        status: 'running',
        epochs: e.epochs,
        stepsPerEpoch: e.stepsPerEpoch,
        visibility: e.visibility,
        step: 0,
      };
      return { ...v, stageInfo: info, current: e.stage };
    }
    case 'batchEnd': {
      const st = v.stageInfo[e.stage];
      const info = st
        ? { ...v.stageInfo, [e.stage]: { ...st, epoch: e.epoch, step: e.step, stepsPerEpoch: e.stepsPerEpoch } }
        : v.stageInfo;
      return {
        ...foldTrace(v, e, v.steps),
        stageInfo: info,
        steps: v.steps + 1,
        imagesPerSec: e.imagesPerSec,
        current: e.stage,
      };
    }
    case 'mining':
      return {
        ...v,
        mining: { stage: e.stage, epoch: e.epoch, ms: e.ms, validTriplets: e.validTriplets, anchors: e.anchors },
      };
    case 'epochEnd': {
      const r = e.record;
      const st = v.stageInfo[r.stage];
      const info = st
        ? {
            ...v.stageInfo,
            [r.stage]: { ...st, epoch: r.epoch + 1, step: 0, bestEpoch: r.best ? r.epoch : st.bestEpoch },
          }
        : v.stageInfo;
      return { ...foldTrace(v, e, v.steps), stageInfo: info };
    }
    case 'stageEnd': {
      const st = v.stageInfo[e.stage];
      if (!st) return v;
      const done: StageView = {
        ...st,
        status: 'done',
        ms: e.ms,
        bestEpoch: e.bestEpoch >= 0 ? e.bestEpoch : st.bestEpoch,
        stoppedEarly: e.stoppedEarly,
        epochsRun: e.epochsRun ?? st.epochs,
        epoch: st.epochs,
        earlyStopped: !!e.earlyStopped,
        ...(e.keep ? { keep: e.keep } : {}),
      };
      return { ...foldTrace(v, e, v.steps), stageInfo: { ...v.stageInfo, [e.stage]: done } };
    }
    case 'result':
      return foldTrace(v, e, v.steps);
    case 'log':
      return { ...v, logs: [...v.logs, { level: e.level, message: e.message }].slice(-MAX_LOGS) };
    case 'runEnd':
      return { ...v, current: null };
  }
}

/** Training images still to go: the rest of the current stage and every pending one. */
export function remainingImages(v: RunView): number | null {
  let total = 0;
  for (const s of v.stages) {
    const st = v.stageInfo[s];
    if (!st) continue;
    if (st.status === 'done') continue;
    const b = stageConfig(v.config, s).batchSize;
    if (!st.stepsPerEpoch) return null;
    const stepsLeft = (st.epochs - st.epoch) * st.stepsPerEpoch - (st.status === 'running' ? st.step : 0);
    total += Math.max(0, stepsLeft) * b;
  }
  return total;
}

/** Seconds left at the current training speed (evaluation and mining not counted), or null. */
export function etaSeconds(v: RunView): number | null {
  const left = remainingImages(v);
  if (left === null || !v.imagesPerSec || v.imagesPerSec <= 0) return null;
  return left / v.imagesPerSec;
}

/** Fraction of the run's training images done, 0..1. */
export function runProgress(v: RunView): number {
  let total = 0,
    done = 0;
  for (const s of v.stages) {
    const st = v.stageInfo[s];
    if (!st) continue;
    const b = stageConfig(v.config, s).batchSize;
    const all = st.epochs * st.stepsPerEpoch * b;
    total += all;
    if (st.status === 'done') done += all;
    else done += Math.min(all, (st.epoch * st.stepsPerEpoch + (st.status === 'running' ? st.step : 0)) * b);
  }
  return total ? done / total : 0;
}
