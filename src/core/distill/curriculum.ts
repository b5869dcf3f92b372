// The curriculum of docs/method.md#curriculum: teacher on full faces → student (a copy of the teacher fine-tuned on the
// scenario's half faces) → standard T-S and triplet T-S, each from that student with the teacher frozen
// and fed the full image → the same-budget control → the combined students → the evaluation grid. This
// file is the stage order; the epoch loop is trainStage.ts, the losses steps.ts and tripletStage.ts. It
// only emits events.
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type ExperimentConfig, type StageName } from '../config/config';
import { labelsOf } from '../data';
import { otherHalf } from '../data/occlusion';
import { type Visibility, VISIBILITY_SYMBOL } from '../data/types';
import type { CurriculumEvent, EpochRecord, GridRow } from '../events';
import { buildModel, copyModel, copyWeightsInto } from '../models';
import { checkCheckpoint, modelFromWeights, type Checkpoint } from './checkpoint';
import { now, StageContext, type CurriculumData, type StageRun } from './context';
import { curriculumStages, stageConfig, standardKind } from './schedule';
import { standardRun, taskStep } from './steps';
import { trainStage } from './trainStage';
import { tripletRun } from './tripletStage';
import { ensembleRows } from '../ensemble/stage';
import { withRowStats } from './rowStats';
import { checkMemory, memoryCeiling } from './memory';
import { budgetSplit } from '../budget/subset';

export { STAGE_LABEL };
export type { CurriculumData };
export { reseedDropout, trainableVariables } from './trainStage';

export interface CurriculumHooks {
  emit: (e: CurriculumEvent) => void;
  /** Cancels the run between batches; models built so far are disposed. */
  signal?: AbortSignal;
  /** Awaited between batches: resolves immediately unless the user paused. */
  pauseGate?: () => Promise<void>;
  /** Name of the active tfjs backend, reported in runStart. */
  backend?: string;
  /** Called when a stage has built its model, before training (inspection, tests). */
  onModel?: (stage: StageName, model: tf.LayersModel) => void;
  /** Called and awaited after every epoch and at the end of every stage with a resumable snapshot. */
  onCheckpoint?: (cp: Checkpoint) => void | Promise<void>;
  /** The machine's memory, the ceiling for tfjs's cpu backend (Node: os.totalmem()); absent: not checked. */
  memoryBytes?: number;
  /** Weights the teacher starts from (an imported model of the same architecture); the caller owns it. */
  initialTeacher?: tf.LayersModel;
  /** A teacher already trained for this seed (a budget sweep shares one): not trained again, its rows
   *  and epochs reused; the caller owns the model. */
  trainedTeacher?: SharedTeacher;
}

export interface SharedTeacher {
  model: tf.LayersModel;
  rows: GridRow[];
  history: EpochRecord[];
  ms: number;
}

export interface CurriculumResult {
  rows: GridRow[];
  history: EpochRecord[];
  /** Trained models by stage; the caller owns them (dispose with disposeModels). */
  models: Partial<Record<StageName, tf.LayersModel>>;
  stageMs: Partial<Record<StageName, number>>;
  /** Stages stopped before their last epoch, with the reason. */
  stopped: Partial<Record<StageName, string>>;
}

export function disposeModels(models: Partial<Record<StageName, tf.LayersModel>>): void {
  for (const m of Object.values(models)) m?.dispose();
}

/** Display form of a training visibility, e.g. `full+lower` for a distilled student. */
export function trainLabel(v: string): string {
  return v
    .split('+')
    .map((p) => `${VISIBILITY_SYMBOL[p as Visibility] ?? p} ${p}`)
    .join(' + ');
}

/** Runs the whole curriculum, or continues it from a checkpoint. On cancel or error every model it
 *  built is disposed before it throws. */
export async function runCurriculum(
  cfg: ExperimentConfig,
  data: CurriculumData,
  hooks: CurriculumHooks,
  resumeFrom?: Checkpoint,
): Promise<CurriculumResult> {
  const c = new StageContext(cfg, data, hooks);
  // Before any model is built: every stage's models, gradients and batches against the backend's memory.
  const backendName = hooks.backend ?? tf.getBackend();
  checkMemory(cfg, c.spec, backendName, memoryCeiling(backendName, hooks.memoryBytes ?? null));
  const cp = resumeFrom ?? null;
  if (cp) {
    checkCheckpoint(cp);
    c.rows.push(...cp.rows);
    c.history.push(...cp.history);
    c.done.push(...cp.done);
    Object.assign(c.stageMs, cp.stageMs);
    Object.assign(c.stopped, cp.stopped);
  }
  const shared = cp ? undefined : hooks.trainedTeacher;
  if (shared) {
    c.rows.push(...shared.rows);
    c.history.push(...shared.history);
    c.done.push('teacher');
    c.stageMs.teacher = shared.ms;
  }
  const stages = curriculumStages(cfg);
  const t0 = now();
  const scen = cfg.scenario;
  c.emit({
    type: 'runStart',
    config: cfg,
    backend: hooks.backend ?? tf.getBackend(),
    stages,
    ...(cp
      ? {
          resumedFrom: cp.progress
            ? { stage: cp.progress.stage, epoch: cp.progress.nextEpoch }
            : { stage: cp.done[cp.done.length - 1] ?? 'teacher', epoch: -1 },
        }
      : {}),
  });

  /** Builds (or restores) a stage's model, trains it unless the checkpoint says it is done, adds its rows. */
  const stage = async (
    name: StageName,
    make: () => tf.LayersModel,
    run: (m: tf.LayersModel) => StageRun,
    tests: [string, Visibility][],
  ): Promise<tf.LayersModel> => {
    const saved = cp?.weights[name];
    let model: tf.LayersModel;
    if (saved && (cp!.done.includes(name) || cp!.progress?.stage === name)) {
      model = modelFromWeights(c.spec, saved);
      c.models[name] = model;
    } else {
      model = make();
      c.models[name] = model;
    }
    hooks.onModel?.(name, model);
    if (c.done.includes(name)) return model;
    const resume = cp?.progress?.stage === name ? cp.progress : undefined;
    c.stageMs[name] = await trainStage(
      c,
      { ...run(model), ...(resume ? { resume } : {}) },
      hooks.onCheckpoint
        ? async (p) => {
            await hooks.onCheckpoint!(await c.checkpoint(p));
          }
        : undefined,
    );
    for (const [train, test] of tests) c.rows.push(await c.evaluateRow(name, model, train, test));
    c.done.push(name);
    if (hooks.onCheckpoint) await hooks.onCheckpoint(await c.checkpoint(null));
    return model;
  };
  const copyOf = (src: tf.LayersModel) => () => {
    const m = copyModel(src, c.spec);
    m.trainable = true;
    return m;
  };

  try {
    const teacher = await stage(
      'teacher',
      () => {
        if (shared) return copyModel(shared.model, c.spec);
        const m = buildModel(c.spec);
        if (hooks.initialTeacher) {
          try {
            copyWeightsInto(hooks.initialTeacher, m, {
              src: 'The imported model',
              dst: 'teacher',
              hint: ': choose a model of the same architecture, width and embedding size.',
            });
          } catch (e) {
            m.dispose();
            throw e;
          }
        }
        return m;
      },
      (m) => ({
        stage: 'teacher',
        model: m,
        cfg: stageConfig(cfg, 'teacher'),
        visibility: 'full',
        extraTerm: null,
        makeStep: taskStep(c, 'full'),
      }),
      [
        ['full', 'full'],
        ['full', 'lower'],
        ['full', 'upper'],
      ],
    );
    teacher.trainable = false; // frozen from here on; minimize() is also given the student's variables only
    // Steps 2-3 train on the student's data budget (the whole split without one); the teacher keeps all.
    c.data = { ...data, train: budgetSplit(data.train, cfg.task, cfg.budget ?? null, cfg.seed).set };

    let base = teacher;
    if (stages.includes('student')) {
      base = await stage(
        'student',
        copyOf(teacher),
        (m) => ({
          stage: 'student',
          model: m,
          cfg: stageConfig(cfg, 'student'),
          visibility: scen,
          extraTerm: null,
          makeStep: taskStep(c, scen),
        }),
        [[scen, scen]],
      );
    }
    if (stages.includes('studentOther')) {
      const other = otherHalf(scen);
      await stage(
        'studentOther',
        copyOf(teacher),
        (m) => ({
          stage: 'studentOther',
          model: m,
          cfg: stageConfig(cfg, 'studentOther'),
          visibility: other,
          extraTerm: null,
          makeStep: taskStep(c, other),
        }),
        [[other, other]],
      );
    }
    const distilled = `full+${scen}`;
    if (stages.includes('standard')) {
      const kind = standardKind(cfg);
      await stage(
        'standard',
        copyOf(base),
        (m) => ({
          stage: 'standard',
          model: m,
          cfg: stageConfig(cfg, 'standard'),
          visibility: scen,
          extraTerm: kind,
          ...standardRun(c, teacher, kind),
        }),
        [[distilled, scen]],
      );
    }
    if (stages.includes('triplet')) {
      await stage('triplet', copyOf(base), (m) => tripletRun(c, teacher, m), [[distilled, scen]]);
    }
    if (stages.includes('control')) {
      await stage(
        'control',
        copyOf(base),
        (m) => ({
          stage: 'control',
          model: m,
          cfg: stageConfig(cfg, 'control'),
          visibility: scen,
          extraTerm: null,
          makeStep: taskStep(c, scen),
        }),
        [[scen, scen]],
      );
    }
    const ens = cfg.ensemble;
    if (
      ens?.enabled &&
      c.models.standard &&
      c.models.triplet &&
      stages.includes('standard') &&
      stages.includes('triplet')
    ) {
      const rows = await ensembleRows(
        cfg,
        ens,
        c.data,
        c.head,
        { standard: c.models.standard, triplet: c.models.triplet },
        (e) => c.emit(e),
        hooks.signal,
      );
      c.rows.push(...rows);
    }
    // CIs and paired tests against the student, once every row is in; re-emitted rows replace the first ones.
    const withStats = withRowStats(c.rows, labelsOf(data.test, cfg.task), cfg.task, cfg.seed);
    c.rows.splice(0, c.rows.length, ...withStats);
    for (const row of withStats) c.emit({ type: 'result', row });
    c.emit({ type: 'runEnd', ms: now() - t0 });
    return { rows: c.rows, history: c.history, models: c.models, stageMs: c.stageMs, stopped: c.stopped };
  } catch (err) {
    disposeModels(c.models);
    throw err;
  }
}
