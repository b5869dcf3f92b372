// Duration estimates in the page: the calibration a config needs, the expected duration from the kept ones,
// and the scheduler that has the worker time them one at a time when it is idle (never during a run, and
// after a Grad-CAM request, which it holds back while a calibration is timing).
import {
  calibrationKey,
  configDims,
  estimateDuration,
  type DatasetDims,
  type StepCost,
} from '../core/distill/estimate';
import type { ExperimentConfig } from '../core/config/config';
import { PRESETS, presetConfig } from '../core/config/presets';
import { backendOrder, type BackendChoice, type BackendName } from '../core/backends';
import { autoOrder } from '../core/autoBackend';
import type { LabClient } from '../worker/lab/client';
import { CALIBRATION_BUSY, type WorkerEvent } from '../worker/lab/protocol';
import type { LabState } from './labState';
import { isLive } from './runView';
import { budgetEstimate } from '../core/budget/plan';

/** The calibration a config needs on a backend choice (null: its dataset's size is not in the config). */
export function calibrationFor(
  cfg: ExperimentConfig,
  choice: BackendChoice,
): { key: string; dims: DatasetDims } | null {
  const dims = configDims(cfg);
  return dims ? { key: calibrationKey(cfg, dims, choice), dims } : null;
}

/** The backends a run of `cfg` tries in order: the one chosen, or for `auto` the usual order with those
 *  its calibration measured slower on this machine last (core/autoBackend.ts), so the fastest starts. */
export function runBackends(s: Pick<LabState, 'calibrations' | 'backendChoice'>, cfg: ExperimentConfig): BackendName[] {
  if (s.backendChoice !== 'auto') return backendOrder(s.backendChoice);
  const c = calibrationFor(cfg, 'auto');
  return autoOrder(c ? s.calibrations.costs[c.key]?.slower : null);
}

/** The expected duration of `cfg` on `choice` from the kept calibrations, or null until timed. */
export function durationFor(
  s: Pick<LabState, 'calibrations'>,
  cfg: ExperimentConfig,
  choice: BackendChoice,
): number | null {
  const c = calibrationFor(cfg, choice);
  const cost = c && s.calibrations.costs[c.key];
  if (!c || !cost) return null;
  return cfg.budgets?.length ? budgetEstimate(cfg, c.dims, cost) : estimateDuration(cfg, c.dims, cost).maxS;
}

/** Calibrations kept on this machine (localStorage in the browser): read at start, written on change. */
export interface KeptCalibrations {
  load(): Record<string, StepCost>;
  save(costs: Record<string, StepCost>): void;
}

export interface CalibrationDeps {
  get: () => LabState;
  set: (f: (s: LabState) => LabState) => void;
  client: LabClient;
  /** Absent: no duration estimates (and no calibration work in the worker). */
  kept?: KeptCalibrations;
  /** How long after the last edit calibrateSoon times it (default 800 ms: not one per keystroke). */
  delayMs?: number;
}

export interface CalibrationScheduler {
  /** Times the current config's and every preset's model on the chosen backend, where not yet known. */
  calibrate(): void;
  /** calibrate() shortly after the last edit. */
  calibrateSoon(): void;
  /** Sends a Grad-CAM request now, or when the calibration in flight answers (one thing at a time in the worker). */
  sendWhenIdle(send: () => void): void;
  /** One flush of worker events: keeps the answered calibrations, sends a held request, times the next. */
  onEvents(events: WorkerEvent[]): void;
  dispose(): void;
}

export function createCalibrationScheduler({
  get,
  set,
  client,
  kept,
  delayMs = 800,
}: CalibrationDeps): CalibrationScheduler {
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** A request waiting for the calibration in flight to answer. */
  let held: (() => void) | null = null;

  const calibrate = () => {
    if (!kept) return; // estimates are the page's (tests opt in by passing a store for them)
    const s = get();
    if (!s.worker.ready || isLive(s.run?.status)) return;
    if (s.explain.pending !== null) return; // Grad-CAM first; timing resumes when its maps arrive
    // One at a time (the next when this one answers), the current settings first, so the worker is
    // never busy timing for long when Run is clicked.
    if (s.calibrations.pending.length) return;
    // The presets too, except on a GPU backend chosen by name (it may be a slow software one, and the
    // preset list is a convenience): there only the current settings are timed.
    const presets =
      s.backendChoice === 'webgpu' || s.backendChoice === 'webgl'
        ? []
        : Object.keys(PRESETS).map((n) => presetConfig(n));
    const configs = [s.experiment.config, ...presets];
    for (const cfg of configs) {
      const c = calibrationFor(cfg, s.backendChoice);
      const now = get().calibrations;
      if (!c || now.costs[c.key] || now.failed[c.key]) continue;
      set((st) => ({ ...st, calibrations: { ...st.calibrations, pending: [c.key] } }));
      client.send({
        type: 'calibrate',
        key: c.key,
        config: cfg,
        dims: c.dims,
        backends: backendOrder(s.backendChoice),
      });
      return;
    }
  };

  return {
    calibrate,
    calibrateSoon() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        if (!get().experiment.errors.length) calibrate();
      }, delayMs);
    },
    sendWhenIdle(send) {
      // While a calibration times a few steps the worker's backend may still be starting: wait for it.
      if (get().calibrations.pending.length) held = send;
      else send();
    },
    onEvents(events) {
      if (events.some((e) => e.type === 'calibration')) kept?.save(get().calibrations.costs);
      // The next calibration after one answered (not after a refusal: the worker was busy training).
      const answered = (e: WorkerEvent) =>
        e.type === 'calibration' && (e.cost !== null || e.message !== CALIBRATION_BUSY);
      // A request held back while a calibration was timing goes now.
      if (held && !get().calibrations.pending.length) {
        held();
        held = null;
      }
      const explained = (e: WorkerEvent) => e.type === 'gradcam' || (e.type === 'error' && e.command === 'gradcam');
      const ended = (e: WorkerEvent) => e.type === 'runState' && !isLive(e.status);
      if (events.some((e) => e.type === 'datasetReady' || answered(e) || explained(e) || ended(e))) calibrate();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
