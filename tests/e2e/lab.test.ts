// The lab in Debian's headless Chromium (playwright-core), against the built page served on 127.0.0.1:
// a whole tiny curriculum in the worker on WebGPU (software adapter, --enable-unsafe-webgpu); reload in
// mid-run and resume; a lost WebGPU device, then resume on wasm; without WebGPU the run falls back and
// says why. Every request of every test (page and worker) must stay on the page's origin.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeAndCheck, launch, longTasks, openLab, type LabPage } from './helpers/browser';
import { labUrl, pageWeight, state, waitForRunEnd, waitForState } from './helpers/lab';
import { serveDist, type StaticServer } from './helpers/server';

const ALL_ROWS = 11; // teacher ×3 (○ ◑ ◐), student, student (other half), standard T-S, triplet T-S, control, SVM ×3
let server: StaticServer;
let lab: LabPage | null = null;

beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

afterEach(async () => {
  if (!lab) return;
  const l = lab;
  lab = null;
  await closeAndCheck(l, server.origin);
});

async function checkFinished(l: LabPage, backend: string): Promise<void> {
  const { page } = l;
  await page.click('[data-testid=tab-monitor]');
  await expect.poll(() => page.textContent('[data-testid=monitor-backend]')).toBe(backend);
  for (const s of ['teacher', 'student', 'studentOther', 'standard', 'triplet', 'control']) {
    expect(await page.getAttribute(`[data-testid=stage-${s}]`, 'data-status')).toBe('done');
  }
  await expect
    .poll(async () => Number(await page.getAttribute('[data-testid=loss-chart]', 'data-points')))
    .toBeGreaterThan(5);
  await expect.poll(async () => Number(await page.getAttribute('[data-testid=metric-chart]', 'data-points'))).toBe(6);
  await expect
    .poll(() => page.locator('[data-testid=loss-chart] path.svg-chart-line[d^=M]').count())
    .toBeGreaterThan(0);
  await page.click('[data-testid=tab-results]');
  await expect.poll(() => page.locator('[data-testid=grid-row]').count()).toBe(ALL_ROWS);
  const grid = await page.textContent('[data-testid=results-grid]');
  for (const sym of ['○', '◑', '◐']) expect(grid).toContain(sym);
  // The combined students' rows, and the paired tests against the student beside the grid.
  expect(grid).toContain('SVM on standard + triplet embeddings');
  await expect
    .poll(
      async () => (await page.locator('[data-testid=row-p]').allTextContents()).filter((t) => /^p[=<]/.test(t)).length,
    )
    .toBe(6);
}

describe('with WebGPU (software adapter)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(true);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('creates the dataset, runs the curriculum in the worker on webgpu to the end, charts and grid complete', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin, { backend: 'webgpu' }));
    // First open: the synthetic dataset is generated into IndexedDB by the worker.
    await waitForState(page, (s) => s.datasets.list.length === 1 && s.worker.ready);
    const weight = await pageWeight(page, server.origin);
    const jsGzip = weight.filter((w) => w.url.endsWith('.js')).reduce((n, w) => n + w.gzip, 0);
    console.log(
      `initial page JS: ${(jsGzip / 1000).toFixed(1)} kB gzipped (${weight.map((w) => `${w.url} ${(w.gzip / 1000).toFixed(1)} kB`).join(', ')})`,
    );
    expect(jsGzip).toBeLessThan(250_000);
    expect(weight.some((w) => /lab\.worker|tfjs/.test(w.url))).toBe(false);

    await page.click('[data-testid=tab-datasets]');
    await expect.poll(() => page.textContent('[data-testid=current-dataset-status]')).toBe('stored');
    await expect.poll(() => page.locator('[data-testid=dataset-card]').count()).toBe(1);
    await page.click('[data-testid=preview-lower]');
    await expect
      .poll(() =>
        page.evaluate(() => (document.querySelector('[data-testid=preview-canvas]') as HTMLCanvasElement).width),
      )
      .toBeGreaterThan(100);

    // A wrong value is explained next to its field and blocks the run; fixing it unblocks.
    await page.click('[data-testid=tab-experiment]');
    const margin = page.locator('[data-field="triplet.margin"] input');
    await margin.fill('9');
    await expect
      .poll(() => page.locator('[data-field="triplet.margin"] [data-testid=field-error]').textContent())
      .toMatch(/between 0 and 2/);
    expect(await page.isDisabled('[data-testid=start]')).toBe(true);
    await margin.fill('0.2');
    await page.waitForSelector('[data-testid=start]:not([disabled])');

    // Before clicking: the expected duration, from a calibration of a few training steps on this machine.
    await expect
      .poll(() => page.textContent('[data-testid=estimate]'), { timeout: 60_000 })
      .toMatch(/^expected: about \d+ (s|min)/);
    await page.click('[data-testid=start]');
    await waitForState(page, (s) => s.run && s.run.steps > 0);
    const since = await page.evaluate(() => performance.now());
    expect(await waitForRunEnd(page)).toBe('done');
    const tasks = await longTasks(page, since);
    console.log(`main-thread long tasks while training: ${tasks.length}, longest ${tasks[0]?.duration ?? 0} ms`);
    // Training on the main thread would block it for seconds; the worker keeps every task short.
    expect(tasks[0]?.duration ?? 0).toBeLessThan(1500);

    expect(page.workers().some((w) => /lab\.worker/.test(w.url()))).toBe(true);
    expect(await state(page, (s) => s.run.backend)).toBe('webgpu');
    expect(await state(page, (s) => s.run.steps)).toBe(12);
    await checkFinished(lab, 'webgpu');

    // The run survives a reload: reopen it from the history, table and charts back.
    await page.reload();
    await waitForState(page, (s) => s.runs.length === 1 && s.runs[0].status === 'done');
    await page.click('[data-testid=tab-results]');
    await page.click('[data-testid=open-run]');
    await expect.poll(() => page.locator('[data-testid=grid-row]').count()).toBe(ALL_ROWS);
    await expect
      .poll(async () => Number(await page.getAttribute('[data-testid=loss-chart]', 'data-points')))
      .toBeGreaterThan(5);
    expect(await state(page, (s) => s.resumable)).toBeNull();
  });

  it('reload in mid-run: the lab offers to resume from the last checkpoint and finishes', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin, { backend: 'webgpu' }));
    await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
    await page.click('[data-testid=start]');
    await waitForState(page, (s) => s.run && s.run.lastCheckpoint && s.run.lastCheckpoint.stage === 'student', 120_000);
    const runId = await state(page, (s) => s.run.runId as string);
    await page.reload();
    // Afterwards the lab opens at once: the dataset comes from storage, nothing is generated again.
    await page.waitForSelector('[data-testid=resume-banner]');
    expect(await page.textContent('[data-testid=resume-banner]')).toMatch(/did not finish.*checkpoint/s);
    await page.click('[data-testid=resume-run]');
    await waitForState(page, (s) => s.run && s.run.status === 'running');
    expect(await state(page, (s) => s.run.stageInfo.teacher.status)).toBe('done');
    expect(await waitForRunEnd(page)).toBe('done');
    expect(await state(page, (s) => s.run.runId)).toBe(runId);
    // 6 stages × 1 epoch × 2 batches: what the checkpoint held was not trained again.
    expect(await state(page, (s) => s.run.steps)).toBe(12);
    await checkFinished(lab, 'webgpu');
    const history = await state(page, (s) =>
      s.run.history.map((h: { stage: string; epoch: number }) => `${h.stage}:${h.epoch}`),
    );
    expect(new Set(history).size).toBe(history.length);
    expect(history).toHaveLength(6);
    expect(await state(page, (s) => s.runs.map((r: { status: string }) => r.status))).toEqual(['done']);
    expect(await page.locator('[data-testid=history-row]').count()).toBe(1);
  });

  it('auto skips the software WebGPU adapter, saying why, and trains on a faster backend', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin));
    await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
    await page.click('[data-testid=start]');
    expect(await waitForRunEnd(page)).toBe('done');
    expect(await state(page, (s) => s.run.backend)).not.toBe('webgpu');
    const skipped = await state(page, (s) => s.run.skipped as { name: string; reason: string }[]);
    expect(skipped.find((x) => x.name === 'webgpu')?.reason).toMatch(/software adapter/);
    // The grid is explained in sentences, and the demo presets list their expected durations.
    await page.click('[data-testid=tab-results]');
    await expect
      .poll(() => page.textContent('[data-testid=lessons]'))
      .toMatch(/Hiding the upper half costs the teacher|does not hurt the teacher/);
    await page.click('[data-testid=tab-experiment]');
    await expect
      .poll(() => page.locator('[data-testid=preset] option', { hasText: 'demo-expression-lower (about' }).count(), {
        timeout: 120_000,
      })
      .toBe(1);
  });

  it('a lost WebGPU device is reported in words, the run is kept and resumes on another backend', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin, { backend: 'webgpu' }));
    await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
    await page.click('[data-testid=start]');
    await waitForState(page, (s) => s.run && s.run.lastCheckpoint && s.run.backend === 'webgpu', 120_000);
    await page.evaluate('window.lab.actions.loseDevice()');
    await page.waitForSelector('[data-testid=resume-banner]');
    expect(await page.textContent('[data-testid=resume-banner]')).toMatch(/WebGPU device was lost/);
    expect(await state(page, (s) => s.run.status)).toBe('interrupted');
    await page.selectOption('[data-testid=resume-backend]', 'wasm');
    await page.click('[data-testid=resume-run]');
    expect(await waitForRunEnd(page)).toBe('done');
    await checkFinished(lab, 'wasm');
  });
});

describe('without WebGPU', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(false);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('falls back to the next backend and says why WebGPU was skipped', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin));
    await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
    await page.click('[data-testid=start]');
    expect(await waitForRunEnd(page)).toBe('done');
    const backend = await state(page, (s) => s.run.backend as string);
    expect(backend).not.toBe('webgpu');
    await page.click('[data-testid=tab-monitor]');
    expect(await page.textContent('[data-testid=skipped-backends]')).toMatch(/webgpu skipped: no WebGPU/);
    await checkFinished(lab, backend);
  });
});
