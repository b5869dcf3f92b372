// `npm run bench -- --only gpu`: the workshop model's training speed on WebGPU, WebGL and wasm in headless
// Chromium on this machine's real GPU, and WebGPU's share of its own matmul peak. The page (bench/gpu-page/) is
// built from the repo with vite's JS API and served locally: no network. Without a GPU (only a fallback /
// software WebGPU adapter and a software WebGL renderer) it says so and measures nothing, unless
// --force-software, which runs a few steps on the software adapter to exercise the code path.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BackendName } from '../src/core/backends';
import { serveDist } from '../tests/e2e/helpers/server';
import type { Probe, TrainResult } from './gpu-page/main';

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE_SRC = join(HERE, 'gpu-page');
export const PAGE_OUT = join(HERE, 'out', 'gpu-page');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for the real GPU in headless Chromium on Linux: WebGPU on (still behind a flag on Linux), Vulkan for
 * WebGPU (Dawn) and for WebGL (ANGLE on Vulkan rather than SwiftShader), no blocklist, and no Vulkan surface
 * (headless has no window). The first five are the lab's usual headless flags
 * (docs/architecture.md#platform-constraints), the rest as Chrome's own guide to WebGPU/WebGL in headless Chrome on
 * NVIDIA machines. On a machine without a GPU the same flags give SwiftShader for both.
 */
export const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--disable-vulkan-surface',
  '--ignore-gpu-blocklist',
  '--enable-gpu',
];

export interface GpuBenchOptions {
  quick: boolean;
  log: (s: string) => void;
  /** Run on software adapters too (few steps): proves the bench end to end on a machine without a GPU. */
  forceSoftware?: boolean;
  /** Timed training steps per backend (default 50 on a GPU, 20 quick; 1 with forceSoftware). */
  steps?: number;
}

export async function buildPage(log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  const { build } = await import('vite');
  await build({
    root: PAGE_SRC,
    configFile: false,
    logLevel: 'warn',
    base: './',
    build: { outDir: PAGE_OUT, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000, sourcemap: false },
  });
  log(`page built from bench/gpu-page/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

type Bench = {
  probe(): Promise<Probe>;
  train(b: BackendName, steps: number, warmup: number): Promise<TrainResult>;
  matmul(
    b: BackendName,
    n: number,
    reps: number,
  ): Promise<{ backend: string; n: number; gflops: number; msEach: number }>;
};

/** A fresh page load (one backend per page: tfjs starts clean), then `f` on window.gpuBench. */
async function onPage<T>(browser: Browser, origin: string, errors: string[], f: (b: Bench) => Promise<T>): Promise<T> {
  const page: Page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(
      () => (window as unknown as { gpuBench?: { ready: boolean } }).gpuBench?.ready === true,
      null,
      { timeout: 60_000 },
    );
    const handle = await page.evaluateHandle(() => (window as unknown as { gpuBench: Bench }).gpuBench);
    // Run `f` against a proxy whose methods call into the page.
    const proxy: Bench = {
      probe: () => handle.evaluate((b) => b.probe()),
      train: (b, steps, warmup) => handle.evaluate((g, a) => g.train(a.b, a.steps, a.warmup), { b, steps, warmup }),
      matmul: (b, n, reps) => handle.evaluate((g, a) => g.matmul(a.b, a.n, a.reps), { b, n, reps }),
    };
    return await f(proxy);
  } finally {
    await page.close();
  }
}

export const describeProbe = (p: Probe): string[] => {
  const a = p.webgpu.adapter;
  const gpu = !p.webgpu.present
    ? 'no navigator.gpu'
    : !a
      ? 'no adapter'
      : `adapter "${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || '(no info)'}"${a.fallback ? ' (isFallbackAdapter)' : ''}`;
  return [
    `WebGPU: ${gpu}${p.software.webgpu ? ` → software: ${p.software.webgpu}` : a ? ' → hardware' : ''}`,
    `WebGL: ${p.webgl.renderer ? `renderer "${p.webgl.renderer}" (${p.webgl.vendor})` : 'no WebGL2 context'}` +
      `${p.software.webgl ? ' → software' : p.webgl.renderer ? ' → hardware' : ''}`,
  ];
};

export async function benchGpu(o: GpuBenchOptions): Promise<string[]> {
  const { log } = o;
  if (!existsSync(CHROMIUM)) {
    const msg =
      `GPU bench skipped: no Chromium at ${CHROMIUM}. Install Debian's (apt-get install -y chromium) or point ` +
      'CHROMIUM_PATH at a Chromium/Chrome binary; never a browser downloaded by a test tool.';
    log(msg);
    return [msg];
  }
  await buildPage(log);
  const server = await serveDist(resolve(PAGE_OUT));
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  } catch (e) {
    await server.close();
    const msg =
      `GPU bench skipped: Chromium at ${CHROMIUM} did not start (${e instanceof Error ? e.message.split('\n')[0] : String(e)}). ` +
      "Install Debian's (apt-get install -y chromium) or point CHROMIUM_PATH at a working Chromium/Chrome binary.";
    log(msg);
    return [msg];
  }
  const errors: string[] = [];
  const summary: string[] = [];
  try {
    log(`Chromium ${browser.version()} (${CHROMIUM}), flags: ${FLAGS.slice(6).join(' ')}`);
    const probe = await onPage(browser, server.origin, errors, (b) => b.probe());
    for (const l of describeProbe(probe)) log(l);
    const hw = {
      webgpu: !!probe.webgpu.adapter && !probe.software.webgpu,
      webgl: !!probe.webgl.renderer && !probe.software.webgl,
    };
    if (!hw.webgpu && !hw.webgl && !o.forceSoftware) {
      const msg =
        'GPU bench: no GPU on this machine (Chromium offers only software WebGPU/WebGL: see above), so nothing ' +
        'was measured. `--force-software` runs it anyway on the software adapter, to check the bench works.';
      log(msg);
      return [msg];
    }
    const soft = o.forceSoftware && !hw.webgpu && !hw.webgl;
    // A software WebGPU step of the workshop model took 144 s here: --force-software times one.
    const steps = o.steps ?? (soft ? 1 : o.quick ? 20 : 50);
    const warmup = soft ? 1 : 5;
    if (soft)
      log(
        `--force-software: ${steps} timed step${steps === 1 ? '' : 's'} after ${warmup} warm-up on the software adapter / renderer; not a GPU measurement`,
      );
    const results: Partial<Record<BackendName, TrainResult>> = {};
    for (const b of ['webgpu', 'webgl', 'wasm'] as const) {
      if (b !== 'wasm' && !hw[b] && !o.forceSoftware) {
        log(`${b}: skipped (software: ${probe.software[b] ?? 'not available'})`);
        continue;
      }
      if (b === 'webgpu' && !probe.webgpu.adapter) {
        log('webgpu: skipped (no adapter)');
        continue;
      }
      // wasm is the CPU reference: 10 steps are enough, and it needs no shader warm-up.
      const r = await onPage(browser, server.origin, errors, (p) =>
        p.train(b, b === 'wasm' ? Math.min(Math.max(steps, 3), 10) : steps, b === 'wasm' ? 1 : warmup),
      ).catch((e: unknown) => {
        log(`${b}: failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        return null;
      });
      if (!r) continue;
      results[b] = r;
      log(
        `${b}${b !== 'wasm' && !hw[b] ? ' (software)' : ''}: ${r.imgPerS.toFixed(1)} images/s (${r.msPerStep.toFixed(1)} ms per step of 64, ` +
          `${r.steps} timed step${r.steps === 1 ? '' : 's'}), loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}, tensors left ${r.leakedTensors}`,
      );
    }
    const g = results.webgpu;
    let share = '';
    if (g) {
      const n = soft ? 512 : 2048;
      const mm = await onPage(browser, server.origin, errors, (p) => p.matmul('webgpu', n, soft ? 2 : 10)).catch(
        (e: unknown) => {
          log(`webgpu matmul: failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
          return null;
        },
      );
      if (mm) {
        const train = g.flopsPerStep / (g.msPerStep / 1000) / 1e9;
        share =
          `webgpu: training ≈ ${train.toFixed(2)} GFLOP/s (≈ ${(g.flopsPerStep / 1e9).toFixed(2)} GFLOP per step: ` +
          `2 x forward multiply-adds x 3 x 64) = ${((train / mm.gflops) * 100).toFixed(1)}% of its ${n}x${n}x${n} float32 ` +
          `matmul (${mm.gflops.toFixed(2)} GFLOP/s, ${mm.msEach.toFixed(1)} ms each)`;
        log(share);
      }
    }
    const ips = (['webgpu', 'webgl', 'wasm'] as const)
      .filter((b) => results[b])
      .map((b) => `${b}${b !== 'wasm' && !hw[b] ? ' (software)' : ''} ${results[b]!.imgPerS.toFixed(1)}`)
      .join(', ');
    summary.push(
      `GPU bench${soft ? ' (--force-software: software adapter, not a GPU)' : ''}: workshop model images/s: ${ips}`,
    );
    if (share) summary.push(share);
    const real = errors.filter((e) => !/GPU|WebGL|webgl|Vulkan|swiftshader|dawn/i.test(e));
    if (real.length) log(`page errors: ${real.join(' | ')}`);
    return summary;
  } finally {
    await browser.close();
    await server.close();
  }
}
