// What the page's main thread does in its long tasks while a run trains: `npx vite build && npx tsx
// bench/page/longtasks.ts [--preset P] [--seconds S] [--tab monitor|experiment|results]`. Not a test.
// Starts the preset on a short schedule, records a Chrome trace (devtools.timeline) and a JS sampling
// profile for S seconds of training, then prints every main-thread task over 50 ms split into what ran
// inside it (script, style, layout, paint...) and the JS functions with the most self time inside long
// tasks. The Long Tasks API's own figures are printed beside it.
import type { CDPSession } from 'playwright-core';
import { launch, longTasks, openLab } from '../../tests/e2e/helpers/browser';
import { waitForState } from '../../tests/e2e/helpers/lab';
import { serveDist } from '../../tests/e2e/helpers/server';

const args = process.argv.slice(2);
const val = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const preset = val('--preset', 'demo-expression-lower');
const seconds = Number(val('--seconds', '40'));
const tab = val('--tab', 'monitor');
const SHORT = { teacher: { epochs: 2 }, student: { epochs: 1 }, standard: { epochs: 1 }, triplet: { epochs: 1 } };

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string } };
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function trace(cdp: CDPSession, ms: number): Promise<{ events: TraceEvent[]; profile: Profile }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel',
    transferMode: 'ReportEvents',
  });
  await new Promise((r) => setTimeout(r, ms));
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
  await cdp.send('Tracing.end');
  await done;
  return { events, profile };
}

const server = await serveDist();
const browser = await launch(false);
try {
  const lab = await openLab(browser);
  const p = lab.page;
  const q = new URLSearchParams({ preset, config: JSON.stringify(SHORT), backend: 'wasm' });
  await p.goto(`${server.origin}/?${q}`);
  await waitForState(p, (s) => s.worker.ready && s.datasets.list.length >= 1, 300_000);
  await p.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 120_000 });
  await p.click('[data-testid=start]');
  await waitForState(p, (s) => s.run && s.run.steps > 0, 120_000);
  if (tab !== 'monitor') await p.click(`[data-testid=tab-${tab}]`);
  const since = await p.evaluate(() => performance.now());
  const cdp = await p.context().newCDPSession(p);
  const { events, profile } = await trace(cdp, seconds * 1000);
  const api = await longTasks(p, since);
  console.log(
    `Long Tasks API over ${seconds} s on the ${tab} tab: ${api.length} tasks, longest ${api
      .slice(0, 8)
      .map((t) => `${t.duration}`)
      .join(', ')} ms`,
  );

  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const onMain = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const tasks = onMain
    .filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 50_000)
    .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
  console.log(`trace: ${tasks.length} main-thread tasks over 50 ms`);
  const kinds = [
    'FunctionCall',
    'EventDispatch',
    'TimerFire',
    'FireAnimationFrame',
    'RunMicrotasks',
    'v8.run',
    'UpdateLayoutTree',
    'Layout',
    'PrePaint',
    'Paint',
    'Layerize',
    'UpdateLayer',
    'ParseHTML',
    'MajorGC',
    'MinorGC',
    'V8.GC_SCAVENGER',
    'BlinkGC.AtomicPhase',
    'HitTest',
    'Commit',
  ];
  for (const t of tasks.slice(0, 12)) {
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + (t.dur ?? 0));
    const by: Record<string, number> = {};
    for (const e of inside) if (kinds.includes(e.name)) by[e.name] = (by[e.name] ?? 0) + (e.dur ?? 0) / 1000;
    const parts = Object.entries(by)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    console.log(`  ${((t.dur ?? 0) / 1000).toFixed(1)} ms: ${parts}`);
  }
  // JS self time inside long tasks, by function.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self: Record<string, number> = {};
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (!tasks.some((k) => t >= k.ts && t <= k.ts + (k.dur ?? 0))) continue;
    const n = byId.get(profile.samples[i]);
    if (!n) continue;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self[key] = (self[key] ?? 0) + profile.timeDeltas[i] / 1000;
  }
  // Inclusive time of the app's own components and functions (a frame counted once per sample).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl: Record<string, number> = {};
  t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (!tasks.some((k) => t >= k.ts && t <= k.ts + (k.dur ?? 0))) continue;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame;
      if (!f || !/^[A-Z]/.test(f.functionName)) continue;
      const key = `${f.functionName} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl[key] = (incl[key] ?? 0) + profile.timeDeltas[i] / 1000;
    }
  }
  console.log('Inclusive time of capitalised functions (components) inside those tasks (ms), top 30:');
  for (const [k, v] of Object.entries(incl)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30))
    console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
  const focus = val('--callers', '');
  if (focus) {
    const chains: Record<string, number> = {};
    t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i];
      const names: string[] = [];
      for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id))
        names.push(byId.get(id)?.callFrame.functionName || '?');
      const at = names.findIndex((n) => n === focus);
      if (at < 0) continue;
      const key = names.slice(at, at + 9).join(' < ');
      chains[key] = (chains[key] ?? 0) + profile.timeDeltas[i] / 1000;
    }
    console.log(`callers of ${focus} (ms):`);
    for (const [k, v] of Object.entries(chains)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8))
      console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
  }
  console.log('JS self time inside those tasks (ms), top 25:');
  for (const [k, v] of Object.entries(self)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25))
    console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
  await lab.close();
} finally {
  await browser.close();
  await server.close();
}
