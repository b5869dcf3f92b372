// A plan as a Slurm job array (DIR/jobs.sbatch): one array task per point, each running
// `experiment point DIR $SLURM_ARRAY_TASK_ID` (cli/point.ts: resumes from its own checkpoint, skips a
// finished point), its log in DIR/points/<i>.log, --requeue so that a preempted task runs again. The
// #SBATCH resources are estimated from the model's multiply-adds and the data's size, and every one can be
// replaced (--sbatch "--partition=gpu --time=8:00:00").
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentConfig } from '../core/config/config';
import { paperDims } from '../core/config/paperPresets';
import { configDims, estimateDuration, formatEstimate, type DatasetDims } from '../core/distill/estimate';
import { specOf } from '../core/distill/context';
import { modelSize } from '../core/models/registry';
import type { Plan } from './plan';

/** The repository the runner runs from (array tasks start it there). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Assumed sustained multiply-adds per second, until measured: a GPU through tfjs's WebGPU backend (a
 * fraction of a data-centre GPU's fp32 peak: tfjs kernels are not cuDNN's), and one CPU core through
 * wasm (measured order of magnitude on the README's 2-core machine for the small nets).
 */
export const ASSUMED_MACS_PER_S = { gpu: 5e12, cpuCore: 2e9 };

/** The data's split sizes and image size: the config's own (synthetic), else those of the paper's datasets. */
export function planDims(cfg: ExperimentConfig): DatasetDims {
  const own = configDims(cfg);
  if (own) return own;
  const d = cfg.dataset as { height?: number; width?: number; channels?: number };
  return { height: d.height ?? 48, width: d.width ?? 48, channels: d.channels ?? 1, ...paperDims(cfg.task) };
}

/** Forward multiply-adds per image of a config's model at its input size. */
export function configMacs(cfg: ExperimentConfig, dims: DatasetDims = planDims(cfg)): number {
  const units = cfg.task === 'expression' ? 8 : cfg.task === 'gender' ? 2 : 1;
  return modelSize(specOf(cfg.model, [dims.height, dims.width, dims.channels], units, 1)).macs;
}

/** Expected seconds of one point (every stage to its epoch cap) at `macsPerS`: training costs three
 *  forward passes per image (forward, backward to activations and to weights), evaluation one. */
export function expectedSeconds(cfg: ExperimentConfig, macsPerS: number): number {
  const dims = planDims(cfg);
  const ms = (1000 * configMacs(cfg, dims)) / macsPerS;
  return estimateDuration({ ...cfg, repeats: 1 }, dims, {
    trainMsPerImage: 3 * ms,
    evalMsPerImage: ms,
    backend: 'estimate',
  }).maxS;
}

export interface SbatchOptions {
  gpu: boolean;
  cpus: number;
  memGiB: number;
  timeS: number;
  /** The estimate behind timeS (one point, every stage to its cap), for the script's comment. */
  expectedS: number;
}

/** Resources of one array task for the plan's heaviest point: CPUs, memory (the splits as float32 twice,
 *  plus the runtime), time (the estimate doubled, plus 10 minutes, at least 15 minutes). */
export function sbatchDefaults(configs: ExperimentConfig[], backend: string | undefined): SbatchOptions {
  const gpu = backend === 'webgpu';
  const cpus = gpu ? 4 : 2;
  let memGiB = 0;
  let expectedS = 0;
  for (const cfg of configs) {
    const d = planDims(cfg);
    const bytes = (d.train + d.val + d.test) * d.height * d.width * d.channels * 4 * 2;
    memGiB = Math.max(memGiB, Math.ceil(2 + bytes / 2 ** 30));
    expectedS = Math.max(
      expectedS,
      expectedSeconds(cfg, gpu ? ASSUMED_MACS_PER_S.gpu : ASSUMED_MACS_PER_S.cpuCore * cpus),
    );
  }
  return { gpu, cpus, memGiB, timeS: Math.max(15 * 60, 2 * expectedS + 600), expectedS };
}

/** Slurm's [D-]HH:MM:SS. */
export function slurmTime(s: number): string {
  const m = Math.ceil(s / 60);
  const d = Math.floor(m / 1440);
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${d ? `${d}-` : ''}${hh}:${mm}:00`;
}

/** --sbatch's text as option tokens; `--key=value` replaces the planned option of that key, anything else
 *  is added. Options the plan depends on are refused, as is anything a shell would read specially. */
export function parseSbatchOverrides(text: string): { key: string | null; text: string }[] {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t);
  const out: { key: string | null; text: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!/^[\w%:=,./@+\-[\]]+$/.test(t))
      throw new Error(
        `--sbatch: "${t}" has characters an #SBATCH line cannot take (quotes, $, ;, spaces inside a value...).`,
      );
    if (!t.startsWith('-'))
      throw new Error(`--sbatch: "${t}" is not an option (write --key=value, e.g. --partition=gpu).`);
    const key = t.startsWith('--') ? t.slice(2).split('=')[0] : null;
    if (key && ['array', 'output', 'error', 'open-mode', 'chdir'].includes(key)) {
      throw new Error(
        `--sbatch: --${key} is set by the plan (the array is its points, each task's log goes beside its results); leave it out.`,
      );
    }
    // A short option's value is the next token (-p gpu); a long one's is written with = (--partition=gpu).
    if (!t.startsWith('--') && tokens[i + 1] && !tokens[i + 1].startsWith('-'))
      out.push({ key: null, text: `${t} ${tokens[++i]}` });
    else out.push({ key, text: t });
  }
  return out;
}

/** The array job script for `indices` (all the plan's points, or the missing ones). */
export function sbatchScript(
  plan: Plan,
  dir: string,
  indices: number[],
  opts: SbatchOptions,
  overrides: string | undefined,
): string {
  const abs = resolve(dir);
  const planned: { key: string | null; text: string }[] = [
    { key: 'job-name', text: `--job-name=odl-${plan.points.length}pts` },
    { key: 'array', text: `--array=${arraySpec(indices)}` },
    { key: 'cpus-per-task', text: `--cpus-per-task=${opts.cpus}` },
    { key: 'mem', text: `--mem=${opts.memGiB}G` },
    { key: 'time', text: `--time=${slurmTime(opts.timeS)}` },
    ...(opts.gpu ? [{ key: 'gres', text: '--gres=gpu:1' }] : []),
    { key: 'requeue', text: '--requeue' },
    { key: 'open-mode', text: '--open-mode=append' },
    { key: 'output', text: `--output=${join(abs, 'points', '%a.log')}` },
  ];
  for (const o of overrides ? parseSbatchOverrides(overrides) : []) {
    const at = o.key ? planned.findIndex((p) => p.key === o.key) : -1;
    if (at >= 0) planned[at] = o;
    else planned.push(o);
  }
  const groups = plan.groups.map((g) => g.config.name);
  return [
    '#!/bin/bash',
    `# ${indices.length} of the ${plan.points.length} points of ${abs}`,
    ...groups.slice(0, 5).map((n) => `#   ${n}`),
    ...(groups.length > 5 ? [`#   ... and ${groups.length - 5} more`] : []),
    `# One point, every stage to its epoch cap: about ${formatEstimate(opts.expectedS)} expected on ${opts.gpu ? 'one GPU' : `${opts.cpus} CPU cores`}`,
    "# (from the model's multiply-adds at an assumed speed; results.json records the real time).",
    '# Submit: sbatch --wait <this file>; then: npm run experiment -- merge <the plan folder>.',
    ...planned.map((p) => `#SBATCH ${p.text}`),
    'set -u',
    `cd ${shellQuote(REPO_ROOT)}`,
    `exec node --import tsx src/cli/experiment.ts point ${shellQuote(abs)} "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}

/** Slurm's --array list: runs of consecutive indices as ranges (0-3,7,9-10). */
export function arraySpec(indices: number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return parts.join(',');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Writes the script and says how to submit it. */
export async function writeSbatch(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o755 });
}
