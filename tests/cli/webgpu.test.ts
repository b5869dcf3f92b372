// The runner on WebGPU in Node (Dawn, the optional `webgpu` package): fixture-tiny trains on Dawn's OpenGL
// backend (Mesa's llvmpipe on a machine without a GPU, allowed with --allow-software-gpu) and its grid is
// within 2 points of the wasm run's; without --allow-software-gpu the software adapter is refused and the
// run falls back to wasm, saying why; the device is gone after the run. Where Dawn finds no adapter the
// tests say so and skip, except under .ci/run (ODL_REQUIRE_NODE_WEBGPU=1), which installs Mesa's EGL first.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/experiment';
import { parseArgs } from '../../src/cli/args';
import { NodeWebgpuError, startNodeWebgpu } from '../../src/platform/node/webgpu';

const GPU = ['--gpu-adapter', 'backend=opengl'];
let why = '';

interface Results {
  backend: string;
  backendDetail?: string;
  skippedBackends: { name: string; reason: string }[];
  grid: { model: string; test: string; metrics: { accuracy: number } }[];
  timings: { totalMs: number };
}

async function run(args: string[]): Promise<{ res: Results; stderr: string }> {
  const out = await mkdtemp(join(tmpdir(), 'odl-gpu-'));
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    expect(await main(['--preset', 'fixture-tiny', '--quiet', '--wasm-threads', '0', '--out', out, ...args])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return { res: JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results, stderr };
}

beforeAll(async () => {
  try {
    (await startNodeWebgpu({ toggles: ['backend=opengl'], allowSoftware: true, timeoutMs: 30_000 })).destroy();
  } catch (e) {
    if (!(e instanceof NodeWebgpuError) || !['no-package', 'no-adapter'].includes(e.reason)) throw e;
    why = e.message;
    if (process.env.ODL_REQUIRE_NODE_WEBGPU === '1')
      throw new Error(`CI needs WebGPU in Node (Dawn on Mesa EGL): ${why}`, { cause: e });
  }
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('runner on WebGPU in Node', () => {
  it('parses --gpu-adapter toggles and --allow-software-gpu', () => {
    const a = parseArgs([
      '--preset',
      'fixture-tiny',
      '--backend',
      'webgpu',
      '--gpu-adapter',
      'backend=vulkan, adapter=NVIDIA',
      '--allow-software-gpu',
    ]);
    expect(a.gpuAdapter).toEqual(['backend=vulkan', 'adapter=NVIDIA']);
    expect(a.allowSoftwareGpu).toBe(true);
    expect(parseArgs(['--preset', 'fixture-tiny']).allowSoftwareGpu).toBeUndefined();
  });

  it('trains fixture-tiny on Dawn (llvmpipe) within 2 points of wasm; refuses a software adapter unless allowed', async (ctx) => {
    if (why) return ctx.skip(`no WebGPU adapter in Node here: ${why}`);
    // Not allowed: the software adapter is refused, said even to a quiet runner, and wasm trains instead.
    const wasm = await run(['--backend', 'webgpu', ...GPU]);
    expect(wasm.res.backend).toBe('wasm');
    expect(wasm.stderr).toMatch(
      /webgpu did not start: the WebGPU adapter runs in software: .*llvmpipe.*--allow-software-gpu.*\nFalling back to wasm/s,
    );
    expect(wasm.res.skippedBackends.find((s) => s.name === 'webgpu')?.reason).toMatch(/software/);

    const gpu = await run(['--backend', 'webgpu', ...GPU, '--allow-software-gpu']);
    expect(gpu.res.backend).toBe('webgpu');
    expect(gpu.res.backendDetail).toMatch(/llvmpipe.*software/);
    // The device was destroyed at the end: tfjs's webgpu backend is gone.
    expect(tf.getBackend()).not.toBe('webgpu');
    expect(tf.findBackend('webgpu')).toBeNull();

    const rows = (r: Results) => r.grid.map((g) => `${g.model}:${g.test}`);
    expect(rows(gpu.res)).toEqual(rows(wasm.res));
    gpu.res.grid.forEach((g, i) => {
      expect(
        Math.abs(g.metrics.accuracy - wasm.res.grid[i].metrics.accuracy),
        `${g.model} on ${g.test}`,
      ).toBeLessThanOrEqual(0.02);
    });
    process.stdout.write(
      `fixture-tiny: wasm ${(wasm.res.timings.totalMs / 1000).toFixed(1)} s, webgpu (llvmpipe) ${(gpu.res.timings.totalMs / 1000).toFixed(1)} s\n`,
    );
  }, 600_000);
});
