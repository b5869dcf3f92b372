// The runner's refusals in words: settings that only the lab's page can apply, and an output folder that
// cannot be written (a file in its place, read-only, full), each named with what to do instead.
import { sep } from 'node:path';
import type { ExperimentConfig } from '../core/config';

/**
 * Why the runner cannot run `cfg` as written, or null. Every setting is either applied or refused:
 * `teacherInit` names a model imported into the lab's browser storage, which the runner cannot read.
 */
export function runnerConfigProblem(cfg: ExperimentConfig): string | null {
  if (cfg.teacherInit != null) {
    return (
      `teacherInit: "${cfg.teacherInit}" names a model imported into the lab's browser storage, which the runner ` +
      'cannot read; remove the setting (or set it to null) to start the teacher from a fresh initialisation, or run this ' +
      'config in the lab.'
    );
  }
  return null;
}

const FOLDER_PROBLEMS: Record<string, string> = {
  EEXIST: 'a file (not a folder) has that name',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EROFS: 'it is on a read-only file system',
  EACCES: 'you do not have permission to write there',
  EPERM: 'you do not have permission to write there',
  ENOSPC: 'the disk is full',
  EDQUOT: 'your disk quota is used up',
  ENAMETOOLONG: 'its name is too long',
};

/**
 * A file-system error while creating or writing the output folder `dir`, in a sentence naming the folder;
 * null for any other error (one whose path is outside `dir`, e.g. a dataset that cannot be read).
 */
export function outFolderMessage(err: unknown, dir: string | null): string | null {
  if (!dir) return null;
  const { code, path } = (err ?? {}) as { code?: unknown; path?: unknown };
  const why = typeof code === 'string' ? FOLDER_PROBLEMS[code] : undefined;
  if (!why) return null;
  // A full disk is reported by write(), without a path: the runner writes nowhere but its output folder.
  const inside =
    typeof path === 'string' ? path === dir || path.startsWith(`${dir}${sep}`) : code === 'ENOSPC' || code === 'EDQUOT';
  if (!inside) return null;
  return `Cannot write the output folder ${dir}: ${why}. Choose another folder with --out.`;
}

/**
 * The finished stages' models rebuilt from the checkpoint, or none when that fails after the backend ran
 * out of memory (its heap may be unusable): the checkpoint file keeps their weights either way.
 */
export function finishedModelsOrNone<M>(build: () => M, afterOutOfMemory: boolean): M | Record<string, never> {
  if (!afterOutOfMemory) return build();
  try {
    return build();
  } catch {
    return {};
  }
}
