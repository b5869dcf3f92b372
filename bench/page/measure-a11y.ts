// Not a test: prints axe-core's violations and the overflow audit per tab of a built page (DIST, default
// dist/) after a tiny run, at 1280x800 and 1920x1080 (DARK=1: the dark theme), and saves screenshots into SHOTS when set.
// npx tsx bench/page/measure-a11y.ts
import { resolve } from 'node:path';
import { launch } from '../../tests/e2e/helpers/browser';
import { labUrl, waitForRunEnd, waitForState } from '../../tests/e2e/helpers/lab';
import { serveDist } from '../../tests/e2e/helpers/server';
import { axeAudit, overflows } from '../../tests/e2e/helpers/audit';

const TABS = ['datasets', 'experiment', 'monitor', 'results', 'explain', 'tryit'];
const server = await serveDist(resolve(process.env.DIST ?? 'dist'));
const browser = await launch(false);
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
    colorScheme: process.env.DARK ? 'dark' : 'light',
  });
  const page = await context.newPage();
  await page.goto(labUrl(server.origin));
  await waitForState(page, (s) => s.worker.ready && s.datasets.list.length === 1, 120_000);
  await page.click('[data-testid=start]');
  console.log('run:', await waitForRunEnd(page));
  for (const size of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    for (const t of TABS) {
      await page.click(`[data-testid=tab-${t}]`);
      await page.waitForTimeout(800);
      const axe = await axeAudit(page);
      const over = await overflows(page);
      console.log(
        `${size.width}x${size.height} ${t}: axe serious ${axe.serious} critical ${axe.critical} total ${axe.total}\n  ${axe.list.join('\n  ')}\n  overflow: ${over.join('; ') || 'none'}`,
      );
      if (process.env.SHOTS)
        await page.screenshot({ path: `${process.env.SHOTS}/${size.width}-${t}.png`, fullPage: true });
    }
  }
} finally {
  await browser.close();
  await server.close();
}
