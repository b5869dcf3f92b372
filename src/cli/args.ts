// The runner's command line: its flags, the usage text, and the checks a flag's value must pass.
import { PRESETS } from '../core/config';
import type { BackendName } from '../platform/backend';
import { checkPlanArgs, planArg, wholeArg, type PlanArgs } from './plan';

export interface Args {
  config?: string;
  preset?: string;
  out?: string;
  backend?: BackendName;
  dataset?: string;
  ferplus?: string;
  labels?: string;
  sweep?: string;
  /** A budget sweep: counts or percentages of training images for steps 2-3. */
  budgets?: string;
  /** wasm threads: a count (0 = the single-threaded SIMD build) or 'auto' (the default). */
  wasmThreads?: number | 'auto';
  /** An --out folder whose run stopped: continue it from its last checkpoint. */
  resume?: string;
  /** Replaces the config's run seed (initialisation, shuffling, mining; the dataset keeps its own). */
  seed?: number;
  /** Replaces the config's repeats (seeds seed .. seed + N − 1). */
  repeats?: number;
  /** Plan the points (seeds × sweep values × configs) instead of running them: see cli/plan.ts. */
  plan?: PlanArgs;
  quiet: boolean;
  /** WebGPU in Node: Dawn toggles (--gpu-adapter) and whether a software adapter may be used. */
  gpuAdapter?: string[];
  allowSoftwareGpu?: boolean;
}

const USAGE = `Usage: npm run experiment -- (--config <file.json> | --preset <name> | --resume <out>) [--dataset <path> [--ferplus <votes.csv>] [--labels <names.txt>]]
                              [--sweep <setting>=<v1>,<v2>,...] [--budgets <b1>,<b2>,...] [--out <dir>] [--backend webgpu|wasm|cpu]
                              [--gpu-adapter <toggles>] [--allow-software-gpu] [--seed N] [--repeats N] [--wasm-threads N|auto] [--quiet]
                              [--emit slurm|local [--sbatch "<options>"] [--only-missing] [--jobs N]]
       npm run experiment -- merge <dir>      npm run experiment -- point <dir> <i>
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
  --budgets  counts or percentages of labelled training images, e.g. 120,300,1200,100%: the teacher is trained
             once per seed on the whole split, steps 2-3 run for every budget from it; budgets.txt / budgets.json
  --out      output folder (default runs/<timestamp>)
  --backend  force one tfjs backend (default auto: WebGPU when a hardware adapter is found, and wasm, each
             timed on the config's model, the fastest kept). webgpu runs on Dawn (the optional npm package
             webgpu) and falls back to wasm when it cannot start
  --gpu-adapter  Dawn toggles, comma-separated: backend=vulkan|opengl|..., adapter=<name> (on a machine without
             a GPU: backend=opengl, Mesa's llvmpipe, with --allow-software-gpu)
  --allow-software-gpu  accept a software WebGPU adapter (llvmpipe, SwiftShader, lavapipe): far slower than wasm
  --wasm-threads  wasm only: N >= 1 runs tfjs's threaded-SIMD build with N threads, 0 the single-threaded
             SIMD build; auto (default) takes the threaded build with as many threads as there are idle
             cores (cores minus the 1-minute load average, rounded), when that is at least 2, else 0
  --resume   continue the run in that output folder from its last checkpoint (written after every epoch;
             Ctrl-C stops a run after the current batch and keeps it there, a second Ctrl-C exits at once)
  --quiet    only errors and the final grid
  --repeats  run the curriculum with seeds seed .. seed + N − 1 (repeats.txt / repeats.json: mean ± sd, paired tests)
  --emit     plan instead of run: one config per point (seed × sweep value × preset; --preset a,b takes several)
             in <out>/points/<i>.json; slurm: <out>/jobs.sbatch, an array job (--sbatch "--partition=gpu
             --time=8:00:00" replaces or adds #SBATCH options; --only-missing: an array of the points not
             finished); local: runs the points here (--jobs N at once) and merges
  merge      gathers a plan's finished points into <dir>/repeats.txt / repeats.json; exit 1 while any is missing
  point      runs point i of a plan (what each array task runs): continues from its checkpoint, skips it when finished`;

/** Parses --gpu-adapter: Dawn toggles separated by commas or spaces. */
export function parseGpuToggles(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}

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
    else if (k === '--budgets') a.budgets = next();
    else if (k === '--repeats') a.repeats = wholeArg(k, next(), 1, 1000, USAGE);
    else if (planArg(k, next, a, () => argv[++i] ?? next())) continue;
    else if (k === '--seed') {
      const v = next();
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1)
        throw new Error(`--seed must be a whole number 0 to 4294967295 (got ${JSON.stringify(v)}).\n${USAGE}`);
      a.seed = n;
    } else if (k === '--wasm-threads') {
      const v = next();
      const n = Number(v);
      if (v !== 'auto' && !(Number.isInteger(n) && n >= 0 && n <= 64)) {
        throw new Error(`--wasm-threads takes a whole number 0-64 or auto, got "${v}".\n${USAGE}`);
      }
      a.wasmThreads = v === 'auto' ? 'auto' : n;
    } else if (k === '--quiet') a.quiet = true;
    else if (k === '--gpu-adapter') a.gpuAdapter = parseGpuToggles(next());
    else if (k === '--allow-software-gpu') a.allowSoftwareGpu = true;
    else if (k === '--help' || k === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`Unknown argument "${k}".\n${USAGE}`);
  }
  if (a.plan) {
    checkPlanArgs(a, USAGE);
    return a;
  }
  if ([a.config, a.preset, a.resume].filter((x) => x != null).length !== 1)
    throw new Error(`Give exactly one of --config, --preset or --resume.\n${USAGE}`);
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
