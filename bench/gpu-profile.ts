// The GPU profile of real training steps: the project's own stage loop (core/distill/trainStage.ts) running the
// task step (core/distill/steps.ts) of a preset's teacher, on whatever webgpu backend is active (Node's Dawn or
// the browser's), with the backend instrumented (src/platform/webgpu/profile.ts). Step boundaries are the loop's
// own `batchEnd` events, so everything the loop does per step is counted (its readbacks included); the epoch's
// validation runs after the last step and is not. Used by bench/gpu-node.ts (Node) and bench/gpu-page (Chromium).
import * as tf from '@tensorflow/tfjs';
import { presetConfig } from '../src/core/config/presets';
import { EXPRESSION_CLASSES, type ImageSet } from '../src/core/data/types';
import { StageContext } from '../src/core/distill/context';
import { stageConfig } from '../src/core/distill/schedule';
import { taskStep } from '../src/core/distill/steps';
import { trainStage } from '../src/core/distill/trainStage';
import { buildModel, modelSize } from '../src/core/models';
import { countsSince, instrumentWebgpu, type GpuCounts } from '../src/platform/webgpu/profile';
import { registerWebgpuTrainingKernels, unregisterWebgpuTrainingKernels } from '../src/platform/webgpu/kernels';

export interface StepProfile {
  preset: string;
  kernels: 'stock' | 'ours';
  batch: number;
  steps: number;
  /** The model's forward multiply-adds per image. */
  macs: number;
  /** From the stage's start to the end of its first step (shader compilation included). */
  firstStepMs: number;
  /** Mean of the steps after the first (NaN with a single step). */
  msPerStep: number;
  first: GpuCounts;
  /** Per-step means over the steps after the first (the first when there is only one). */
  perStep: {
    dispatches: number;
    submits: number;
    syncReads: number;
    asyncReads: number;
    uploadBytes: number;
    uniformBytes: number;
    pipelines: number;
  };
  /** Over all steps: the longest serial chain, its program, and the weight-gradient dispatches of one step. */
  maxSerial: number;
  maxSerialProgram: string;
  weightGradInvocations: number[];
  weightGradSerial: number[];
  programs: GpuCounts['programs'];
  assumed: string[];
  leakedTensors: number;
}

function syntheticSet(count: number, h: number, w: number, c: 1 | 3, seed: number): ImageSet {
  const pixels = new Uint8Array(count * h * w * c);
  let s = seed >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    pixels[i] = s >>> 24;
  }
  const expression = Int32Array.from({ length: count }, (_, i) => (i * 7 + seed) % EXPRESSION_CLASSES.length);
  return {
    height: h,
    width: w,
    channels: c,
    count,
    pixels,
    expression,
    gender: null,
    age: null,
    classNames: { expression: [...EXPRESSION_CLASSES] },
  };
}

/** A preset changed for a measurement: another model (e.g. 'resnet-50' at 224x224x3) or batch size. */
export interface ProfileModel {
  label?: string;
  batch?: number;
  arch?: string;
  width?: number;
  size?: number;
  channels?: 1 | 3;
}

/** `steps` training steps of `preset`'s teacher stage with tfjs's stock webgpu kernels or ours. */
export async function profileTraining(
  preset: string,
  kernels: 'stock' | 'ours',
  steps: number,
  change: ProfileModel = {},
): Promise<StepProfile> {
  if (tf.getBackend() !== 'webgpu')
    throw new Error(`profileTraining needs the webgpu backend (now ${tf.getBackend()})`);
  if (kernels === 'ours') registerWebgpuTrainingKernels();
  else unregisterWebgpuTrainingKernels();
  const cfg = presetConfig(preset);
  cfg.teacher = { ...cfg.teacher, epochs: 1, ...(change.batch ? { batchSize: change.batch } : {}) };
  if (change.arch) cfg.model = { ...cfg.model, arch: change.arch as typeof cfg.model.arch };
  if (change.width) cfg.model = { ...cfg.model, width: change.width };
  const batch = cfg.teacher.batchSize;
  const ds = cfg.dataset as { height?: number; width?: number };
  const height = change.size ?? ds.height ?? 48,
    width = change.size ?? ds.width ?? 48;
  const ch = change.channels ?? 1;
  const data = {
    train: syntheticSet(steps * batch, height, width, ch, 1),
    val: syntheticSet(8, height, width, ch, 2),
    test: syntheticSet(8, height, width, ch, 3),
  };
  const before = tf.memory().numTensors;
  const counter = instrumentWebgpu(tf.backend());
  const marks: { t: number; c: GpuCounts }[] = [];
  let last: GpuCounts | null = null;
  let macs: number;
  try {
    const ctx = new StageContext(cfg, data, {
      emit: (e) => {
        if (e.type === 'stageStart') {
          counter.resetMax();
          marks.push({ t: performance.now(), c: counter.counts() });
        }
        if (e.type === 'batchEnd' && e.stage === 'teacher') {
          marks.push({ t: performance.now(), c: counter.counts() });
          if (marks.length === steps + 1) last = counter.counts();
        }
      },
    });
    const model = buildModel(ctx.spec);
    macs = modelSize(ctx.spec).macs;
    try {
      await trainStage(ctx, {
        stage: 'teacher',
        model,
        cfg: stageConfig(cfg, 'teacher'),
        visibility: 'full',
        extraTerm: null,
        makeStep: taskStep(ctx, 'full'),
      });
    } finally {
      model.dispose();
    }
  } finally {
    counter.restore();
  }
  if (!last || marks.length !== steps + 1)
    throw new Error(`profileTraining: saw ${marks.length - 1} of ${steps} steps`);
  const end = last as GpuCounts;
  const deltas = marks.slice(1).map((m, i) => countsSince(m.c, marks[i].c));
  const later = deltas.length > 1 ? deltas.slice(1) : deltas;
  const mean = (k: keyof StepProfile['perStep']): number => later.reduce((a, d) => a + d[k], 0) / later.length;
  const lastStep = deltas[deltas.length - 1];
  return {
    preset: change.label ?? preset,
    kernels,
    batch,
    steps,
    macs,
    firstStepMs: marks[1].t - marks[0].t,
    msPerStep: steps > 1 ? (marks[steps].t - marks[1].t) / (steps - 1) : NaN,
    first: deltas[0],
    perStep: {
      dispatches: mean('dispatches'),
      submits: mean('submits'),
      syncReads: mean('syncReads'),
      asyncReads: mean('asyncReads'),
      uploadBytes: mean('uploadBytes'),
      uniformBytes: mean('uniformBytes'),
      pipelines: mean('pipelines'),
    },
    maxSerial: end.maxSerial,
    maxSerialProgram: end.maxSerialProgram,
    weightGradInvocations: lastStep.weightGradInvocations,
    weightGradSerial: lastStep.weightGradSerial,
    programs: end.programs,
    assumed: end.assumed,
    leakedTensors: tf.memory().numTensors - before,
  };
}

const fmtBytes = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);

/** The profile as lines for people. */
export function describeProfile(p: StepProfile): string[] {
  const s = p.perStep;
  const wg = p.weightGradInvocations;
  return [
    `${p.preset} (batch ${p.batch}), ${p.kernels} kernels, ${p.steps} steps: first step ${p.firstStepMs.toFixed(0)} ms` +
      `${Number.isNaN(p.msPerStep) ? '' : `, then ${p.msPerStep.toFixed(0)} ms/step`}`,
    `  per step: ${s.dispatches.toFixed(0)} dispatches, ${s.submits.toFixed(1)} submits, sync reads ${s.syncReads.toFixed(1)}, ` +
      `async reads ${s.asyncReads.toFixed(1)}, uploaded ${fmtBytes(s.uploadBytes)} (+ ${fmtBytes(s.uniformBytes)} uniforms), ` +
      `pipelines compiled ${s.pipelines.toFixed(1)} (first step ${p.first.pipelines})`,
    `  longest serial chain ${p.maxSerial.toLocaleString('en-US')} iterations (${p.maxSerialProgram})`,
    `  weight-gradient dispatches: ${wg.length}, invocations each ${wg.length ? `${Math.min(...wg)}..${Math.max(...wg)}` : '-'}` +
      `, serial ${p.weightGradSerial.length ? `${Math.min(...p.weightGradSerial)}..${Math.max(...p.weightGradSerial)}` : '-'}`,
    `  programs (dispatches, longest chain): ${Object.entries(p.programs)
      .sort((a, b) => b[1].maxSerial - a[1].maxSerial)
      .map(([k, v]) => `${k} ${v.dispatches}/${v.maxSerial}`)
      .join(', ')}`,
    ...(p.assumed.length ? [`  counted as element-wise (1 iteration): ${p.assumed.join(', ')}`] : []),
    ...(p.leakedTensors ? [`  tensors left behind: ${p.leakedTensors}`] : []),
  ];
}
