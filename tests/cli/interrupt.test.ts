// A real runner process, interrupted as a terminal does it (SIGINT to its whole process group): it stops after the current batch, writes results.json marked interrupted with the
// finished stages' rows and models, exits 130, and `--resume <out>` finishes the run from its checkpoint.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/core/config/config';
import { PRESETS } from '../../src/core/config/presets';

function runner(
  args: string[],
  onStderr?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // As `npm run experiment` starts it (one node process, tsx as its loader); detached: its own process
    // group, which the signal is sent to, as a terminal's Ctrl-C is.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    const kill = () => {
      if (!sent) {
        sent = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    };
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, kill);
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the runner interrupted', () => {
  it('keeps the finished stages on Ctrl-C, then --resume finishes the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odl-interrupt-'));
    const out = join(dir, 'run');
    // The student trains long enough to be interrupted in the middle of it.
    const cfg = mergeConfig(PRESETS['fixture-tiny'], { student: { epochs: 300, patience: 0 } });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    const first = await runner(
      ['--config', join(dir, 'config.json'), '--backend', 'wasm', '--out', out],
      (text, kill) => {
        if (/== student: [\s\S]*epoch 3:/.test(text)) kill();
      },
    );
    expect(first.stderr).toMatch(/interrupted: stopping after this batch and keeping what is finished/);
    expect(first.code).toBe(130);
    const stopped = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(stopped.interrupted).toMatch(
      /^interrupted \(Ctrl-C\) in student after epoch \d+; finished stages kept; continue with --resume /,
    );
    expect(stopped.grid.map((r: { model: string }) => r.model)).toEqual(['teacher', 'teacher', 'teacher']);
    expect(Object.keys(stopped.models)).toEqual(['teacher']);
    expect(existsSync(join(out, 'models', 'teacher', 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint.json'))).toBe(true);
    expect(readFileSync(join(out, 'grid.txt'), 'utf8')).toMatch(/interrupted \(Ctrl-C\)/);

    // Continue: fewer student epochs would change the result, so the run goes on as it was configured.
    const second = await runner(['--resume', out, '--backend', 'wasm']);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const done = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(done.interrupted).toBeUndefined();
    expect(done.grid.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(done.models).sort()).toEqual([
      'control',
      'standard',
      'student',
      'studentOther',
      'teacher',
      'triplet',
    ]);
    expect(existsSync(join(out, 'checkpoint.json'))).toBe(false);
    // The teacher was not trained again.
    expect(second.stderr).not.toMatch(/== teacher:/);
  }, 600_000);
});
