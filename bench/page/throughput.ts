// The page's training speed beside the headless runner's, on the same preset, measured side by side:
// `npx vite build && npx tsx bench/page/throughput.ts [--preset P] [--rounds R] [--threads 1,2]`. Not a test.
// Each round runs the runner (its default wasm set-up) and the page once per thread count (?threads=N,
// the threaded wasm build in the worker), one after the other, on a short schedule of the preset (teacher
// 2 epochs, every other stage 1), and prints per stage: images/s of training (epoch training time) and the
// stage's wall time (training, evaluation, mining, the teacher's cached outputs). Ratios page / runner are
// taken within a round; their medians are printed at the end. Also: the page's longest main-thread task.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeConfig } from '../../src/core/config/config';
import { PRESETS } from '../../src/core/config/presets';
import { launch, longTasks, openLab } from '../../tests/e2e/helpers/browser';
import { state, waitForRunEnd, waitForState } from '../../tests/e2e/helpers/lab';
import { serveDist } from '../../tests/e2e/helpers/server';

const args = process.argv.slice(2);
const val = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const preset = val('--preset', 'demo-expression-lower');
const rounds = Number(val('--rounds', '2'));
const threads = val('--threads', '1,2').split(',').map(Number);
const SHORT = { teacher: { epochs: 2 }, student: { epochs: 1 }, standard: { epochs: 1 }, triplet: { epochs: 1 } };

interface Epoch {
  stage: string;
  train: { count: number };
  trainMs: number;
}
interface Measured {
  rate: Record<string, number>;
  stageMs: Record<string, number>;
  longest?: number;
}

function summarise(history: Epoch[], stageMs: Record<string, number>): Measured {
  const rate: Record<string, number> = {};
  for (const stage of new Set(history.map((h) => h.stage))) {
    const hs = history.filter((h) => h.stage === stage);
    rate[stage] = (1000 * hs.reduce((a, h) => a + h.train.count, 0)) / hs.reduce((a, h) => a + h.trainMs, 0);
  }
  return { rate, stageMs };
}

function runner(): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'odl-throughput-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(mergeConfig(PRESETS[preset], SHORT)));
  execFileSync(
    'npx',
    [
      'tsx',
      'src/cli/experiment.ts',
      '--config',
      join(dir, 'config.json'),
      '--backend',
      'wasm',
      '--out',
      join(dir, 'run'),
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const r = JSON.parse(readFileSync(join(dir, 'run', 'results.json'), 'utf8')) as {
    history: Epoch[];
    timings?: { stageMs?: Record<string, number> };
  };
  return summarise(r.history, r.timings?.stageMs ?? {});
}

const server = await serveDist();
const browser = await launch(false);
async function page(n: number): Promise<Measured> {
  const lab = await openLab(browser);
  const { page: p } = lab;
  const q = new URLSearchParams({ preset, config: JSON.stringify(SHORT), backend: 'wasm', threads: String(n) });
  await p.goto(`${server.origin}/?${q}`);
  await waitForState(p, (s) => s.worker.ready && s.datasets.list.length >= 1, 300_000);
  await p.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 120_000 });
  await p.click('[data-testid=start]');
  await waitForState(p, (s) => s.run && s.run.steps > 0, 120_000);
  const since = await p.evaluate(() => performance.now());
  const status = await waitForRunEnd(p, 1_200_000);
  if (status !== 'done') throw new Error(`page run ended ${status}`);
  const detail = await state(p, (s) => s.run.backendDetail as string);
  const history = await state(p, (s) => s.run.history as Epoch[]);
  const stageMs = await state(
    p,
    (s) =>
      Object.fromEntries(
        Object.entries(s.run.stageInfo as Record<string, { ms: number | null }>)
          .filter(([, v]) => v.ms != null)
          .map(([k, v]) => [k, v.ms]),
      ) as Record<string, number>,
  );
  const tasks = await longTasks(p, since);
  await lab.close();
  console.log(`    page: ${detail}`);
  return { ...summarise(history, stageMs), longest: tasks[0]?.duration ?? 0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const show = (m: Measured) =>
  Object.entries(m.rate)
    .map(([s, r]) => `${s} ${r.toFixed(0)} img/s${m.stageMs[s] ? ` (${(m.stageMs[s] / 1000).toFixed(1)} s)` : ''}`)
    .join(', ');
const ratios: Record<string, Record<string, number[]>> = {};
const longest: number[] = [];
try {
  console.log(
    `# ${preset}, short schedule ${JSON.stringify(SHORT)}; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  for (let r = 0; r < rounds; r++) {
    const cli = runner();
    console.log(`round ${r + 1}\n  runner:          ${show(cli)}`);
    for (const n of threads) {
      const pg = await page(n);
      longest.push(pg.longest ?? 0);
      console.log(`  page ${n} thread(s): ${show(pg)}; longest main-thread task ${pg.longest} ms`);
      for (const [s, v] of Object.entries(pg.rate)) {
        if (!cli.rate[s]) continue;
        ((ratios[`${n}`] ??= {})[s] ??= []).push(v / cli.rate[s]);
      }
    }
  }
  console.log('\nmedian page / runner images/s per stage:');
  for (const [n, per] of Object.entries(ratios)) {
    const all = Object.values(per).flat();
    console.log(
      `  page ${n} thread(s): ${Object.entries(per)
        .map(([s, v]) => `${s} ${median(v).toFixed(2)}`)
        .join(', ')}; all stages ${median(all).toFixed(2)}`,
    );
  }
  console.log(
    `longest main-thread task over all page runs: ${Math.max(...longest)} ms; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await browser.close();
  await server.close();
}
