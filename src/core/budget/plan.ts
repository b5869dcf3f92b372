// A budget sweep's parts, without tfjs (the page prices a sweep before it runs): the config that trains
// the teacher alone, the config of one seed and budget, the work of each part for progress, and the
// duration at the epoch caps from a calibration's cost.
import type { ExperimentConfig } from '../config/config';
import { curriculumStages, stageConfig } from '../distill/schedule';
import { estimateDuration, type DatasetDims, type StepCost } from '../distill/estimate';
import { repeatSeeds } from '../results/repeats';
import { budgetCount } from './subset';

/** The config that trains the teacher alone (every later stage at 0 epochs). */
export function teacherOnly(cfg: ExperimentConfig): ExperimentConfig {
  return {
    ...cfg,
    budget: null,
    budgets: null,
    repeats: 1,
    student: { ...cfg.student, epochs: 0 },
    standard: { ...cfg.standard, epochs: 0 },
    triplet: { ...cfg.triplet, epochs: 0 },
  };
}

/** The config of one seed and one budget of a sweep (no other-half student: the lesson does not use it). */
export function budgetRunConfig(cfg: ExperimentConfig, seed: number, budget: number | string): ExperimentConfig {
  return { ...cfg, seed, budget, budgets: null, repeats: 1, trainOtherHalfStudent: false };
}

/** The parts of a sweep in order (per seed: the teacher, then each budget) with the training images
 *  each asks for at its epoch caps, plus its validation passes: the measure of progress. */
export function budgetPlan(
  cfg: ExperimentConfig,
  trainImages: number,
  valImages = 0,
): { seed: number; budget: number | string | null; work: number }[] {
  const work = (c: ExperimentConfig, n: number) =>
    curriculumStages(c).reduce((s, st) => {
      const sc = stageConfig(c, st);
      // A validation pass per epoch, priced as a third of training an image (inference only).
      return s + sc.epochs * (Math.floor(n / sc.batchSize) * sc.batchSize * (st === 'triplet' ? 2 : 1) + valImages / 3);
    }, 0);
  return repeatSeeds(cfg).flatMap((seed) => [
    { seed, budget: null, work: work(teacherOnly(cfg), trainImages) },
    ...(cfg.budgets ?? []).map((b) => {
      const c = budgetRunConfig(cfg, seed, b);
      return {
        seed,
        budget: b,
        work: work({ ...c, teacher: { ...c.teacher, epochs: 0 } }, budgetCount(b, trainImages)),
      };
    }),
  ]);
}

/** The sweep's duration at its epoch caps, priced at a calibration's cost. */
export function budgetEstimate(cfg: ExperimentConfig, dims: DatasetDims, cost: StepCost): number {
  const seeds = repeatSeeds(cfg).length;
  const teacher = estimateDuration(teacherOnly(cfg), dims, cost).maxS;
  const rest = (cfg.budgets ?? []).reduce<number>((s, b) => {
    const c = budgetRunConfig(cfg, cfg.seed, b);
    const d = { ...dims, train: budgetCount(b, dims.train) };
    return s + estimateDuration({ ...c, teacher: { ...c.teacher, epochs: 0 } }, d, cost).maxS;
  }, 0);
  return seeds * (teacher + rest);
}
