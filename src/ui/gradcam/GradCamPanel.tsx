// The Grad-CAM viewer: for a finished run, test images chosen by class, right / wrong, or largest
// teacher-student disagreement; per image the original, the occluded input and the maps of the teacher
// (full and occluded face), the student, standard T-S and triplet T-S, with predicted and true labels;
// an opacity slider, the colour-map legend, and the whole panel saved as PNG (with a title and the
// legend). A map with no positive gradient anywhere says so on its tile. Maps come from the worker.
import { useEffect, useMemo, useRef, useState } from 'react';
import { occluded } from '../../core/data/occlusion';
import { VISIBILITY_SYMBOL } from '../../core/data/types';
import type { LabState } from '../../state/labState';
import { useActions, useLab } from '../../state/react';
import type { CamPick } from '../../core/explain/sheet';
import { download } from '../download';
import { blit, gridLayout, isEmptyMap, legendRgba, overlay, toRgba, upscaleRgba } from './draw';
import { camTile, usePresenter } from '../presenter';
import { downloadName } from '../../state/downloads';

const CAPTION = 30;
const GAP = 6;
const MARGIN = 10;
const HEADER = 22;

type Sheet = NonNullable<LabState['explain']['sheet']>;

const label = (sheet: Sheet, v: number) =>
  sheet.task === 'age' ? `${v.toFixed(0)} y` : (sheet.classNames[v] ?? `#${v}`);

/** Draws the sheet into `canvas`: a header row of column titles, one row per image. */
function drawSheet(canvas: HTMLCanvasElement, sheet: Sheet, opacity: number, tile: number): void {
  const { height: h, width: w, channels, count: n, panels } = sheet;
  const factor = Math.max(1, Math.ceil(tile / w));
  const tw = w * factor;
  const th = h * factor;
  const cols = 2 + panels.length;
  const grid = gridLayout(n * cols, cols, tw, th, GAP, MARGIN, CAPTION);
  const W = grid.width;
  const H = grid.height + HEADER;
  canvas.width = W;
  canvas.height = H;
  const buf = new Uint8ClampedArray(W * H * 4).fill(255);
  const imgLen = h * w * channels;
  const vis = panels[panels.length - 1]?.visibility ?? 'full';
  const empty: { x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) {
    const px = sheet.pixels.subarray(i * imgLen, (i + 1) * imgLen);
    const full = toRgba(px, w, h, channels as 1 | 3);
    const occ = toRgba(occluded(px.slice(), 1, h, w, channels, vis), w, h, channels as 1 | 3);
    const tiles = [full, occ];
    panels.forEach((p, k) => {
      const base =
        p.visibility === 'full'
          ? full
          : toRgba(occluded(px.slice(), 1, h, w, channels, p.visibility), w, h, channels as 1 | 3);
      const m = sheet.maps.subarray((i * panels.length + k) * h * w, (i * panels.length + k + 1) * h * w);
      if (isEmptyMap(m)) {
        const at = grid.tiles[i * cols + 2 + k];
        empty.push({ x: at.x, y: at.y + HEADER });
      }
      tiles.push(overlay(base, m, w, h, opacity));
    });
    tiles.forEach((t, c) => {
      const at = grid.tiles[i * cols + c];
      blit(buf, W, H, upscaleRgba(t, w, h, factor), tw, th, at.x, at.y + HEADER);
    });
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(buf as Uint8ClampedArray<ArrayBuffer>, W, H), 0, 0);
  // An empty map (no positive gradient anywhere): said on the tile, not left blank.
  for (const at of empty) {
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(at.x, at.y + th / 2 - 22, tw, 40);
    ctx.fillStyle = '#222';
    ctx.font = `${Math.max(10, Math.round(tw / 10))}px system-ui, sans-serif`;
    ctx.fillText('empty map:', at.x + 4, at.y + th / 2 - 6, tw - 8);
    ctx.fillText('no positive gradient', at.x + 4, at.y + th / 2 + 10, tw - 8);
  }
  ctx.fillStyle = '#222';
  ctx.font = '12px system-ui, sans-serif';
  const titles = ['original ○', `input ${VISIBILITY_SYMBOL[vis]}`, ...panels.map((p) => p.label)];
  titles.forEach((t, c) => ctx.fillText(t, grid.tiles[c].x, MARGIN + 12, tw));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cols; c++) {
      const at = grid.tiles[i * cols + c];
      const y = at.y + HEADER + th + 12;
      if (c === 0) ctx.fillText(`true: ${label(sheet, sheet.truth[i])}`, at.x, y, tw);
      else if (c === 1) ctx.fillText(`test #${sheet.indices[i]}`, at.x, y, tw);
      else {
        const k = c - 2;
        const p = sheet.predicted[i * panels.length + k];
        const ok = sheet.task === 'age' ? Math.abs(p - sheet.truth[i]) <= 5 : p === sheet.truth[i];
        ctx.fillStyle = ok ? '#1a7f37' : '#b42318';
        ctx.fillText(`${label(sheet, p)} ${ok ? '✓' : '✗'}`, at.x, y, tw);
        const e = sheet.explained[i * panels.length + k];
        ctx.fillStyle = '#666';
        if (sheet.task !== 'age' && e !== p) ctx.fillText(`map: ${label(sheet, e)}`, at.x, y + 13, tw);
        ctx.fillStyle = '#222';
      }
    }
  }
}

function Legend() {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = 200;
    c.height = 12;
    ctx.putImageData(new ImageData(legendRgba(200, 12) as Uint8ClampedArray<ArrayBuffer>, 200, 12), 0, 0);
  }, []);
  return (
    <span className="legend">
      <span className="small">0 (no weight)</span> <canvas ref={ref} data-testid="gradcam-legend" />{' '}
      <span className="small">1 (most weight)</span>
    </span>
  );
}

const PICKS: Record<CamPick['mode'], string> = {
  first: 'the first test images',
  class: 'of one class',
  correct: 'the student got right',
  wrong: 'the student got wrong',
  disagreement: 'where teacher and student disagree most',
};
const pickText = (m: CamPick['mode']) => PICKS[m];

/** The sheet on a new canvas of the same width: a title above, the colour legend below. */
function withTitleAndLegend(sheet: HTMLCanvasElement, title: string): HTMLCanvasElement {
  const top = 30;
  const bottom = 40;
  const out = document.createElement('canvas');
  out.width = Math.max(sheet.width, 420);
  out.height = sheet.height + top + bottom;
  const ctx = out.getContext('2d');
  if (!ctx) return sheet;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#111';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(title, MARGIN, 20, out.width - 2 * MARGIN);
  ctx.drawImage(sheet, 0, top);
  const lw = 200;
  const y = top + sheet.height + 10;
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#222';
  ctx.fillText('0 (no weight)', MARGIN, y + 11);
  const x = MARGIN + 90;
  ctx.putImageData(new ImageData(legendRgba(lw, 12) as Uint8ClampedArray<ArrayBuffer>, lw, 12), x, y);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(x - 0.5, y - 0.5, lw + 1, 13);
  ctx.fillText('1 (most weight)', x + lw + 8, y + 11);
  return out;
}

export default function GradCamPanel() {
  const presenter = usePresenter();
  const a = useActions();
  const runs = useLab((s) => s.runs);
  const viewed = useLab((s) => s.viewed);
  const explain = useLab((s) => s.explain);
  const done = runs.filter((r) => r.status === 'done');
  const [runId, setRunId] = useState<string>('');
  const current = runId || (viewed?.status === 'done' ? viewed.runId : (done[0]?.id ?? ''));
  const run = done.find((r) => r.id === current) ?? null;
  const [mode, setMode] = useState<CamPick['mode']>('first');
  const [cls, setCls] = useState(0);
  const [count, setCount] = useState(6);
  const [target, setTarget] = useState<'predicted' | 'true'>('predicted');
  const [opacity, setOpacity] = useState(0.6);
  const canvas = useRef<HTMLCanvasElement>(null);
  const sheet = explain.sheet && explain.sheet.runId === current ? explain.sheet : null;
  const tile = camTile(presenter.on);
  useEffect(() => {
    if (canvas.current && sheet) drawSheet(canvas.current, sheet, opacity, tile);
  }, [sheet, opacity, tile]);
  const classNames = useMemo(() => sheet?.classNames ?? [], [sheet]);
  if (!run)
    return (
      <p className="muted" data-testid="gradcam-panel">
        Grad-CAM needs a finished run: run the curriculum, then come back.
      </p>
    );
  const pick: CamPick = mode === 'class' ? { mode, cls } : ({ mode } as CamPick);
  const save = () => {
    if (!canvas.current || !sheet) return;
    const title = `Grad-CAM · ${run.name} · ${sheet.count} test images (${pickText(mode)})`;
    withTitleAndLegend(canvas.current, title).toBlob((b) => {
      if (b) download(downloadName(run.id, 'gradcam', 'png'), b, 'image/png');
    }, 'image/png');
  };
  return (
    <div className="gradcam" data-testid="gradcam-panel">
      <section className="card row wrap">
        <label>
          run{' '}
          <select value={current} onChange={(e) => setRunId(e.target.value)} data-testid="gradcam-runid">
            {done.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({new Date(r.createdAt).toLocaleString()})
              </option>
            ))}
          </select>
        </label>
        <label>
          images{' '}
          <select value={mode} onChange={(e) => setMode(e.target.value as CamPick['mode'])} data-testid="gradcam-pick">
            {(Object.keys(PICKS) as CamPick['mode'][]).map((m) => (
              <option key={m} value={m}>
                {PICKS[m]}
              </option>
            ))}
          </select>
        </label>
        {mode === 'class' && run.task !== 'age' && (
          <label>
            class{' '}
            <select value={cls} onChange={(e) => setCls(Number(e.target.value))}>
              {(classNames.length ? classNames : Array.from({ length: 8 }, (_, i) => `#${i}`)).map((n, i) => (
                <option key={n} value={i}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          how many{' '}
          <input
            type="number"
            className="count"
            min={1}
            max={32}
            value={count}
            onChange={(e) => setCount(Math.max(1, Math.min(32, Number(e.target.value) || 1)))}
          />
        </label>
        {run.task !== 'age' && (
          <label>
            map of{' '}
            <select value={target} onChange={(e) => setTarget(e.target.value as 'predicted' | 'true')}>
              <option value="predicted">each model’s predicted class</option>
              <option value="true">the true class</option>
            </select>
          </label>
        )}
        <button
          className="primary"
          disabled={explain.pending !== null}
          onClick={() => a.explain({ runId: run.id, pick, count, target })}
          data-testid="gradcam-run"
        >
          {explain.pending !== null ? 'Computing…' : 'Show Grad-CAM'}
        </button>
      </section>
      {explain.error && (
        <p className="error" data-testid="gradcam-error">
          {explain.error}
        </p>
      )}
      {sheet && (
        <section className="card">
          <div className="row wrap">
            <label>
              opacity{' '}
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={opacity}
                onChange={(e) => setOpacity(Number(e.target.value))}
                data-testid="gradcam-opacity"
              />
            </label>
            <Legend />
            <button onClick={save} data-testid="gradcam-save">
              Save as PNG
            </button>
            <span className="muted small">
              {sheet.count} images · {sheet.panels.length} maps each · {(sheet.ms / 1000).toFixed(1)} s on{' '}
              {sheet.backend}
            </span>
          </div>
          {sheet.count === 0 ? (
            <p className="muted">No test image matches this choice.</p>
          ) : (
            <canvas ref={canvas} className="sheet" data-testid="gradcam-canvas" />
          )}
          <p className="muted small">
            Grad-CAM (Selvaraju et al.): where the last convolutional layer’s evidence for the explained output lies,
            normalised per map. ✓ / ✗: the model’s prediction against the true label
            {run.task === 'age' ? ' (within 5 years)' : ''}.
          </p>
        </section>
      )}
    </div>
  );
}
