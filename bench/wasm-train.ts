// Training throughput of the PLATFORM.md net on tfjs wasm (with src/platform/wasm kernels) vs tfjs cpu vs
// PyTorch CPU, measured side by side in one run, plus a per-kernel profile of one wasm step.
// Run: npx tsx bench/wasm-train.ts [--quick] [--steps N] [--rounds R] [--threads 1,2] [--no-torch] [--no-cpu]
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { selectBackend } from '../src/platform/backend';

const BATCH = 64;
const HERE = dirname(fileURLToPath(import.meta.url));
const TORCH_PY = '/usr/bin/python3'; // Debian's python3-torch; the pyenv python3 first on PATH has no torch

/** The PLATFORM.md net: 28x28x1, conv 32 3x3 same + relu + maxpool 2, conv 64 3x3 same + relu + maxpool 2,
 *  dense 128 relu, dense 10. */
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

interface Trainer { step: () => tf.Scalar; dispose: () => void }

/** One Adam step per call on a few fixed random batches (x [B,28,28,1], one-hot y [B,10]). */
function trainer(batch: number): Trainer {
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
      return opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true,
        model.trainableWeights.map((w) => w.read() as tf.Variable)) as tf.Scalar;
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
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

/** img/s on the current backend: `warmup` untimed steps, then `steps` timed ones, each awaited. */
async function measure(steps: number, warmup: number, batch = BATCH): Promise<Throughput> {
  const t = trainer(batch);
  for (let i = 0; i < warmup; i++) { const l = t.step(); await l.data(); l.dispose(); }
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
  return { imgPerS: (batch * steps * 1000) / total, imgPerCpuS: (batch * steps * 1000) / cpu,
    medianMs: times[times.length >> 1], steps, leakedTensors };
}

export interface ProfileRow { name: string; calls: number; inclusiveMs: number; selfMs: number; children: Map<string, number> }

/**
 * Kernels of a training step with their CPU times (per kernel name, the median over `repeats` profiled
 * steps): the backend's timer is swapped for process CPU time, which other processes on a shared machine
 * do not inflate (wasm runs on this thread only).
 * tf.profile lists nested kernels too (those our composed kernels run, and the Identity clones the tape
 * saves for backprop), each pushed after its children: the engine's kernelDepth at push time tells the
 * nesting, so each top-level kernel gets its self time and its children's times.
 */
export async function profileStep(repeats = 3): Promise<{ rows: ProfileRow[]; stepCpuMs: number }> {
  const t = trainer(BATCH);
  for (let i = 0; i < 2; i++) { const l = t.step(); await l.data(); l.dispose(); }
  const engine = tf.engine() as unknown as { state: { kernelDepth: number; activeProfile: { kernels: object[] } } };
  const perStep: Map<string, ProfileRow>[] = [];
  const walls: number[] = [];
  const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  const wallTime = backend.time;
  backend.time = async (f) => { const c0 = process.cpuUsage(); f(); return { kernelMs: cpuMs(c0) }; };
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

function runTorch(threads: number, steps: number): Throughput | string {
  if (!existsSync(TORCH_PY)) return `${TORCH_PY} missing (apt-get install -y python3-torch)`;
  const r = spawnSync(TORCH_PY, [join(HERE, 'torch_train.py'), '--threads', String(threads), '--steps', String(steps)],
    { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    const err = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
    return /No module named 'torch'/.test(err) ? 'torch not installed (apt-get install -y python3-torch)' : `torch failed: ${err}`;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as
    { img_per_s: number; img_per_cpu_s: number; median_ms: number; steps: number };
  return { imgPerS: j.img_per_s, imgPerCpuS: j.img_per_cpu_s, medianMs: j.median_ms, steps: j.steps, leakedTensors: 0 };
}

/** The wasm measurement in a child process (the threaded build must be chosen before wasm first starts). */
function runWasmChild(threads: number, steps: number): Throughput | string {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url),
    '--child-wasm-threads', String(threads), '--steps', String(steps)], { encoding: 'utf8', timeout: 600_000 });
  const line = `${r.stdout ?? ''}`.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return `failed: ${`${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line) as Throughput;
}

const fmt = (t: Throughput | string | undefined): string =>
  t == null ? 'not run' : typeof t === 'string' ? t : `${t.imgPerS.toFixed(0)} img/s (${t.imgPerCpuS.toFixed(0)}/CPU-s)`;

export interface BenchOptions {
  quick?: boolean;
  log?: (s: string) => void;
  steps?: number;
  rounds?: number;
  threads?: number[];
  torch?: boolean;
  cpu?: boolean;
}

/** The whole comparison; returns summary lines (used by bench/bench.ts). */
export async function benchWasm(o: BenchOptions = {}): Promise<string[]> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const steps = o.steps ?? (o.quick ? 10 : 30);
  const rounds = o.rounds ?? (o.quick ? 1 : 3);
  const threads = o.threads ?? (o.quick ? [] : [1, 2]);
  const previous = tf.getBackend();
  const sel = await selectBackend(['wasm']);
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes on this machine skew every figure)`);

  // Every configuration runs once per round, rounds interleaved, so that all see about the same
  // background load; ratios are taken within each round, and their median reported.
  type Result = Throughput | string;
  const configs: { label: string; run: () => Promise<Result> }[] = [
    { label: 'tfjs wasm, SIMD, 1 thread, training kernels', run: () => measure(steps, 3) },
    ...threads.map((n) => ({ label: `tfjs wasm, threaded-SIMD build, ${n} thread(s)`, run: async () => runWasmChild(n, steps) })),
    ...(o.torch === false ? [] : [
      { label: 'PyTorch CPU, 2 threads', run: async () => runTorch(2, steps * 2) },
      { label: 'PyTorch CPU, 1 thread', run: async () => runTorch(1, steps * 2) },
    ]),
  ];
  const results: Result[][] = configs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of configs.entries()) results[i].push(await c.run());
    log(`round ${r + 1}: ${configs.map((c, i) => `${c.label.replace(/, training kernels|tfjs /g, '')}: ${fmt(results[i][r])}`)
      .join('; ')}`);
  }

  let cpu: Result | undefined;
  if (o.cpu !== false) {
    await tf.setBackend('cpu');
    // The cpu backend needs ~45 s per batch of 64: one warm-up step and one timed step (batch 8 if quick).
    cpu = await measure(1, 1, o.quick ? 8 : BATCH);
    await selectBackend(['wasm']);
  }

  const ok = (xs: Result[]) => xs.filter((x): x is Throughput => typeof x !== 'string');
  const medianOf = (xs: Result[], key: 'imgPerS' | 'imgPerCpuS'): number | null =>
    ok(xs).length ? median(ok(xs).map((x) => x[key])) : null;
  /** Median over rounds of a/b (wall clock), or the first failure message. */
  const ratio = (a: Result[], b: Result[], key: 'imgPerS' | 'imgPerCpuS' = 'imgPerS'): number | null => {
    const rs = a.map((x, i) => (typeof x === 'object' && typeof b[i] === 'object' ? x[key] / (b[i] as Throughput)[key] : NaN))
      .filter((v) => !Number.isNaN(v));
    return rs.length ? median(rs) : null;
  };
  const show = (v: number | null, digits = 2) => (v == null ? 'n/a' : v.toFixed(digits));

  log(`\nPLATFORM net, batch ${BATCH}, Adam, Node ${process.versions.node}: medians of ${rounds} round(s), ${steps} steps each`);
  for (const [i, c] of configs.entries()) {
    const first = results[i].find((x) => typeof x === 'string');
    log(`  ${c.label.padEnd(48)}${show(medianOf(results[i], 'imgPerS'), 1).padStart(8)} img/s wall` +
      `${show(medianOf(results[i], 'imgPerCpuS'), 1).padStart(8)} img/CPU-s${first && !ok(results[i]).length ? `  (${first})` : ''}`);
  }
  log(`  ${'tfjs cpu (1 timed step)'.padEnd(48)}${typeof cpu === 'object' ? `${cpu.imgPerS.toFixed(1).padStart(8)} img/s wall` : '  not run'}`);
  const leaked = ok(results[0]).map((x) => x.leakedTensors);
  log(`  tensors left behind per wasm run: ${leaked.join(', ')}`);

  const wasmRes = results[0];
  const t2 = o.torch === false ? [] : results[configs.length - 2];
  const t1 = o.torch === false ? [] : results[configs.length - 1];
  const r2 = ratio(wasmRes, t2);
  const r1 = ratio(wasmRes, t1);
  const r1cpu = ratio(wasmRes, t1, 'imgPerCpuS');
  const cpuRatio = typeof cpu === 'object' && medianOf(wasmRes, 'imgPerS') != null
    ? (medianOf(wasmRes, 'imgPerS') as number) / cpu.imgPerS : null;
  log(`ratios (median of per-round ratios): wasm / torch 2 threads = ${show(r2)}, wasm / torch 1 thread = ${show(r1)} ` +
    `(per CPU-second: ${show(r1cpu)}), wasm / tfjs cpu = ${show(cpuRatio, 0)}`);
  for (const [i, c] of configs.entries()) {
    if (c.label.includes('threaded')) log(`  ${c.label} / single-threaded wasm = ${show(ratio(results[i], wasmRes))}`);
  }
  const torch2Slower = t1.length > 0 && (medianOf(t2, 'imgPerS') ?? Infinity) < (medianOf(t1, 'imgPerS') ?? 0);
  if (torch2Slower) {
    log('note: PyTorch with 2 threads ran slower than with 1: other processes hold the cores (see load average), ' +
      'so the 2-thread figure and its ratio say little; compare with 1 thread.');
  }
  const summary = [
    `wasm training ${show(medianOf(wasmRes, 'imgPerS'), 0)} img/s = ${show(r2)}x PyTorch CPU 2 threads (target >= 0.5)` +
      `${torch2Slower ? ' [torch 2 threads slowed by other load]' : ''}, ${show(r1)}x PyTorch 1 thread, ` +
      `${show(cpuRatio, 0)}x tfjs cpu`,
  ];

  const { rows, stepCpuMs } = await profileStep();
  const kernelMs = rows.reduce((a, r) => a + r.inclusiveMs, 0);
  log(`\nOne wasm training step, CPU time (median of 3): ${stepCpuMs.toFixed(1)} ms, ${kernelMs.toFixed(1)} ms of it in ` +
    'kernels (top level). Composed kernels list what they ran inside.');
  log(`  ${'kernel'.padEnd(26)}${'calls'.padStart(6)}${'cpu ms'.padStart(9)}${'self'.padStart(9)}${'share'.padStart(8)}`);
  for (const r of rows) {
    if (r.inclusiveMs < 0.05 * kernelMs / 20) continue;
    log(`  ${r.name.padEnd(26)}${String(r.calls).padStart(6)}${r.inclusiveMs.toFixed(2).padStart(9)}` +
      `${r.selfMs.toFixed(2).padStart(9)}${`${((100 * r.inclusiveMs) / kernelMs).toFixed(1)}%`.padStart(8)}`);
    const kids = [...r.children.entries()].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 0.1).slice(0, 5);
    for (const [name, ms] of kids) {
      const label = name === 'Identity' && !r.name.startsWith('Conv2DBackprop') ? 'Identity (tape saves)' : name;
      log(`      ${`└ ${label}`.padEnd(28)}${ms.toFixed(2).padStart(13)}`);
    }
  }
  log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (previous && previous !== sel.name) await tf.setBackend(previous);
  return summary;
}

async function childMain(threads: number, steps: number): Promise<void> {
  const sel = await selectBackend(['wasm'], { wasmThreads: threads });
  if (sel.name !== 'wasm') throw new Error('wasm did not start');
  const r = await measure(steps, 3);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0); // pthread workers would keep the process alive
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  tf.env().set('PROD', true);
  const args = process.argv.slice(2);
  const val = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  if (val('--child-wasm-threads') != null) {
    await childMain(Number(val('--child-wasm-threads')), Number(val('--steps') ?? 20));
  } else {
    const summary = await benchWasm({
      quick: args.includes('--quick'),
      steps: val('--steps') ? Number(val('--steps')) : undefined,
      rounds: val('--rounds') ? Number(val('--rounds')) : undefined,
      threads: val('--threads') != null ? (val('--threads') as string).split(',').filter(Boolean).map(Number) : undefined,
      torch: !args.includes('--no-torch'),
      cpu: !args.includes('--no-cpu'),
    });
    process.stdout.write(`\nsummary: ${summary.join('\n')}\n`);
    process.exit(0);
  }
}
