// The Node side of `npm run bench -- --only gpu`, run by bench/gpu-shape.ts in a child process that it kills at its
// time limit (a GPU driver can block inside a native call, where no JavaScript timer fires). Prints lines for
// people, and last a line `RESULT <json>`.
//   tsx bench/gpu-node.ts profile [toggles,...]   the stock-vs-ours profile of the demo model's training steps,
//                                                 on any adapter (software allowed)
//   tsx bench/gpu-node.ts device                   hardware only: ms/step and images/s for the demo, workshop and
//                                                 ResNet-50 224x224 models, stock vs ours, and the matmul rate
import * as tf from '@tensorflow/tfjs';
import { startNodeWebgpu, type NodeWebgpu } from '../src/platform/node/webgpu';
import { describeProfile, profileTraining, type StepProfile } from './gpu-profile';
import { deviceSteps, matmulRate, type DeviceRow } from './gpu-steps';

const [mode = 'profile', togglesArg] = process.argv.slice(2);
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const result = (r: unknown): void => log(`RESULT ${JSON.stringify(r)}`);

tf.env().set('PROD', true);

async function start(
  candidates: string[][],
  allowSoftware: boolean,
): Promise<{ gpu: NodeWebgpu; toggles: string[] } | string> {
  const why: string[] = [];
  for (const toggles of candidates) {
    try {
      const gpu = await startNodeWebgpu({ toggles, allowSoftware, timeoutMs: 20_000 });
      log(`node webgpu: ${gpu.describe()} (toggles [${toggles.join(', ')}])`);
      return { gpu, toggles };
    } catch (e) {
      why.push(`[${toggles.join(', ')}]: ${e instanceof Error ? e.message : String(e)}`);
      log(`node webgpu: toggles [${toggles.join(', ')}]: ${why[why.length - 1]}`);
    }
  }
  return why.join('; ');
}

if (mode === 'profile') {
  const toggles = togglesArg ? [togglesArg.split(',')] : [['backend=opengl'], []];
  const s = await start(toggles, true);
  if (typeof s === 'string') {
    result({ ok: false, why: s });
  } else {
    // As the lab's page worker and tfjs's own WebGPU CI: no small ops forwarded to the CPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const profiles: StepProfile[] = [];
    for (const kernels of ['ours', 'stock'] as const) {
      // One step each: on a software adapter a step of the demo model takes tens of seconds, and the counts of
      // every step are the same (the first adds the pipelines it compiles, reported apart).
      const p = await profileTraining('demo-expression-lower', kernels, Number(process.env.GPU_PROFILE_STEPS ?? 1));
      for (const l of describeProfile(p)) log(`node ${l}`);
      profiles.push(p);
      // After each profile: a parent that stops this process at its time limit still has what was measured.
      result({ ok: true, adapter: s.gpu.describe(), software: s.gpu.adapter.isSoftware, profiles });
    }
    s.gpu.destroy();
  }
} else if (mode === 'device') {
  // Vulkan first (Linux), then Dawn's default choice (Metal, D3D12); software is refused.
  const s = await start([['backend=vulkan'], []], false);
  if (typeof s === 'string') {
    result({ ok: false, why: s });
  } else {
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const rows: DeviceRow[] = await deviceSteps(log);
    const mm = await matmulRate(4096, 10);
    log(`node matmul 4096^3: ${mm.gflops.toFixed(0)} GFLOP/s (${mm.msEach.toFixed(1)} ms each)`);
    result({ ok: true, adapter: s.gpu.describe(), rows, matmul: mm });
    s.gpu.destroy();
  }
} else {
  log(`unknown mode ${mode}: profile | device`);
  process.exitCode = 2;
}
