// A budget sweep that shares the teacher (docs/method.md#extension-the-students-data-budget): for every seed the teacher is
// trained once on the whole training split, then steps 2-3 (student, standard and triplet T-S, the
// same-budget control, the combined students) run for every budget from that one teacher. Emits the
// curriculum's events, framed as one run (one runStart, one runEnd), with a progress line and the time
// left after each part. The page's worker and the runner both drive it. The plan and its price, free of
// tfjs for the page, are in plan.ts.
import type { ExperimentConfig } from '../config/config';
import type { CurriculumEvent, EpochRecord, GridRow } from '../events';
import { disposeModels, runCurriculum, type CurriculumData, type CurriculumHooks } from '../distill/curriculum';
import { curriculumStages } from '../distill/schedule';
import { formatEstimate } from '../distill/estimate';
import { repeatSeeds } from '../results/repeats';
import { budgetCount } from './subset';
import { budgetPlan, budgetRunConfig, teacherOnly } from './plan';
import { addRun, emptyTable, type BudgetTable } from './table';

export interface BudgetSweepResult {
  table: BudgetTable;
  /** Each run's grid and epochs (seed-major, the teacher's rows in each). */
  runs: { seed: number; budget: number | string; images: number; rows: GridRow[]; history: EpochRecord[] }[];
}

/** Why a config's budget sweep cannot run, or null. */
export function budgetSweepError(cfg: ExperimentConfig, trainImages: number): string | null {
  if (!cfg.budgets?.length) return 'budgets: give at least one budget';
  const batch = Math.max(cfg.student.batchSize, cfg.standard.batchSize, cfg.triplet.batchSize);
  const small = cfg.budgets.find((b) => budgetCount(b, trainImages) < batch);
  if (small !== undefined) {
    return (
      `budgets: ${JSON.stringify(small)} is ${budgetCount(small, trainImages)} images, fewer than a batch of steps 2-3 (${batch}); ` +
      'raise it or lower student/standard/triplet batchSize'
    );
  }
  return null;
}

/**
 * Runs the sweep. `hooks.emit` gets the curriculum's events of every part (one runStart and runEnd
 * around them all, `log` lines for progress); `onTable` the table after every finished part. No
 * checkpoints (a stopped sweep starts again); models are disposed as soon as a part is done.
 */
export async function runBudgetSweep(
  cfg: ExperimentConfig,
  data: CurriculumData,
  hooks: CurriculumHooks,
  onTable?: (t: BudgetTable) => void,
): Promise<BudgetSweepResult> {
  const err = budgetSweepError(cfg, data.train.count);
  if (err) throw new Error(err);
  const budgets = cfg.budgets!;
  const seeds = repeatSeeds(cfg);
  const n = data.train.count;
  let table = emptyTable(
    cfg,
    n,
    seeds,
    budgets.map((b) => ({ budget: b, images: budgetCount(b, n) })),
  );
  const plan = budgetPlan(cfg, n, data.val.count);
  const total = plan.reduce((s, p) => s + p.work, 0);
  const t0 = Date.now();
  let done = 0;
  let part = 0;
  const stages = curriculumStages(budgetRunConfig(cfg, cfg.seed, budgets[0]));
  hooks.emit({ type: 'runStart', config: cfg, backend: hooks.backend ?? 'unknown', stages });
  // Inner runs' frames are dropped: the sweep is one run for whoever listens.
  const inner: CurriculumHooks = {
    ...hooks,
    onCheckpoint: undefined,
    initialTeacher: undefined,
    emit: (e: CurriculumEvent) => {
      if (e.type !== 'runStart' && e.type !== 'runEnd') hooks.emit(e);
    },
  };
  const say = (what: string) => {
    const f = total ? done / total : 0;
    const elapsed = (Date.now() - t0) / 1000;
    const left = f > 0 ? ` about ${formatEstimate((elapsed * (1 - f)) / f)} left (at the epoch caps),` : '';
    hooks.emit({
      type: 'log',
      level: 'info',
      message: `Budget sweep, part ${part + 1} of ${plan.length}: ${what};${left} ${Math.round(100 * f)}% of the training done.`,
    });
  };
  const runs: BudgetSweepResult['runs'] = [];
  for (const [s, seed] of seeds.entries()) {
    say(`seed ${seed} (${s + 1} of ${seeds.length}), the teacher on all ${n} training images`);
    const tr = await runCurriculum({ ...teacherOnly(cfg), seed }, data, {
      ...inner,
      initialTeacher: hooks.initialTeacher,
    });
    done += plan[part++].work;
    const teacher = tr.models.teacher!;
    try {
      const shared = { model: teacher, rows: tr.rows, history: tr.history, ms: tr.stageMs.teacher ?? 0 };
      for (const [b, budget] of budgets.entries()) {
        say(`seed ${seed}, ${budgetCount(budget, n)} labelled images (budget ${b + 1} of ${budgets.length})`);
        const r = await runCurriculum(budgetRunConfig(cfg, seed, budget), data, { ...inner, trainedTeacher: shared });
        disposeModels(r.models);
        done += plan[part++].work;
        runs.push({ seed, budget, images: budgetCount(budget, n), rows: r.rows, history: r.history });
        table = addRun(table, s, b, r.rows);
        onTable?.(table);
      }
    } finally {
      disposeModels(tr.models);
    }
  }
  hooks.emit({ type: 'runEnd', ms: Date.now() - t0 });
  return { table, runs };
}
