// The run's charts (recharts): every loss component per training batch, and train / validation
// accuracy (or MAE) per epoch, with a marker where each stage begins. Used live (Monitor) and for
// reopened runs (Results). No animation: the data changes several times a second. An empty chart says
// what will appear and when; stage names sit on three staggered rows so near stages do not overlap; the
// accuracy chart draws the chance level (one over the number of classes).
import { memo, useDeferredValue, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StageName } from '../../core/config/config';
import type { Task } from '../../core/data/types';
import type { EpochRecord } from '../../core/events';
import type { LossPoint } from '../../core/records';
import { chanceLevel, emptyChartText, epochPoints, LOSS_LABEL, lossKeys, metricName, stageStarts, type LossKey } from './chartData';
import { chartHeight } from '../presenter';

const COLOURS: Record<LossKey | 'train' | 'val', string> = {
  total: 'currentColor', task: '#2563eb', kd: '#d97706', hint: '#059669', triplet: '#dc2626', train: '#2563eb', val: '#dc2626',
};

type Labels = Partial<Record<StageName, string>>;

/** A stage marker's name, on one of three rows (by its index) so that close markers do not overlap;
 *  long names are cut with an ellipsis, the full one is in the tooltip of the line. */
function stageLabel(text: string, row: number, atEnd: boolean) {
  const short = text.length > 18 ? `${text.slice(0, 17)}…` : text;
  // Markers in the right quarter of the chart write their name to the left of the line (not clipped).
  return ({ viewBox }: { viewBox?: { x?: number; y?: number } }) => (
    <text x={(viewBox?.x ?? 0) + (atEnd ? -3 : 3)} y={(viewBox?.y ?? 0) + 11 + 12 * (row % 3)} textAnchor={atEnd ? 'end' : 'start'}
      fontSize={10} fill="currentColor" className="stage-mark">{short}</text>
  );
}

/** Whether `x` lies in the right quarter of [lo, hi]. */
const nearEnd = (x: number, lo: number, hi: number) => hi > lo && (x - lo) / (hi - lo) > 0.75;

export const LossChart = memo(function LossChart({ losses: latest, labels, live = false, big = false }: { losses: LossPoint[]; labels: Labels; live?: boolean; big?: boolean }) {
  // Redrawn at background priority: React renders the chart in slices between the page's other work, so
  // a redraw several times a second does not hold the main thread in one long task.
  const losses = useDeferredValue(latest);
  const keys = useMemo(() => lossKeys(losses), [losses]);
  const starts = useMemo(() => stageStarts(losses, (p) => p.x), [losses]);
  const empty = emptyChartText('loss', losses.length, live);
  return (
    <figure className="chart" data-testid="loss-chart" data-points={losses.length}>
      <figcaption>Loss per training batch ({keys.map((k) => LOSS_LABEL[k]).join(', ') || 'no batches yet'})</figcaption>
      {empty && <p className="chart-empty" data-testid="chart-empty">{empty}</p>}
      <ResponsiveContainer width="100%" height={chartHeight(big)}>
        <LineChart data={losses} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: big ? 15 : 11 }} label={{ value: 'batch', position: 'insideBottomRight', offset: -2, fontSize: big ? 15 : 11 }} />
          <YAxis tick={{ fontSize: big ? 15 : 11 }} width={big ? 56 : 44} domain={[0, 'auto']} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(x) => `batch ${x}`} />
          <Legend wrapperStyle={{ fontSize: big ? 16 : 12 }} />
          {starts.map((s, i) => <ReferenceLine key={`${s.stage}-${s.x}`} x={s.x} stroke="#9ca3af" strokeDasharray="4 2"
            label={stageLabel(labels[s.stage] ?? s.stage, i, nearEnd(s.x, losses[0]?.x ?? 0, losses[losses.length - 1]?.x ?? 0))} />)}
          {keys.map((k) => <Line key={k} dataKey={k} name={LOSS_LABEL[k]} stroke={COLOURS[k]} dot={false} strokeWidth={k === 'total' ? 2 : 1.3} isAnimationActive={false} connectNulls={false} />)}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});

export const MetricChart = memo(function MetricChart({ history: latest, task, labels, live = false, classes = null, big = false }:
  { history: EpochRecord[]; task: Task; labels: Labels; live?: boolean; classes?: number | null; big?: boolean }) {
  const history = useDeferredValue(latest);
  const points = useMemo(() => epochPoints(history, task), [history, task]);
  const starts = useMemo(() => stageStarts(points, (p) => p.n), [points]);
  const m = metricName(task);
  const chance = chanceLevel(task, classes);
  const empty = emptyChartText(task === 'age' ? 'mae' : 'accuracy', points.length, live);
  return (
    <figure className="chart" data-testid="metric-chart" data-points={points.length}>
      <figcaption>{m.name} per epoch ({m.unit}), training and validation{chance !== null ? `; dashed: chance level (${chance.toFixed(1)} %)` : ''}</figcaption>
      {empty && <p className="chart-empty" data-testid="chart-empty">{empty}</p>}
      <ResponsiveContainer width="100%" height={chartHeight(big)}>
        <LineChart data={points} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="n" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: big ? 15 : 11 }} label={{ value: 'epoch (whole run)', position: 'insideBottomRight', offset: -2, fontSize: big ? 15 : 11 }} />
          <YAxis tick={{ fontSize: big ? 15 : 11 }} width={big ? 56 : 44} domain={task === 'age' ? [0, 'auto'] : [0, 100]} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))}
            labelFormatter={(n) => { const p = points[Number(n) - 1]; return p ? `${labels[p.stage] ?? p.stage}, epoch ${p.epoch + 1}${p.best ? ' (best)' : ''}` : String(n); }} />
          <Legend wrapperStyle={{ fontSize: big ? 16 : 12 }} />
          {starts.map((s, i) => <ReferenceLine key={`${s.stage}-${s.x}`} x={s.x} stroke="#9ca3af" strokeDasharray="4 2"
            label={stageLabel(labels[s.stage] ?? s.stage, i, nearEnd(s.x, 1, points.length))} />)}
          {chance !== null && <ReferenceLine y={chance} stroke="#6b7280" strokeDasharray="6 4" ifOverflow="extendDomain" data-testid="chance-line"
            label={{ value: 'chance', position: 'insideBottomRight', fontSize: 10, fill: 'currentColor' }} />}
          <Line dataKey="train" name="train" stroke={COLOURS.train} isAnimationActive={false} dot={{ r: 2 }} />
          <Line dataKey="val" name="validation" stroke={COLOURS.val} isAnimationActive={false} dot={{ r: 2 }} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
