// The headless runner: `npm run experiment -- --config <file.json> [--out <dir>]` runs the whole
// curriculum in Node over src/core, prints progress on stderr and writes results.json plus every trained
// model (tfjs LayersModel format, and model.onnx beside it) into the output folder.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { makeConfig, PRESETS, presetConfig, validateConfig, ConfigValidationError, type ExperimentConfig } from '../core/config';
import { FILE_DATASET_DEFAULTS, type FileDatasetConfig, type StageName } from '../core/config/config';
import type { SplitImageSets } from '../core/data/types';
import type { EpochRecord, GridRow, CurriculumEvent } from '../core/events';
import { parseSweep, sweepOutcome, sweepRunConfig, sweepStage } from '../core/results/sweep';
import { synthSplits } from '../core/data/synthSplits';
import { disposeModels, runCurriculum, STAGE_LABEL } from '../core/distill/curriculum';
import { formatGrid, gridCsv } from '../core/results/report';
import { calibrate } from '../core/distill/calibrate';
import { estimateDuration, formatEstimate, type StepCost } from '../core/distill/estimate';
import { summaryText } from '../core/results/lessons';
import { repeatConfig, repeatSeeds, summariseRepeats } from '../core/results/repeats';
import { selectBackend, type BackendName } from '../platform/backend';
import { memoryStorage } from '../platform/memoryStorage';
import { formatImportReport } from '../core/data/importReport';
import { importFromConfig } from '../platform/node/importFiles';
import { saveModelToDir } from '../platform/node/modelFiles';
import { labInfo, stageVisibility } from '../platform/models/bundle';
import { taskHead } from '../core/data/batching';
import { loadSplits } from '../platform/datasets';
import { loadCheckpointFiles, removeCheckpointFiles, saveCheckpointFiles } from '../platform/node/checkpointFiles';
import { modelFromWeights, type Checkpoint } from '../core/distill/checkpoint';
import type { ModelSpec } from '../core/models';
import { modelSpecFor } from '../core/distill/context';

interface Args {
  config?: string;
  preset?: string;
  out?: string;
  backend?: BackendName;
  dataset?: string;
  ferplus?: string;
  labels?: string;
  sweep?: string;
  /** wasm threads: a count (0 = the single-threaded SIMD build) or 'auto' (the default). */
  wasmThreads?: number | 'auto';
  /** An --out folder whose run stopped: continue it from its last checkpoint. */
  resume?: string;
  /** Replaces the config's run seed (initialisation, shuffling, mining; the dataset keeps its own). */
  seed?: number;
  quiet: boolean;
}

const USAGE = `Usage: npm run experiment -- (--config <file.json> | --preset <name> | --resume <out>) [--dataset <path> [--ferplus <votes.csv>] [--labels <names.txt>]]
                              [--sweep <setting>=<v1>,<v2>,...] [--out <dir>] [--backend wasm|cpu]
                              [--seed N] [--wasm-threads N|auto] [--quiet]
  --config   an experiment config (JSON; fields not given take the defaults of src/core/config/settings.ts)
  --preset   a shipped preset: ${Object.keys(PRESETS).join(', ')}
  --seed     the run's seed (initialisation, shuffling, mining) in place of the config's; the dataset keeps its own
  --dataset  train on a dataset from disk instead of the config's: fer2013.csv, a UTKFace or class-folder
             archive (.tar.gz, .tgz, .tar, .zip) or a folder; images take the config's size and channels
  --ferplus  with a fer2013.csv: the FER+ votes (fer2013new.csv), for FER+'s 8 majority-vote classes
  --labels   with a FER-layout CSV whose labels are classes 0..K-1 (not FER2013's emotions): their names, one per
             line (without it such labels are numbered "class 0", ...; labels 0-6 alone are read as FER2013's)
  --sweep    <setting>=<v1>,<v2>,...: one curriculum per value (e.g. triplet.margin=0.1,0.2,0.4), the value
             whose stage did best on validation kept; sweep.json / sweep.txt in the output folder
  --out      output folder (default runs/<timestamp>)
  --backend  force one tfjs backend (default: the first that works of webgpu, webgl, wasm, cpu)
  --wasm-threads  wasm only: N >= 1 runs tfjs's threaded-SIMD build with N threads, 0 the single-threaded
             SIMD build; auto (default) takes the threaded build with as many threads as there are idle
             cores (cores minus the 1-minute load average, rounded), when that is at least 2, else 0
  --resume   continue the run in that output folder from its last checkpoint (written after every epoch;
             Ctrl-C stops a run after the current batch and keeps it there, a second Ctrl-C exits at once)
  --quiet    only errors and the final grid`;

export function parseArgs(argv: string[]): Args {
  const a: Args = { quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${k} needs a value.\n${USAGE}`);
      return v;
    };
    if (k === '--config') a.config = next();
    else if (k === '--preset') a.preset = next();
    else if (k === '--out') a.out = next();
    else if (k === '--backend') a.backend = next() as BackendName;
    else if (k === '--dataset') a.dataset = next();
    else if (k === '--ferplus') a.ferplus = next();
    else if (k === '--labels') a.labels = next();
    else if (k === '--sweep') a.sweep = next();
    else if (k === '--resume') a.resume = next();
    else if (k === '--seed') {
      const v = next();
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new Error(`--seed must be a whole number 0 to 4294967295 (got ${JSON.stringify(v)}).\n${USAGE}`);
      a.seed = n;
    }
    else if (k === '--wasm-threads') {
      const v = next();
      const n = Number(v);
      if (v !== 'auto' && !(Number.isInteger(n) && n >= 0 && n <= 64)) {
        throw new Error(`--wasm-threads takes a whole number 0-64 or auto, got "${v}".\n${USAGE}`);
      }
      a.wasmThreads = v === 'auto' ? 'auto' : n;
    } else if (k === '--quiet') a.quiet = true;
    else if (k === '--help' || k === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`Unknown argument "${k}".\n${USAGE}`);
  }
  if ([a.config, a.preset, a.resume].filter((x) => x != null).length !== 1) throw new Error(`Give exactly one of --config, --preset or --resume.\n${USAGE}`);
  if (a.ferplus && !a.dataset) throw new Error(`--ferplus goes with --dataset <fer2013.csv>.\n${USAGE}`);
  if (a.labels && !a.dataset) throw new Error(`--labels goes with --dataset <file.csv>.\n${USAGE}`);
  return a;
}

/**
 * wasm threads for `--wasm-threads auto`: the threaded-SIMD build pays off only with a core to spare for
 * each thread. Measured on a 2-core machine (docs/results/benchmarks.md, bench/wasm-train.ts): with both cores
 * busy with other work (load average 3-11), 2 threads trained the workshop model slower than 1 (e.g. 51-59
 * vs 68-80 images/s), and the threaded build with 1 thread about as fast as the plain SIMD build. So: as
 * many threads as idle cores (cores minus the 1-minute load average, rounded), when that is at least 2;
 * otherwise 0, the single-threaded SIMD build.
 */
export function autoWasmThreads(cores: number, loadAverage1: number): number {
  const idle = Math.round(cores - loadAverage1);
  return idle >= 2 ? Math.min(cores, idle) : 0;
}

export async function loadConfig(a: Args): Promise<ExperimentConfig> {
  if (a.preset) return validateConfig(presetConfig(a.preset));
  let text: string;
  try {
    text = await readFile(a.config!, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read the config file ${a.config}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`The config file ${a.config} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return validateConfig(makeConfig(json));
}

/** Prints events as progress lines on stderr. */
function progressPrinter(quiet: boolean, cfg: ExperimentConfig): (e: CurriculumEvent) => void {
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  const metric = (m: { accuracy?: number; mae?: number }) => (cfg.task === 'age' ? `MAE ${m.mae?.toFixed(2)}y` : `acc ${pct(m.accuracy)}`);
  return (e) => {
    if (e.type === 'log') { if (!quiet || e.level === 'error') process.stderr.write(`[${e.level}] ${e.message}\n`); return; }
    if (quiet) return;
    switch (e.type) {
      case 'runStart':
        process.stderr.write(`backend ${e.backend}; stages: ${e.stages.map((s) => STAGE_LABEL[s]).join(' → ')}\n`);
        break;
      case 'stageStart':
        process.stderr.write(`\n== ${e.label}: ${e.epochs} epoch(s) × ${e.stepsPerEpoch} steps, student sees ${e.visibility}\n`);
        break;
      case 'batchEnd': {
        const t = Date.now();
        if (tty && t - lastPrinted > 250) {
          lastPrinted = t;
          const parts = Object.entries(e.losses).map(([k, v]) => `${k} ${v!.toFixed(3)}`).join(' ');
          process.stderr.write(`\r  epoch ${e.epoch + 1} step ${e.step}/${e.stepsPerEpoch}  ${parts}  ${e.imagesPerSec.toFixed(0)} img/s   `);
        }
        break;
      }
      case 'mining':
        process.stderr.write(`${tty ? '\r' : ''}  mining epoch ${e.epoch + 1}: ${e.anchors} anchors, pools ${e.positives}/${e.negatives}, ${e.validTriplets} triplets`
          + `${e.positiveTeacherWrong !== undefined ? `, ${(100 * e.positiveTeacherWrong).toFixed(1)}% of positives misclassified by the teacher` : ''}, ${e.ms.toFixed(0)} ms\n`);
        break;
      case 'epochEnd': {
        const r = e.record;
        process.stderr.write(`${tty ? '\r' : ''}  epoch ${r.epoch + 1}: loss ${r.train.loss.toFixed(4)} train ${metric(r.train)} | val ${metric(r.val)}${r.best ? ' *' : ''} | lr ${r.learningRate.toExponential(1)} | ${r.imagesPerSec.toFixed(0)} img/s, ${(r.trainMs / 1000).toFixed(1)} s\n`);
        break;
      }
      case 'stageEnd':
        process.stderr.write(`  done in ${(e.ms / 1000).toFixed(1)} s: ${e.epochsRun} epoch(s)${e.earlyStopped ? ' (early stop: no validation improvement)' : ''}, ${e.keep === 'last' ? 'kept the last,' : 'best'} epoch ${e.bestEpoch + 1}${e.stoppedEarly ? ` (stopped: ${e.stoppedEarly})` : ''}\n`);
        break;
      case 'result':
        process.stderr.write(`  test: ${e.row.label} on ${e.row.test}: ${metric(e.row.metrics)}\n`);
        break;
      default:
        break;
    }
  };
}

/** --dataset replaces the config's dataset by a file source with the same image size and channels. */
export function withDatasetArgs(cfg: ExperimentConfig, a: Args): ExperimentConfig {
  if (a.seed !== undefined) cfg = validateConfig({ ...cfg, seed: a.seed });
  if (!a.dataset) return cfg;
  const d = cfg.dataset;
  const base: FileDatasetConfig = d.source === 'file' ? d : d.source === 'synth'
    ? { ...FILE_DATASET_DEFAULTS, height: d.height, width: d.width, channels: d.channels, seed: d.seed }
    : { ...FILE_DATASET_DEFAULTS };
  return validateConfig({ ...cfg, dataset: { ...base, path: a.dataset, ferplus: a.ferplus ?? null, labels: a.labels ?? null } });
}

/** The config's dataset in memory: generated (synthetic) or imported from disk (with its report). */
export async function loadData(cfg: ExperimentConfig, say: (s: string) => void, out: string | null): Promise<SplitImageSets> {
  const ds = cfg.dataset;
  const t0 = Date.now();
  if (ds.source === 'synth') {
    say(`generating ${ds.train}/${ds.val}/${ds.test} synthetic faces ${ds.height}x${ds.width}...`);
    const data = synthSplits(ds);
    say(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return data;
  }
  if (ds.source === 'stored') {
    throw new Error(`dataset.source "stored" names a dataset in the lab's browser storage (${ds.id}); the runner reads files: use `
      + '{"source": "file", "path": ...} or --dataset <path>.');
  }
  say(`importing ${ds.path}${ds.ferplus ? ` with FER+ votes ${ds.ferplus}` : ''}${ds.labels ? ` with class names from ${ds.labels}` : ''} at ${ds.height}x${ds.width}x${ds.channels}...\n`);
  const storage = memoryStorage();
  let lastLen = 0;
  const outcome = await importFromConfig(ds, storage, {
    onProgress: (p) => {
      const line = `  ${(p.bytesDone / 1e6).toFixed(0)}/${(p.bytesTotal / 1e6).toFixed(0)} MB, ${p.images} images (${p.rate.toFixed(0)}/s), `
        + `${p.rejected} rejected${p.etaS !== null ? `, ${p.etaS.toFixed(0)} s left` : ''}`;
      say(`\r${line.padEnd(lastLen)}`);
      lastLen = line.length;
    },
    progressMs: 500,
  });
  say('\n');
  if (outcome.report) {
    say(`${formatImportReport(outcome.report, { maxListed: 5 })}\n\n`);
    if (out) await writeFile(join(out, 'import-report.json'), JSON.stringify(outcome.report, null, 1));
  }
  if (outcome.status !== 'done') throw new Error(outcome.message);
  if (!outcome.meta.tasks.includes(cfg.task)) {
    throw new Error(`${ds.path} has labels for ${outcome.meta.tasks.join(' and ')}, but the experiment's task is ${cfg.task}: set "task" to one of those.`);
  }
  return (await loadSplits(storage, outcome.meta.id)).data;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const resumed = args.resume ? await loadCheckpointFiles(resolve(args.resume)) : null;
  if (args.resume && !resumed) {
    throw new Error(`${args.resume} holds no checkpoint to continue (checkpoint.json): a run writes one after every epoch and removes it when it finishes.`);
  }
  const cfg = resumed ? validateConfig(makeConfig(resumed.config)) : withDatasetArgs(await loadConfig(args), args);
  const cores = availableParallelism();
  const requested = args.wasmThreads ?? 'auto';
  const wasmThreads = requested === 'auto' ? autoWasmThreads(cores, loadavg()[0]) : requested;
  const backend = await selectBackend(args.backend ? [args.backend] : undefined,
    wasmThreads >= 1 ? { wasmThreads } : {});
  const say = (s: string) => { if (!args.quiet) process.stderr.write(s); };
  for (const s of backend.skipped) say(`backend ${s.name} skipped: ${s.reason}\n`);
  if (backend.name === 'wasm') {
    say(`wasm: ${wasmThreads >= 1 ? `threaded-SIMD build, ${wasmThreads} thread(s)` : 'SIMD build, 1 thread'}` +
      `${requested === 'auto' ? ` (auto: ${cores} cores, load average ${loadavg()[0].toFixed(1)})` : ''}\n`);
  }
  const out = resolve(args.resume ?? args.out ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-')));
  await mkdir(out, { recursive: true });

  const data = await loadData(cfg, say, out);
  const dims = { height: data.train.height, width: data.train.width, channels: data.train.channels, train: data.train.count, val: data.val.count, test: data.test.count };
  // The duration estimate (a few timed steps): skipped with --quiet, and on tfjs's slow `cpu` backend.
  if (!args.quiet && backend.name !== 'cpu') {
    const cost = await calibrate(cfg, dims);
    const estimate = estimateDuration(cfg, dims, cost);
    say(`calibration on ${cost.backend}: ${(1000 / cost.trainMsPerImage).toFixed(0)} training images/s; expected duration about ${formatEstimate(estimate.maxS)} (every stage to its epoch cap: early stopping shortens it, a busy machine lengthens it)\n`);
    estimateNote = { maxS: estimate.maxS, cost };
  }
  const spec = args.sweep ? parseSweep(args.sweep, cfg) : cfg.sweep ?? null;
  if (!spec && (cfg.repeats ?? 1) > 1) return runRepeats(cfg, data, out, args.quiet, backend, say);
  if (!spec || resumed) {
    const r = await runOnce(cfg, data, out, args.quiet, backend, resumed?.checkpoint ?? null);
    return r.stopped ? 130 : 0;
  }
  // One curriculum per value, each in its own folder; the value whose stage did best on validation wins.
  const stage = sweepStage(spec.path);
  const lines: { value: number; test: GridRow[]; history: EpochRecord[]; dir: string }[] = [];
  for (const [i, value] of spec.values.entries()) {
    const run = validateConfig(sweepRunConfig(cfg, spec, i));
    const dir = join(out, `sweep-${i + 1}-${String(value).replace(/[^\w.-]/g, '_')}`);
    await mkdir(dir, { recursive: true });
    say(`\n=== sweep ${i + 1}/${spec.values.length}: ${spec.path} = ${value}\n`);
    const r = await runOnce(run, data, dir, args.quiet, backend);
    lines.push({ value, test: r.rows, history: r.history, dir });
    if (r.stopped) break;
  }
  const outcome = sweepOutcome(lines.map((l) => ({ history: l.history, rows: l.test })), stage, cfg.task, cfg.scenario);
  const best = outcome.chosen;
  const fmt = (v: number | null) => (v === null ? '-' : cfg.task === 'age' ? v.toFixed(2) : (100 * v).toFixed(1));
  const table = [
    `${spec.path}  val ${stage} ${cfg.task === 'age' ? 'MAE' : 'acc %'}  test ${stage} ${cfg.task === 'age' ? 'MAE' : 'acc %'}`,
    ...lines.map((l, i) => `${String(l.value).padEnd(spec.path.length)}  ${fmt(outcome.validation[i]).padStart(14)}  ${fmt(outcome.test[i]).padStart(15)}${i === best ? '   <- chosen on validation' : ''}`),
  ].join('\n');
  process.stdout.write(`\nsweep of ${spec.path} (decided by the ${stage} stage's best validation epoch):\n${table}\n`);
  await writeFile(join(out, 'sweep.json'), JSON.stringify({
    path: spec.path, stage, values: spec.values, validation: outcome.validation, chosen: best >= 0 ? lines[best].value : null,
    runs: lines.map((l, i) => ({ value: l.value, validation: outcome.validation[i], dir: l.dir, grid: l.test.map(({ predictions: _p, ...r }) => r) })),
  }, null, 1));
  await writeFile(join(out, 'sweep.txt'), `${table}\n`);
  return 0;
}

/** `repeats` curricula, seeds seed, seed + 1, ... (each in seed-<s>/), then the grid across seeds:
 *  repeats.txt / repeats.json. */
async function runRepeats(
  cfg: ExperimentConfig, data: SplitImageSets, out: string, quiet: boolean, backend: Awaited<ReturnType<typeof selectBackend>>,
  say: (s: string) => void,
): Promise<number> {
  const seeds = repeatSeeds(cfg);
  const runs: { seed: number; rows: GridRow[]; history: EpochRecord[]; dir: string }[] = [];
  const t0 = Date.now();
  for (let i = 0; i < seeds.length; i++) {
    const dir = join(out, `seed-${seeds[i]}`);
    await mkdir(dir, { recursive: true });
    say(`\n=== repeat ${i + 1}/${seeds.length}: seed ${seeds[i]}\n`);
    const r = await runOnce(repeatConfig(cfg, i), data, dir, quiet, backend);
    runs.push({ seed: seeds[i], rows: r.rows, history: r.history, dir });
    if (r.stopped) break;
  }
  const sum = summariseRepeats(runs, cfg);
  const text = [
    `${cfg.name}: ${sum.seeds.length} seeds (${sum.seeds.join(', ')}), ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    sum.text,
    '',
    sum.notMeaningful.length
      ? `Seeds whose teacher was not clearly better than its step-2 student (a distillation comparison is not meaningful there): ${sum.notMeaningful.join(', ')}.`
      : 'In every seed the teacher was clearly better than its step-2 student.',
    '',
    'What the mean grid shows (tests across seeds):',
    ...sum.lessons.map((l) => `- ${l}`),
  ].join('\n');
  await writeFile(join(out, 'repeats.txt'), `${text}\n`);
  await writeFile(join(out, 'repeats.json'), JSON.stringify({
    config: cfg, seeds: sum.seeds, rows: sum.rows, guards: sum.guards, runs: runs.map((r) => ({ seed: r.seed, dir: r.dir })),
  }, null, 1));
  process.stdout.write(`\n${text}\n`);
  return 0;
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
function onInterrupt(controller: AbortController): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\ninterrupted: stopping after this batch and keeping what is finished (Ctrl-C again to exit at once)...\n');
      controller.abort();
    } else {
      process.stderr.write('\ninterrupted twice: exiting now (the last epoch\'s checkpoint is in the output folder: --resume continues it)\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); };
}

/**
 * One curriculum: trains, saves every model, writes results.json, grid.csv and grid.txt into `out`. A
 * checkpoint goes into `out` after every epoch (removed when the run ends); `resume` continues from one.
 * Interrupted (Ctrl-C), it still writes results.json, marked stopped, with the finished stages' rows and
 * models.
 */
async function runOnce(
  cfg: ExperimentConfig, data: SplitImageSets, out: string, quiet: boolean, backend: Awaited<ReturnType<typeof selectBackend>>,
  resume: Checkpoint | null = null,
): Promise<{ rows: GridRow[]; history: EpochRecord[]; stopped: boolean }> {
  const t0 = Date.now();
  const controller = new AbortController();
  const undo = onInterrupt(controller);
  const startedAt = new Date().toISOString();
  let last: Checkpoint | null = resume;
  let lastYield = Date.now();
  let result: Awaited<ReturnType<typeof runCurriculum>>;
  let interrupted: string | null = null;
  try {
    result = await runCurriculum(cfg, data, {
      emit: progressPrinter(quiet, cfg), signal: controller.signal, backend: backend.name,
      // Back to the event loop every 50 ms: signals (Ctrl-C) are handled there.
      pauseGate: async () => {
        if (Date.now() - lastYield < 50) return;
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      },
      onCheckpoint: async (cp) => { last = cp; await saveCheckpointFiles(out, cfg, cp); },
    }, resume ?? undefined);
  } catch (e) {
    if ((e as Error).name !== 'AbortError' || !controller.signal.aborted) throw e;
    const cp = last as Checkpoint | null;
    interrupted = `interrupted (Ctrl-C)${cp?.progress ? ` in ${STAGE_LABEL[cp.progress.stage]} after epoch ${cp.progress.nextEpoch}` : ''}; ` +
      `finished stages kept; continue with --resume ${out}`;
    result = {
      rows: cp?.rows ?? [], history: cp?.history ?? [], stageMs: cp?.stageMs ?? {}, stopped: { ...(cp?.stopped ?? {}) },
      models: cp ? finishedModels(cp, modelSpecFor(cfg, data.train)) : {},
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
        name: `${cfg.name}: ${STAGE_LABEL[stage]}`, stage, config: cfg, classNames: taskHead(cfg.task, data.train).classNames,
        visibility: stageVisibility(stage, cfg.scenario), rows: result.rows, height, width, channels,
      });
      await saveModelToDir(model, dir, { stage, task: cfg.task, scenario: cfg.scenario, config: cfg }, {
        spec, info, onError: (e) => process.stderr.write(`${join(dir, 'model.onnx')} not written: ${e.message}\n`),
      });
      modelPaths[stage] = join('models', stage);
    }
    const results = {
      config: cfg,
      backend: backend.name,
      skippedBackends: backend.skipped,
      tfjsVersion: tf.version.tfjs,
      startedAt,
      finishedAt: new Date().toISOString(),
      timings: { totalMs: Date.now() - t0, stageMs: result.stageMs, estimate: estimateNote },
      stopped: result.stopped,
      ...(interrupted ? { interrupted } : {}),
      history: result.history,
      grid: result.rows,
      models: modelPaths,
    };
    await writeFile(join(out, 'results.json'), JSON.stringify(results, null, 1));
    await writeFile(join(out, 'grid.csv'), gridCsv(result.rows));
    const text = `${cfg.name}${interrupted ? ` (${interrupted})` : ''}\n${formatGrid(result.rows, cfg.task)}\n\n${summaryText(result.rows, result.history, cfg)}\n`;
    await writeFile(join(out, 'grid.txt'), text);
    if (!interrupted) await removeCheckpointFiles(out);
    process.stdout.write(`\n${text}\nresults: ${join(out, 'results.json')} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  } finally {
    disposeModels(result.models);
  }
  return { rows: result.rows, history: result.history, stopped: controller.signal.aborted };
}

/** The calibration's estimate for the run (written into results.json beside the real time). */
let estimateNote: { maxS: number; cost: StepCost } | null = null;

const isEntry = process.argv[1] && resolve(process.argv[1]).endsWith(join('cli', 'experiment.ts'));
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as Error;
      // A stack trace only for what looks like a fault in the code (or with ODL_DEBUG=1): the runner's own
      // messages (a missing file, a bad dataset, a refused config) are for people, not for debuggers.
      const fault = e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError;
      if ((fault || process.env.ODL_DEBUG) && e.stack && !(e instanceof ConfigValidationError)) process.stderr.write(`\n${e.stack}\n`);
      else process.stderr.write(`\n${e.message}\n`);
      process.exit(e.name === 'AbortError' ? 130 : 1);
    },
  );
}
