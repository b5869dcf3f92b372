// Plan → run → merge: the runner's points (one full config per seed × sweep value × config) written into
// DIR/points/<i>.json with DIR/plan.json beside them, so that a scheduler (Slurm's job arrays, cli/slurm.ts),
// the local runner (--emit local, cli/local.ts) or anything else that can start `experiment point DIR i`
// runs each point on its own, and `experiment merge DIR` (cli/merge.ts) gathers them into one table.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../core/config/config';
import { validateConfig } from '../core/config';
import { hashString } from '../core/hash';
import { repeatConfig, repeatSeeds } from '../core/results/repeats';
import { sweepRunConfig, type SweepSpec } from '../core/results/sweep';
import { LOCK_NAME, STALE_AFTER_MS, type LockInfo } from '../platform/node/runLock';

export type EmitKind = 'slurm' | 'local';

/** The planning flags of the runner's command line. */
export interface PlanArgs {
  emit?: EmitKind;
  /** --emit slurm: an array of the points not finished yet (needs an existing plan in --out). */
  onlyMissing: boolean;
  /** --emit slurm: sbatch options that replace or extend the planned #SBATCH lines. */
  sbatch?: string;
  /** --emit local: points run at once. */
  jobs?: number;
}

/** Whether `k` is a planning flag (consumed, its value read by `next`). */
export function planArg(k: string, next: () => string, a: { plan?: PlanArgs }, raw: () => string = next): boolean {
  if (!['--emit', '--only-missing', '--sbatch', '--jobs'].includes(k)) return false;
  const p = (a.plan ??= { onlyMissing: false });
  if (k === '--emit') {
    const v = next();
    if (v !== 'slurm' && v !== 'local') throw new Error(`--emit takes slurm or local (got "${v}").`);
    p.emit = v;
  } else if (k === '--only-missing') p.onlyMissing = true;
  else if (k === '--sbatch')
    p.sbatch = raw(); // its value starts with -- itself
  else p.jobs = wholeArg(k, next(), 1, 256);
  return true;
}

/** A whole-number flag value in [lo, hi], or an error naming the flag. */
export function wholeArg(flag: string, v: string, lo: number, hi: number, usage = ''): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < lo || n > hi)
    throw new Error(`${flag} takes a whole number ${lo} to ${hi} (got "${v}").${usage ? `\n${usage}` : ''}`);
  return n;
}

/** The planning flags' combinations (after the whole command line is read). */
export function checkPlanArgs(
  a: { plan?: PlanArgs; config?: string; preset?: string; resume?: string; out?: string },
  usage: string,
): void {
  const p = a.plan!;
  if (!p.emit)
    throw new Error(
      `${p.onlyMissing ? '--only-missing' : p.sbatch !== undefined ? '--sbatch' : '--jobs'} goes with --emit.\n${usage}`,
    );
  if (p.sbatch !== undefined && p.emit !== 'slurm') throw new Error(`--sbatch goes with --emit slurm.\n${usage}`);
  if (p.jobs !== undefined && p.emit !== 'local') throw new Error(`--jobs goes with --emit local.\n${usage}`);
  if (a.resume)
    throw new Error(`--resume continues one run; a plan's points continue by themselves when run again.\n${usage}`);
  if (!a.out) throw new Error(`--emit needs --out <dir>: the plan, the points and their results go there.\n${usage}`);
  if (p.onlyMissing) {
    if (p.emit !== 'slurm')
      throw new Error(
        `--only-missing goes with --emit slurm (--emit local skips finished points by itself).\n${usage}`,
      );
    return;
  }
  const given = [a.config, a.preset].filter((x) => x != null).length;
  // --emit local without a config runs the plan already in --out (its points not finished).
  if (given > 1 || (given === 0 && p.emit !== 'local'))
    throw new Error(`--emit plans from exactly one of --config or --preset.\n${usage}`);
}

/** What a point's runner is started with besides its config (recorded in the plan). */
export interface RunnerFlags {
  backend?: string;
  wasmThreads?: number | 'auto';
  /** WebGPU in Node: Dawn toggles, and whether a software adapter may be used. */
  gpuAdapter?: string[];
  allowSoftwareGpu?: boolean;
}

export interface PlanPoint {
  index: number;
  /** The group: one config (and sweep value) whose seeds are merged into one table. */
  group: number;
  seed: number;
  /** Hash of the point's config: a plan made again must give the same points. */
  hash: string;
}

export interface PlanGroup {
  index: number;
  /** The config whose repeats the group's points are (seeds seed .. seed + repeats − 1). */
  config: ExperimentConfig;
  /** With a sweep: the setting's value in this group. */
  sweepValue: number | null;
}

export interface Plan {
  version: 1;
  createdAt: string;
  sweep: SweepSpec | null;
  groups: PlanGroup[];
  points: PlanPoint[];
  runner: RunnerFlags;
  /** --sbatch's options, kept for --only-missing. */
  sbatch?: string;
}

export const PLAN_FILE = 'plan.json';
export const pointsDir = (dir: string) => join(dir, 'points');
export const pointConfigFile = (dir: string, i: number) => join(dir, 'points', `${i}.json`);
export const pointOutDir = (dir: string, i: number) => join(dir, 'points', String(i));
export const pointLogFile = (dir: string, i: number) => join(dir, 'points', `${i}.log`);

function configHash(cfg: ExperimentConfig): string {
  return hashString(JSON.stringify(cfg)).toString(16).padStart(8, '0');
}

/** Every point of `configs` × the sweep's values × each config's seeds, in that order, with its config. */
export function planPoints(
  configs: ExperimentConfig[],
  sweep: SweepSpec | null,
  runner: RunnerFlags,
): { plan: Plan; configs: ExperimentConfig[] } {
  const groups: PlanGroup[] = [];
  const points: PlanPoint[] = [];
  const pointConfigs: ExperimentConfig[] = [];
  for (const base of configs) {
    const values = sweep
      ? sweep.values.map((v, j) => ({ v, cfg: validateConfig(sweepRunConfig(base, sweep, j)) }))
      : [{ v: null, cfg: base }];
    for (const { v, cfg } of values) {
      const group = groups.length;
      groups.push({ index: group, config: cfg, sweepValue: v });
      for (const [i, seed] of repeatSeeds(cfg).entries()) {
        const point = validateConfig(repeatConfig(cfg, i));
        points.push({ index: points.length, group, seed, hash: configHash(point) });
        pointConfigs.push(point);
      }
    }
  }
  return {
    plan: { version: 1, createdAt: new Date().toISOString(), sweep, groups, points, runner },
    configs: pointConfigs,
  };
}

/** Writes plan.json and points/<i>.json; refuses a folder holding another plan (its results would mix). */
export async function writePlan(dir: string, made: { plan: Plan; configs: ExperimentConfig[] }): Promise<void> {
  const old = await readPlanIfAny(dir);
  if (old) {
    const same =
      old.points.length === made.plan.points.length && old.points.every((p, i) => p.hash === made.plan.points[i].hash);
    if (!same) {
      throw new Error(
        `${dir} holds another plan (${old.points.length} points, different configs): give a new --out, or remove ${join(dir, PLAN_FILE)} ` +
          'and its points/ folder first.',
      );
    }
  }
  await mkdir(pointsDir(dir), { recursive: true });
  for (const [i, cfg] of made.configs.entries())
    await writeFile(pointConfigFile(dir, i), `${JSON.stringify(cfg, null, 1)}\n`);
  // A plan made again keeps its first date (points already run belong to it).
  const plan = old ? { ...made.plan, createdAt: old.createdAt } : made.plan;
  await writeFile(join(dir, PLAN_FILE), `${JSON.stringify(plan, null, 1)}\n`);
}

async function readPlanIfAny(dir: string): Promise<Plan | null> {
  return existsSync(join(dir, PLAN_FILE)) ? readPlan(dir) : null;
}

/** DIR/plan.json, checked enough to say in words what is wrong with it. */
export async function readPlan(dir: string): Promise<Plan> {
  const file = join(resolve(dir), PLAN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${dir} holds no plan (${PLAN_FILE}): make one with --emit slurm or --emit local --out ${dir}.`);
  }
  let plan: Plan;
  try {
    plan = JSON.parse(text) as Plan;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (plan?.version !== 1 || !Array.isArray(plan.points) || !Array.isArray(plan.groups)) {
    throw new Error(`${file} is not a plan the runner wrote (version 1 with points and groups).`);
  }
  return plan;
}

export type PointState = 'done' | 'running' | 'stopped' | 'failed' | 'missing';

export interface PointStatus {
  state: PointState;
  /** Why, in words (for stopped and failed). */
  note: string;
}

/** Who runs in a point's folder now, from its run.lock (platform/node/runLock.ts), or null: on this host a
 *  lock whose pid runs, from another host a lock touched within its heartbeat's stale limit. */
export function lockHolder(out: string): string | null {
  const path = join(out, LOCK_NAME);
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
  let info: LockInfo | null = null;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    /* being written or damaged: judged by its age */
  }
  if (info?.host === hostname()) {
    try {
      process.kill(info.pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') return null;
    }
  } else if (ageMs > STALE_AFTER_MS) return null;
  return info
    ? `pid ${info.pid} on ${info.host}${info.slurm ? ` (Slurm task ${info.slurm})` : ''} since ${info.startedAt}`
    : 'a runner holds its lock';
}

/** Where a point stands, from its folder and log: done (results.json, not interrupted, no checkpoint left),
 *  running (a live runner holds its lock), stopped (a checkpoint to continue from), failed (it ran, nothing
 *  to continue from), missing (never ran). */
export async function pointStatus(dir: string, i: number): Promise<PointStatus> {
  const out = pointOutDir(dir, i);
  const checkpoint = existsSync(join(out, 'checkpoint.json'));
  let results: { interrupted?: string } | null;
  try {
    results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { interrupted?: string };
  } catch {
    results = null;
  }
  if (results && !results.interrupted && !checkpoint) return { state: 'done', note: '' };
  const holder = lockHolder(out);
  if (holder) return { state: 'running', note: holder };
  if (checkpoint)
    return {
      state: 'stopped',
      note: results?.interrupted ?? 'stopped after its last checkpoint (killed, preempted or out of time)',
    };
  if (existsSync(pointLogFile(dir, i)) || existsSync(out))
    return { state: 'failed', note: 'ran and left neither results nor a checkpoint' };
  return { state: 'missing', note: 'never ran' };
}

/** The last `n` non-empty lines of a point's log ('' when there is none). */
export async function logTail(dir: string, i: number, n = 8): Promise<string> {
  let text: string;
  try {
    text = await readFile(pointLogFile(dir, i), 'utf8');
  } catch {
    return '';
  }
  // Progress lines rewritten in place (\r) keep their last state.
  const lines = text
    .split('\n')
    .map((l) => l.split('\r').pop()!.trimEnd())
    .filter((l) => l);
  return lines.slice(-n).join('\n');
}
