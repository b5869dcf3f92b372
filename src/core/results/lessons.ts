// What a run's grid shows, in plain sentences computed from its numbers (the Results page, the runner's
// grid.txt): the collapse on the hidden half, the recovery by fine-tuning, which half informs, and what
// each distillation adds over the same-budget control, honest when an effect is absent or not
// significant. Also the guard: a teacher not clearly better than its step-2 student has nothing to teach.
import type { ExperimentConfig } from '../config/config';
import { otherHalf } from '../data/occlusion';
import type { Visibility } from '../data/types';
import type { EpochRecord, GridRow, PairedTest } from '../events';
import type { StageName } from '../config/config';
import { bestValidation } from './sweep';

/** How far above the student the teacher must be for distillation to be worth testing: 2 accuracy
 *  points, or an MAE 3% lower. */
export const GUARD_MARGIN = { accuracy: 0.02, maeRatio: 0.97 };

/** The significance level the sentences use. */
export const ALPHA = 0.05;

export interface Guard {
  /** True when the comparison is meaningful; null when the run has no teacher or student epoch yet. */
  meaningful: boolean | null;
  /** Best validation accuracy (fraction) or MAE (years) of the teacher on full faces and of the step-2
   *  student on the scenario's half. */
  teacher: number | null;
  student: number | null;
  message: string;
}

const HALF: Record<Exclude<Visibility, 'full'>, string> = { lower: 'lower', upper: 'upper' };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const yrs = (x: number) => `${x.toFixed(2)} years`;

export type GuardConfig = Pick<ExperimentConfig, 'task' | 'scenario'> & {
  teacher?: { keep?: 'best' | 'last' };
  student?: { keep?: 'best' | 'last' };
};

/** The validation figure of the weights a stage kept: its best epoch, or with `keep: 'last'` its last
 *  epoch with a figure (null before any). */
export function keptValidation(
  history: EpochRecord[],
  stage: StageName,
  task: ExperimentConfig['task'],
  keep: 'best' | 'last' = 'best',
): number | null {
  if (keep === 'best') return bestValidation(history, stage, task);
  const vals = history
    .filter((h) => h.stage === stage)
    .map((h) => (task === 'age' ? h.val.mae : h.val.accuracy))
    .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  return vals.length ? vals[vals.length - 1] : null;
}

/** Is the teacher clearly better on full faces than the step-2 student on the half it sees? Each is
 *  judged by the weights its stage kept (best validation epoch, or the last one with `keep: 'last'`). */
export function distillationGuard(history: EpochRecord[], cfg: GuardConfig): Guard {
  const age = cfg.task === 'age';
  const teacherKeep = cfg.teacher?.keep ?? 'best';
  const studentKeep = cfg.student?.keep ?? 'best';
  const teacher = keptValidation(history, 'teacher', cfg.task, teacherKeep);
  const student = keptValidation(history, 'student', cfg.task, studentKeep);
  if (teacher === null || student === null) {
    return {
      meaningful: null,
      teacher,
      student,
      message: 'The teacher and the step-2 student have not both finished an epoch yet.',
    };
  }
  const fmt = age ? yrs : pct;
  const kind = age ? 'validation MAE' : 'validation accuracy';
  const what =
    teacherKeep === 'best' && studentKeep === 'best' ? `best ${kind}` : `${kind} (of the epoch each stage kept)`;
  const meaningful = age ? teacher <= student * GUARD_MARGIN.maeRatio : teacher - student >= GUARD_MARGIN.accuracy;
  const facts = `the teacher's ${what} on full faces is ${fmt(teacher)}, the step-2 student's on ${HALF[cfg.scenario]} halves ${fmt(student)}`;
  return {
    meaningful,
    teacher,
    student,
    message: meaningful
      ? `A distillation comparison is meaningful: ${facts}, so the teacher has something to pass on.`
      : `A distillation comparison is not meaningful for this run: ${facts}. A teacher that is not clearly better ` +
        `(by ${age ? '3% of the MAE' : '2 points'}) than its student has nothing to teach; any gain of the distilled rows is extra ` +
        'training, not distillation. Train the teacher longer (more epochs or patience), or on more data.',
  };
}

const row = (rows: GridRow[], model: string, test: Visibility) =>
  rows.find((r) => r.model === model && r.test === test);
const metric = (r: GridRow | undefined, age: boolean) =>
  r ? ((age ? r.metrics.mae : r.metrics.accuracy) ?? null) : null;

function pText(t: PairedTest | undefined): string {
  if (!t) return 'not tested';
  return t.p < 0.001 ? 'p < 0.001' : `p = ${t.p.toFixed(t.p < 0.01 ? 3 : 2)}`;
}

/** The grid in sentences, in the order a presenter would say them. */
export function lessons(
  rows: GridRow[],
  history: EpochRecord[],
  cfg: GuardConfig,
  basis: 'test' | 'seeds' = 'test',
): string[] {
  const age = cfg.task === 'age';
  const scen = cfg.scenario;
  const hidden = otherHalf(scen);
  const out: string[] = [];
  const diff = (better: number, worse: number) => (age ? worse - better : better - worse); // > 0: first is better
  const amount = (d: number) => (age ? `${Math.abs(d).toFixed(2)} years` : `${(100 * Math.abs(d)).toFixed(1)} points`);
  const fmt = (x: number) => (age ? yrs(x) : pct(x));

  const tFull = metric(row(rows, 'teacher', 'full'), age);
  const tHalf = metric(row(rows, 'teacher', scen), age);
  if (tFull !== null && tHalf !== null) {
    const d = diff(tFull, tHalf);
    out.push(
      d > 0
        ? `Hiding the ${hidden} half costs the teacher ${age ? `${amount(d)} of MAE` : amount(d)} (${fmt(tFull)} on full faces, ${fmt(tHalf)} on ${scen} halves).`
        : `Hiding the ${hidden} half does not hurt the teacher here (${fmt(tFull)} on full faces, ${fmt(tHalf)} on ${scen} halves).`,
    );
  }
  const student = row(rows, 'student', scen);
  const s = metric(student, age);
  if (tHalf !== null && s !== null) {
    const d = diff(s, tHalf);
    out.push(
      d > 0
        ? `Fine-tuning on ${scen} halves recovers ${age ? `${amount(d)} of MAE` : amount(d)} (${fmt(tHalf)} → ${fmt(s)}).`
        : `Fine-tuning on ${scen} halves does not recover anything here (${fmt(tHalf)} → ${fmt(s)}).`,
    );
  }
  const so = metric(row(rows, 'studentOther', hidden), age);
  if (s !== null && so !== null) {
    const d = diff(s, so);
    out.push(
      d > 0
        ? `The ${scen} half is the more informative one for ${cfg.task}: a student on it reaches ${age ? 'an MAE of ' : ''}${fmt(s)}, one on the ${hidden} half ${fmt(so)}.`
        : `Here the ${hidden} half informs ${cfg.task} as well or better (${fmt(so)}) than the ${scen} half (${fmt(s)}).`,
    );
  }
  const guard = distillationGuard(history, cfg);
  if (guard.meaningful === false) out.push(guard.message);
  const control = row(rows, 'control', scen);
  const c = metric(control, age);
  for (const [model, name] of [
    ['standard', 'Standard T-S'],
    ['triplet', 'Triplet T-S'],
    ['svm', `The ${age ? 'SVR' : 'SVM'} on both students`],
  ] as const) {
    const r = row(rows, model, scen);
    const v = metric(r, age);
    if (v === null) continue;
    if (c !== null) {
      const d = diff(v, c);
      const t = r!.stats?.vsControl;
      const sig = t ? t.p < ALPHA : false;
      const verb =
        d > 0
          ? age
            ? `lowers the MAE by ${amount(d)}`
            : `adds ${amount(d)}`
          : d < 0
            ? age
              ? `raises the MAE by ${amount(d)}`
              : `loses ${amount(d)}`
            : 'changes nothing';
      out.push(
        `${name} ${verb} against the same-budget student (${fmt(v)} vs ${fmt(c)}, ${pText(t)})` +
          (d > 0 && sig
            ? '.'
            : d > 0
              ? `: not significant ${basis === 'test' ? 'on this test set' : 'across these seeds'}.`
              : '.'),
      );
    } else if (s !== null) {
      out.push(
        `${name}: ${fmt(v)} against the step-2 student's ${fmt(s)} (${pText(r!.stats?.vsStudent)}); without the same-budget control, extra training and distillation cannot be told apart.`,
      );
    }
  }
  return out;
}

/** Epochs each stage trained, e.g. `teacher 14 of 30 (early stop, kept 11)`. */
/** Which epoch a stage keeps, from the config block it trains with (schedule.ts's stageConfig). */
function stageKeep(
  cfg: Pick<ExperimentConfig, 'teacher' | 'student' | 'standard' | 'triplet'>,
  s: StageName,
): 'best' | 'last' {
  const block = s === 'studentOther' ? cfg.student : s === 'control' ? cfg.standard : cfg[s];
  return block.keep ?? 'best';
}

export function epochsRun(
  history: EpochRecord[],
  cfg: Pick<ExperimentConfig, 'teacher' | 'student' | 'standard' | 'triplet'> & { sameBudgetControl?: boolean },
): string[] {
  const caps: Partial<Record<StageName, number>> = {
    teacher: cfg.teacher.epochs,
    student: cfg.student.epochs,
    studentOther: cfg.student.epochs,
    standard: cfg.standard.epochs,
    triplet: cfg.triplet.epochs,
    control: Math.max(cfg.standard.epochs, cfg.triplet.epochs),
  };
  const stages = [...new Set(history.map((h) => h.stage))];
  return stages.map((s) => {
    const eps = history.filter((h) => h.stage === s);
    // keep: last (configs from before it existed kept the best) keeps the last epoch trained.
    const keepLast = stageKeep(cfg, s) === 'last';
    const kept = keepLast ? eps[eps.length - 1] : [...eps].reverse().find((h) => h.best);
    const cap = caps[s] ?? eps.length;
    return `${s} ${eps.length} of ${cap}${eps.length < cap ? ' (early stop' : ' ('}${eps.length < cap ? ', ' : ''}kept ${kept ? kept.epoch + 1 : '–'})`;
  });
}

/** The text under a grid: epochs per stage, the guard, the lessons. */
export function summaryText(rows: GridRow[], history: EpochRecord[], cfg: ExperimentConfig): string {
  const guard = distillationGuard(history, cfg);
  return [
    `Epochs trained: ${epochsRun(history, cfg).join('; ')}.`,
    guard.message,
    '',
    'What this grid shows:',
    ...lessons(rows, history, cfg)
      .filter((l) => l !== guard.message)
      .map((l) => `- ${l}`),
  ].join('\n');
}
