// A first visit in headless Chromium, as a student and as a workshop presenter would make it: the guided
// start (data → train → results, the preset and its expected time, the few settings up front, the rest
// under Advanced), settings that survive a reload, the last run in the Monitor after a fresh open, the
// tabs moved with the arrow keys; axe-core (from node_modules) finds no serious or critical violation on
// any tab and nothing sticks out of the page or of a card at 1280×800 and 1920×1080; presenter mode
// (?present=1) at 1920×1080. One tiny run (fixture-tiny, smaller still) serves every test.
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeAndCheck, launch } from './helpers/browser';
import { labUrl, state, waitForRunEnd, waitForState } from './helpers/lab';
import { serveDist, type StaticServer } from './helpers/server';
import { axeAudit, overflows } from './helpers/audit';

const TABS = ['datasets', 'experiment', 'monitor', 'results', 'explain', 'tryit'] as const;
const SHOTS = process.env.FV_SHOTS; // a folder: screenshots of what the tests saw

let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  server = await serveDist();
  browser = await launch(false);
  // axe-core is injected as a script file: the page's CSP (scripts from its origin only) is bypassed for it.
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
    acceptDownloads: true,
  });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
});

afterAll(async () => {
  if (context) await closeAndCheck({ context, page, requests, errors, close: () => context.close() }, server.origin);
  await browser?.close();
  await server?.close();
});

const shot = async (name: string) => {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
};

async function openTab(t: (typeof TABS)[number]): Promise<void> {
  await page.click(`[data-testid=tab-${t}]`);
  await page.waitForSelector(`[data-testid=tab-${t}][aria-selected=true]`);
  await page.waitForSelector(t === 'explain' ? '[data-testid=gradcam-panel]' : `[data-testid=${t}-panel]`);
  await page.waitForTimeout(300); // the charts' first layout
}

describe('a first visit', () => {
  it('opens on a guided start; edits to the settings survive a reload; arrow keys move between tabs', async () => {
    await page.goto(labUrl(server.origin));
    await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1, 120_000);
    const guided = page.locator('[data-testid=guided-start]');
    expect(await guided.isVisible()).toBe(true);
    for (const step of ['data', 'train', 'results'])
      expect(await page.isVisible(`[data-testid=step-${step}]`)).toBe(true);
    expect(await page.textContent('[data-testid=guided-data]')).toBe('stored in this browser');
    await expect
      .poll(() => page.textContent('[data-testid=guided-estimate]'), { timeout: 60_000 })
      .toMatch(/^expected: about \d+ (s|min)/);
    // The few settings a student changes are up front, the rest under Advanced (closed).
    const quick = await page
      .locator('[data-testid=quick-settings] [data-field]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    expect(quick).toEqual([
      'task',
      'scenario',
      'teacher.epochs',
      'student.epochs',
      'standard.lambda',
      'standard.temperature',
      'triplet.lambda',
      'triplet.margin',
    ]);
    expect(await page.getAttribute('[data-testid=advanced]', 'open')).toBeNull();
    expect(await page.isVisible('[data-testid=backend-choice]')).toBe(true);
    await shot('1280-guided-start');

    await page.locator('[data-field="triplet.margin"] input').fill('0.3');
    await page.locator('[data-field="standard.temperature"] input').fill('4');
    // Without ?preset or ?config the last visit's settings come back (the tiny dataset included).
    await page.goto(`${server.origin}/`);
    await waitForState(page, (s) => s.worker.ready);
    expect(await page.inputValue('[data-field="triplet.margin"] input')).toBe('0.3');
    expect(
      await state(page, (s) => [
        s.experiment.config.standard.temperature,
        (s.experiment.config.dataset as { train: number }).train,
      ]),
    ).toEqual([4, 32]);

    // WAI-ARIA tabs: one tab stop; the arrow keys, Home and End move the selection and the focus.
    await page.focus('[data-testid=tab-experiment]');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('[data-testid=tab-monitor]', 'aria-selected')).toBe('true');
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('tab-monitor');
    await page.keyboard.press('End');
    expect(await page.getAttribute('[data-testid=tab-tryit]', 'aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('[data-testid=tab-datasets]', 'aria-selected')).toBe('true');
    expect(await page.locator('[role=tab][tabindex="0"]').count()).toBe(1);
    await openTab('experiment');
  });

  it('runs the tiny curriculum; after a fresh open the Monitor shows that run', async () => {
    await page.waitForSelector('[data-testid=guided-run]:not([disabled])', { timeout: 60_000 });
    await page.click('[data-testid=guided-run]');
    expect(await waitForRunEnd(page)).toBe('done');
    const name = await state(page, (s) => s.run.name as string);
    expect(name).toMatch(/synthetic faces 16×16 \(32 train\) · expression · ◑ lower · epochs 1\/1\/1\/1$/);
    await page.reload();
    await waitForState(page, (s) => s.worker.ready && s.runs.length === 1);
    await openTab('monitor');
    expect(await page.isVisible('[data-testid=monitor-last]')).toBe(true);
    expect(await page.textContent('[data-testid=monitor-run-name]')).toBe(name);
    expect(Number(await page.getAttribute('[data-testid=metric-chart]', 'data-points'))).toBe(6);
    // The accuracy chart draws the chance level (8 expression classes: 12.5 %).
    expect(await page.textContent('[data-testid=metric-chart] figcaption')).toMatch(/chance level \(12\.5 %\)/);
    await openTab('results');
    expect(await page.textContent('[data-testid=results-dataset]')).toBe('synthetic faces 16×16 (32 train)');
    // "Charts as PNG" is one file: both charts side by side under the run's name.
    const [charts] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=charts-png]')]);
    expect(charts.suggestedFilename()).toMatch(/^run-.*-charts\.png$/);
    expect(PNG.sync.read(await readFile((await charts.path())!)).width).toBeGreaterThan(1000);
    if (SHOTS) await charts.saveAs(`${SHOTS}/saved-charts.png`);
    const legend = await page.textContent('[data-testid=grid-legend]');
    for (const term of ['95% CI', 'weighted acc.', 'p', '(b/c)']) expect(legend).toContain(term);
  });

  it('axe-core finds no serious or critical violation on any tab, and nothing sticks out, at 1280×800 and 1920×1080', async () => {
    const found: string[] = [];
    for (const size of [
      { width: 1280, height: 800 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      for (const t of TABS) {
        await openTab(t);
        if (t === 'experiment' && !(await page.getAttribute('[data-testid=advanced]', 'open'))) {
          await page.click('[data-testid=advanced] > summary');
          await page.waitForSelector('[data-testid=config-json]');
        }
        if (t === 'results') await page.click('[data-testid=confusions-toggle]'); // the confusion matrices, class names in full
        const axe = await axeAudit(page);
        console.log(
          `${size.width}×${size.height} ${t}: axe serious ${axe.serious}, critical ${axe.critical}, all ${axe.total}${axe.list.length ? `: ${axe.list.join('; ')}` : ''}`,
        );
        if (axe.serious + axe.critical) found.push(`${size.width} ${t}: ${axe.list.join('; ')}`);
        for (const o of await overflows(page)) found.push(`${size.width} ${t}: ${o}`);
        await shot(`${size.width}-${t}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('presenter mode (?present=1) at 1920×1080: full width, larger type, charts and Grad-CAM tiles of 192 px or more, no settings', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${server.origin}/?present=1`);
    await waitForState(page, (s) => s.worker.ready && s.runs.length === 1);
    expect(await page.getAttribute('[data-testid=app]', 'data-presenter')).toBe('true');
    expect(await page.getAttribute('[data-testid=presenter-toggle]', 'aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid=app]').evaluate((e) => e.getBoundingClientRect().width)).toBeGreaterThan(
      1850,
    );
    expect(
      await page.locator('[data-testid=guided-start] .lead').evaluate((e) => parseFloat(getComputedStyle(e).fontSize)),
    ).toBeGreaterThanOrEqual(18);
    await openTab('experiment');
    expect(await page.locator('[data-testid=quick-settings], [data-testid=advanced]').count()).toBe(0);
    await openTab('monitor');
    for (const c of ['loss-chart', 'metric-chart']) {
      const box = (await page.locator(`[data-testid=${c}] svg.svg-chart-surface`).boundingBox())!;
      expect(Math.min(box.width, box.height), c).toBeGreaterThanOrEqual(192);
    }
    expect(await overflows(page)).toEqual([]);
    await shot('1920-present-monitor');
    await openTab('explain');
    await page.click('[data-testid=gradcam-run]');
    await waitForState(page, (s) => s.explain.pending === null && (s.explain.sheet || s.explain.error), 60_000);
    expect(await state(page, (s) => s.explain.error)).toBeNull();
    // 7 columns (original, input, 5 maps): each tile at least 192 CSS pixels wide.
    const canvas = (await page.locator('[data-testid=gradcam-canvas]').boundingBox())!;
    expect(canvas.width / 7).toBeGreaterThanOrEqual(192);
    expect(await overflows(page)).toEqual([]);
    await shot('1920-present-gradcam');
    // The saved PNG carries a title above the maps and the colour legend below them.
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=gradcam-save]')]);
    expect(png.suggestedFilename()).toMatch(/^run-.*-gradcam\.png$/);
    const saved = PNG.sync.read(await readFile((await png.path())!));
    const sheet = await page
      .locator('[data-testid=gradcam-canvas]')
      .evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect([saved.width, saved.height]).toEqual([sheet[0], sheet[1] + 70]);
    if (SHOTS) await png.saveAs(`${SHOTS}/saved-gradcam.png`);
    // The toggle turns it off again and the settings come back.
    await page.click('[data-testid=presenter-toggle]');
    await openTab('experiment');
    expect(await page.isVisible('[data-testid=quick-settings]')).toBe(true);
  });
});
