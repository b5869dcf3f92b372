// `npm run bench`: every benchmark of the project in one run, each printing ratios measured side by side
// on this machine. Options: --quick (smaller sizes), --only curriculum|wasm|import|explain|svm|onnx|arch|gpu, --full (onnx),
// --device, --workshop, --force-software and --steps N (gpu).
// The page measurements (a built lab in Chromium) are scripts of their own under bench/page/: measure.ts,
// throughput.ts, demo-time.ts, longtasks.ts and measure-a11y.ts (`npx vite build && npx tsx bench/page/<file>`).
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/platform/backend';
import { benchCurriculum } from './curriculum';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const backendArg = args.includes('--backend') ? (args[args.indexOf('--backend') + 1] as BackendName) : undefined;
const log = (s: string) => process.stdout.write(`${s}\n`);

tf.env().set('PROD', true);
const backend = await selectBackend(backendArg ? [backendArg] : undefined);
log(
  `# bench on ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`,
);

const summary: string[] = [];
if (!only || only === 'curriculum') {
  log('\n## core engine: curriculum loop vs model.fit, mining share');
  const r = await benchCurriculum(
    quick ? { train: 512, size: 32, epochs: 2, batchSize: 64 } : { train: 2048, size: 48, epochs: 2, batchSize: 64 },
    log,
  );
  summary.push(
    `curriculum loop / model.fit = ${r.overhead.toFixed(3)}x (target ≤ 1.10)`,
    `mining / triplet epoch = ${r.miningShare.toFixed(3)} (target ≤ 0.25)`,
  );
}
if (!only || only === 'wasm') {
  const m = await import('./wasm-train').catch(() => null);
  if (m && typeof (m as { benchWasm?: unknown }).benchWasm === 'function') {
    log('\n## wasm training backend');
    summary.push(
      ...(await (m as { benchWasm: (o: { quick: boolean; log: (s: string) => void }) => Promise<string[]> }).benchWasm({
        quick,
        log,
      })),
    );
  }
}
if (!only || only === 'import') {
  const { benchImport } = await import('./import');
  log('\n## dataset import');
  summary.push(...(await benchImport({ quick, log })));
}
if (!only || only === 'explain') {
  const { benchExplain } = await import('./explain');
  log('\n## Grad-CAM and model export');
  summary.push(...(await benchExplain({ quick, log })));
}
if (!only || only === 'svm') {
  const { benchSvm } = await import('./svm');
  log('\n## ensemble: linear SVM / SVR C grid, and libsvm');
  summary.push(...(await benchSvm({ quick, log })));
}
if (!only || only === 'onnx') {
  // The workshop model; --full adds ResNet-50, VGG-F and VGG-face at 224x224 (memory: ~2.5 GB).
  const { benchOnnx } = await import('./onnx');
  log('\n## ONNX export: time, size, ONNX Runtime vs tfjs');
  summary.push(...(await benchOnnx({ full: args.includes('--full'), log })));
}
if (!only || only === 'arch') {
  const { benchArch } = await import('./arch');
  log('\n## custom architecture: reference-cnn-28 vs small, training images/s at 28x28');
  summary.push(...(await benchArch({ quick, log })));
}
if (only === 'gpu') {
  // Only on request: it builds a page and drives Chromium. First the profile of real training steps (stock tfjs
  // kernels vs ours, on any adapter, software included), or with --device a real GPU's figures; then, when a
  // hardware adapter exists, the workshop model on webgpu / webgl / wasm in Chromium.
  const shape = await import('./gpu-shape');
  if (args.includes('--device')) {
    log('\n## GPU device: hardware adapter asserted, stock vs ours, matmul share, PyTorch');
    const r = await shape.benchGpuDevice(log);
    summary.push(...r.lines);
    if (!r.ok) {
      log(`\n## summary\n${summary.map((s) => `- ${s}`).join('\n')}`);
      process.exit(1);
    }
  } else {
    log('\n## GPU profile: real training steps, stock tfjs kernels vs ours');
    summary.push(...(await shape.benchGpuShape(log)));
    if (args.includes('--force-software') || args.includes('--workshop')) {
      const { benchGpu } = await import('./gpu');
      log('\n## GPU: workshop model on webgpu / webgl / wasm in Chromium, and the matmul peak');
      const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : undefined;
      summary.push(...(await benchGpu({ quick, log, forceSoftware: args.includes('--force-software'), steps })));
    }
  }
}
log(`\n## summary\n${summary.map((s) => `- ${s}`).join('\n')}`);
// Dawn's and Chromium's handles can keep the event loop alive.
if (only === 'gpu') process.exit(0);
