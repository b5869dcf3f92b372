// The runner's series of curricula: a sweep (one per value of a setting, the best on validation chosen)
// and repeats (one per seed, then the grid across seeds), each curriculum in its own folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateConfig, type ExperimentConfig } from '../core/config';
import type { SplitImageSets } from '../core/data/types';
import type { EpochRecord, GridRow } from '../core/events';
import { sweepOutcome, sweepRunConfig, sweepStage, type SweepSpec } from '../core/results/sweep';
import { repeatConfig, repeatSeeds, summariseRepeats } from '../core/results/repeats';
import { runOnce, type RunOptions } from './runOnce';

/** One curriculum per value, each in its own folder; the value whose stage did best on validation wins:
 *  sweep.json / sweep.txt. */
export async function runSweep(
  cfg: ExperimentConfig,
  spec: SweepSpec,
  data: SplitImageSets,
  out: string,
  opts: RunOptions,
  say: (s: string) => void,
): Promise<number> {
  const stage = sweepStage(spec.path);
  const lines: { value: number; test: GridRow[]; history: EpochRecord[]; dir: string }[] = [];
  for (const [i, value] of spec.values.entries()) {
    const run = validateConfig(sweepRunConfig(cfg, spec, i));
    const dir = join(out, `sweep-${i + 1}-${String(value).replace(/[^\w.-]/g, '_')}`);
    await mkdir(dir, { recursive: true });
    say(`\n=== sweep ${i + 1}/${spec.values.length}: ${spec.path} = ${value}\n`);
    const r = await runOnce(run, data, dir, opts);
    lines.push({ value, test: r.rows, history: r.history, dir });
    if (r.stopped) break;
  }
  const outcome = sweepOutcome(
    lines.map((l) => ({ history: l.history, rows: l.test })),
    stage,
    cfg.task,
    cfg.scenario,
  );
  const best = outcome.chosen;
  const fmt = (v: number | null) => (v === null ? '-' : cfg.task === 'age' ? v.toFixed(2) : (100 * v).toFixed(1));
  const table = [
    `${spec.path}  val ${stage} ${cfg.task === 'age' ? 'MAE' : 'acc %'}  test ${stage} ${cfg.task === 'age' ? 'MAE' : 'acc %'}`,
    ...lines.map(
      (l, i) =>
        `${String(l.value).padEnd(spec.path.length)}  ${fmt(outcome.validation[i]).padStart(14)}  ${fmt(outcome.test[i]).padStart(15)}${i === best ? '   <- chosen on validation' : ''}`,
    ),
  ].join('\n');
  process.stdout.write(`\nsweep of ${spec.path} (decided by the ${stage} stage's best validation epoch):\n${table}\n`);
  await writeFile(
    join(out, 'sweep.json'),
    JSON.stringify(
      {
        path: spec.path,
        stage,
        values: spec.values,
        validation: outcome.validation,
        chosen: best >= 0 ? lines[best].value : null,
        runs: lines.map((l, i) => ({
          value: l.value,
          validation: outcome.validation[i],
          dir: l.dir,
          grid: l.test.map(({ predictions: _p, ...r }) => r),
        })),
      },
      null,
      1,
    ),
  );
  await writeFile(join(out, 'sweep.txt'), `${table}\n`);
  return 0;
}

/** `repeats` curricula, seeds seed, seed + 1, ... (each in seed-<s>/), then the grid across seeds:
 *  repeats.txt / repeats.json. */
export async function runRepeats(
  cfg: ExperimentConfig,
  data: SplitImageSets,
  out: string,
  opts: RunOptions,
  say: (s: string) => void,
): Promise<number> {
  const seeds = repeatSeeds(cfg);
  const runs: { seed: number; rows: GridRow[]; history: EpochRecord[]; dir: string }[] = [];
  const t0 = Date.now();
  for (let i = 0; i < seeds.length; i++) {
    const dir = join(out, `seed-${seeds[i]}`);
    await mkdir(dir, { recursive: true });
    say(`\n=== repeat ${i + 1}/${seeds.length}: seed ${seeds[i]}\n`);
    const r = await runOnce(repeatConfig(cfg, i), data, dir, opts);
    runs.push({ seed: seeds[i], rows: r.rows, history: r.history, dir });
    if (r.stopped) break;
  }
  const made = repeatsOutput(cfg, runs, (Date.now() - t0) / 1000);
  await writeRepeats(out, made);
  process.stdout.write(`\n${made.text}\n`);
  return 0;
}

export interface RepeatRun {
  seed: number;
  rows: GridRow[];
  history: EpochRecord[];
  dir: string;
}

/** What a --repeats run writes (repeats.txt, repeats.json) for `runs` of `cfg`, taking `seconds`. */
export function repeatsOutput(
  cfg: ExperimentConfig,
  runs: RepeatRun[],
  seconds: number,
): { text: string; json: unknown } {
  const sum = summariseRepeats(runs, cfg);
  const text = [
    `${cfg.name}: ${sum.seeds.length} seeds (${sum.seeds.join(', ')}), ${seconds.toFixed(0)} s`,
    sum.text,
    '',
    sum.notMeaningful.length
      ? `Seeds whose teacher was not clearly better than its step-2 student (a distillation comparison is not meaningful there): ${sum.notMeaningful.join(', ')}.`
      : 'In every seed the teacher was clearly better than its step-2 student.',
    '',
    'What the mean grid shows (tests across seeds):',
    ...sum.lessons.map((l) => `- ${l}`),
  ].join('\n');
  const json = {
    config: cfg,
    seeds: sum.seeds,
    rows: sum.rows,
    guards: sum.guards,
    runs: runs.map((r) => ({ seed: r.seed, dir: r.dir })),
  };
  return { text, json };
}

/** Writes repeats.txt and repeats.json into `out`. */
export async function writeRepeats(out: string, made: { text: string; json: unknown }): Promise<void> {
  await writeFile(join(out, 'repeats.txt'), `${made.text}\n`);
  await writeFile(join(out, 'repeats.json'), JSON.stringify(made.json, null, 1));
}
