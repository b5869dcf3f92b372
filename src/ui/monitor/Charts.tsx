// The run's charts (plain SVG: SvgChart.tsx): every loss component per training batch, and train / validation
// accuracy (or MAE) per epoch, with a marker where each stage begins. Used live (Monitor) and for
// reopened runs (Results). No animation: the data changes several times a second. An empty chart says
// what will appear and when; stage names sit on three staggered rows so near stages do not overlap; the
// accuracy chart draws the chance level (one over the number of classes).
import { memo, useDeferredValue, useMemo } from 'react';
import type { StageName } from '../../core/config/config';
import type { Task } from '../../core/data/types';
import type { EpochRecord } from '../../core/events';
import type { LossPoint } from '../../core/records';
import {
  chanceLevel,
  emptyChartText,
  epochPoints,
  LOSS_LABEL,
  lossKeys,
  metricName,
  niceTicks,
  stageStarts,
  type LossKey,
} from './chartData';
import { SvgChart, type Row } from './SvgChart';
import { chartHeight } from '../presenter';

const COLOURS: Record<LossKey | 'train' | 'val', string> = {
  total: 'currentColor',
  task: '#2563eb',
  kd: '#d97706',
  hint: '#059669',
  triplet: '#dc2626',
  train: '#2563eb',
  val: '#dc2626',
};

type Labels = Partial<Record<StageName, string>>;

/** The series' names and colours, as HTML under the chart. */
function SeriesLegend({ items, big }: { items: { key: string; name: string; colour: string }[]; big: boolean }) {
  return (
    <ul className="series-legend" style={{ fontSize: big ? 16 : 12 }} aria-label="Series">
      {items.map((it) => (
        <li key={it.key}>
          <svg width="14" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="14" y2="5" stroke={it.colour} strokeWidth="2" />
          </svg>
          {it.name}
        </li>
      ))}
    </ul>
  );
}

/** Round ticks from 0 to the top of `values` (and the top tick itself as the axis end). */
export function zeroToTop(values: number[]): { ticks: number[]; top: number } {
  const max = values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
  if (max <= 0) return { ticks: [0, 1], top: 1 };
  const t = niceTicks(0, max, 5);
  const step = t.length > 1 ? t[1] - t[0] : max;
  const last = t[t.length - 1];
  if (last >= max) return { ticks: t, top: last };
  const top = Number((last + step).toPrecision(12));
  return { ticks: [...t, top], top };
}

export const LossChart = memo(function LossChart({
  losses: latest,
  labels,
  live = false,
  big = false,
}: {
  losses: LossPoint[];
  labels: Labels;
  live?: boolean;
  big?: boolean;
}) {
  // Redrawn at background priority, between the page's other work.
  const losses = useDeferredValue(latest);
  const keys = useMemo(() => lossKeys(losses), [losses]);
  const starts = useMemo(() => stageStarts(losses, (p) => p.x), [losses]);
  const empty = emptyChartText('loss', losses.length, live);
  const lo = losses[0]?.x ?? 0;
  const hi = losses[losses.length - 1]?.x ?? 1;
  const xTicks = useMemo(() => (losses.length ? niceTicks(lo, hi, 6, true) : []), [losses.length, lo, hi]);
  const y = useMemo(() => zeroToTop(losses.flatMap((p) => keys.map((k) => p[k] ?? 0))), [losses, keys]);
  const series = useMemo(
    () => keys.map((k) => ({ key: k, name: LOSS_LABEL[k], colour: COLOURS[k], width: k === 'total' ? 2 : 1.3 })),
    [keys],
  );
  const markers = useMemo(() => starts.map((s) => ({ x: s.x, label: labels[s.stage] ?? s.stage })), [starts, labels]);
  return (
    <figure className="chart" data-testid="loss-chart" data-points={losses.length}>
      <figcaption>Loss per training batch ({keys.map((k) => LOSS_LABEL[k]).join(', ') || 'no batches yet'})</figcaption>
      {empty && (
        <p className="chart-empty" data-testid="chart-empty">
          {empty}
        </p>
      )}
      <SvgChart
        rows={losses as unknown as Row[]}
        xKey="x"
        series={series}
        xTicks={xTicks}
        xDomain={[lo, Math.max(hi, lo + 1)]}
        yTicks={y.ticks}
        yDomain={[0, y.top]}
        height={chartHeight(big)}
        big={big}
        xLabel="batch"
        markers={markers}
        rowTitle={(r) => `batch ${String(r.x)}`}
        format={(v) => v.toFixed(4)}
        summary={`Loss per training batch, ${losses.length} batches shown${keys.length ? `: ${keys.map((k) => LOSS_LABEL[k]).join(', ')}` : ''}`}
      />
      <SeriesLegend items={series} big={big} />
    </figure>
  );
});

export const MetricChart = memo(function MetricChart({
  history: latest,
  task,
  labels,
  live = false,
  classes = null,
  big = false,
}: {
  history: EpochRecord[];
  task: Task;
  labels: Labels;
  live?: boolean;
  classes?: number | null;
  big?: boolean;
}) {
  const history = useDeferredValue(latest);
  const points = useMemo(() => epochPoints(history, task), [history, task]);
  const starts = useMemo(() => stageStarts(points, (p) => p.n), [points]);
  const m = metricName(task);
  const chance = chanceLevel(task, classes);
  const empty = emptyChartText(task === 'age' ? 'mae' : 'accuracy', points.length, live);
  const xTicks = useMemo(() => (points.length ? niceTicks(1, Math.max(1, points.length), 6, true) : []), [points]);
  const y = useMemo(
    () =>
      task === 'age'
        ? zeroToTop(points.flatMap((p) => [p.train ?? 0, p.val ?? 0]))
        : { ticks: [0, 25, 50, 75, 100], top: 100 },
    [points, task],
  );
  const series = useMemo(
    () => [
      { key: 'train', name: 'train', colour: COLOURS.train, dot: 2 },
      { key: 'val', name: 'validation', colour: COLOURS.val, dot: 2 },
    ],
    [],
  );
  const markers = useMemo(() => starts.map((s) => ({ x: s.x, label: labels[s.stage] ?? s.stage })), [starts, labels]);
  const last = points[points.length - 1];
  return (
    <figure className="chart" data-testid="metric-chart" data-points={points.length}>
      <figcaption>
        {m.name} per epoch ({m.unit}), training and validation
        {chance !== null ? `; dashed: chance level (${chance.toFixed(1)} %)` : ''}
      </figcaption>
      {empty && (
        <p className="chart-empty" data-testid="chart-empty">
          {empty}
        </p>
      )}
      <SvgChart
        rows={points as unknown as Row[]}
        xKey="n"
        series={series}
        xTicks={xTicks}
        xDomain={[1, Math.max(2, points.length)]}
        yTicks={y.ticks}
        yDomain={[0, y.top]}
        height={chartHeight(big)}
        big={big}
        xLabel="epoch (whole run)"
        markers={markers}
        refLine={chance !== null ? { y: chance, label: 'chance', testId: 'chance-line' } : undefined}
        rowTitle={(r) => {
          const p = points[Number(r.n) - 1];
          return p ? `${labels[p.stage] ?? p.stage}, epoch ${p.epoch + 1}${p.best ? ' (best)' : ''}` : String(r.n);
        }}
        format={(v) => v.toFixed(2)}
        summary={`${m.name} per epoch, ${points.length} epochs${last ? `; last: train ${last.train?.toFixed(1) ?? '–'}, validation ${last.val?.toFixed(1) ?? '–'} ${m.unit}` : ''}`}
      />
      <SeriesLegend items={series} big={big} />
    </figure>
  );
});
