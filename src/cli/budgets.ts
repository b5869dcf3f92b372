// The runner's budget sweep (`--budgets 120,300,1200,100%` with `--repeats N`): the teacher trained once
// per seed, steps 2-3 for every budget from it (core/budget/sweep.ts); writes budgets.txt (the table with
// each distilled row's gain over the same-budget control, its 95% CI and p, and the lesson in sentences)
// and budgets.json ({ metric, budgets: [{ images, models: { student, standard, triplet, control, svm } }] }).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../core/config/config';
import type { CurriculumData, CurriculumHooks } from '../core/distill/curriculum';
import { runBudgetSweep } from '../core/budget/sweep';
import { budgetLessons } from '../core/budget/lesson';
import { formatBudgets, type BudgetTable } from '../core/budget/table';

/** budgets.json: the table plus the config it came from and the run's time. */
export function budgetsJson(cfg: ExperimentConfig, table: BudgetTable, totalMs: number): string {
  return JSON.stringify({ ...table, config: cfg, totalMs }, null, 1);
}

/** budgets.txt: the table and the sentences. */
export function budgetsText(cfg: ExperimentConfig, table: BudgetTable, totalMs: number): string {
  return [
    `${cfg.name}: budget sweep over seeds ${table.seeds.join(', ')}, ${(totalMs / 1000).toFixed(0)} s`,
    formatBudgets(table),
    '',
    'What the sweep shows:',
    ...budgetLessons(table).map((l) => `- ${l}`),
  ].join('\n');
}

/** Runs the sweep, writing budgets.json / budgets.txt after every part (a stopped sweep keeps what is done). */
export async function runBudgets(
  cfg: ExperimentConfig,
  data: CurriculumData,
  out: string,
  hooks: CurriculumHooks,
): Promise<BudgetTable> {
  const t0 = Date.now();
  const write = async (t: BudgetTable) => {
    await writeFile(join(out, 'budgets.json'), budgetsJson(cfg, t, Date.now() - t0));
    await writeFile(join(out, 'budgets.txt'), `${budgetsText(cfg, t, Date.now() - t0)}\n`);
  };
  let pending: Promise<void> = Promise.resolve();
  const { table } = await runBudgetSweep(cfg, data, hooks, (t) => {
    pending = pending.then(() => write(t));
  });
  await pending;
  await write(table);
  process.stdout.write(`\n${budgetsText(cfg, table, Date.now() - t0)}\n\nbudgets: ${join(out, 'budgets.json')}\n`);
  return table;
}
