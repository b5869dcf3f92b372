// Running a plan's points (cli/plan.ts): `experiment point DIR i` runs one (what each Slurm array task and
// each local job starts), and `--emit slurm|local` plans them: writes the points and either the job array
// (cli/slurm.ts) or runs them here, one after another or --jobs N at once, then merges (cli/merge.ts).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../core/config/config';
import { parseSweep } from '../core/results/sweep';
import { mergePlan } from './merge';
import {
  planPoints,
  pointConfigFile,
  pointLogFile,
  pointOutDir,
  pointStatus,
  readPlan,
  wholeArg,
  writePlan,
  type PlanArgs,
  type RunnerFlags,
} from './plan';
import { REPO_ROOT, sbatchDefaults, sbatchScript, writeSbatch } from './slurm';

/** The runner's command line for a point, besides its config or --resume. */
function flagArgs(r: RunnerFlags): string[] {
  return [
    ...(r.backend ? ['--backend', r.backend] : []),
    ...(r.wasmThreads !== undefined ? ['--wasm-threads', String(r.wasmThreads)] : []),
    ...(r.gpuAdapter?.length ? ['--gpu-adapter', r.gpuAdapter.join(',')] : []),
    ...(r.allowSoftwareGpu ? ['--allow-software-gpu'] : []),
  ];
}

/** The runner flags a plan's points are started with, from the planning command line. */
function runnerFlags(a: EmitArgs): RunnerFlags {
  return {
    ...(a.backend ? { backend: a.backend } : {}),
    ...(a.wasmThreads !== undefined ? { wasmThreads: a.wasmThreads } : {}),
    ...(a.gpuAdapter?.length ? { gpuAdapter: a.gpuAdapter } : {}),
    ...(a.allowSoftwareGpu ? { allowSoftwareGpu: true } : {}),
  };
}

/**
 * `point DIR i`: runs point i into DIR/points/i/: continues from its checkpoint when it has one (a
 * requeued, preempted or cancelled task), does nothing when it finished already, else starts it. `run` is
 * the runner's main (given, not imported: experiment.ts imports this module).
 */
export async function pointCommand(argv: string[], run: (argv: string[]) => Promise<number>): Promise<number> {
  if (argv.length !== 2) throw new Error('Usage: npm run experiment -- point <plan folder> <point index>');
  const dir = resolve(argv[0]);
  const plan = await readPlan(dir);
  const i = wholeArg('point index', argv[1], 0, plan.points.length - 1);
  const p = plan.points[i];
  const status = await pointStatus(dir, i);
  const job = process.env.SLURM_JOB_ID
    ? `, Slurm job ${process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID ?? ''}` +
      `${Number(process.env.SLURM_RESTART_COUNT) > 0 ? ` (requeued ${process.env.SLURM_RESTART_COUNT}x)` : ''}`
    : '';
  process.stderr.write(
    `\n--- point ${i} of ${plan.points.length} (seed ${p.seed}): ${plan.groups[p.group].config.name}; ${new Date().toISOString()} on ${hostname()}${job}\n`,
  );
  if (status.state === 'done') {
    process.stderr.write(`point ${i} finished already (${join(pointOutDir(dir, i), 'results.json')}): nothing to do\n`);
    return 0;
  }
  const out = pointOutDir(dir, i);
  if (existsSync(join(out, 'checkpoint.json'))) {
    process.stderr.write(`point ${i}: continuing from its checkpoint (${status.note})\n`);
    return run(['--resume', out, ...flagArgs(plan.runner)]);
  }
  return run(['--config', pointConfigFile(dir, i), '--out', out, ...flagArgs(plan.runner)]);
}

export interface EmitArgs {
  plan?: PlanArgs;
  config?: string;
  preset?: string;
  out?: string;
  sweep?: string;
  backend?: string;
  wasmThreads?: number | 'auto';
  gpuAdapter?: string[];
  allowSoftwareGpu?: boolean;
}

/** `--emit slurm|local`: plans the points from the configs (`load` reads one per preset named, comma
 *  separated) and writes the job array, or runs them here. */
export async function emitCommand(
  a: EmitArgs,
  load: (preset: string | undefined) => Promise<ExperimentConfig>,
): Promise<number> {
  const p = a.plan!;
  const dir = resolve(a.out!);
  if (p.onlyMissing) return emitMissing(a, dir, load);
  if (!a.config && !a.preset) return runLocal(dir, p.jobs ?? 1);
  const names = a.preset
    ? a.preset
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
    : [undefined];
  const configs: ExperimentConfig[] = [];
  for (const n of names) configs.push(await load(n));
  const sweep = a.sweep ? parseSweep(a.sweep, configs[0]) : (configs[0].sweep ?? null);
  if (sweep) for (const c of configs.slice(1)) parseSweep(`${sweep.path}=${sweep.values.join(',')}`, c);
  const made = planPoints(configs, sweep, runnerFlags(a));
  if (p.sbatch !== undefined) made.plan.sbatch = p.sbatch;
  await writePlan(dir, made);
  const n = made.plan.points.length;
  const seeds = configs.map((c) => `${c.seed}..${c.seed + (c.repeats ?? 1) - 1}`).join(', ');
  process.stderr.write(
    `${n} points (${configs.length} config${configs.length > 1 ? 's' : ''}${sweep ? ` × ${sweep.values.length} values of ${sweep.path}` : ''} × seeds ${seeds}): ` +
      `${join(dir, 'points')}/<i>.json, ${join(dir, 'plan.json')}\n`,
  );
  if (p.emit === 'local') return runLocal(dir, p.jobs ?? 1);
  const opts = sbatchDefaults(
    made.plan.groups.map((g) => g.config),
    a.backend,
  );
  const file = join(dir, 'jobs.sbatch');
  await writeSbatch(
    file,
    sbatchScript(
      made.plan,
      dir,
      made.plan.points.map((x) => x.index),
      opts,
      p.sbatch,
    ),
  );
  process.stdout.write(
    `${file}: an array of ${n} tasks. Submit it, then merge:\n  sbatch ${file}\n  npm run experiment -- merge ${a.out}\n`,
  );
  return 0;
}

/** `--emit slurm --only-missing`: an array of the points not finished (jobs-missing.sbatch). */
async function emitMissing(
  a: EmitArgs,
  dir: string,
  load: (preset: string | undefined) => Promise<ExperimentConfig>,
): Promise<number> {
  const plan = await readPlan(dir);
  if (a.config || a.preset) {
    // Named again, the configs must plan the same points (else the results would mix two experiments).
    const names = a.preset ? a.preset.split(',') : [undefined];
    const configs: ExperimentConfig[] = [];
    for (const n of names) configs.push(await load(n));
    const again = planPoints(configs, a.sweep ? parseSweep(a.sweep, configs[0]) : plan.sweep, plan.runner).plan;
    if (again.points.length !== plan.points.length || again.points.some((x, i) => x.hash !== plan.points[i].hash)) {
      throw new Error(
        `${dir} was planned from other configs than those given now: leave out --config/--preset with --only-missing (the plan has its points).`,
      );
    }
  }
  const statuses = await Promise.all(plan.points.map((x) => pointStatus(dir, x.index)));
  // Points running now are left out: submitted again they would run twice (their runner holds the lock).
  const left = plan.points.filter((x) => !['done', 'running'].includes(statuses[x.index].state)).map((x) => x.index);
  const running = plan.points.filter((x) => statuses[x.index].state === 'running').map((x) => x.index);
  if (running.length)
    process.stderr.write(`running now, left out: point${running.length > 1 ? 's' : ''} ${running.join(', ')}\n`);
  if (!left.length) {
    process.stdout.write(
      running.length
        ? `Nothing to submit: every point finished or is running. npm run experiment -- merge ${a.out} once they end.\n`
        : `All ${plan.points.length} points of ${dir} finished: nothing to submit. npm run experiment -- merge ${a.out}\n`,
    );
    return 0;
  }
  const opts = sbatchDefaults(
    plan.groups.map((g) => g.config),
    plan.runner.backend,
  );
  const file = join(dir, 'jobs-missing.sbatch');
  await writeSbatch(file, sbatchScript(plan, dir, left, opts, a.plan!.sbatch ?? plan.sbatch));
  const counts = ['stopped', 'failed', 'missing']
    .map((s) => `${statuses.filter((x) => x.state === s).length} ${s}`)
    .join(', ');
  process.stdout.write(
    `${file}: an array of the ${left.length} points not finished (${counts}): ${left.join(', ')}.\n` +
      `Stopped points continue from their checkpoints. Submit it, then merge:\n  sbatch ${file}\n  npm run experiment -- merge ${a.out}\n`,
  );
  return 0;
}

/** Runs every unfinished point of the plan in DIR here, `jobs` at once, each a runner process with its log
 *  in DIR/points/<i>.log (as a Slurm task runs it); then merges. Ctrl-C stops the running points after
 *  their current batch (they continue when run again) and starts no more. */
export async function runLocal(dir: string, jobs: number): Promise<number> {
  const plan = await readPlan(dir);
  const todo: number[] = [];
  for (const x of plan.points) {
    const st = await pointStatus(dir, x.index);
    if (st.state === 'running')
      process.stderr.write(`point ${x.index} is running elsewhere (${st.note}): left alone\n`);
    else if (st.state !== 'done') todo.push(x.index);
  }
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const t0 = Date.now();
  const failed: number[] = [];
  try {
    const worker = async () => {
      while (!stopping && todo.length) {
        const i = todo.shift()!;
        process.stderr.write(`point ${i} of ${plan.points.length} started (log: ${pointLogFile(dir, i)})\n`);
        const code = await runPointProcess(dir, i);
        process.stderr.write(
          `point ${i} ${code === 0 ? 'finished' : `exited with ${code}`} (${((Date.now() - t0) / 1000).toFixed(0)} s in)\n`,
        );
        if (code !== 0) failed.push(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, todo.length)) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const merged = await mergePlan(dir);
  process.stdout.write(`${merged.text}\n`);
  if (stopping) return 130;
  return merged.missing.length || failed.length ? 1 : 0;
}

/** One `point DIR i` process, its output appended to the point's log; resolves with its exit code. */
function runPointProcess(dir: string, i: number): Promise<number> {
  const fd = openSync(pointLogFile(dir, i), 'a');
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'experiment.ts'), 'point', dir, String(i)],
      { cwd: REPO_ROOT, stdio: ['ignore', fd, fd] },
    );
    child.on('error', (e) => {
      closeSync(fd);
      rej(e);
    });
    child.on('close', (code, signal) => {
      closeSync(fd);
      res(code ?? (signal ? 128 : 1));
    });
  });
}
