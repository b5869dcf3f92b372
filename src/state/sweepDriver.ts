// A sweep from the lab: one run per value of a numeric setting, one after another in the worker; after
// the last, the outcome from the stored runs (core/results/sweep.ts decides, as in the runner).
import type { ExperimentConfig } from '../core/config/config';
import type { RunRecord } from '../core/records';
import { sweepError, sweepOutcome, sweepRunConfig, sweepStage } from '../core/results/sweep';
import { repeatConfig, repeatSeeds, summariseRepeats } from '../core/results/repeats';
import type { LabState } from './labState';

export interface SweepDeps {
  get: () => LabState;
  set: (f: (s: LabState) => LabState) => void;
  /** Starts a run of a config; its id, or null while another run goes. */
  launch: (cfg: ExperimentConfig) => string | null;
  storage: { getRun(id: string): Promise<RunRecord | undefined> };
  cancel: () => void;
}

export interface SweepDriver {
  /** The config's `repeats` runs, seeds seed .. seed + repeats − 1; null, or why they cannot start. */
  startRepeats(cfg: ExperimentConfig): string | null;
  /** A sweep over `values` of `path`; null, or why it cannot start. */
  start(path: string, values: number[]): string | null;
  stop(): void;
  /** After a run ended: the sweep's next value, or its outcome. */
  runEnded(runId: string, status: string): Promise<void>;
}

export function createSweepDriver({ get, set, launch, storage, cancel }: SweepDeps): SweepDriver {
  return {
    startRepeats(cfg: ExperimentConfig): string | null {
      const seeds = repeatSeeds(cfg);
      const first = launch(repeatConfig(cfg, 0));
      if (!first) return 'A run is going: wait for it or cancel it.';
      set((st) => ({
        ...st,
        sweep: {
          path: 'seed',
          values: seeds,
          runIds: [first],
          stage: 'triplet',
          status: 'running',
          message: null,
          result: null,
          kind: 'repeats',
          repeats: null,
        },
      }));
      return null;
    },
    start(path: string, values: number[]): string | null {
      const s = get();
      if (s.experiment.errors.length) return 'The settings need attention first.';
      const err = sweepError({ path, values }, s.experiment.config);
      if (err) return err;
      const first = launch(sweepRunConfig(s.experiment.config, { path, values }, 0));
      if (!first) return 'A run is going: wait for it or cancel it.';
      set((st) => ({
        ...st,
        sweep: {
          path,
          values,
          runIds: [first],
          stage: sweepStage(path),
          status: 'running',
          message: null,
          result: null,
        },
      }));
      return null;
    },
    stop(): void {
      const sw = get().sweep;
      if (!sw || sw.status !== 'running') return;
      set((st) => ({
        ...st,
        sweep: st.sweep && { ...st.sweep, status: 'stopped', message: 'Stopped: the remaining values were not run.' },
      }));
      cancel();
    },
    /** After a sweep's run ends: the next value, or the result from the stored runs. */
    async runEnded(runId: string, status: string): Promise<void> {
      const sw = get().sweep;
      if (!sw || sw.status !== 'running' || sw.runIds[sw.runIds.length - 1] !== runId) return;
      if (status !== 'done') {
        set((st) => ({
          ...st,
          sweep: st.sweep && {
            ...st.sweep,
            status: 'stopped',
            message: `The run for ${sw.path} = ${sw.values[sw.runIds.length - 1]} ended ${status}; the sweep stopped.`,
          },
        }));
        return;
      }
      const i = sw.runIds.length;
      if (i < sw.values.length) {
        const cfg = get().experiment.config;
        const next = launch(
          sw.kind === 'repeats'
            ? repeatConfig({ ...cfg, seed: sw.values[0], repeats: sw.values.length }, i)
            : sweepRunConfig(cfg, sw, i),
        );
        if (next) set((st) => ({ ...st, sweep: st.sweep && { ...st.sweep, runIds: [...st.sweep.runIds, next] } }));
        return;
      }
      const runs = await Promise.all(sw.runIds.map((id) => storage.getRun(id)));
      const first = runs.find((r) => r)?.config ?? get().experiment.config;
      if (sw.kind === 'repeats') {
        const done = runs.filter((r): r is RunRecord => !!r);
        const { rows, notMeaningful, text, lessons } = summariseRepeats(
          done.map((r) => ({ seed: r.config.seed, rows: r.rows, history: r.history })),
          first,
        );
        const repeats = { rows, notMeaningful, text, lessons };
        set((st) => ({
          ...st,
          sweep: st.sweep && { ...st.sweep, status: 'done', result: { validation: [], test: [], chosen: -1 }, repeats },
        }));
        return;
      }
      const result = sweepOutcome(
        runs.map((r) => r ?? null),
        sw.stage,
        first.task,
        first.scenario,
      );
      set((st) => ({ ...st, sweep: st.sweep && { ...st.sweep, status: 'done', result } }));
    },
  };
}
