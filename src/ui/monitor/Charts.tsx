// The run's charts (recharts): every loss component per training batch, and train / validation
// accuracy (or MAE) per epoch, with a marker where each stage begins. Used live (Monitor) and for
// reopened runs (Results). No animation: the data changes several times a second.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StageName } from '../../core/config/config';
import type { Task } from '../../core/data/types';
import type { EpochRecord } from '../../core/events';
import type { LossPoint } from '../../core/records';
import { epochPoints, LOSS_LABEL, lossKeys, metricName, stageStarts, type LossKey } from './chartData';

const COLOURS: Record<LossKey | 'train' | 'val', string> = {
  total: '#1f2937', task: '#2563eb', kd: '#d97706', hint: '#059669', triplet: '#dc2626', train: '#2563eb', val: '#dc2626',
};

type Labels = Partial<Record<StageName, string>>;

export const LossChart = memo(function LossChart({ losses, labels }: { losses: LossPoint[]; labels: Labels }) {
  const keys = useMemo(() => lossKeys(losses), [losses]);
  const starts = useMemo(() => stageStarts(losses, (p) => p.x), [losses]);
  return (
    <figure className="chart" data-testid="loss-chart" data-points={losses.length}>
      <figcaption>Loss per training batch ({keys.map((k) => LOSS_LABEL[k]).join(', ') || 'no batches yet'})</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={losses} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} label={{ value: 'batch', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={44} domain={[0, 'auto']} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(x) => `batch ${x}`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {starts.map((s) => <ReferenceLine key={`${s.stage}-${s.x}`} x={s.x} stroke="#9ca3af" strokeDasharray="4 2" label={{ value: labels[s.stage] ?? s.stage, position: 'insideTopLeft', fontSize: 10, fill: '#6b7280' }} />)}
          {keys.map((k) => <Line key={k} dataKey={k} name={LOSS_LABEL[k]} stroke={COLOURS[k]} dot={false} strokeWidth={k === 'total' ? 2 : 1.3} isAnimationActive={false} connectNulls={false} />)}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});

export const MetricChart = memo(function MetricChart({ history, task, labels }: { history: EpochRecord[]; task: Task; labels: Labels }) {
  const points = useMemo(() => epochPoints(history, task), [history, task]);
  const starts = useMemo(() => stageStarts(points, (p) => p.n), [points]);
  const m = metricName(task);
  return (
    <figure className="chart" data-testid="metric-chart" data-points={points.length}>
      <figcaption>{m.name} per epoch ({m.unit}), training and validation</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="n" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'epoch (whole run)', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={44} domain={task === 'age' ? [0, 'auto'] : [0, 100]} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))}
            labelFormatter={(n) => { const p = points[Number(n) - 1]; return p ? `${labels[p.stage] ?? p.stage}, epoch ${p.epoch + 1}${p.best ? ' (best)' : ''}` : String(n); }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {starts.map((s) => <ReferenceLine key={`${s.stage}-${s.x}`} x={s.x} stroke="#9ca3af" strokeDasharray="4 2" label={{ value: labels[s.stage] ?? s.stage, position: 'insideTopLeft', fontSize: 10, fill: '#6b7280' }} />)}
          <Line dataKey="train" name="train" stroke={COLOURS.train} isAnimationActive={false} dot={{ r: 2 }} />
          <Line dataKey="val" name="validation" stroke={COLOURS.val} isAnimationActive={false} dot={{ r: 2 }} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
