// The headless runner: `npm run experiment -- --config <file.json> [--out <dir>]` runs the whole
// curriculum in Node over src/core, prints progress on stderr and writes results.json plus every trained
// model (tfjs LayersModel format, and model.onnx beside it) into the output folder.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { makeConfig, presetConfig, validateConfig, ConfigValidationError, type ExperimentConfig } from '../core/config';
import { FILE_DATASET_DEFAULTS, type FileDatasetConfig } from '../core/config/config';
import type { SplitImageSets } from '../core/data/types';
import { parseSweep } from '../core/results/sweep';
import { synthSplits } from '../core/data/synthSplits';
import { estimateDuration, formatEstimate } from '../core/distill/estimate';
import { startRunnerBackend, type RunnerBackend } from './runnerBackend';
import { memoryStorage } from '../platform/memoryStorage';
import { formatImportReport } from '../core/data/importReport';
import { importFromConfig } from '../platform/node/importFiles';
import { loadSplits } from '../platform/datasets';
import type { RunWorld } from '../platform/node/checkpointFiles';
import { datasetIdentity } from '../platform/node/datasetIdentity';
import { acquireRunLock } from '../platform/node/runLock';
import { openResume } from './resumeChecks';
import { autoWasmThreads, parseArgs, type Args } from './args';
import { runOnce, type RunOptions } from './runOnce';
import { runRepeats, runSweep } from './series';
import { emitCommand, pointCommand } from './points';
import { mergeCommand } from './merge';
import { modelSpecFor } from '../core/distill/context';
import { memoryCeiling, memoryProblem, MemoryLimitError, outOfMemoryMessage } from '../core/distill/memory';
import { outFolderMessage, runnerConfigProblem } from './guards';
import { progressPrinter } from './progress';
import { parseBudgets } from '../core/budget/subset';
import { budgetEstimate } from '../core/budget/plan';
import { runBudgets } from './budgets';

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

/** --dataset replaces the config's dataset by a file source with the same image size and channels. */
export function withDatasetArgs(cfg: ExperimentConfig, a: Args): ExperimentConfig {
  if (a.seed !== undefined) cfg = validateConfig({ ...cfg, seed: a.seed });
  if (a.repeats !== undefined) cfg = validateConfig({ ...cfg, repeats: a.repeats });
  if (a.budgets !== undefined) cfg = validateConfig({ ...cfg, budgets: parseBudgets(a.budgets) });
  if (!a.dataset) return cfg;
  const d = cfg.dataset;
  const base: FileDatasetConfig =
    d.source === 'file'
      ? d
      : d.source === 'synth'
        ? { ...FILE_DATASET_DEFAULTS, height: d.height, width: d.width, channels: d.channels, seed: d.seed }
        : { ...FILE_DATASET_DEFAULTS };
  return validateConfig({
    ...cfg,
    dataset: { ...base, path: a.dataset, ferplus: a.ferplus ?? null, labels: a.labels ?? null },
  });
}

/** The config's dataset in memory: generated (synthetic) or imported from disk (with its report). */
export async function loadData(
  cfg: ExperimentConfig,
  say: (s: string) => void,
  out: string | null,
): Promise<SplitImageSets> {
  const ds = cfg.dataset;
  const t0 = Date.now();
  if (ds.source === 'synth') {
    say(`generating ${ds.train}/${ds.val}/${ds.test} synthetic faces ${ds.height}x${ds.width}...`);
    const data = synthSplits(ds);
    say(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return data;
  }
  if (ds.source === 'stored') {
    throw new Error(
      `dataset.source "stored" names a dataset in the lab's browser storage (${ds.id}); the runner reads files: use ` +
        '{"source": "file", "path": ...} or --dataset <path>.',
    );
  }
  say(
    `importing ${ds.path}${ds.ferplus ? ` with FER+ votes ${ds.ferplus}` : ''}${ds.labels ? ` with class names from ${ds.labels}` : ''} at ${ds.height}x${ds.width}x${ds.channels}...\n`,
  );
  const storage = memoryStorage();
  let lastLen = 0;
  const outcome = await importFromConfig(ds, storage, {
    onProgress: (p) => {
      const line =
        `  ${(p.bytesDone / 1e6).toFixed(0)}/${(p.bytesTotal / 1e6).toFixed(0)} MB, ${p.images} images (${p.rate.toFixed(0)}/s), ` +
        `${p.rejected} rejected${p.etaS !== null ? `, ${p.etaS.toFixed(0)} s left` : ''}`;
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
    throw new Error(
      `${ds.path} has labels for ${outcome.meta.tasks.join(' and ')}, but the experiment's task is ${cfg.task}: set "task" to one of those.`,
    );
  }
  return (await loadSplits(storage, outcome.meta.id)).data;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return mergeCommand(argv.slice(1));
  if (argv[0] === 'point') return pointCommand(argv.slice(1), main);
  const held: { runner?: RunnerBackend } = {};
  try {
    return await runMain(argv, held);
  } finally {
    held.runner?.close(); // the WebGPU device, if any
  }
}

async function runMain(argv: string[], held: { runner?: RunnerBackend }): Promise<number> {
  const args = parseArgs(argv);
  if (args.plan)
    return emitCommand(args, async (preset) => withDatasetArgs(await loadConfig({ ...args, preset }), args));
  const say = (s: string) => {
    if (!args.quiet) process.stderr.write(s);
  };
  const fresh = args.resume ? null : withDatasetArgs(await loadConfig(args), args);
  const refusedFresh = fresh && runnerConfigProblem(fresh); // before the output folder is made
  if (refusedFresh) throw new Error(refusedFresh);
  const out = resolve(args.resume ?? args.out ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-')));
  outFolder = out;
  if (args.resume)
    await stat(out).catch(() => {
      throw new Error(`--resume ${args.resume}: no such folder.`);
    });
  else
    await mkdir(out, { recursive: true }).catch((e: unknown) => {
      throw new Error(outFolderMessage(e, out) ?? String(e), { cause: e });
    });
  // One writer per folder: taken before a checkpoint is read, released when the run ends (or at exit).
  const release = acquireRunLock(out, (s) => process.stderr.write(s));
  try {
    return await runIn(out, args, fresh, say, held);
  } finally {
    release();
  }
}

async function runIn(
  out: string,
  args: Args,
  fresh: ExperimentConfig | null,
  say: (s: string) => void,
  held: { runner?: RunnerBackend },
): Promise<number> {
  // --resume: the checkpoint, verified; its flags and dataset checked (docs/guide/resume.md).
  const resumed = args.resume ? await openResume(out, args, say) : null;
  const cfg = resumed ? validateConfig(makeConfig(resumed.config)) : fresh!;
  const refused = runnerConfigProblem(cfg);
  if (refused) throw new Error(refused);
  const cores = availableParallelism();
  const requested = args.wasmThreads ?? 'auto';
  const wasmThreads = requested === 'auto' ? autoWasmThreads(cores, loadavg()[0]) : requested;
  // A resumed run trains on the backend its checkpoint was written on, unless --backend says otherwise.
  const backendArg = args.backend ?? (resumed?.world.backend as Args['backend'] | undefined);
  const runner = (held.runner = await startRunnerBackend({ ...args, backend: backendArg, wasmThreads }, say, (s) =>
    process.stderr.write(s),
  ));

  const data = await loadData(cfg, say, out);
  const dims = {
    height: data.train.height,
    width: data.train.width,
    channels: data.train.channels,
    train: data.train.count,
    val: data.val.count,
    test: data.test.count,
  };
  // auto times each backend that started and keeps the fastest; the duration estimate (a few timed
  // steps) is skipped with --quiet, and on tfjs's slow `cpu` backend.
  // Before any timing builds a model: every stage's memory against each backend's.
  const mspec = modelSpecFor(cfg, data.train);
  const problem = (b: string) => memoryProblem(cfg, mspec, b, memoryCeiling(b, totalmem()));
  await runner.keepOnly(
    (b) => !problem(b),
    () => new MemoryLimitError(problem(runner.started[0])!),
  );
  const cost = await runner.settle(cfg, dims, !args.quiet);
  const backend = runner.selected;
  for (const s of backend.skipped) say(`backend ${s.name} skipped: ${s.reason}\n`);
  if (backend.name === 'wasm') {
    say(
      `wasm: ${wasmThreads >= 1 ? `threaded-SIMD build, ${wasmThreads} thread(s)` : 'SIMD build, 1 thread'}` +
        `${requested === 'auto' ? ` (auto: ${cores} cores, load average ${loadavg()[0].toFixed(1)})` : ''}\n`,
    );
  }
  let estimateNote: RunOptions['estimate'] = null;
  if (cost && !args.quiet) {
    const estimate = cfg.budgets?.length
      ? { maxS: budgetEstimate(cfg, dims, cost) }
      : estimateDuration(cfg, dims, cost);
    say(
      `calibration on ${cost.backend}: ${(1000 / cost.trainMsPerImage).toFixed(0)} training images/s; expected duration about ${formatEstimate(estimate.maxS)} (every stage to its epoch cap: early stopping shortens it, a busy machine lengthens it)\n`,
    );
    estimateNote = { maxS: estimate.maxS, cost };
  }
  const world: RunWorld = {
    dataset: resumed?.world.dataset ?? (await datasetIdentity(cfg.dataset)),
    backend: backend.name,
  };
  const opts: RunOptions = { quiet: args.quiet, backend, estimate: estimateNote, world };
  if (cfg.budgets?.length && !resumed) {
    await runBudgets(cfg, data, out, { emit: progressPrinter(args.quiet, cfg), backend: backend.name });
    return 0;
  }
  const spec = args.sweep ? parseSweep(args.sweep, cfg) : (cfg.sweep ?? null);
  if (!spec && (cfg.repeats ?? 1) > 1) return runRepeats(cfg, data, out, opts, say);
  if (!spec || resumed) {
    const r = await runOnce(cfg, data, out, opts, resumed?.checkpoint ?? null);
    return r.stopped ? 130 : 0;
  }
  return runSweep(cfg, spec, data, out, opts, say);
}

/** The run's output folder once known: file-system errors there are reported in words. */
let outFolder: string | null = null;

const isEntry = process.argv[1] && resolve(process.argv[1]).endsWith(join('cli', 'experiment.ts'));
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as Error;
      const oom = e instanceof MemoryLimitError ? null : outOfMemoryMessage(e, null);
      const plain = outFolderMessage(e, outFolder) ?? (oom ? `The run stopped: ${oom}.` : null);
      if (plain) {
        process.stderr.write(`\n${plain}\n`);
        process.exit(1);
      }
      // A stack trace only for what looks like a fault in the code (or with ODL_DEBUG=1): the runner's own
      // messages (a missing file, a bad dataset, a refused config) are for people, not for debuggers.
      const fault =
        e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError;
      if ((fault || process.env.ODL_DEBUG) && e.stack && !(e instanceof ConfigValidationError))
        process.stderr.write(`\n${e.stack}\n`);
      else process.stderr.write(`\n${e.message}\n`);
      process.exit(e.name === 'AbortError' ? 130 : 1);
    },
  );
}
