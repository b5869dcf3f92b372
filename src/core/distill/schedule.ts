// Pure schedules (docs/architecture.md#events-and-schedules): the learning rate under reduce-on-plateau, and the stage
// list of the curriculum, each a function of (state, config) only.
import type { ExperimentConfig, StageConfig, StageName } from '../config/config';

export interface PlateauState {
  learningRate: number;
  /** Best validation value so far (null before the first epoch). */
  best: number | null;
  /** Epochs since the last improvement. */
  badEpochs: number;
}

export function initialPlateau(cfg: StageConfig): PlateauState {
  return { learningRate: cfg.learningRate, best: null, badEpochs: 0 };
}

/** After an epoch with validation value `value`: keep the rate while it improves; after `lrPatience`
 *  epochs without improvement multiply it by `lrFactor` (not below `minLearningRate`). */
export function plateauStep(s: PlateauState, value: number, higherIsBetter: boolean, cfg: StageConfig): PlateauState {
  const improved = !Number.isNaN(value) && (s.best === null || (higherIsBetter ? value > s.best : value < s.best));
  if (improved) return { learningRate: s.learningRate, best: value, badEpochs: 0 };
  const bad = s.badEpochs + 1;
  if (bad > cfg.lrPatience) {
    return { learningRate: Math.max(cfg.minLearningRate, s.learningRate * cfg.lrFactor), best: s.best, badEpochs: 0 };
  }
  return { learningRate: s.learningRate, best: s.best, badEpochs: bad };
}

/** Early stopping's count: the best validation value so far and the epochs since it improved. */
export interface EarlyStopState {
  best: number | null;
  bad: number;
}

export const initialEarlyStop = (): EarlyStopState => ({ best: null, bad: 0 });

/** After an epoch with validation value `value`: an improvement of more than `minDelta` resets the
 *  count; otherwise (NaN included) it grows. `stop` once it reaches `patience` (never when 0). */
export function earlyStopStep(
  s: EarlyStopState,
  value: number,
  higherIsBetter: boolean,
  cfg: Pick<StageConfig, 'patience' | 'minDelta'>,
): EarlyStopState & { stop: boolean } {
  const improved =
    !Number.isNaN(value) &&
    (s.best === null || (higherIsBetter ? value > s.best + cfg.minDelta : value < s.best - cfg.minDelta));
  const next = improved ? { best: value, bad: 0 } : { best: s.best, bad: s.bad + 1 };
  return { ...next, stop: cfg.patience > 0 && next.bad >= cfg.patience };
}

/** The stages a config runs, in order. */
export function curriculumStages(cfg: ExperimentConfig): StageName[] {
  const out: StageName[] = ['teacher'];
  if (!cfg.skipStudentStep && cfg.student.epochs > 0) out.push('student');
  if (cfg.trainOtherHalfStudent && cfg.student.epochs > 0) out.push('studentOther');
  if (cfg.standard.epochs > 0) out.push('standard');
  if (cfg.triplet.epochs > 0) out.push('triplet');
  if (cfg.sameBudgetControl && controlEpochs(cfg) > 0) out.push('control');
  return out;
}

/** The same-budget control trains as long as the longest distillation stage. */
export function controlEpochs(cfg: ExperimentConfig): number {
  return Math.max(cfg.standard.epochs, cfg.triplet.epochs);
}

/** Which standard T-S loss a task uses: KD for many classes, hints for binary and regression
 *  (docs/method.md#standard-t-s). */
export function standardKind(cfg: ExperimentConfig): 'kd' | 'hint' {
  if (cfg.standard.kind !== 'auto') return cfg.standard.kind;
  return cfg.task === 'expression' ? 'kd' : 'hint';
}

/** The settings a stage trains with: the one place that maps stages to config blocks (the other-half
 *  student trains as the student; the control as the standard stage, for the control's epochs). */
export function stageConfig(cfg: ExperimentConfig, s: StageName): StageConfig {
  switch (s) {
    case 'teacher':
      return cfg.teacher;
    case 'student':
    case 'studentOther':
      return cfg.student;
    case 'standard':
      return cfg.standard;
    case 'triplet':
      return cfg.triplet;
    case 'control':
      return { ...cfg.standard, epochs: controlEpochs(cfg) };
  }
}
