// Training throughput of the platform net (docs/architecture.md#the-benchmark-net) on tfjs wasm (with src/platform/wasm
// kernels) vs tfjs cpu vs PyTorch CPU, measured side by side in one run, plus a per-kernel profile of one wasm step.
// The workshop preset's model (the registry's `small` at 48x48x1, 8 classes, dropout 0.25, batch 64, Adam) runs in the
// same interleaved rounds on wasm (the SIMD build here, the threaded-SIMD build with each --threads count in
// a child process, as the PLATFORM net) and PyTorch, and once against tfjs cpu.
// Run: npx tsx bench/wasm-train.ts [--quick] [--steps N] [--rounds R] [--threads 1,2] [--no-torch] [--no-cpu]
//        [--no-workshop] [--workshop-steps N]
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crossEntropyLoss } from '../src/core/losses/task';
import { buildModel, modelSize, type ModelSpec } from '../src/core/models';
import { selectBackend } from '../src/platform/backend';

const BATCH = 64;
/** The workshop presets' model (src/core/config: model { arch 'small', width 1 }, 48x48 grey, expression's
 *  8 classes; `small`'s default dropout 0.25). */
const WORKSHOP_SPEC: ModelSpec = {
  arch: 'small',
  inputShape: [48, 48, 1],
  outputUnits: 8,
  width: 1,
  dropout: 0.25,
  seed: 1,
};
/** tfjs cpu needs ~30 CPU-s per batch of 8 of the workshop model: it gets one step of this batch. */
const WORKSHOP_CPU_BATCH = 8;
type NetName = 'platform' | 'small48';
const NET_TITLE: Record<NetName, string> = {
  platform: 'PLATFORM net',
  small48: 'workshop model (small 48x48x1, 8 classes, dropout 0.25)',
};
const HERE = dirname(fileURLToPath(import.meta.url));
const TORCH_PY = '/usr/bin/python3'; // Debian's python3-torch; the pyenv python3 first on PATH has no torch

/** The platform net (docs/architecture.md#the-benchmark-net): 28x28x1, conv 32 3x3 same + relu + maxpool 2, conv 64 3x3
 *  same + relu + maxpool 2, dense 128 relu, dense 10. */
function platformNet(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Trainer {
  step: () => tf.Scalar;
  dispose: () => void;
}

/** One Adam step per call on a few fixed random batches: PLATFORM net x [B,28,28,1], one-hot y [B,10]; the
 *  workshop model x [B,48,48,1] and class indices, with the lab's task loss (core/losses crossEntropyLoss). */
function trainer(batch: number, net: NetName = 'platform'): Trainer {
  if (net === 'small48') return workshopTrainer(batch);
  const model = platformNet();
  const opt = tf.train.adam(1e-3);
  const data = Array.from({ length: 4 }, (_, i) => ({
    x: tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', i),
    y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 100 + i) as tf.Tensor1D, 10),
  }));
  let i = 0;
  return {
    step: () => {
      const { x, y } = data[i++ % data.length];
      return opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
        true,
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      ) as tf.Scalar;
    },
    dispose: () => {
      model.dispose();
      opt.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
    },
  };
}

function workshopTrainer(batch: number): Trainer {
  const model = buildModel(WORKSHOP_SPEC);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = tf.train.adam(1e-3);
  const [h, w, c] = WORKSHOP_SPEC.inputShape;
  const data = Array.from({ length: 4 }, (_, i) => ({
    x: tf.randomUniform([batch, h, w, c], 0, 1, 'float32', i),
    y: tf.randomUniform([batch], 0, WORKSHOP_SPEC.outputUnits, 'int32', 100 + i) as tf.Tensor1D,
  }));
  let i = 0;
  return {
    step: () => {
      const { x, y } = data[i++ % data.length];
      return opt.minimize(
        () => crossEntropyLoss(model.apply(x, { training: true }) as tf.Tensor2D, y),
        true,
        vars,
      ) as tf.Scalar;
    },
    dispose: () => {
      model.dispose();
      opt.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
    },
  };
}

export interface Throughput {
  imgPerS: number; // wall clock
  imgPerCpuS: number; // per CPU-second of this process: less skewed by other processes on a shared machine
  medianMs: number;
  steps: number;
  leakedTensors: number;
  /** Trainable parameters of the net (PyTorch runs report theirs, to check the two nets match). */
  params?: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

/** img/s on the current backend: `warmup` untimed steps, then `steps` timed ones, each awaited. */
async function measure(steps: number, warmup: number, batch = BATCH, net: NetName = 'platform'): Promise<Throughput> {
  const t = trainer(batch, net);
  for (let i = 0; i < warmup; i++) {
    const l = t.step();
    await l.data();
    l.dispose();
  }
  const before = tf.memory().numTensors; // after warm-up: weights and Adam slots exist by then
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const l = t.step();
    await l.data();
    times.push(performance.now() - t0);
    l.dispose();
  }
  const cpu = cpuMs(c0);
  const leakedTensors = tf.memory().numTensors - before;
  t.dispose();
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);
  return {
    imgPerS: (batch * steps * 1000) / total,
    imgPerCpuS: (batch * steps * 1000) / cpu,
    medianMs: times[times.length >> 1],
    steps,
    leakedTensors,
  };
}

export interface ProfileRow {
  name: string;
  calls: number;
  inclusiveMs: number;
  selfMs: number;
  children: Map<string, number>;
}

/**
 * Kernels of a training step with their CPU times (per kernel name, the median over `repeats` profiled
 * steps): the backend's timer is swapped for process CPU time, which other processes on a shared machine
 * do not inflate (wasm runs on this thread only).
 * tf.profile lists nested kernels too (those our composed kernels run, and the Identity clones the tape
 * saves for backprop), each pushed after its children: the engine's kernelDepth at push time tells the
 * nesting, so each top-level kernel gets its self time and its children's times.
 */
export async function profileStep(
  repeats = 3,
  net: NetName = 'platform',
): Promise<{ rows: ProfileRow[]; stepCpuMs: number }> {
  const t = trainer(BATCH, net);
  for (let i = 0; i < 2; i++) {
    const l = t.step();
    await l.data();
    l.dispose();
  }
  const engine = tf.engine() as unknown as { state: { kernelDepth: number; activeProfile: { kernels: object[] } } };
  const perStep: Map<string, ProfileRow>[] = [];
  const walls: number[] = [];
  const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  const wallTime = backend.time;
  backend.time = async (f) => {
    const c0 = process.cpuUsage();
    f();
    return { kernelMs: cpuMs(c0) };
  };
  for (let s = 0; s < repeats; s++) {
    const depths: number[] = [];
    const info = await tf.profile(() => {
      const list = engine.state.activeProfile.kernels;
      list.push = (...items: object[]) => {
        for (let i = 0; i < items.length; i++) depths.push(engine.state.kernelDepth);
        return Array.prototype.push.apply(list, items);
      };
      const c0 = process.cpuUsage();
      const l = t.step();
      l.dataSync();
      walls.push(cpuMs(c0));
      return l;
    });
    tf.dispose(info.result as tf.Tensor);
    const rows = new Map<string, ProfileRow>();
    const pending: { name: string; ms: number }[][] = [];
    info.kernels.forEach((k, i) => {
      const d = depths[i];
      const ms = k.kernelTimeMs as number;
      const children = pending[d + 1] ?? [];
      pending[d + 1] = [];
      (pending[d] ??= []).push({ name: k.name, ms });
      if (d !== 0) return;
      const row = rows.get(k.name) ?? { name: k.name, calls: 0, inclusiveMs: 0, selfMs: 0, children: new Map() };
      row.calls++;
      row.inclusiveMs += ms;
      row.selfMs += ms - children.reduce((a, c) => a + c.ms, 0);
      for (const c of children) row.children.set(c.name, (row.children.get(c.name) ?? 0) + c.ms);
      rows.set(k.name, row);
    });
    perStep.push(rows);
  }
  backend.time = wallTime;
  t.dispose();
  const names = new Set(perStep.flatMap((m) => [...m.keys()]));
  const rows: ProfileRow[] = [];
  for (const name of names) {
    const all = perStep.map((m) => m.get(name)).filter((r): r is ProfileRow => r != null);
    const mid = all.sort((a, b) => a.inclusiveMs - b.inclusiveMs)[all.length >> 1];
    rows.push(mid);
  }
  return { rows: rows.sort((a, b) => b.inclusiveMs - a.inclusiveMs), stepCpuMs: median(walls) };
}

function runTorch(threads: number, steps: number, net: NetName = 'platform'): Throughput | string {
  if (!existsSync(TORCH_PY)) return `${TORCH_PY} missing (apt-get install -y python3-torch)`;
  const r = spawnSync(
    TORCH_PY,
    [join(HERE, 'torch_train.py'), '--threads', String(threads), '--steps', String(steps), '--net', net],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) {
    const err = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
    return /No module named 'torch'/.test(err)
      ? 'torch not installed (apt-get install -y python3-torch)'
      : `torch failed: ${err}`;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    img_per_s: number;
    img_per_cpu_s: number;
    median_ms: number;
    steps: number;
    params?: number;
  };
  return {
    imgPerS: j.img_per_s,
    imgPerCpuS: j.img_per_cpu_s,
    medianMs: j.median_ms,
    steps: j.steps,
    leakedTensors: 0,
    params: j.params,
  };
}

/** The wasm measurement in a child process (the threaded build must be chosen before wasm first starts). */
function runWasmChild(threads: number, steps: number, net: NetName = 'platform'): Throughput | string {
  const r = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child-wasm-threads',
      String(threads),
      '--steps',
      String(steps),
      '--net',
      net,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const line = `${r.stdout ?? ''}`.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    return `failed: ${`${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line) as Throughput;
}

const fmt = (t: Throughput | string | undefined): string =>
  t == null
    ? 'not run'
    : typeof t === 'string'
      ? t
      : `${t.imgPerS.toFixed(0)} img/s (${t.imgPerCpuS.toFixed(0)}/CPU-s)`;

export interface BenchOptions {
  quick?: boolean;
  log?: (s: string) => void;
  steps?: number;
  rounds?: number;
  threads?: number[];
  torch?: boolean;
  cpu?: boolean;
  /** Also measure the workshop model (default true). */
  workshop?: boolean;
  /** Timed steps per round of the workshop model on wasm (PyTorch gets twice as many). */
  workshopSteps?: number;
}

/** The whole comparison; returns summary lines (used by bench/bench.ts). */
export async function benchWasm(o: BenchOptions = {}): Promise<string[]> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const steps = o.steps ?? (o.quick ? 10 : 30);
  const rounds = o.rounds ?? (o.quick ? 1 : 3);
  const threads = o.threads ?? (o.quick ? [] : [1, 2]);
  const workshop = o.workshop !== false;
  // ~5.4x the PLATFORM net's multiply-adds per image: fewer steps (~1.4 CPU-s each on wasm here).
  const wsSteps = o.workshopSteps ?? (o.quick ? 4 : 10);
  const previous = tf.getBackend();
  const sel = await selectBackend(['wasm']);
  log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (other processes on this machine skew every figure)`,
  );

  // Every configuration runs once per round, rounds interleaved, so that all see about the same
  // background load; ratios are taken within each round, and their median reported.
  type Result = Throughput | string;
  const WASM = 'tfjs wasm, SIMD, 1 thread, training kernels';
  const TORCH2 = 'PyTorch CPU, 2 threads';
  const TORCH1 = 'PyTorch CPU, 1 thread';
  const configs: { label: string; net: NetName; run: () => Promise<Result> }[] = [
    { label: WASM, net: 'platform', run: () => measure(steps, 3) },
    ...threads.map((n) => ({
      label: `tfjs wasm, threaded-SIMD build, ${n} thread(s)`,
      net: 'platform' as const,
      run: async () => runWasmChild(n, steps),
    })),
    ...(o.torch === false
      ? []
      : [
          { label: TORCH2, net: 'platform' as const, run: async () => runTorch(2, steps * 2) },
          { label: TORCH1, net: 'platform' as const, run: async () => runTorch(1, steps * 2) },
        ]),
    ...(!workshop
      ? []
      : [
          { label: WASM, net: 'small48' as const, run: () => measure(wsSteps, 2, BATCH, 'small48') },
          ...threads.map((n) => ({
            label: `tfjs wasm, threaded-SIMD build, ${n} thread(s)`,
            net: 'small48' as const,
            run: async () => runWasmChild(n, wsSteps, 'small48'),
          })),
          ...(o.torch === false
            ? []
            : [
                { label: TORCH2, net: 'small48' as const, run: async () => runTorch(2, wsSteps * 2, 'small48') },
                { label: TORCH1, net: 'small48' as const, run: async () => runTorch(1, wsSteps * 2, 'small48') },
              ]),
        ]),
  ];
  const results: Result[][] = configs.map(() => []);
  const shortLabel = (c: (typeof configs)[number]) =>
    `${c.net === 'small48' ? 'workshop ' : ''}${c.label.replace(/, training kernels|tfjs /g, '')}`;
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of configs.entries()) results[i].push(await c.run());
    log(`round ${r + 1}: ${configs.map((c, i) => `${shortLabel(c)}: ${fmt(results[i][r])}`).join('; ')}`);
  }
  /** The results of one configuration across rounds ([] when it did not run). */
  const of = (net: NetName, label: string): Result[] => {
    const i = configs.findIndex((c) => c.net === net && c.label === label);
    return i < 0 ? [] : results[i];
  };

  // tfjs cpu: far too slow for rounds. The workshop model gets one step of a batch of 8 with no warm-up (its
  // first step measured the same as later ones: ~30 CPU-s of kernels dwarf any one-time cost), then wasm
  // runs the same batch size right after it, for a like-for-like ratio.
  let cpu: Result | undefined;
  let cpu48: Result | undefined;
  let wasm48Small: Result | undefined;
  if (o.cpu !== false) {
    await tf.setBackend('cpu');
    // The cpu backend needs ~45 s per batch of 64: one warm-up step and one timed step (batch 8 if quick).
    cpu = await measure(1, 1, o.quick ? 8 : BATCH);
    if (workshop) cpu48 = await measure(1, 0, WORKSHOP_CPU_BATCH, 'small48');
    await selectBackend(['wasm']);
    if (workshop) wasm48Small = await measure(o.quick ? 4 : 8, 2, WORKSHOP_CPU_BATCH, 'small48');
  }

  const ok = (xs: Result[]) => xs.filter((x): x is Throughput => typeof x !== 'string');
  const medianOf = (xs: Result[], key: 'imgPerS' | 'imgPerCpuS'): number | null =>
    ok(xs).length ? median(ok(xs).map((x) => x[key])) : null;
  /** Median over rounds of a/b (wall clock), or the first failure message. */
  const ratio = (a: Result[], b: Result[], key: 'imgPerS' | 'imgPerCpuS' = 'imgPerS'): number | null => {
    const rs = a
      .map((x, i) => (typeof x === 'object' && typeof b[i] === 'object' ? x[key] / (b[i] as Throughput)[key] : NaN))
      .filter((v) => !Number.isNaN(v));
    return rs.length ? median(rs) : null;
  };
  const show = (v: number | null, digits = 2) => (v == null ? 'n/a' : v.toFixed(digits));
  const table = (net: NetName) => {
    for (const [i, c] of configs.entries()) {
      if (c.net !== net) continue;
      const first = results[i].find((x) => typeof x === 'string');
      log(
        `  ${c.label.padEnd(48)}${show(medianOf(results[i], 'imgPerS'), 1).padStart(8)} img/s wall` +
          `${show(medianOf(results[i], 'imgPerCpuS'), 1).padStart(8)} img/CPU-s${first && !ok(results[i]).length ? `  (${first})` : ''}`,
      );
    }
  };
  const one = (t: Result | undefined) =>
    typeof t === 'object'
      ? `${t.imgPerS.toFixed(2).padStart(8)} img/s wall${t.imgPerCpuS.toFixed(2).padStart(8)} img/CPU-s`
      : `  ${t ?? 'not run'}`;

  log(
    `\nPLATFORM net, batch ${BATCH}, Adam, Node ${process.versions.node}: medians of ${rounds} round(s), ${steps} steps each`,
  );
  table('platform');
  log(
    `  ${'tfjs cpu (1 timed step)'.padEnd(48)}${typeof cpu === 'object' ? `${cpu.imgPerS.toFixed(1).padStart(8)} img/s wall` : '  not run'}`,
  );
  const leaked = ok(of('platform', WASM)).map((x) => x.leakedTensors);
  log(`  tensors left behind per wasm run: ${leaked.join(', ')}`);

  const wasmRes = of('platform', WASM);
  const t2 = of('platform', TORCH2);
  const t1 = of('platform', TORCH1);
  const r2 = ratio(wasmRes, t2);
  const r1 = ratio(wasmRes, t1);
  const r1cpu = ratio(wasmRes, t1, 'imgPerCpuS');
  const cpuRatio =
    typeof cpu === 'object' && medianOf(wasmRes, 'imgPerS') != null
      ? (medianOf(wasmRes, 'imgPerS') as number) / cpu.imgPerS
      : null;
  log(
    `ratios (median of per-round ratios): wasm / torch 2 threads = ${show(r2)}, wasm / torch 1 thread = ${show(r1)} ` +
      `(per CPU-second: ${show(r1cpu)}), wasm / tfjs cpu = ${show(cpuRatio, 0)}`,
  );
  for (const [i, c] of configs.entries()) {
    if (c.net === 'platform' && c.label.includes('threaded')) {
      log(
        `  ${c.label} / single-threaded wasm = ${show(ratio(results[i], wasmRes))}, / torch 2 threads = ` +
          `${show(ratio(results[i], t2))}, / torch 1 thread = ${show(ratio(results[i], t1))}`,
      );
    }
  }
  const slower2 = (a: Result[], b: Result[]) =>
    b.length > 0 && (medianOf(a, 'imgPerS') ?? Infinity) < (medianOf(b, 'imgPerS') ?? 0);
  const torch2Slower = slower2(t2, t1);
  if (torch2Slower) {
    log(
      'note: PyTorch with 2 threads ran slower than with 1: other processes hold the cores (see load average), ' +
        'so the 2-thread figure and its ratio say little; compare with 1 thread.',
    );
  }
  const summary = [
    `wasm training ${show(medianOf(wasmRes, 'imgPerS'), 0)} img/s = ${show(r2)}x PyTorch CPU 2 threads (target >= 0.5)` +
      `${torch2Slower ? ' [torch 2 threads slowed by other load]' : ''}, ${show(r1)}x PyTorch 1 thread, ` +
      `${show(cpuRatio, 0)}x tfjs cpu`,
  ];

  if (workshop) {
    const w = of('small48', WASM);
    const w2 = of('small48', TORCH2);
    const w1 = of('small48', TORCH1);
    const params = modelSize(WORKSHOP_SPEC).trainableParams;
    log(
      `\n${NET_TITLE.small48}, batch ${BATCH}, Adam: medians of ${rounds} round(s), ${wsSteps} wasm steps each ` +
        `(PyTorch ${wsSteps * 2}); ${params} trainable parameters`,
    );
    table('small48');
    const torchParams = ok([...w1, ...w2])
      .map((t) => t.params)
      .find((p) => p != null);
    if (torchParams != null && torchParams !== params) {
      log(`  warning: the PyTorch net has ${torchParams} trainable parameters, tfjs's ${params}: the nets differ`);
    }
    log(`  ${`tfjs cpu, batch ${WORKSHOP_CPU_BATCH} (1 timed step)`.padEnd(48)}${one(cpu48)}`);
    log(`  ${`tfjs wasm, batch ${WORKSHOP_CPU_BATCH} (right after it)`.padEnd(48)}${one(wasm48Small)}`);
    log(
      `  tensors left behind per wasm run: ${ok(w)
        .map((x) => x.leakedTensors)
        .join(', ')}`,
    );
    const q2 = ratio(w, w2);
    const q1 = ratio(w, w1);
    const q2cpu = ratio(w, w2, 'imgPerCpuS');
    const q1cpu = ratio(w, w1, 'imgPerCpuS');
    const vsCpu = (key: 'imgPerS' | 'imgPerCpuS'): number | null =>
      typeof cpu48 === 'object' && typeof wasm48Small === 'object' ? wasm48Small[key] / cpu48[key] : null;
    const batch64VsCpu =
      typeof cpu48 === 'object' && medianOf(w, 'imgPerCpuS') != null
        ? (medianOf(w, 'imgPerCpuS') as number) / cpu48.imgPerCpuS
        : null;
    log(
      `ratios (median of per-round ratios): wasm / torch 2 threads = ${show(q2)} (per CPU-second ${show(q2cpu)}), ` +
        `wasm / torch 1 thread = ${show(q1)} (per CPU-second ${show(q1cpu)}); wasm / tfjs cpu at batch ` +
        `${WORKSHOP_CPU_BATCH} = ${show(vsCpu('imgPerS'), 0)} wall, ${show(vsCpu('imgPerCpuS'), 0)} per CPU-second ` +
        `(wasm at batch ${BATCH}: ${show(batch64VsCpu, 0)} per CPU-second)`,
    );
    const ws2Slower = slower2(w2, w1);
    if (ws2Slower) log('note: workshop model, PyTorch with 2 threads ran slower than with 1 (other load).');
    const threadedWs = configs.flatMap((c, i) =>
      c.net === 'small48' && c.label.includes('threaded')
        ? [{ n: c.label.replace(/.*build, (\d+) thread.*/, '$1'), res: results[i] }]
        : [],
    );
    for (const { n, res } of threadedWs) {
      log(
        `  threaded-SIMD build, ${n} thread(s): / single-threaded wasm = ${show(ratio(res, w))}, / torch 2 threads = ` +
          `${show(ratio(res, w2))} (per CPU-second ${show(ratio(res, w2, 'imgPerCpuS'))}), / torch 1 thread = ${show(ratio(res, w1))}`,
      );
    }
    summary.push(
      `workshop model (small 48x48x1, batch ${BATCH}, Adam): wasm ${show(medianOf(w, 'imgPerS'), 1)} img/s ` +
        `(${show(medianOf(w, 'imgPerCpuS'), 1)}/CPU-s) = ${show(q2)}x PyTorch CPU 2 threads` +
        `${ws2Slower ? ' [torch 2 threads slowed by other load]' : ''}, ${show(q1)}x PyTorch 1 thread; ` +
        `per CPU-second ${show(q2cpu)}x / ${show(q1cpu)}x`,
      ...threadedWs.map(
        ({ n, res }) =>
          `workshop model, threaded-SIMD build ${n} thread(s): ` +
          `${show(medianOf(res, 'imgPerS'), 1)} img/s (${show(medianOf(res, 'imgPerCpuS'), 1)}/CPU-s) = ` +
          `${show(ratio(res, w2))}x PyTorch CPU 2 threads, ${show(ratio(res, w1))}x PyTorch 1 thread`,
      ),
      `workshop model: wasm / tfjs cpu = ${show(vsCpu('imgPerS'), 0)}x wall, ${show(vsCpu('imgPerCpuS'), 0)}x per ` +
        `CPU-second (batch ${WORKSHOP_CPU_BATCH}; tfjs cpu ${typeof cpu48 === 'object' ? cpu48.imgPerCpuS.toFixed(2) : 'n/a'} ` +
        'img/CPU-s)',
    );
  }

  for (const net of workshop ? (['platform', 'small48'] as const) : (['platform'] as const)) {
    printProfile(log, NET_TITLE[net], await profileStep(3, net));
  }
  log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  if (previous && previous !== sel.name) await tf.setBackend(previous);
  return summary;
}

function printProfile(
  log: (s: string) => void,
  title: string,
  { rows, stepCpuMs }: { rows: ProfileRow[]; stepCpuMs: number },
): void {
  const kernelMs = rows.reduce((a, r) => a + r.inclusiveMs, 0);
  log(
    `\nOne wasm training step of the ${title}, batch ${BATCH}, CPU time (median of 3): ${stepCpuMs.toFixed(1)} ms, ` +
      `${kernelMs.toFixed(1)} ms of it in kernels (top level). Composed kernels list what they ran inside.`,
  );
  log(
    `  ${'kernel'.padEnd(26)}${'calls'.padStart(6)}${'cpu ms'.padStart(9)}${'self'.padStart(9)}${'share'.padStart(8)}`,
  );
  for (const r of rows) {
    if (r.inclusiveMs < (0.05 * kernelMs) / 20) continue;
    log(
      `  ${r.name.padEnd(26)}${String(r.calls).padStart(6)}${r.inclusiveMs.toFixed(2).padStart(9)}` +
        `${r.selfMs.toFixed(2).padStart(9)}${`${((100 * r.inclusiveMs) / kernelMs).toFixed(1)}%`.padStart(8)}`,
    );
    const kids = [...r.children.entries()]
      .sort((a, b) => b[1] - a[1])
      .filter(([, ms]) => ms >= 0.1)
      .slice(0, 5);
    for (const [name, ms] of kids) {
      const label = name === 'Identity' && !r.name.startsWith('Conv2DBackprop') ? 'Identity (tape saves)' : name;
      log(`      ${`└ ${label}`.padEnd(28)}${ms.toFixed(2).padStart(13)}`);
    }
  }
}

async function childMain(threads: number, steps: number, net: NetName): Promise<void> {
  const sel = await selectBackend(['wasm'], { wasmThreads: threads });
  if (sel.name !== 'wasm') throw new Error('wasm did not start');
  const r = await measure(steps, net === 'platform' ? 3 : 2, BATCH, net);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0); // pthread workers would keep the process alive
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  tf.env().set('PROD', true);
  const args = process.argv.slice(2);
  const val = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  if (val('--child-wasm-threads') != null) {
    await childMain(
      Number(val('--child-wasm-threads')),
      Number(val('--steps') ?? 20),
      (val('--net') ?? 'platform') as NetName,
    );
  } else {
    const summary = await benchWasm({
      quick: args.includes('--quick'),
      steps: val('--steps') ? Number(val('--steps')) : undefined,
      rounds: val('--rounds') ? Number(val('--rounds')) : undefined,
      threads:
        val('--threads') != null ? (val('--threads') as string).split(',').filter(Boolean).map(Number) : undefined,
      torch: !args.includes('--no-torch'),
      cpu: !args.includes('--no-cpu'),
      workshop: !args.includes('--no-workshop'),
      workshopSteps: val('--workshop-steps') ? Number(val('--workshop-steps')) : undefined,
    });
    process.stdout.write(`\nsummary: ${summary.join('\nsummary: ')}\n`);
    process.exit(0);
  }
}
