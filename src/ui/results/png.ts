// Results as PNG files: the run's charts (their SVG rendered onto a canvas, white background, 2x;
// several charts side by side in one file under the run's title and their captions) and every
// confusion matrix of the grid tiled on one canvas. Browser-only (DOM canvas and Image).
import type { GridRow } from '../../core/events';
import { VISIBILITY_SYMBOL } from '../../core/data/types';
import { confusionColour } from './grid';

/** A canvas of `w` x `h` pixels, white, with its 2D context. */
function whiteCanvas(w: number, h: number): { c: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  return { c, ctx };
}

function canvasBlob(c: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded'))), 'image/png'),
  );
}

/** An SVG element (a chart) as a PNG at `scale` times its on-screen size. */
export async function svgPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn'));
      img.src = url;
    });
    const { c, ctx } = whiteCanvas(Math.round(width * scale), Math.round(height * scale));
    ctx.drawImage(img, 0, 0, c.width, c.height);
    return await canvasBlob(c);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Charts side by side in one PNG at `scale` times their on-screen size: `title` above, each chart under
 *  its caption, on white (each chart is first drawn by svgPng, then placed). */
export async function chartsPng(
  charts: { svg: SVGSVGElement; caption: string }[],
  title: string,
  scale = 2,
): Promise<Blob> {
  const parts = await Promise.all(
    charts.map(async (c) => {
      const { width, height } = c.svg.getBoundingClientRect();
      const url = URL.createObjectURL(await svgPng(c.svg, scale));
      try {
        const img = new Image();
        await new Promise<void>((resolve, reject) => {
          img.onload = () => resolve();
          img.onerror = () => reject(new Error('the chart could not be drawn'));
          img.src = url;
        });
        return { img, width, height, caption: c.caption };
      } finally {
        URL.revokeObjectURL(url);
      }
    }),
  );
  const pad = 12;
  const titleH = title ? 28 : 0;
  const capH = parts.some((p) => p.caption) ? 20 : 0;
  const w = parts.reduce((n, p) => n + p.width, 0) + pad * (parts.length + 1);
  const h = titleH + capH + Math.max(0, ...parts.map((p) => p.height)) + 2 * pad;
  const { c, ctx } = whiteCanvas(Math.round(w * scale), Math.round(h * scale));
  if (title) {
    ctx.fillStyle = '#111';
    ctx.font = `600 ${15 * scale}px system-ui, sans-serif`;
    ctx.fillText(title, pad * scale, (pad + 16) * scale, (w - 2 * pad) * scale);
  }
  let x = pad;
  for (const p of parts) {
    if (p.caption) {
      ctx.fillStyle = '#4b5563';
      ctx.font = `${12 * scale}px system-ui, sans-serif`;
      ctx.fillText(p.caption, x * scale, (pad + titleH + 12) * scale, p.width * scale);
    }
    ctx.drawImage(p.img, x * scale, (pad + titleH + capH) * scale, p.width * scale, p.height * scale);
    x += p.width + pad;
  }
  return canvasBlob(c);
}

/** Every row's confusion matrix (rows: true class, columns: predicted), tiled three to a line. */
export async function confusionsPng(rows: GridRow[], classes: readonly string[]): Promise<Blob> {
  const withCm = rows.filter((r) => r.metrics.confusion);
  const k = classes.length;
  const cell = 30;
  const labelW = 80;
  const block = { w: labelW + k * cell + 20, h: 40 + 40 + k * cell + 20 };
  const cols = Math.min(3, Math.max(1, withCm.length));
  const { c, ctx } = whiteCanvas(cols * block.w, Math.ceil(withCm.length / cols) * block.h);
  withCm.forEach((r, i) => {
    const x0 = (i % cols) * block.w;
    const y0 = Math.floor(i / cols) * block.h;
    ctx.fillStyle = '#111';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(`${r.label} · ${VISIBILITY_SYMBOL[r.test]} ${r.test}`, x0 + 8, y0 + 20, block.w - 16);
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText('true ↓ / predicted →', x0 + 8, y0 + 36);
    const gx = x0 + labelW;
    const gy = y0 + 80;
    classes.forEach((name, j) => {
      ctx.save();
      ctx.translate(gx + j * cell + cell / 2, gy - 4);
      ctx.rotate(-Math.PI / 4);
      ctx.fillStyle = '#111';
      ctx.fillText(name.slice(0, 8), 0, 0);
      ctx.restore();
      ctx.fillText(name.slice(0, 11), x0 + 8, gy + j * cell + cell / 2 + 3);
    });
    r.metrics.confusion!.forEach((counts, t) => {
      const total = counts.reduce((a, b) => a + b, 0);
      counts.forEach((n, p) => {
        const col = confusionColour(n, total);
        ctx.fillStyle = col.background;
        ctx.fillRect(gx + p * cell, gy + t * cell, cell, cell);
        ctx.strokeStyle = '#e5e7eb';
        ctx.strokeRect(gx + p * cell, gy + t * cell, cell, cell);
        ctx.fillStyle = col.color;
        ctx.textAlign = 'center';
        ctx.fillText(String(n), gx + p * cell + cell / 2, gy + t * cell + cell / 2 + 3);
        ctx.textAlign = 'start';
      });
    });
  });
  return canvasBlob(c);
}
