// Debian's Chromium, headless, driven by playwright-core (never a downloaded browser:
// docs/architecture.md#platform-constraints). One browser per flag set; each test gets a fresh context (its own
// storage) that records every request (page and worker) and the main thread's long tasks.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { serveDist, type StaticServer } from './server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** `extra`: more Chromium switches (e.g. a fake camera fed from a file). */
export async function launch(webgpu: boolean, extra: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? ['--enable-unsafe-webgpu'] : []), ...extra],
  });
}

export interface LabPage {
  context: BrowserContext;
  page: Page;
  /** Every URL requested by the page or its workers. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh context and page; long tasks are collected into window.__longTasks from the first script. */
export async function openLab(browser: Browser): Promise<LabPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  await context.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      /* longtask not supported */
    }
  });
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') errors.push(`worker: ${m.text()}`);
    }),
  );
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, requests, errors, close: () => context.close() };
}

/** Long tasks on the main thread since `since` (performance.now() ms), longest first. */
export async function longTasks(page: Page, since = 0): Promise<{ start: number; duration: number }[]> {
  const all = await page.evaluate(
    () => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks,
  );
  return all.filter((t) => t.start >= since).sort((a, b) => b.duration - a.duration);
}

/** Closes a test's page and checks it: no request left the page's origin, no page or worker error
 *  (GPU driver chatter aside). */
export async function closeAndCheck(lab: LabPage, origin: string): Promise<void> {
  const outside = lab.requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
  const errors = lab.errors;
  await lab.close();
  expect(outside, 'requests outside the page origin').toEqual([]);
  expect(
    errors.filter((e) => !/GPU|WebGL|webgl|Vulkan|swiftshader/i.test(e)),
    'page errors',
  ).toEqual([]);
}

/** A test file's shared setup: the built page served, one browser, and per test a fresh page that is
 *  closed and checked (origin, errors) after the test. */
export function labSuite(webgpu: boolean): { origin(): string; open(): Promise<LabPage> } {
  let server: StaticServer | null = null;
  let browser: Browser | null = null;
  let lab: LabPage | null = null;
  beforeAll(async () => {
    server = await serveDist();
    browser = await launch(webgpu);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    if (!lab) return;
    const l = lab;
    lab = null;
    await closeAndCheck(l, server!.origin);
  });
  return {
    origin: () => server!.origin,
    open: async () => (lab = await openLab(browser!)),
  };
}
