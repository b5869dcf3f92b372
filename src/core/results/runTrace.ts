// The part of a run that both the worker's stored record and the page's live view keep, and the one
// fold of curriculum events into it: the stage list, the per-epoch history, the grid rows (a replayed
// epoch or row after a resume replaces the earlier one), the thinned loss series and each stage's time.
import type { StageName } from '../config/config';
import type { CurriculumEvent, EpochRecord, GridRow } from '../events';
import type { LossPoint } from '../records';
import { appendLossPoint } from './series';

export interface RunTrace {
  stages: StageName[];
  history: EpochRecord[];
  rows: GridRow[];
  losses: LossPoint[];
  stageMs: Partial<Record<StageName, number>>;
}

/** `list` with `item` in place of the first entry `same` matches, or appended. A new array. */
export function upsert<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const out = list.slice();
  out[i] = item;
  return out;
}

/** Folds one event into a trace; `step` is the run's global batch count before this event (the loss
 *  point's x). Returns `t` itself when the event changes nothing, else a new object (parts shared). */
export function foldTrace<T extends RunTrace>(t: T, e: CurriculumEvent, step: number): T {
  switch (e.type) {
    case 'runStart':
      return { ...t, stages: e.stages };
    case 'batchEnd': {
      const losses = appendLossPoint(t.losses, { x: step, stage: e.stage, epoch: e.epoch, ...e.losses });
      return losses === t.losses ? t : { ...t, losses };
    }
    case 'epochEnd': {
      const r = e.record;
      return { ...t, history: upsert(t.history, r, (h) => h.stage === r.stage && h.epoch === r.epoch) };
    }
    case 'result':
      return { ...t, rows: upsert(t.rows, e.row, (x) => x.model === e.row.model && x.test === e.row.test) };
    case 'stageEnd':
      return { ...t, stageMs: { ...t.stageMs, [e.stage]: e.ms } };
    default:
      return t;
  }
}
