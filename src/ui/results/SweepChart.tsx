// The lab's sweep: the deciding stage's best validation figure and its test figure per value (chart and
// table), the chosen value marked. Loaded with the Results panel (recharts stays out of the first page).
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../../state/react';

export function SweepChart() {
  const sweep = useLab((s) => s.sweep);
  const task = useLab((s) => s.viewed?.config.task ?? s.experiment.config.task);
  if (sweep?.kind === 'repeats') {
    if (!sweep.repeats)
      return (
        <section className="card" data-testid="repeats-result">
          <h2>Repeats over seeds</h2>
          <p className="muted">
            {sweep.status === 'running'
              ? `run ${sweep.runIds.length} of ${sweep.values.length} (seed ${sweep.values[sweep.runIds.length - 1]})`
              : sweep.message}
          </p>
        </section>
      );
    return (
      <section className="card" data-testid="repeats-result">
        <h2>The grid over {sweep.values.length} seeds (mean ± sd, paired t-tests across seeds)</h2>
        <pre className="repeats">{sweep.repeats.text}</pre>
        {sweep.repeats.notMeaningful.length > 0 && (
          <p className="notice warn">
            Seeds whose teacher was not clearly better than its student: {sweep.repeats.notMeaningful.join(', ')}.
          </p>
        )}
        <ul>
          {sweep.repeats.lessons.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      </section>
    );
  }
  if (!sweep?.result) return null;
  const age = task === 'age';
  const f = (v: number | null) => (v === null ? null : age ? v : 100 * v);
  const data = sweep.values.map((v, i) => ({
    value: v,
    validation: f(sweep.result!.validation[i]),
    test: f(sweep.result!.test[i]),
  }));
  const unit = age ? 'MAE (years)' : 'accuracy %';
  return (
    <section className="card" data-testid="sweep-result">
      <h2>
        Sweep of {sweep.path} ({sweep.stage} stage, {unit})
      </h2>
      <div style={{ width: '100%', height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="value" />
            <YAxis domain={['auto', 'auto']} />
            <Tooltip />
            <Legend />
            <Line type="monotone" dataKey="validation" stroke="#2563eb" isAnimationActive={false} />
            <Line type="monotone" dataKey="test" stroke="#b42318" strokeDasharray="4 2" isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <table className="grid">
        <thead>
          <tr>
            <th>{sweep.path}</th>
            <th className="num">validation</th>
            <th className="num">test</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.map((d, i) => (
            <tr key={d.value} className={i === sweep.result!.chosen ? 'best' : ''} data-testid="sweep-line">
              <td>{d.value}</td>
              <td className="num">{d.validation?.toFixed(age ? 2 : 1) ?? '–'}</td>
              <td className="num">{d.test?.toFixed(age ? 2 : 1) ?? '–'}</td>
              <td>{i === sweep.result!.chosen ? 'chosen on validation' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
