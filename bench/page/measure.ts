// The lab's figures, reproducible: `npx vite build && npx tsx bench/page/measure.ts`. Not a test.
// 1. JavaScript the page loads before the first interaction (gzipped), and after opening every panel.
// 2. Main-thread long tasks (PerformanceObserver 'longtask') while a tiny curriculum trains on webgpu.
// 3. Training throughput of the same run in the worker and in the headless runner, both on wasm.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../../src/core/config/presets';
import { mergeConfig } from '../../src/core/config/config';
import { launch, longTasks, openLab } from '../../tests/e2e/helpers/browser';
import { labUrl, pageWeight, state, waitForRunEnd, waitForState } from '../../tests/e2e/helpers/lab';
import { serveDist } from '../../tests/e2e/helpers/server';

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
/** fixture-tiny with 1024 training images: long enough epochs to time (64 batches of 16). */
const THROUGHPUT = {
  name: 'throughput: fixture-tiny with 1024 training images',
  dataset: { train: 1024, val: 128, test: 128 },
};

interface Epoch {
  n: number;
  ms: number;
}
const rate = (h: Epoch[]) => (1000 * h.reduce((a, x) => a + x.n, 0)) / h.reduce((a, x) => a + x.ms, 0);

const server = await serveDist();
try {
  const gpu = await launch(true);
  const l = await openLab(gpu);
  await l.page.goto(labUrl(server.origin));
  await waitForState(l.page, (s) => s.worker.ready && s.datasets.list.length === 1);
  const first = await pageWeight(l.page, server.origin);
  const js = (w: typeof first) => w.filter((x) => x.url.endsWith('.js')).reduce((a, x) => a + x.gzip, 0);
  console.log(
    `1. before the first interaction: ${kB(js(first))} of JavaScript gzipped (${first.map((w) => `${w.url} ${kB(w.gzip)}`).join(', ')})`,
  );
  await l.page.click('[data-testid=start]');
  await waitForState(l.page, (s) => s.run && s.run.steps > 0, 120_000);
  const since = await l.page.evaluate(() => performance.now());
  await waitForRunEnd(l.page);
  const tasks = await longTasks(l.page, since);
  await l.page.click('[data-testid=tab-results]');
  await l.page.waitForSelector('[data-testid=results-grid]');
  console.log(`   after opening Monitor and Results too: ${kB(js(await pageWeight(l.page, server.origin)))}`);
  console.log(
    `2. long tasks while training on ${await state(l.page, (s) => s.run.backend)}: ${tasks.length}; longest ${
      tasks
        .slice(0, 5)
        .map((t) => `${t.duration} ms`)
        .join(', ') || 'none'
    }`,
  );
  await l.close();
  await gpu.close();

  const plain = await launch(false);
  const w = await openLab(plain);
  await w.page.goto(labUrl(server.origin, { backend: 'wasm', config: JSON.stringify(THROUGHPUT) }));
  await w.page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
  await w.page.click('[data-testid=start]');
  await waitForRunEnd(w.page, 300_000);
  const inWorker = await state(w.page, (s) =>
    s.run.history.map((h: { train: { count: number }; trainMs: number }) => ({ n: h.train.count, ms: h.trainMs })),
  );
  await w.close();
  await plain.close();

  const dir = mkdtempSync(join(tmpdir(), 'odl-measure-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(mergeConfig(PRESETS['fixture-tiny'], THROUGHPUT)));
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
  const cli = JSON.parse(readFileSync(join(dir, 'run', 'results.json'), 'utf8')).history.map(
    (h: { train: { count: number }; trainMs: number }) => ({ n: h.train.count, ms: h.trainMs }),
  );
  const a = rate(inWorker as Epoch[]),
    b = rate(cli);
  console.log(
    `3. wasm training throughput: worker ${a.toFixed(0)} img/s, headless runner ${b.toFixed(0)} img/s, ratio worker/runner ${(a / b).toFixed(2)}`,
  );
} finally {
  await server.close();
}
