// The webgpu training kernels (src/platform/webgpu) in Chromium's WebGPU (SwiftShader on a machine without a GPU),
// against the cpu backend in the same page: the cases of bench/gpu-kernel-check.ts, relative error <= 1e-4, for our
// conv weight gradient and (as a check of the comparison) tfjs's own. The page is bench/gpu-page, built here.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildPage, PAGE_OUT } from '../../bench/gpu';
import type { Probe } from '../../bench/gpu-page/main';
import { launch } from './helpers/browser';
import { serveDist, type StaticServer } from './helpers/server';

let browser: Browser;
let server: StaticServer;
let page: Page;

beforeAll(async () => {
  await buildPage(() => {});
  server = await serveDist(resolve(PAGE_OUT));
  browser = await launch(true);
  page = await browser.newPage();
  await page.goto(`${server.origin}/index.html`);
  await page.waitForFunction(() => (window as unknown as { gpuBench?: { ready: boolean } }).gpuBench?.ready === true);
}, 120_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.close();
});

describe('webgpu training kernels in Chromium', () => {
  it('Conv2DBackpropFilter equals cpu on odd shapes, strides 1/2, same/valid/explicit padding, batch 1', async (ctx) => {
    const probe = await page.evaluate(() =>
      (window as unknown as { gpuBench: { probe(): Promise<Probe> } }).gpuBench.probe(),
    );
    if (!probe.webgpu.adapter)
      return ctx.skip(
        `no WebGPU adapter in this Chromium (${probe.webgpu.present ? 'navigator.gpu present' : 'no navigator.gpu'})`,
      );
    const rows = await page.evaluate(() =>
      (
        window as unknown as {
          gpuBench: { kernelCheck(): Promise<{ name: string; ours: number; stock: number }[]> };
        }
      ).gpuBench.kernelCheck(),
    );
    expect(rows.length).toBe(7);
    for (const r of rows) {
      expect(r.ours, `ours: ${r.name}`).toBeLessThan(1e-4);
      expect(r.stock, `stock: ${r.name}`).toBeLessThan(1e-4);
    }
  });
});
