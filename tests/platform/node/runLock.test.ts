// run.lock's rules, in-process: a fresh lock from another host refuses; one untouched for longer than the
// heartbeat allows, one left by an earlier try of the same Slurm task and one whose pid is dead on this
// host are taken over, with a note; the release removes only our own lock.
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, LOCK_NAME, STALE_AFTER_MS } from '../../../src/platform/node/runLock';

const folder = () => mkdtempSync(join(tmpdir(), 'odl-lock-'));
const put = (dir: string, info: object, ageMs = 0) => {
  const p = join(dir, LOCK_NAME);
  writeFileSync(p, JSON.stringify(info));
  const t = new Date(Date.now() - ageMs);
  utimesSync(p, t, t);
};
const env = { ...process.env };
afterEach(() => {
  process.env = { ...env };
});

describe('run.lock', () => {
  it('is taken, read back with pid and host, refused to a second taker, removed on release', () => {
    const dir = folder();
    const release = acquireRunLock(dir);
    const info = JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => acquireRunLock(dir)).toThrow(
      new RegExp(`${dir} is in use by another runner: pid ${process.pid} on ${hostname()}, started `),
    );
    release();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
  });

  it('refuses a fresh lock from another host, takes over one untouched for too long', () => {
    const dir = folder();
    put(dir, { pid: 1234, host: 'node-a', startedAt: '2026-01-01T00:00:00Z' }, 10_000);
    expect(() => acquireRunLock(dir)).toThrow(
      /in use by another runner: pid 1234 on node-a, started 2026-01-01T00:00:00Z/,
    );
    put(dir, { pid: 1234, host: 'node-a', startedAt: '2026-01-01T00:00:00Z' }, STALE_AFTER_MS + 5000);
    const notes: string[] = [];
    const release = acquireRunLock(dir, (s) => notes.push(s));
    expect(notes.join('')).toMatch(
      /took over the lock of .* from pid 1234 on node-a .*: its holder on node-a has not touched it for \d+ s/,
    );
    release();
  });

  it('takes over a lock left by an earlier try of the same Slurm task (a requeued job on another node)', () => {
    const dir = folder();
    process.env.SLURM_ARRAY_JOB_ID = '77';
    process.env.SLURM_ARRAY_TASK_ID = '3';
    process.env.SLURM_JOB_ID = '80';
    put(dir, { pid: 99, host: 'node-b', startedAt: 'x', slurm: '77_4' });
    expect(() => acquireRunLock(dir)).toThrow(/Slurm task 77_4/);
    put(dir, { pid: 99, host: 'node-b', startedAt: 'x', slurm: '77_3' });
    const notes: string[] = [];
    acquireRunLock(dir, (s) => notes.push(s))();
    expect(notes.join('')).toMatch(/earlier try of Slurm task 77_3/);
  });

  it('takes over a lock whose pid no longer runs on this host', () => {
    const dir = folder();
    // A pid above the kernel's limit (2^22) is never running.
    put(dir, { pid: 2 ** 22 + 17, host: hostname(), startedAt: 'x' });
    const notes: string[] = [];
    acquireRunLock(dir, (s) => notes.push(s))();
    expect(notes.join('')).toMatch(new RegExp(`pid ${2 ** 22 + 17} no longer runs on ${hostname()}`));
  });
});
