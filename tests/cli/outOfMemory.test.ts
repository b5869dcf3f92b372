// A run whose wasm heap gives way mid-training (fixture-tiny with a 16,384-wide embedding ends in wasm's
// "memory access out of bounds") stops with the lab's memory message and exit status 1, never a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config';

describe('runner out of memory', () => {
  it('ends with the memory message and status 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-oom-'));
    const base = presetConfig('fixture-tiny');
    const cfg = join(dir, 'cfg.json');
    await writeFile(cfg, JSON.stringify({ ...base, model: { ...base.model, embeddingSize: 16384 } }));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/experiment.ts', '--config', cfg, '--out', join(dir, 'out'), '--backend', 'wasm'],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ran out of memory on this backend: try a smaller batch, image size or architecture/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  });
});
