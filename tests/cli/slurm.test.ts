// The runner's points on a real one-node Slurm cluster (scripts/slurm-local.sh): `--emit slurm` +
// `sbatch --wait` + `merge` give the same repeats table as a local --repeats run (apart from timings and
// paths), and a point cancelled in mid-run (scancel), resubmitted with --only-missing, continues from its
// checkpoint and the merged table is that of the uninterrupted plan (run here with --emit local).
// Skipped, with a message, only where Slurm's programs are not installed (.ci/run installs them).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/core/config/config';
import { PRESETS } from '../../src/core/config/presets';

const ROOT = resolve(__dirname, '..', '..');
const SLURM = [
  '/usr/sbin/slurmctld',
  '/usr/sbin/slurmd',
  '/usr/sbin/munged',
  '/usr/bin/sbatch',
  '/usr/bin/scancel',
].every((f) => existsSync(f));
if (!SLURM)
  console.warn(
    'tests/cli/slurm.test.ts skipped: Slurm is not installed here (apt-get install slurm-wlm munge; .ci/run does it).',
  );

const work = mkdtempSync(join(tmpdir(), 'odl-slurm-test-'));
// A cluster of its own (folder and ports), beside any other on this machine (one left by a killed run too).
const port = String(20000 + 2 * Math.floor(Math.random() * 5000));
const env = {
  ...process.env,
  ODL_SLURM_DIR: join(work, 'cluster'),
  ODL_SLURM_PORT: port,
  SLURM_CONF: join(work, 'cluster', 'slurm.conf'),
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** The runner as `npm run experiment` starts it. */
const experiment = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...args]);

/** repeats.json without what differs between routes: the runs' folders. */
function repeatsJson(dir: string): unknown {
  const j = JSON.parse(readFileSync(join(dir, 'repeats.json'), 'utf8')) as { runs: { seed: number; dir: string }[] };
  return { ...j, runs: j.runs.map((r) => r.seed) };
}

/** repeats.txt without its time (the first line's "N s"). */
const repeatsText = (dir: string) => readFileSync(join(dir, 'repeats.txt'), 'utf8').replace(/^(.*), \d+ s\n/, '$1\n');

// Two tasks at once on a 2-core machine: one CPU and 1 GiB each.
const SBATCH = '--cpus-per-task=1 --mem=1G --time=00:20:00';
const RUNNER = ['--backend', 'wasm', '--wasm-threads', '0'];

describe.skipIf(!SLURM)('the runner on Slurm', () => {
  beforeAll(async () => {
    const up = await run('bash', ['scripts/slurm-local.sh', 'up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`export SLURM_CONF=${env.SLURM_CONF}`);
  });
  afterAll(async () => {
    const down = await run('bash', ['scripts/slurm-local.sh', 'down']);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(join(work, 'cluster'))).toBe(false);
  });

  it('an array of fixture-tiny seeds 1-4 gives the table of a local --repeats 4 run', async () => {
    const dir = join(work, 'array');
    const plan = await experiment(
      '--preset',
      'fixture-tiny',
      '--seed',
      '1',
      '--repeats',
      '4',
      ...RUNNER,
      '--out',
      dir,
      '--emit',
      'slurm',
      '--sbatch',
      SBATCH,
    );
    expect(plan.code, plan.stderr).toBe(0);
    const script = readFileSync(join(dir, 'jobs.sbatch'), 'utf8');
    expect(script).toMatch(/^#SBATCH --array=0-3$/m);
    expect(script).toMatch(/^#SBATCH --cpus-per-task=1$/m);
    expect(script).toMatch(/^#SBATCH --requeue$/m);
    expect(script).not.toMatch(/--gres/);

    const t0 = Date.now();
    const sub = await run('sbatch', ['--wait', join(dir, 'jobs.sbatch')], work);
    console.log(`slurm: 4 fixture-tiny points in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(sub.code, sub.stderr).toBe(0);
    const merged = await experiment('merge', dir);
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/Test fixture \(tiny, not a demo\): 4 seeds \(1, 2, 3, 4\)/);
    expect(merged.stdout).toMatch(/acc % mean ± sd\s+seed 1\s+seed 2\s+seed 3\s+seed 4/);
    expect(merged.stdout).toContain('All 4 points finished');

    const local = join(work, 'local');
    const t1 = Date.now();
    const rep = await experiment(
      '--preset',
      'fixture-tiny',
      '--seed',
      '1',
      '--repeats',
      '4',
      ...RUNNER,
      '--out',
      local,
      '--quiet',
    );
    console.log(`local --repeats 4 in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    expect(rep.code, rep.stderr).toBe(0);
    expect(repeatsJson(dir)).toEqual(repeatsJson(local));
    expect(repeatsText(dir)).toBe(repeatsText(local));

    // Run again, a finished point is left alone.
    const again = await experiment('point', dir, '2');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/point 2 finished already .*nothing to do/);
  }, 300_000);

  it('a point cancelled in mid-run and resubmitted with --only-missing continues from its checkpoint', async () => {
    // The student trains long enough to be cancelled in the middle of it.
    const cfgFile = join(work, 'long.json');
    writeFileSync(
      cfgFile,
      JSON.stringify(mergeConfig(PRESETS['fixture-tiny'], { student: { epochs: 20, patience: 0 } })),
    );
    const planArgs = ['--config', cfgFile, '--seed', '1', '--repeats', '2', ...RUNNER];

    // The uninterrupted plan, run here.
    const whole = join(work, 'whole');
    const local = await experiment(...planArgs, '--out', whole, '--emit', 'local', '--jobs', '2');
    expect(local.code, local.stdout + local.stderr).toBe(0);
    expect(local.stdout).toContain('All 2 points finished');

    const dir = join(work, 'cancelled');
    expect((await experiment(...planArgs, '--out', dir, '--emit', 'slurm', '--sbatch', SBATCH)).code).toBe(0);
    const log = join(dir, 'points', '1.log');
    const waiting = new Promise<Run>((res) => {
      const child = spawn('sbatch', ['--wait', join(dir, 'jobs.sbatch')], { cwd: work, env });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.on('close', (code) => res({ code: code ?? 1, stdout, stderr: '' }));
    });
    // Cancel point 1 once its student has finished 3 epochs (its checkpoint is then in the student stage).
    let cancelled = false;
    for (let k = 0; k < 1200 && !cancelled; k++) {
      await new Promise((r) => setTimeout(r, 250));
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      if (/== student: [\s\S]*epoch 3:/.test(text)) {
        const q = await run('squeue', ['-h', '-r', '-o', '%i']);
        const task = q.stdout.split('\n').find((l) => l.endsWith('_1'));
        expect(task, q.stdout + q.stderr).toBeDefined();
        expect((await run('scancel', [task!])).code).toBe(0);
        cancelled = true;
      }
    }
    expect(cancelled).toBe(true);
    const first = await waiting;
    expect(first.code).not.toBe(0); // sbatch --wait: a task did not complete

    const stopped = await experiment('merge', dir);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/1 of 2 points not finished/);
    expect(stopped.stdout).toMatch(/point 1 \(seed 2, .*\): stopped, interrupted .* in student after epoch \d+/);
    expect(stopped.stdout).toContain(`last lines of ${log}`);
    expect(existsSync(join(dir, 'points', '1', 'checkpoint.json'))).toBe(true);

    const missing = await experiment('--emit', 'slurm', '--only-missing', '--out', dir);
    expect(missing.code, missing.stderr).toBe(0);
    const script = readFileSync(join(dir, 'jobs-missing.sbatch'), 'utf8');
    expect(script).toMatch(/^#SBATCH --array=1$/m);
    expect(script).toMatch(/^#SBATCH --cpus-per-task=1$/m); // the plan's --sbatch, kept
    const second = await run('sbatch', ['--wait', join(dir, 'jobs-missing.sbatch')], work);
    expect(second.code, second.stderr).toBe(0);
    const text = readFileSync(log, 'utf8');
    const resumedAt = text.indexOf('point 1: continuing from its checkpoint');
    expect(resumedAt).toBeGreaterThan(0);
    expect(text.slice(resumedAt)).not.toMatch(/== teacher:/);
    expect(text.slice(resumedAt)).toMatch(/== student \(other half\):/);

    const merged = await experiment('merge', dir);
    expect(merged.code, merged.stdout).toBe(0);
    expect(repeatsJson(dir)).toEqual(repeatsJson(whole));
    expect(repeatsText(dir)).toBe(repeatsText(whole));
  }, 300_000);
});
