// Page audits for the end-to-end tests: axe-core (loaded from node_modules, never a CDN; the context
// must bypass the page's CSP for the injected script) and elements that stick out of the page or of
// their card.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export interface AxeCounts {
  serious: number;
  critical: number;
  total: number;
  /** `rule-id (impact): first target` per violation. */
  list: string[];
}

export async function axeAudit(page: Page): Promise<AxeCounts> {
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ path: AXE });
  const res =
    (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) =>
    ({ id: v.id, impact: v.impact || 'minor', nodes: v.nodes.length, target: String((v.nodes[0] && v.nodes[0].target[0]) || '') })))`)) as {
      id: string;
      impact: string;
      nodes: number;
      target: string;
    }[];
  const count = (impact: string) => res.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes, 0);
  return {
    serious: count('serious'),
    critical: count('critical'),
    total: res.reduce((n, v) => n + v.nodes, 0),
    list: res.map((v) => `${v.id} (${v.impact}, ${v.nodes}): ${v.target}`),
  };
}

/** The page's horizontal overflow and every control or table that sticks out of its card by more than
 *  a pixel (content inside a scrolling box does not count). */
// Page-side source text (not a function: a bundler's helpers, e.g. tsx's __name, are not in the page).
const OVERFLOWS = `(() => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) out.push('page: ' + root.scrollWidth + ' > ' + root.clientWidth);
  const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  for (const card of document.querySelectorAll('.card, .chart')) {
    const box = card.getBoundingClientRect();
    for (const el of card.querySelectorAll('input, select, button, textarea, table, canvas, svg, label, p, h2, h3, h4')) {
      let p = el.parentElement;
      let clipped = false;
      while (p && p !== card) { if (scrolls(p)) { clipped = true; break; } p = p.parentElement; }
      if (clipped) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const over = Math.round(Math.max(r.right - box.right, box.left - r.left));
      const id = el.getAttribute('data-testid') || el.id || el.textContent.slice(0, 30);
      if (over > 1) out.push(el.tagName.toLowerCase() + ' "' + id + '" sticks out of its card by ' + over + ' px');
    }
  }
  return out;
})()`;

/** The page's horizontal overflow and every control or table that sticks out of its card by more than
 *  a pixel (content inside a scrolling box does not count). */
export async function overflows(page: Page): Promise<string[]> {
  return (await page.evaluate(OVERFLOWS)) as string[];
}
