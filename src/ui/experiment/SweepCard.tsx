// A small sweep from the lab: one numeric setting, a list of values, one run each in the worker, one
// after another; the value whose stage did best on validation is chosen (chart and table in Results).
import { useState } from 'react';
import { useActions, useLab } from '../../state/react';

import { SWEEPABLE_PATHS } from '../../core/config/settings';

/** The usual first choices of a sweep first, then every other sweepable setting. */
const FIRST = ['triplet.margin', 'triplet.lambda', 'standard.lambda', 'standard.temperature'];
const SETTINGS = [...FIRST, ...SWEEPABLE_PATHS.filter((p) => !FIRST.includes(p))];

export function SweepCard() {
  const a = useActions();
  const sweep = useLab((s) => s.sweep);
  const [path, setPath] = useState(SETTINGS[0]);
  const [text, setText] = useState('0.1, 0.2, 0.4');
  const [error, setError] = useState<string | null>(null);
  const running = sweep?.status === 'running';
  return (
    <section className="card" data-testid="sweep-card">
      <h3>Sweep a setting</h3>
      <p className="muted small">
        One run of the whole curriculum per value, one after another (as the paper tunes α on validation); the value
        whose stage did best on its validation split is chosen. Results shows the chart.
      </p>
      <div className="row wrap">
        <label>
          setting{' '}
          <select value={path} onChange={(e) => setPath(e.target.value)} disabled={running} data-testid="sweep-path">
            {SETTINGS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          values{' '}
          <input value={text} onChange={(e) => setText(e.target.value)} disabled={running} data-testid="sweep-values" />
        </label>
        {running ? (
          <button className="danger" onClick={a.stopSweep}>
            Stop the sweep
          </button>
        ) : (
          <button
            className="primary"
            data-testid="sweep-start"
            onClick={() => {
              const values = text
                .split(/[,\s]+/)
                .filter(Boolean)
                .map(Number);
              setError(a.startSweep(path, values));
            }}
          >
            Run the sweep
          </button>
        )}
      </div>
      {error && (
        <p className="error" data-testid="sweep-error">
          {error}
        </p>
      )}
      {sweep && (
        <p
          className={sweep.status === 'stopped' ? 'error' : 'muted'}
          data-testid="sweep-status"
          data-status={sweep.status}
        >
          {sweep.path}:{' '}
          {sweep.status === 'running'
            ? `run ${sweep.runIds.length} of ${sweep.values.length} (value ${sweep.values[sweep.runIds.length - 1]})`
            : sweep.status === 'done' && sweep.result
              ? `done; chosen on validation: ${sweep.values[sweep.result.chosen] ?? '–'}`
              : sweep.message}
        </p>
      )}
    </section>
  );
}
