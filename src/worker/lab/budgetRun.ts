// A budget sweep as one lab run (core/budget/sweep.ts): the teacher trained once per seed, steps 2-3 for
// every budget. The run record keeps the sweep's table (`budgets`, updated after every part) and, as its
// grid and history, those of the last part; no models are stored and no checkpoints written (a stopped
// sweep starts again from its first part).
import type { ExperimentConfig } from '../../core/config/config';
import type { CurriculumData, CurriculumHooks, CurriculumResult } from '../../core/distill/curriculum';
import { runBudgetSweep } from '../../core/budget/sweep';
import type { BudgetTable } from '../../core/budget/table';

export async function budgetRun(
  cfg: ExperimentConfig,
  data: CurriculumData,
  hooks: CurriculumHooks,
  onTable: (t: BudgetTable) => void,
): Promise<CurriculumResult> {
  const { runs, table } = await runBudgetSweep(cfg, data, { ...hooks, onCheckpoint: undefined }, onTable);
  onTable(table);
  const last = runs[runs.length - 1];
  return { rows: last?.rows ?? [], history: last?.history ?? [], models: {}, stageMs: {}, stopped: {} };
}
