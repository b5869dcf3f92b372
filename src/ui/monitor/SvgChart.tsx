// A small line chart drawn as plain SVG, for the run's live charts. recharts (still used for the sweep
// chart on the Results page) spends 80–250 ms of main-thread time on every redraw of a live chart here
// (its store, selectors and DOM text measuring run in one synchronous pass: bench/page/longtasks.ts);
// this draws the same picture (axes with round ticks, grid, stage markers, a reference line, a legend,
// a hover readout) in a few milliseconds, so a redraw several times a second never blocks the page.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { placeMarkerLabels } from './markerLanes';

export interface Series {
  key: string;
  name: string;
  colour: string;
  width?: number;
  /** Dot radius at every point (0 or absent: none). */
  dot?: number;
}
export interface Marker {
  x: number;
  label: string;
}
export type Row = { [key: string]: number | string | boolean | null | undefined };

export interface SvgChartProps {
  rows: Row[];
  xKey: string;
  series: Series[];
  xTicks: number[];
  xDomain: [number, number];
  yTicks: number[];
  yDomain: [number, number];
  height: number;
  big: boolean;
  xLabel: string;
  markers?: Marker[];
  /** A dashed horizontal line with a label at its right end (e.g. the chance level). */
  refLine?: { y: number; label: string; testId?: string };
  /** The hover readout's title for a row, and how a value is written. */
  rowTitle: (row: Row) => string;
  format: (v: number) => string;
  /** Accessible summary of what the chart shows. */
  summary: string;
}

const tickText = (v: number) =>
  Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : String(Number(v.toPrecision(3)));

/** The index of the row whose x is nearest `x` (rows sorted by x). */
export function nearestRow(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

/** SVG path data of one series: a line through its finite points, broken where a value is missing. */
export function seriesPath(
  rows: Row[],
  xKey: string,
  key: string,
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  for (const r of rows) {
    const x = r[xKey];
    const y = r[key];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export const SvgChart = memo(function SvgChart(p: SvgChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [hover, setHover] = useState<number | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(200, Math.round(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const font = p.big ? 15 : 11;
  const m = { top: 16, right: 16, bottom: font + 14, left: p.big ? 56 : 44 };
  const w = Math.max(10, width - m.left - m.right);
  const h = Math.max(10, p.height - m.top - m.bottom);
  const [x0, x1] = p.xDomain;
  const [y0, y1] = p.yDomain;
  const { left, top } = m;
  const sx = useCallback((v: number) => left + (x1 === x0 ? w / 2 : ((v - x0) / (x1 - x0)) * w), [left, x0, x1, w]);
  const sy = useCallback((v: number) => top + h - (y1 === y0 ? h / 2 : ((v - y0) / (y1 - y0)) * h), [top, y0, y1, h]);
  const paths = useMemo(
    () => p.series.map((s) => seriesPath(p.rows, p.xKey, s.key, sx, sy)),
    [p.rows, p.series, p.xKey, sx, sy],
  );
  const xs = useMemo(() => p.rows.map((r) => Number(r[p.xKey])), [p.rows, p.xKey]);
  const onMove = (e: PointerEvent<SVGRectElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const v = x0 + ((e.clientX - rect.left) / Math.max(1, rect.width)) * (x1 - x0);
    setHover(nearestRow(xs, v));
  };
  const hovered = hover != null && hover >= 0 && hover < p.rows.length ? p.rows[hover] : null;
  return (
    <div className="svg-chart" ref={box} style={{ position: 'relative', height: p.height }}>
      <svg
        className="svg-chart-surface"
        width={width}
        height={p.height}
        role="img"
        aria-label={p.summary}
        fontFamily="system-ui, sans-serif"
        fontSize={font}
      >
        <g stroke="currentColor" strokeOpacity={0.15} strokeDasharray="3 3">
          {p.yTicks.map((t) => (
            <line key={`y${t}`} x1={m.left} x2={m.left + w} y1={sy(t)} y2={sy(t)} />
          ))}
          {p.xTicks.map((t) => (
            <line key={`x${t}`} x1={sx(t)} x2={sx(t)} y1={m.top} y2={m.top + h} />
          ))}
        </g>
        <g fill="currentColor">
          {p.yTicks.map((t) => (
            <text key={`yt${t}`} x={m.left - 5} y={sy(t)} dy="0.32em" textAnchor="end">
              {tickText(t)}
            </text>
          ))}
          {p.xTicks.map((t) => (
            <text key={`xt${t}`} x={sx(t)} y={m.top + h + font + 3} textAnchor="middle">
              {tickText(t)}
            </text>
          ))}
          <text x={m.left + w} y={p.height - 2} textAnchor="end">
            {p.xLabel}
          </text>
        </g>
        <line x1={m.left} x2={m.left + w} y1={m.top + h} y2={m.top + h} stroke="currentColor" strokeOpacity={0.5} />
        <line x1={m.left} x2={m.left} y1={m.top} y2={m.top + h} stroke="currentColor" strokeOpacity={0.5} />
        {(() => {
          const marks = (p.markers ?? []).map((mk) => ({
            x: sx(mk.x),
            text: mk.label.length > 18 ? `${mk.label.slice(0, 17)}…` : mk.label,
          }));
          const placed = placeMarkerLabels(marks, m.left, m.left + w, 10);
          return (p.markers ?? []).map((mk, i) => (
            <g key={`${mk.label}-${mk.x}`} className="stage-mark-line">
              <line x1={marks[i].x} x2={marks[i].x} y1={m.top} y2={m.top + h} stroke="#9ca3af" strokeDasharray="4 2" />
              <text
                x={placed[i].anchor === 'end' ? placed[i].right : placed[i].left}
                y={m.top + 11 + 12 * placed[i].lane}
                textAnchor={placed[i].anchor}
                fontSize={10}
                fill="currentColor"
                className="stage-mark"
              >
                <title>{mk.label}</title>
                {marks[i].text}
              </text>
            </g>
          ));
        })()}
        {p.refLine && (
          <g data-testid={p.refLine.testId}>
            <line
              x1={m.left}
              x2={m.left + w}
              y1={sy(p.refLine.y)}
              y2={sy(p.refLine.y)}
              stroke="#6b7280"
              strokeDasharray="6 4"
            />
            <text x={m.left + w - 3} y={sy(p.refLine.y) - 4} textAnchor="end" fontSize={10} fill="currentColor">
              {p.refLine.label}
            </text>
          </g>
        )}
        {p.series.map((s, i) => (
          <g key={s.key}>
            <path
              className="svg-chart-line"
              d={paths[i]}
              fill="none"
              stroke={s.colour}
              strokeWidth={s.width ?? 1.5}
              strokeLinejoin="round"
            />
            {s.dot
              ? p.rows.map((r, k) =>
                  typeof r[s.key] === 'number' && typeof r[p.xKey] === 'number' ? (
                    <circle
                      key={k}
                      cx={sx(r[p.xKey] as number)}
                      cy={sy(r[s.key] as number)}
                      r={s.dot}
                      fill="#fff"
                      stroke={s.colour}
                    />
                  ) : null,
                )
              : null}
          </g>
        ))}
        {hovered && (
          <line
            x1={sx(Number(hovered[p.xKey]))}
            x2={sx(Number(hovered[p.xKey]))}
            y1={m.top}
            y2={m.top + h}
            stroke="currentColor"
            strokeOpacity={0.4}
          />
        )}
        <rect
          x={m.left}
          y={m.top}
          width={w}
          height={h}
          fill="transparent"
          onPointerMove={onMove}
          onPointerLeave={() => setHover(null)}
        />
      </svg>
      {hovered && (
        <div
          className="svg-chart-readout"
          role="status"
          style={{ left: Math.min(width - 180, Math.max(0, sx(Number(hovered[p.xKey])) + 8)), top: m.top }}
        >
          <div>{p.rowTitle(hovered)}</div>
          {p.series.map((s) =>
            typeof hovered[s.key] === 'number' ? (
              <div key={s.key} style={{ color: s.colour }}>
                {s.name}: {p.format(hovered[s.key] as number)}
              </div>
            ) : null,
          )}
        </div>
      )}
    </div>
  );
});
