// The runner as a real child process (as `npm run experiment` starts it: node with tsx as its loader),
// for the tests that kill it, resume it and run two at once.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunnerOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

/** Starts the runner with `args`; `watch` sees the stderr so far after every chunk and may kill it. */
export function startRunner(
  args: string[],
  watch?: (stderr: string, child: ChildProcess) => void,
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<RunnerOutcome> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  let stdout = '';
  const done = new Promise<RunnerOutcome>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      watch?.(stderr, child);
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { child, done };
}

export function runRunner(
  args: string[],
  watch?: (stderr: string, child: ChildProcess) => void,
  env?: NodeJS.ProcessEnv,
): Promise<RunnerOutcome> {
  return startRunner(args, watch, env).done;
}

/** A watcher that sends SIGKILL (kill -9: no handler runs, nothing is flushed) once `pattern` matches. */
export function killWhen(pattern: RegExp): (stderr: string, child: ChildProcess) => void {
  let sent = false;
  return (stderr, child) => {
    if (!sent && pattern.test(stderr)) {
      sent = true;
      process.kill(child.pid!, 'SIGKILL');
    }
  };
}

/** results.json without what differs between two runs of the same config: wall-clock times and dates, where
 *  a run was resumed, and the backends the machine skipped. */
export function comparable(results: Record<string, unknown>): Record<string, unknown> {
  const { startedAt: _s, finishedAt: _f, timings: _t, resumed: _r, skippedBackends: _b, ...rest } = results;
  const history = (rest.history as Record<string, unknown>[]).map(
    ({ trainMs: _a, miningMs: _b, imagesPerSec: _c, ...h }) => h,
  );
  return { ...rest, history };
}
