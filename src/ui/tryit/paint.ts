// Drawing of the Try it panel: the face box, the square the models see and the virtual occluder (a VR
// headset or a surgical mask) on the frame, as an SVG over the live image (nothing to clear and redraw
// per frame) and on a canvas for the snapshot, which is the panel as one PNG.
import { createElement as h, type ReactElement } from 'react';
import type { Box } from '../../core/data/formats/pixels';
import type { Visibility } from '../../core/data/types';
import type { LiveFrame, LiveOpened } from '../../worker/tryit/protocol';
import { hiddenBand, OCCLUDER, predictionText } from './live';

function roundRect(ctx: CanvasRenderingContext2D, b: Box, r: number): void {
  ctx.beginPath();
  ctx.roundRect(b.x, b.y, b.w, b.h, Math.min(r, b.w / 2, b.h / 2));
}

/** The detector's box (thin), the square (dashed) and the occluder over the hidden band. */
export function drawOccluder(
  ctx: CanvasRenderingContext2D,
  face: Box,
  square: Box,
  band: Box | null,
  visibility: Visibility,
): void {
  const lw = Math.max(2, square.w / 90);
  if (band) {
    ctx.save();
    if (visibility === 'lower') {
      // A VR headset: a dark visor with two lens outlines and a strap.
      ctx.fillStyle = 'rgba(24, 26, 32, 0.92)';
      roundRect(ctx, band, band.h * 0.35);
      ctx.fill();
      ctx.strokeStyle = 'rgba(120, 140, 170, 0.9)';
      ctx.lineWidth = lw;
      for (const cx of [0.3, 0.7]) {
        ctx.beginPath();
        ctx.ellipse(band.x + band.w * cx, band.y + band.h * 0.55, band.w * 0.14, band.h * 0.22, 0, 0, 2 * Math.PI);
        ctx.stroke();
      }
    } else {
      // A surgical mask: pale blue with three pleats and ear loops.
      ctx.fillStyle = 'rgba(178, 214, 236, 0.95)';
      roundRect(ctx, band, band.h * 0.3);
      ctx.fill();
      ctx.strokeStyle = 'rgba(110, 150, 180, 0.9)';
      ctx.lineWidth = lw;
      for (const fy of [0.3, 0.5, 0.7]) {
        ctx.beginPath();
        ctx.moveTo(band.x + band.w * 0.12, band.y + band.h * fy);
        ctx.lineTo(band.x + band.w * 0.88, band.y + band.h * fy);
        ctx.stroke();
      }
    }
    ctx.restore();
  }
  ctx.strokeStyle = '#22c55e';
  ctx.lineWidth = lw;
  ctx.setLineDash([lw * 3, lw * 2]);
  ctx.strokeRect(square.x, square.y, square.w, square.h);
  ctx.setLineDash([]);
  ctx.strokeStyle = 'rgba(250, 204, 21, 0.9)';
  ctx.lineWidth = Math.max(1, lw / 2);
  ctx.strokeRect(face.x, face.y, face.w, face.h);
}

/** The marks as an SVG in frame pixels (viewBox), laid over the image by CSS. */
export function Marks({
  width,
  height,
  face,
  square,
  band,
  visibility,
}: {
  width: number;
  height: number;
  face: Box;
  square: Box;
  band: Box | null;
  visibility: Visibility;
}): ReactElement {
  const lw = Math.max(2, square.w / 90);
  const parts: ReactElement[] = [];
  if (band) {
    const r = Math.min(band.h * (visibility === 'lower' ? 0.35 : 0.3), band.w / 2);
    if (visibility === 'lower') {
      parts.push(
        h('rect', {
          key: 'visor',
          x: band.x,
          y: band.y,
          width: band.w,
          height: band.h,
          rx: r,
          fill: 'rgba(24, 26, 32, 0.92)',
        }),
      );
      for (const cx of [0.3, 0.7]) {
        parts.push(
          h('ellipse', {
            key: `lens${cx}`,
            cx: band.x + band.w * cx,
            cy: band.y + band.h * 0.55,
            rx: band.w * 0.14,
            ry: band.h * 0.22,
            fill: 'none',
            stroke: 'rgba(120, 140, 170, 0.9)',
            strokeWidth: lw,
          }),
        );
      }
    } else {
      parts.push(
        h('rect', {
          key: 'mask',
          x: band.x,
          y: band.y,
          width: band.w,
          height: band.h,
          rx: r,
          fill: 'rgba(178, 214, 236, 0.95)',
        }),
      );
      for (const fy of [0.3, 0.5, 0.7]) {
        parts.push(
          h('line', {
            key: `pleat${fy}`,
            x1: band.x + band.w * 0.12,
            x2: band.x + band.w * 0.88,
            y1: band.y + band.h * fy,
            y2: band.y + band.h * fy,
            stroke: 'rgba(110, 150, 180, 0.9)',
            strokeWidth: lw,
          }),
        );
      }
    }
  }
  parts.push(
    h('rect', {
      key: 'square',
      x: square.x,
      y: square.y,
      width: square.w,
      height: square.h,
      fill: 'none',
      stroke: '#22c55e',
      strokeWidth: lw,
      strokeDasharray: `${lw * 3} ${lw * 2}`,
    }),
  );
  parts.push(
    h('rect', {
      key: 'face',
      x: face.x,
      y: face.y,
      width: face.w,
      height: face.h,
      fill: 'none',
      stroke: 'rgba(250, 204, 21, 0.9)',
      strokeWidth: Math.max(1, lw / 2),
    }),
  );
  return h(
    'svg',
    {
      className: 'tryit-overlay',
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'none',
      'aria-hidden': true,
      'data-testid': 'tryit-marks',
    },
    ...parts,
  );
}

export interface SnapshotParts {
  frame: HTMLVideoElement | HTMLCanvasElement | null;
  frameWidth: number;
  frameHeight: number;
  /** The full and the occluded crop, as drawn in the panel. */
  crops: (HTMLCanvasElement | null)[];
  /** Per model its map tile (empty without maps). */
  maps: (HTMLCanvasElement | null)[];
  opened: LiveOpened;
  result: LiveFrame;
  rate: number | null;
}

/** The panel as one canvas: title, the frame with its marks, the two crops, then one column per model
 *  (its prediction, its probability bars, its map). */
export function drawSnapshot(p: SnapshotParts): HTMLCanvasElement {
  const M = 12;
  const frameW = 400;
  const frameH = Math.round((frameW * p.frameHeight) / Math.max(1, p.frameWidth));
  const tile = 144;
  const colW = 200;
  const n = p.opened.panels.length;
  const classes = p.opened.task === 'age' ? 0 : p.opened.classNames.length;
  const W = Math.max(M * 2 + frameW + 2 * (tile + M) + M, M + n * (colW + M));
  const topH = 40 + Math.max(frameH, tile + 20);
  const colH = 44 + classes * 16 + (p.maps.length ? tile + 8 : 0);
  const out = document.createElement('canvas');
  out.width = W;
  out.height = topH + M + colH + 30;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#111';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(`Try it · ${p.opened.runName} · ${p.opened.task}, ${OCCLUDER[p.opened.scenario]}`, M, 22, W - 2 * M);
  const y0 = 36;
  if (p.frame) ctx.drawImage(p.frame, M, y0, frameW, frameH);
  const r = p.result;
  if (r.face && r.square) {
    ctx.save();
    ctx.translate(M, y0);
    ctx.scale(frameW / p.frameWidth, frameH / p.frameHeight);
    drawOccluder(
      ctx,
      r.face.box,
      r.square,
      hiddenBand(r.square, p.opened.height, p.opened.scenario),
      p.opened.scenario,
    );
    ctx.restore();
  }
  ctx.imageSmoothingEnabled = false;
  p.crops.forEach((c, i) => {
    const x = M * 2 + frameW + i * (tile + M);
    if (c && c.width) ctx.drawImage(c, x, y0, tile, tile);
    ctx.fillStyle = '#222';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(i === 0 ? 'full face' : 'half hidden', x, y0 + tile + 14);
  });
  const yc = topH + M;
  p.opened.panels.forEach((panel, k) => {
    const x = M + k * (colW + M);
    const out_ = p.result.outputs[k];
    ctx.fillStyle = '#111';
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.fillText(panel.label, x, yc + 12, colW);
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(out_ ? predictionText(p.opened.task, p.opened.classNames, out_) : 'no face', x, yc + 30, colW);
    for (let i = 0; i < classes; i++) {
      const y = yc + 40 + i * 16;
      const v = out_?.[i] ?? 0;
      ctx.fillStyle = '#444';
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText(p.opened.classNames[i], x, y + 10, 70);
      ctx.fillStyle = '#e5e7eb';
      ctx.fillRect(x + 74, y + 2, colW - 110, 10);
      ctx.fillStyle = '#2563eb';
      ctx.fillRect(x + 74, y + 2, (colW - 110) * v, 10);
      ctx.fillStyle = '#444';
      ctx.fillText(`${(v * 100).toFixed(0)}%`, x + colW - 32, y + 10);
    }
    const m = p.maps[k];
    if (m && m.width) ctx.drawImage(m, x, yc + 44 + classes * 16, tile, tile);
  });
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(
    `${p.rate === null ? '' : `${p.rate.toFixed(1)} predictions/s · `}${p.opened.backend} · ${new Date().toLocaleString()}`,
    M,
    out.height - 10,
    W - 2 * M,
  );
  return out;
}
