// `npm run bench -- --only gpu`: the GPU profile of real training steps, stock tfjs kernels vs ours, in Node's
// WebGPU (Dawn, in a child process) and in headless Chromium's, on whatever adapter each finds (software included),
// ending with the `gpu-shape:` line. `--device`: the same on a real GPU only (a hardware adapter is asserted), with
// ms/step and images/s for the demo, workshop and ResNet-50 224x224 models, the share of the device's matmul rate,
// and PyTorch on the same GPU when it is installed. Every probe has a time limit and names the adapter it found.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveDist } from '../tests/e2e/helpers/server';
import { buildPage, CHROMIUM, describeProbe, FLAGS, PAGE_OUT } from './gpu';
import type { Probe } from './gpu-page/main';
import { describeProfile, type StepProfile } from './gpu-profile';
import type { DeviceRow } from './gpu-steps';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
type Log = (s: string) => void;
const message = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] : String(e));

/** `p`, or a rejection naming `what` after `ms`. */
function limit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs `cmd args` with a time limit (killed after it); its stdout lines go to `log`. */
function run(
  cmd: string,
  args: string[],
  ms: number,
  log: Log,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; lines: string[]; timedOut: boolean }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(l);
        if (!l.startsWith('RESULT ')) log(l);
      }
    });
    child.stderr.on('data', () => {}); // Dawn's warnings
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (buf) lines.push(buf);
      done({ code, lines, timedOut });
    });
    child.on('error', () => {
      clearTimeout(timer);
      done({ code: -1, lines, timedOut });
    });
  });
}

function resultOf<T>(lines: string[]): T | null {
  const l = lines.reverse().find((x) => x.startsWith('RESULT '));
  return l ? (JSON.parse(l.slice(7)) as T) : null;
}

type NodeProfile =
  { ok: true; adapter: string; software: boolean; profiles: StepProfile[] } | { ok: false; why: string };
type NodeDevice =
  { ok: true; adapter: string; rows: DeviceRow[]; matmul: { gflops: number } } | { ok: false; why: string };

async function nodeChild<T>(mode: string, ms: number, log: Log): Promise<T | { ok: false; why: string }> {
  const r = await run(process.execPath, ['--import', 'tsx', join(HERE, 'gpu-node.ts'), mode], ms, log, {
    EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless',
  });
  const res = resultOf<T>(r.lines);
  if (res) {
    if (r.timedOut) log(`node: stopped at its time limit (${Math.round(ms / 1000)} s); keeping what it had measured`);
    return res;
  }
  return {
    ok: false,
    why: r.timedOut ? `no answer within ${Math.round(ms / 1000)} s (stopped)` : `exited ${r.code} without a result`,
  };
}

interface Chromium {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

async function openChromium(log: Log): Promise<Chromium | string> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  await buildPage(log);
  const server = await serveDist(resolve(PAGE_OUT));
  try {
    const browser = await limit(
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS }),
      60_000,
      'Chromium start',
    );
    log(`Chromium ${browser.version()}, flags: ${FLAGS.slice(6).join(' ')}`);
    return {
      browser,
      origin: server.origin,
      close: async () => {
        await limit(browser.close(), 15_000, 'Chromium close').catch(() => {});
        await server.close();
      },
    };
  } catch (e) {
    await server.close();
    return `Chromium did not start: ${message(e)}`;
  }
}

/** A fresh page, then window.gpuBench[fn](...args), all within `ms`. */
async function onPage<T>(c: Chromium, fn: string, args: unknown[], ms: number): Promise<T> {
  const page: Page = await c.browser.newPage();
  try {
    return await limit(
      (async () => {
        await page.goto(`${c.origin}/index.html`);
        await page.waitForFunction(
          () => (window as unknown as { gpuBench?: { ready: boolean } }).gpuBench?.ready === true,
        );
        return page.evaluate(
          ([f, a]) =>
            (window as unknown as { gpuBench: Record<string, (...x: unknown[]) => unknown> }).gpuBench[f as string](
              ...(a as unknown[]),
            ),
          [fn, args] as const,
        ) as Promise<T>;
      })(),
      ms,
      `page ${fn}`,
    );
  } finally {
    await limit(page.close(), 10_000, 'page close').catch(() => {});
  }
}

const adapterText = (p: Probe): string => {
  const a = p.webgpu.adapter;
  if (!p.webgpu.present) return 'no navigator.gpu';
  if (!a) return 'no adapter';
  return (
    `${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || '(no info)'}` +
    `${p.software.webgpu ? ' (software)' : ''}`
  );
};

/** `npm run bench -- --only gpu`: the profile; returns the summary lines (the last is the gpu-shape line). */
export async function benchGpuShape(log: Log, budgetMs = 285_000): Promise<string[]> {
  const t0 = performance.now();
  const left = (): number => budgetMs - (performance.now() - t0);
  const nodeMs = Math.min(200_000, left() - 80_000);
  log(`### Node: WebGPU through Dawn (child process, ${Math.round(nodeMs / 1000)} s limit)`);
  const node = await nodeChild<NodeProfile>('profile', nodeMs, log);
  const nodeWhy = node.ok ? 'ok' : node.why;
  log(`\n### Chromium: headless WebGPU (every probe time-limited, ${Math.round(left() / 1000)} s left in all)`);
  const chromeProfiles: StepProfile[] = [];
  let chromeWhy = '';
  const c = await openChromium(log);
  if (typeof c === 'string') {
    chromeWhy = c;
  } else {
    try {
      const probe = await onPage<Probe>(c, 'probe', [], Math.min(60_000, left() - 10_000));
      for (const l of describeProbe(probe)) log(l);
      if (!probe.webgpu.adapter) chromeWhy = `no WebGPU adapter (${adapterText(probe)})`;
      else {
        // A software adapter runs the demo model's step slowly: one step at batch 8 each, within what is left.
        for (const kernels of ['ours', 'stock'] as const) {
          const ms = Math.min(120_000, (left() - 10_000) / (kernels === 'ours' ? 2 : 1));
          if (ms < 5_000) {
            log(`chromium ${kernels}: skipped (time budget spent)`);
            continue;
          }
          const p = await onPage<StepProfile>(c, 'profile', [kernels, 1, 8], ms).catch((e: unknown) => {
            log(`chromium ${kernels}: ${message(e)}`);
            return null;
          });
          if (!p) continue;
          for (const l of describeProfile(p)) log(`chromium [${adapterText(probe)}] ${l}`);
          chromeProfiles.push(p);
        }
      }
    } catch (e) {
      chromeWhy = message(e);
    } finally {
      await c.close();
    }
  }
  if (chromeWhy) log(`chromium: ${chromeWhy}`);
  const all = [...(node.ok ? node.profiles : []), ...chromeProfiles];
  const ours = all.filter((p) => p.kernels === 'ours');
  const stock = all.filter((p) => p.kernels === 'stock');
  const nodeOurs = node.ok ? node.profiles.find((p) => p.kernels === 'ours') : undefined;
  const max = (ps: StepProfile[], f: (p: StepProfile) => number): string =>
    ps.length ? String(Math.max(...ps.map(f))) : 'n/a';
  const where = node.ok ? `node ${node.adapter}` : 'node: none';
  const summary = [
    `GPU profile (demo model; ${where}; chromium: ${chromeProfiles.length ? 'profiled at batch 8' : chromeWhy})` +
      ` in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    `gpu-shape: serial ${max(ours, (p) => p.maxSerial)} (stock ${max(stock, (p) => p.maxSerial)}); ` +
      `sync reads/step ${max(ours, (p) => p.perStep.syncReads)}; ` +
      `dispatches/step ${nodeOurs ? nodeOurs.perStep.dispatches.toFixed(0) : max(ours, (p) => p.perStep.dispatches)}; ` +
      `node webgpu ${nodeWhy}`,
  ];
  for (const l of summary) log(l);
  return summary;
}

/** `npm run bench -- --only gpu --device`: a real GPU's figures, or a clear refusal; exit code 1 without one. */
export async function benchGpuDevice(log: Log): Promise<{ lines: string[]; ok: boolean }> {
  log('### Node: Dawn on a hardware adapter (Vulkan, else the platform default; software refused; 200 s limit)');
  const node = await nodeChild<NodeDevice>('device', 200_000, log);
  const found: string[] = [node.ok ? `node: ${node.adapter}` : `node: ${node.why}`];
  type ChromeDevice = { rows: DeviceRow[]; lines: string[]; matmul: { gflops: number } };
  let chrome = null as ChromeDevice | null;
  const c = await openChromium(log);
  if (typeof c === 'string') found.push(`chromium: ${c}`);
  else {
    try {
      const probe = await onPage<Probe>(c, 'probe', [], 60_000);
      for (const l of describeProbe(probe)) log(l);
      found.push(`chromium: ${adapterText(probe)}`);
      if (probe.webgpu.adapter && !probe.software.webgpu) {
        chrome = await onPage<ChromeDevice>(c, 'device', [], 200_000).catch((e: unknown) => {
          found.push(`chromium device run: ${message(e)}`);
          return null;
        });
        for (const l of chrome?.lines ?? []) log(l);
      }
    } catch (e) {
      found.push(`chromium: ${message(e)}`);
    } finally {
      await c.close();
    }
  }
  if (!node.ok && !chrome) {
    const line = `no hardware GPU here: ${found.join('; ')}`;
    log(line);
    return { lines: [line], ok: false };
  }
  const lines: string[] = [];
  const share = (rows: DeviceRow[], mm: { gflops: number }, where: string): void => {
    for (const r of rows) {
      lines.push(
        `${where} ${r.model} ${r.kernels}: ${r.imgPerS.toFixed(0)} images/s, ${r.msPerStep.toFixed(1)} ms/step ` +
          `(batch ${r.batch}), ≈ ${r.gflops.toFixed(0)} GFLOP/s = ${((100 * r.gflops) / mm.gflops).toFixed(1)}% of its ` +
          `matmul (${mm.gflops.toFixed(0)} GFLOP/s)`,
      );
    }
  };
  if (node.ok) share(node.rows, node.matmul, `node [${node.adapter}]`);
  if (chrome) share(chrome.rows, chrome.matmul, 'chromium');
  // PyTorch on the same GPU, when installed.
  const probeTorch = await run(
    'python3',
    ['-c', 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 3)'],
    60_000,
    () => {},
  );
  if (probeTorch.code === 0) {
    for (const [net, batch] of [
      ['demo48', 64],
      ['small48', 64],
      ['resnet50', 32],
    ] as const) {
      const r = await run(
        'python3',
        [join(HERE, 'torch_train.py'), '--device', 'cuda', '--net', net, '--batch', String(batch), '--steps', '30'],
        120_000,
        () => {},
      );
      const j = resultOfJson(r.lines);
      lines.push(
        j
          ? `pytorch cuda ${net}: ${Number(j.img_per_s).toFixed(0)} images/s, ${Number(j.median_ms).toFixed(1)} ` +
              `ms/step (batch ${batch})`
          : `pytorch cuda ${net}: failed${r.timedOut ? ' (time limit)' : ''}`,
      );
    }
  } else {
    lines.push('pytorch: torch with CUDA not importable here (python3 -c "import torch; torch.cuda.is_available()")');
  }
  for (const l of lines) log(l);
  return { lines, ok: true };
}

function resultOfJson(lines: string[]): Record<string, unknown> | null {
  for (const l of [...lines].reverse()) {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
  }
  return null;
}
