// One curriculum of the runner: trains, saves every model (tfjs files and model.onnx), writes results.json,
// grid.csv and grid.txt, keeps a checkpoint after every epoch, and stops cleanly on Ctrl-C.
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig, StageName } from '../core/config/config';
import type { SplitImageSets } from '../core/data/types';
import type { EpochRecord, GridRow } from '../core/events';
import { disposeModels, runCurriculum, STAGE_LABEL } from '../core/distill/curriculum';
import { formatGrid, gridCsv } from '../core/results/report';
import type { StepCost } from '../core/distill/estimate';
import { summaryText } from '../core/results/lessons';
import type { selectBackend } from '../platform/backend';
import { saveModelToDir } from '../platform/node/modelFiles';
import { labInfo, stageVisibility } from '../platform/models/bundle';
import { taskHead } from '../core/data/batching';
import { removeCheckpointFiles, saveCheckpointFiles, type RunWorld } from '../platform/node/checkpointFiles';
import { resumedNote } from './resumeChecks';
import { modelFromWeights, type Checkpoint } from '../core/distill/checkpoint';
import type { ModelSpec } from '../core/models';
import { modelSpecFor } from '../core/distill/context';
import { MemoryLimitError, outOfMemoryMessage } from '../core/distill/memory';
import { finishedModelsOrNone } from './guards';
import { progressPrinter } from './progress';

/** What every curriculum of one runner invocation shares. */
export interface RunOptions {
  quiet: boolean;
  backend: Awaited<ReturnType<typeof selectBackend>>;
  /** The dataset identity and backend every checkpoint records (checked on --resume). */
  world: RunWorld;
  /** The calibration's estimate for the run (written into results.json beside the real time). */
  estimate: { maxS: number; cost: StepCost } | null;
}

export interface RunOutcome {
  rows: GridRow[];
  history: EpochRecord[];
  stopped: boolean;
}

/** The models of a checkpoint's finished stages, built from its weights (the caller disposes them). */
function finishedModels(cp: Checkpoint, spec: ModelSpec): Partial<Record<StageName, tf.LayersModel>> {
  const out: Partial<Record<StageName, tf.LayersModel>> = {};
  for (const stage of cp.done) {
    const w = cp.weights[stage];
    if (!w) continue;
    out[stage] = modelFromWeights(spec, w);
  }
  return out;
}

/** Ctrl-C (SIGINT, as a terminal sends it to the whole process group): the first stops the run after the
 *  current batch, the second exits at once. Returns the undo. */
function onInterrupt(
  controller: AbortController,
  heard: (signal: NodeJS.Signals) => void = () => undefined,
): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      heard(signal);
      process.stderr.write(
        '\ninterrupted: stopping after this batch and keeping what is finished (Ctrl-C again to exit at once)...\n',
      );
      controller.abort();
    } else {
      process.stderr.write(
        "\ninterrupted twice: exiting now (the last epoch's checkpoint is in the output folder: --resume continues it)\n",
      );
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * One curriculum: trains, saves every model, writes results.json, grid.csv and grid.txt into `out`. A
 * checkpoint goes into `out` after every epoch (removed when the run ends); `resume` continues from one.
 * Interrupted (Ctrl-C), it still writes results.json, marked stopped, with the finished stages' rows and
 * models.
 */
export async function runOnce(
  cfg: ExperimentConfig,
  data: SplitImageSets,
  out: string,
  opts: RunOptions,
  resume: Checkpoint | null = null,
): Promise<RunOutcome> {
  const { quiet, backend } = opts;
  const t0 = Date.now();
  const controller = new AbortController();
  // SIGTERM: a scheduler stopping the run (Slurm's scancel, preemption, time limit), or kill.
  let by = 'Ctrl-C';
  const undo = onInterrupt(controller, (signal) => {
    if (signal === 'SIGTERM') by = 'SIGTERM';
  });
  const startedAt = new Date().toISOString();
  let last: Checkpoint | null = resume;
  let lastYield = Date.now();
  let result: Awaited<ReturnType<typeof runCurriculum>>;
  let interrupted: string | null = null;
  let outOfMemory: string | null = null;
  try {
    result = await runCurriculum(
      cfg,
      data,
      {
        emit: progressPrinter(quiet, cfg),
        signal: controller.signal,
        backend: backend.name,
        memoryBytes: totalmem(),
        // Back to the event loop every 50 ms: signals (Ctrl-C) are handled there.
        pauseGate: async () => {
          if (Date.now() - lastYield < 50) return;
          await new Promise((r) => setImmediate(r));
          lastYield = Date.now();
        },
        onCheckpoint: async (cp) => {
          last = cp;
          await saveCheckpointFiles(out, cfg, cp, opts.world);
        },
      },
      resume ?? undefined,
    );
  } catch (e) {
    // Out of memory anywhere in the run: like an interruption, the work so far is written, then the message.
    outOfMemory = outOfMemoryMessage(e, backend.name);
    if (!outOfMemory && ((e as Error).name !== 'AbortError' || !controller.signal.aborted)) throw e;
    const cp = last as Checkpoint | null;
    const where = cp?.progress ? ` in ${STAGE_LABEL[cp.progress.stage]} after epoch ${cp.progress.nextEpoch}` : '';
    interrupted = outOfMemory
      ? `stopped: ${outOfMemory}; the finished stages are kept`
      : `interrupted (${by})${where}; finished stages kept; continue with --resume ${out}`;
    result = {
      rows: cp?.rows ?? [],
      history: cp?.history ?? [],
      stageMs: cp?.stageMs ?? {},
      stopped: { ...(cp?.stopped ?? {}) },
      models: cp ? finishedModelsOrNone(() => finishedModels(cp, modelSpecFor(cfg, data.train)), !!outOfMemory) : {},
    };
  } finally {
    undo();
  }
  try {
    const modelPaths: Record<string, string> = {};
    const spec = modelSpecFor(cfg, data.train);
    const { height, width, channels } = data.train;
    for (const [stage, model] of Object.entries(result.models) as [StageName, tf.LayersModel][]) {
      const dir = join(out, 'models', stage);
      const info = labInfo({
        name: `${cfg.name}: ${STAGE_LABEL[stage]}`,
        stage,
        config: cfg,
        classNames: taskHead(cfg.task, data.train).classNames,
        visibility: stageVisibility(stage, cfg.scenario),
        rows: result.rows,
        height,
        width,
        channels,
      });
      await saveModelToDir(
        model,
        dir,
        { stage, task: cfg.task, scenario: cfg.scenario, config: cfg },
        {
          spec,
          info,
          onError: (e) => process.stderr.write(`${join(dir, 'model.onnx')} not written: ${e.message}\n`),
        },
      );
      modelPaths[stage] = join('models', stage);
    }
    const results = {
      config: cfg,
      backend: backend.name,
      skippedBackends: backend.skipped,
      ...(backend.detail ? { backendDetail: backend.detail } : {}),
      tfjsVersion: tf.version.tfjs,
      startedAt,
      finishedAt: new Date().toISOString(),
      timings: { totalMs: Date.now() - t0, stageMs: result.stageMs, estimate: opts.estimate },
      stopped: result.stopped,
      ...(interrupted ? { interrupted } : {}),
      ...(resume ? { resumed: resumedNote(resume) } : {}),
      history: result.history,
      grid: result.rows,
      models: modelPaths,
    };
    await writeFile(join(out, 'results.json'), JSON.stringify(results, null, 1));
    await writeFile(join(out, 'grid.csv'), gridCsv(result.rows));
    const text = `${cfg.name}${interrupted ? ` (${interrupted})` : ''}\n${formatGrid(result.rows, cfg.task)}\n\n${summaryText(result.rows, result.history, cfg)}\n`;
    await writeFile(join(out, 'grid.txt'), text);
    if (!interrupted) await removeCheckpointFiles(out);
    process.stdout.write(
      `\n${text}\nresults: ${join(out, 'results.json')} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
  } finally {
    disposeModels(result.models);
  }
  if (outOfMemory) {
    throw new MemoryLimitError(
      `The run stopped: ${outOfMemory}. What it finished is in ${join(out, 'results.json')}` +
        `${last ? ' (and its last checkpoint in that folder)' : ''}.`,
    );
  }
  return { rows: result.rows, history: result.history, stopped: controller.signal.aborted };
}
