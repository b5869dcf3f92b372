// What the Grad-CAM viewer asks for and gets back (the worker protocol's payloads), and which test
// images it shows: chosen from a run's stored per-image predictions (by class, right / wrong, largest
// teacher-student disagreement). Plain data; the maps themselves are computed in the worker.
import type { StageName } from '../config/config';
import type { Visibility } from '../data/types';
import type { GridRow } from '../events';
import type { RunRecord } from '../records';

export type CamPick =
  | { mode: 'first' }
  | { mode: 'class'; cls: number }
  | { mode: 'correct' }
  | { mode: 'wrong' }
  | { mode: 'disagreement' };
/** Which class each classification map explains: each model's own prediction, the true class, or a chosen one. */
export type CamClass = 'predicted' | 'true' | number;

export interface CamRequest {
  runId: string;
  pick: CamPick;
  count: number;
  target: CamClass;
}

export interface CamSheet {
  runId: string;
  task: RunRecord['config']['task'];
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  count: number;
  /** Test-split index of each image. */
  indices: number[];
  /** True label (class index, or years). */
  truth: number[];
  /** [count, h, w, c] bytes, the full face. */
  pixels: Uint8Array;
  panels: { model: StageName; label: string; visibility: Visibility }[];
  /** [count, panels, h, w] in [0, 1]. */
  maps: Float32Array;
  /** [count * panels]: predicted class index, or years. */
  predicted: number[];
  /** [count * panels]: the class each map explains (-1 for regression). */
  explained: number[];
  ms: number;
}

const rowOf = (rows: GridRow[], model: StageName, test: Visibility) =>
  rows.find((r) => r.model === model && r.test === test);

/** Test images for the viewer, from the run's stored per-image predictions. */
export function pickImages(run: RunRecord, truth: ArrayLike<number>, pick: CamPick, count: number): number[] {
  const scen = run.config.scenario;
  const teacher = rowOf(run.rows, 'teacher', 'full')?.predictions;
  const student = rowOf(run.rows, 'student', scen)?.predictions ?? rowOf(run.rows, 'teacher', scen)?.predictions;
  const all = Array.from({ length: truth.length }, (_, i) => i);
  const age = run.config.task === 'age';
  const right = (i: number) => (age ? Math.abs(student![i] - truth[i]) <= 5 : student![i] === truth[i]);
  switch (pick.mode) {
    case 'first':
      return all.slice(0, count);
    case 'class':
      return all.filter((i) => truth[i] === pick.cls).slice(0, count);
    case 'correct':
    case 'wrong':
      if (!student) throw new Error('This run has no student results yet.');
      return all.filter((i) => right(i) === (pick.mode === 'correct')).slice(0, count);
    case 'disagreement': {
      if (!student || !teacher) throw new Error('This run has no teacher and student results yet.');
      const gap = (i: number) =>
        age ? Math.abs(teacher[i] - student[i]) : teacher[i] !== student[i] ? 1 + (teacher[i] === truth[i] ? 1 : 0) : 0;
      return all
        .filter((i) => gap(i) > 0)
        .sort((a, b) => gap(b) - gap(a) || a - b)
        .slice(0, count);
    }
  }
}
