// `--resume <out>` continues the same run: the checkpoint's config, dataset and backend. This module checks
// the world against what the checkpoint recorded: the flags given with --resume (those that would change
// the run are refused by name, those that are safe are applied and said), and the dataset's files.
import { resolve } from 'node:path';
import { STAGE_LABEL } from '../core/config/config';
import { loadCheckpointFiles, type LoadedCheckpoint, type RunWorld } from '../platform/node/checkpointFiles';
import { datasetChange, datasetIdentity } from '../platform/node/datasetIdentity';

/** The runner's flags that matter here (the rest of its Args). */
export interface ResumeFlags {
  resume?: string;
  out?: string;
  dataset?: string;
  ferplus?: string;
  labels?: string;
  sweep?: string;
  seed?: number;
  backend?: string;
}

export class ResumeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeRefusedError';
  }
}

/** Refuses flags that would make the resumed run another run; returns notes for the safe ones applied. */
export function checkResumeFlags(a: ResumeFlags, cp: LoadedCheckpoint): string[] {
  const dir = resolve(a.resume!);
  const cfg = cp.config;
  const ds = cfg.dataset;
  const dsName =
    ds.source === 'file' ? ds.path : ds.source === 'synth' ? 'its synthetic dataset' : `stored dataset ${ds.id}`;
  const refused: string[] = [];
  if (a.dataset !== undefined) refused.push(`--dataset ${a.dataset}: the run trains on ${dsName}`);
  if (a.ferplus !== undefined) refused.push(`--ferplus ${a.ferplus}: the dataset is the checkpoint's`);
  if (a.labels !== undefined) refused.push(`--labels ${a.labels}: the dataset is the checkpoint's`);
  if (a.seed !== undefined && a.seed !== cfg.seed) refused.push(`--seed ${a.seed}: the run's seed is ${cfg.seed}`);
  if (a.sweep !== undefined) refused.push(`--sweep ${a.sweep}: a resumed run continues one curriculum`);
  if (a.out !== undefined && resolve(a.out) !== dir)
    refused.push(`--out ${a.out}: a resumed run writes into its own folder ${dir}`);
  if (refused.length) {
    throw new ResumeRefusedError(
      `--resume ${a.resume} continues the run recorded in ${cp.file}; these flags would make it another run ` +
        `and are refused:\n${refused.map((r) => `  ${r}`).join('\n')}\nDrop them to continue the run, or start a new run (--config, another --out) to change them.`,
    );
  }
  const notes: string[] = [];
  if (a.backend !== undefined && a.backend !== cp.world.backend) {
    notes.push(
      `--backend ${a.backend}: continuing on ${a.backend}, the checkpoint was written on ${cp.world.backend}; ` +
        'the results will not be bit-identical to an uninterrupted run.',
    );
  }
  return notes;
}

/** Refuses to resume when the dataset the checkpoint recorded is gone or changed, naming the file. */
export async function checkResumeDataset(cp: LoadedCheckpoint): Promise<void> {
  const ds = cp.config.dataset;
  let now: RunWorld['dataset'];
  try {
    now = await datasetIdentity(ds);
  } catch (e) {
    throw new ResumeRefusedError(
      `Cannot resume from ${cp.file}: its dataset ${ds.source === 'file' ? ds.path : ''} cannot be read ` +
        `(${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    );
  }
  const change = datasetChange(cp.world.dataset, now);
  if (change) {
    throw new ResumeRefusedError(
      `Cannot resume from ${cp.file}: the dataset changed since the checkpoint was written: ${change}. ` +
        'Resuming would train the rest of the run on other data. Restore the dataset, or start a new run.',
    );
  }
}

/** Where a resumed run continues, in words (stderr and results.json's `resumed`). */
export function resumedNote(cp: LoadedCheckpoint['checkpoint']): string {
  return cp.progress
    ? `from ${STAGE_LABEL[cp.progress.stage]} epoch ${cp.progress.nextEpoch + 1}`
    : `after ${cp.done.map((s) => STAGE_LABEL[s]).join(', ')}`;
}

/** The checkpoint in `out`, verified (file, flags, dataset), or a refusal that says why. */
export async function openResume(out: string, a: ResumeFlags, say: (s: string) => void): Promise<LoadedCheckpoint> {
  const cp = await loadCheckpointFiles(out);
  if (!cp) {
    throw new ResumeRefusedError(
      `${a.resume} holds no checkpoint to continue (checkpoint.json): a run writes one after every epoch ` +
        'and removes it when it finishes.',
    );
  }
  for (const n of checkResumeFlags(a, cp)) process.stderr.write(`${n}\n`);
  await checkResumeDataset(cp);
  say(`resuming ${out} ${resumedNote(cp.checkpoint)} (checkpoint of ${cp.savedAt})\n`);
  return cp;
}
