// One writer per run folder: run.lock in --out holds the runner's pid, host and start time (and, under
// Slurm, its job and array task). A second runner on the same folder refuses, naming the holder. A lock
// whose holder is gone is taken over with a note: on the same host when its pid no longer runs; from
// another host when its heartbeat (the lock's modification time, touched every 30 s) is older than
// STALE_AFTER_MS, or when it was left by an earlier try of the same Slurm task (a requeued job).
import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_NAME = 'run.lock';
const HEARTBEAT_MS = 30_000;
export const STALE_AFTER_MS = 120_000;

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  slurm?: string;
}

export class RunLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunLockedError';
  }
}

/** This process's Slurm task (job id and array task), if it runs under Slurm. */
function slurmTask(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const job = env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID;
  if (!job) return undefined;
  return env.SLURM_ARRAY_TASK_ID !== undefined ? `${job}_${env.SLURM_ARRAY_TASK_ID}` : job;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Why the lock's holder is gone (so the lock may be taken over), or null while it may still run. */
function staleReason(held: LockInfo, ageMs: number, me: LockInfo): string | null {
  if (held.host === me.host) {
    if (held.pid === me.pid) return null;
    return pidAlive(held.pid) ? null : `pid ${held.pid} no longer runs on ${held.host}`;
  }
  if (held.slurm && me.slurm && held.slurm === me.slurm)
    return `it was left by an earlier try of Slurm task ${held.slurm}`;
  if (ageMs > STALE_AFTER_MS) return `its holder on ${held.host} has not touched it for ${Math.round(ageMs / 1000)} s`;
  return null;
}

function readLock(path: string): { info: LockInfo | null; ageMs: number } | null {
  try {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    let info: LockInfo | null = null;
    try {
      const v = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      if (v && typeof v.pid === 'number' && typeof v.host === 'string') info = v;
    } catch {
      /* being written, or damaged: judged by age */
    }
    return { info, ageMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Takes the lock of `dir` (which exists) or throws RunLockedError naming the holder. `note` hears about a
 * stale lock taken over. Returns the release, which is also run at process exit.
 */
export function acquireRunLock(dir: string, note: (s: string) => void = () => undefined): () => void {
  const path = join(dir, LOCK_NAME);
  const me: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(slurmTask() ? { slurm: slurmTask() } : {}),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(path);
      if (!held) continue; // released meanwhile: try again
      const why = held.info
        ? staleReason(held.info, held.ageMs, me)
        : held.ageMs > STALE_AFTER_MS
          ? 'it is unreadable and old'
          : null;
      if (!why) {
        const h = held.info;
        throw new RunLockedError(
          `${dir} is in use by another runner${h ? `: pid ${h.pid} on ${h.host}, started ${h.startedAt}` + `${h.slurm ? ` (Slurm task ${h.slurm})` : ''}` : ''} ` +
            `(lock file ${path}). Two runners on one folder would overwrite each other's checkpoints and results: ` +
            'wait for it to finish or stop it, or use another --out. If no such runner exists, delete the lock file.',
        );
      }
      // Moved aside first: of two runners taking it over at once, only one rename succeeds.
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
      } catch {
        continue;
      }
      rmSync(`${path}.stale-${process.pid}`, { force: true });
      note(
        `took over the lock of ${dir}${held.info ? ` from pid ${held.info.pid} on ${held.info.host} (started ${held.info.startedAt})` : ''}: ${why}.\n`,
      );
      continue;
    }
    writeSync(fd, `${JSON.stringify(me)}\n`);
    closeSync(fd);
    const beat = setInterval(() => {
      try {
        const t = new Date();
        utimesSync(path, t, t);
      } catch {
        /* the folder went away: nothing to keep */
      }
    }, HEARTBEAT_MS);
    beat.unref();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearInterval(beat);
      process.off('exit', release);
      // Only our own lock: one taken over meanwhile (after a long stall) belongs to its new holder.
      const now = readLock(path);
      if (now?.info && now.info.pid === me.pid && now.info.host === me.host) rmSync(path, { force: true });
    };
    process.on('exit', release);
    return release;
  }
  throw new RunLockedError(`Could not take the lock ${path}: other runners keep taking it.`);
}
