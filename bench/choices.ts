// The evidence behind two documented defaults (docs/method.md#choices-where-the-paper-is-silent):
// 1. `triplet.mining`: each mining choice's triplet T-S student, from the same teacher and step-2 student
//    (one per seed), scored on VALIDATION (the test split is not looked at), over seeds;
// 2. `standard.hintScale`: the hint and task terms per epoch of hint-based standard T-S (gender), summed
//    over the embedding's dimensions (the paper's ‖·‖²) and averaged over them.
// Each seed's teacher and student are trained once; every variant resumes from that checkpoint.
// Usage: npx tsx bench/choices.ts [mining|hint] [--seeds 1,2,3] [--preset demo-expression-lower]
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type ExperimentConfig } from '../src/core/config/config';
import { presetConfig } from '../src/core/config/presets';
import type { SynthDatasetConfig } from '../src/core/config/config';
import { synthSplits } from '../src/core/data/synthSplits';
import type { Checkpoint } from '../src/core/distill/checkpoint';
import { disposeModels, runCurriculum } from '../src/core/distill/curriculum';
import type { CurriculumEvent, EpochRecord } from '../src/core/events';
import { selectBackend } from '../src/platform/backend';
import { bestValidation } from '../src/core/results/sweep';
import type { StageName } from '../src/core/config/config';

const args = process.argv.slice(2);
const what = args.find((a) => a === 'mining' || a === 'hint') ?? 'mining';
const seeds = (args.includes('--seeds') ? args[args.indexOf('--seeds') + 1] : '1,2,3').split(',').map(Number);
const log = (s: string) => process.stdout.write(`${s}\n`);

tf.env().set('PROD', true);
await selectBackend(['wasm']);

/** Trains the teacher and the step-2 student of `cfg` and returns the checkpoint after the student. */
async function studentCheckpoint(cfg: ExperimentConfig, data: ReturnType<typeof synthSplits>): Promise<Checkpoint> {
  let cp: Checkpoint | null = null;
  const base = {
    ...cfg,
    trainOtherHalfStudent: false,
    sameBudgetControl: false,
    standard: { ...cfg.standard, epochs: 0 },
    triplet: { ...cfg.triplet, epochs: 0 },
    ensemble: { ...cfg.ensemble!, enabled: false },
  };
  const r = await runCurriculum(base, data, {
    emit: () => undefined,
    onCheckpoint: (c) => {
      if (!c.progress && c.done.includes('student')) cp = structuredClone(c);
    },
  });
  disposeModels(r.models);
  return cp!;
}

/** Resumes `cp` with `cfg` (only the stages still to run train) and returns the history and events. */
async function resume(
  cfg: ExperimentConfig,
  data: ReturnType<typeof synthSplits>,
  cp: Checkpoint,
): Promise<{ history: EpochRecord[]; events: CurriculumEvent[] }> {
  const events: CurriculumEvent[] = [];
  const r = await runCurriculum(
    cfg,
    data,
    {
      emit: (e) => {
        if (e.type !== 'batchEnd') events.push(e);
      },
    },
    cp,
  );
  disposeModels(r.models);
  return { history: r.history, events };
}

/** Best validation accuracy of a stage (these benches are classification tasks). */
const best = (h: EpochRecord[], stage: StageName) => bestValidation(h, stage, 'expression') ?? NaN;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

if (what === 'mining') {
  const preset = args.includes('--preset') ? args[args.indexOf('--preset') + 1] : 'demo-expression-lower';
  const modes = ['hardest', 'semihard', 'teacher-correct', 'teacher-correct-semihard'] as const;
  const table: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const wrong: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const students: number[] = [];
  for (const seed of seeds) {
    const cfg = makeConfig({
      ...presetConfig(preset),
      seed,
      standard: { epochs: 0 },
      sameBudgetControl: false,
      trainOtherHalfStudent: false,
      ensemble: { enabled: false },
    });
    const data = synthSplits(cfg.dataset as SynthDatasetConfig);
    const t0 = Date.now();
    const cp = await studentCheckpoint(cfg, data);
    students.push(best(cp.history, 'student'));
    log(
      `seed ${seed}: teacher ${(100 * best(cp.history, 'teacher')).toFixed(1)}%, student ${(100 * students.at(-1)!).toFixed(1)}% (validation), ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    for (const mining of modes) {
      const { history, events } = await resume({ ...cfg, triplet: { ...cfg.triplet, mining } }, data, cp);
      table[mining].push(best(history, 'triplet'));
      const mined = events.filter((e): e is Extract<CurriculumEvent, { type: 'mining' }> => e.type === 'mining');
      wrong[mining].push(mean(mined.map((e) => e.positiveTeacherWrong ?? 0)));
      log(
        `  ${mining.padEnd(26)} triplet T-S validation ${(100 * table[mining].at(-1)!).toFixed(1)}%; positives the teacher misclassifies ${(100 * wrong[mining].at(-1)!).toFixed(1)}%`,
      );
    }
  }
  log(
    `\n${preset}, seeds ${seeds.join(', ')}: best validation accuracy of the triplet T-S student (step-2 student: mean ${(100 * mean(students)).toFixed(1)}%)`,
  );
  for (const m of modes) {
    log(
      `  ${m.padEnd(26)} ${table[m].map((v) => (100 * v).toFixed(1)).join(' / ')}  mean ${(100 * mean(table[m])).toFixed(2)}  ` +
        `(Δ vs student ${(100 * (mean(table[m]) - mean(students))).toFixed(2)}; mined positives misclassified by the teacher ${(100 * mean(wrong[m])).toFixed(1)}%)`,
    );
  }
} else {
  const preset = args.includes('--preset') ? args[args.indexOf('--preset') + 1] : 'demo-gender-upper';
  for (const seed of seeds) {
    const cfg = makeConfig({
      ...presetConfig(preset),
      seed,
      triplet: { epochs: 0 },
      sameBudgetControl: false,
      trainOtherHalfStudent: false,
      ensemble: { enabled: false },
    });
    const data = synthSplits(cfg.dataset as SynthDatasetConfig);
    const cp = await studentCheckpoint(cfg, data);
    for (const hintScale of ['sum', 'mean'] as const) {
      const { history } = await resume({ ...cfg, standard: { ...cfg.standard, kind: 'hint', hintScale } }, data, cp);
      const eps = history.filter((h) => h.stage === 'standard');
      log(
        `seed ${seed} hint ${hintScale.padEnd(4)}: per epoch task / hint term ${eps.map((e) => `${e.losses.task.toFixed(3)} / ${(e.losses.hint ?? NaN).toFixed(3)}`).join(', ')}; ` +
          `λ·hint ÷ (1−λ)·task = ${eps.map((e) => ((cfg.standard.lambda * (e.losses.hint ?? 0)) / ((1 - cfg.standard.lambda) * e.losses.task)).toFixed(2)).join(', ')}; ` +
          `best validation ${(100 * best(history, 'standard')).toFixed(1)}% (student ${(100 * best(cp.history, 'student')).toFixed(1)}%)`,
      );
    }
  }
}
