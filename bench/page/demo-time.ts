// The demos in the page, timed: `npx vite build && npx tsx bench/page/demo-time.ts [preset ...]`. Not a test.
// Opens the lab on a demo preset (wasm), waits for the duration estimate next to Run (the calibration),
// runs the curriculum, and prints the wall time beside the estimate, the grid's sentences and the guard.
import { launch, openLab } from '../../tests/e2e/helpers/browser';
import { state, waitForRunEnd, waitForState } from '../../tests/e2e/helpers/lab';
import { serveDist } from '../../tests/e2e/helpers/server';

const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['demo-expression-lower'];
const server = await serveDist();
try {
  const browser = await launch(false);
  for (const preset of presets) {
    const lab = await openLab(browser);
    const { page } = lab;
    await page.goto(`${server.origin}/?preset=${preset}&backend=wasm`);
    await waitForState(page, (s) => s.worker.ready && s.datasets.list.length >= 1, 300_000);
    await page.waitForSelector('[data-testid=estimate]', { timeout: 120_000 });
    await page.waitForFunction(
      () => /about/.test(document.querySelector('[data-testid=estimate]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    const estimate = await page.textContent('[data-testid=estimate]');
    const t0 = Date.now();
    await page.click('[data-testid=start]');
    const status = await waitForRunEnd(page, 1_200_000);
    const s = (Date.now() - t0) / 1000;
    await page.click('[data-testid=tab-results]');
    await page.waitForSelector('[data-testid=lessons]');
    const lessons = await page.textContent('[data-testid=lessons]');
    const rows = await state(page, (st) =>
      st.run.rows.map(
        (r: { label: string; test: string; metrics: { accuracy?: number; mae?: number } }) =>
          `${r.label} (${r.test}) ${r.metrics.mae !== undefined ? r.metrics.mae.toFixed(2) : (100 * r.metrics.accuracy!).toFixed(1)}`,
      ),
    );
    console.log(
      `${preset}: ${status} in ${s.toFixed(0)} s in the page (wasm); shown before: "${estimate}"\n  ${rows.join('; ')}\n  ${lessons}`,
    );
    await lab.close();
  }
  await browser.close();
} finally {
  await server.close();
}
