// Cross-origin isolation and the threaded wasm build in the page. From the lab's own server (isolation
// headers) the page is isolated at once; from a plain static server, under a sub-folder as on a
// university web space, the isolation service worker (public/isolation-sw.js) isolates it after one
// reload. Either way the worker trains on tfjs's threaded SIMD build with the thread count it reports,
// and ?threads=N sets that count.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeAndCheck, launch, openLab, type LabPage } from './helpers/browser';
import { labUrl, state, waitForState } from './helpers/lab';
import { serveDist, type StaticServer } from './helpers/server';

let browser: Browser;
let lab: LabPage | null = null;
let origin = '';

beforeAll(async () => {
  browser = await launch(false);
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  if (!lab) return;
  const l = lab;
  lab = null;
  await closeAndCheck(l, origin);
});

/** Starts a run on wasm, waits for the worker's backend report, cancels the run; returns the report. */
async function wasmDetail(page: Page): Promise<string> {
  await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });
  await page.click('[data-testid=start]');
  await waitForState(page, (s) => s.run && s.run.backendDetail != null, 60_000);
  const detail = await state(page, (s) => s.run.backendDetail as string);
  await page.click('[data-testid=tab-monitor]');
  expect(await page.textContent('[data-testid=monitor-backend-detail]')).toBe(detail);
  await page.evaluate('window.lab.actions.cancel()');
  await waitForState(page, (s) => s.run && ['cancelled', 'done'].includes(s.run.status), 60_000);
  return detail;
}

describe("from the lab's own server (isolation headers)", () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveDist();
    origin = server.origin;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is isolated without a service worker and trains on the threaded build, ?threads=2 giving two', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    await page.goto(labUrl(server.origin, { backend: 'wasm' }));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const want = Math.max(1, Math.min(8, Math.floor(cores / 2)));
    expect(await wasmDetail(page)).toBe(`threaded SIMD build, ${want} thread${want === 1 ? '' : 's'}`);
    expect(server.served.some((p) => p.endsWith('.wasm') && p.includes('threaded-simd'))).toBe(true);

    await page.goto(labUrl(server.origin, { backend: 'wasm', threads: '2' }));
    expect(await wasmDetail(page)).toBe('threaded SIMD build, 2 threads');
  });
});

describe('from a plain static server, under a sub-folder', () => {
  let server: StaticServer;
  const prefix = '/course/lab/';
  beforeAll(async () => {
    server = await serveDist(undefined, { plain: true, prefix });
    origin = server.origin;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('installs the isolation service worker, reloads once, and is then isolated with the threaded build', async () => {
    lab = await openLab(browser);
    const { page } = lab;
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    const workerPolicies: (string | undefined)[] = [];
    page.on('response', (r) => {
      if (/lab\.worker/.test(r.url())) workerPolicies.push(r.headers()['content-security-policy']);
    });
    await page.goto(labUrl(`${server.origin}${prefix.slice(0, -1)}`, { backend: 'wasm' }));
    await expect.poll(() => page.evaluate(() => crossOriginIsolated), { timeout: 20_000 }).toBe(true);
    await page.waitForFunction(() => (window as unknown as { lab?: unknown }).lab != null);
    expect(navigations).toBe(2); // the first visit, and the one reload under the service worker
    expect(await page.evaluate(() => sessionStorage.getItem('odl-isolation-reload'))).toBeNull();
    expect(await wasmDetail(page)).toMatch(/^threaded SIMD build, \d+ threads?$/);
    // The worker's script came through the service worker, with the lab's policy as a header (a <meta>
    // policy does not reach workers).
    expect(workerPolicies.length).toBeGreaterThan(0);
    for (const p of workerPolicies) expect(p).toMatch(/^default-src 'self'.*frame-ancestors 'none'$/);
    // Everything came from under the sub-folder.
    expect(server.served.filter((p) => !p.startsWith(prefix))).toEqual([]);

    // A second visit is isolated from the start (the worker is installed): no reload.
    navigations = 0;
    await page.goto(labUrl(`${server.origin}${prefix.slice(0, -1)}`, { backend: 'wasm' }));
    await page.waitForFunction(() => (window as unknown as { lab?: unknown }).lab != null);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(navigations).toBe(1);
  });
});
