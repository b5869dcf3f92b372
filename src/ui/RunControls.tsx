// Start / pause / resume / cancel, the backend choice, and what is running now.
import { useActions, useLab } from '../state/react';
import type { BackendChoice } from '../state/labState';
import { BACKEND_CHOICES } from '../core/backends';
import { formatEstimate } from '../core/distill/estimate';
import { calibrationFor, durationFor } from '../state/calibration';
import { isLive } from '../state/runView';

/** The expected duration of the current settings in words ('' while unknown). */
export function useEstimate(): string {
  const choice = useLab((s) => s.backendChoice);
  const config = useLab((s) => s.experiment.config);
  const calibrations = useLab((s) => s.calibrations);
  const seconds = durationFor({ calibrations }, config, choice);
  const timing = calibrationFor(config, choice);
  // auto: the backend its calibration measured fastest here, and why.
  const why = choice === 'auto' && timing ? calibrations.costs[timing.key]?.why : undefined;
  return seconds != null
    ? `expected: about ${formatEstimate(seconds)} on this machine${choice === 'auto' ? (why ? ` (auto: ${why})` : '') : ` (${choice})`}`
    : timing && calibrations.pending.includes(timing.key)
      ? 'timing a few training steps…'
      : timing && calibrations.failed[timing.key]
        ? `no estimate: ${calibrations.failed[timing.key]}`
        : timing
          ? ''
          : 'duration: depends on the stored dataset';
}

/** Whether Run may start now, and if not, why. */
export function useCanStart(): { canStart: boolean; why: string; live: boolean } {
  const ready = useLab((s) => s.worker.ready);
  const crashed = useLab((s) => s.worker.crashed);
  const status = useLab((s) => s.run?.status ?? null);
  const errors = useLab((s) => s.experiment.errors.length);
  const live = isLive(status);
  // The first dataset is still being generated or stored: a run would only wait for it.
  const generating = useLab((s) => s.datasets.progress !== null && s.datasets.progress.phase !== 'loading');
  const canStart = (ready || !!crashed) && !live && !errors && !generating;
  const why =
    !ready && !crashed
      ? 'the training worker is starting'
      : errors
        ? `${errors} invalid setting(s): see Experiment`
        : live
          ? 'a run is going'
          : generating
            ? 'the dataset is still being generated'
            : '';
  return { canStart, why, live };
}

export function RunControls() {
  const a = useActions();
  const ready = useLab((s) => s.worker.ready);
  const crashed = useLab((s) => s.worker.crashed);
  const status = useLab((s) => s.run?.status ?? null);
  const backend = useLab((s) => s.run?.backend ?? null);
  const choice = useLab((s) => s.backendChoice);
  const estimate = useEstimate();
  const { canStart, why, live } = useCanStart();
  // The resume offer has its own backend choice: one selector at a time.
  const resumeOffered = useLab((s) => s.resumable !== null);
  return (
    <div className="controls">
      {!resumeOffered && (
        <label className="backend-choice">
          backend{' '}
          <select
            value={choice}
            disabled={live}
            onChange={(e) => a.setBackendChoice(e.target.value as BackendChoice)}
            data-testid="backend-choice"
          >
            {BACKEND_CHOICES.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button className="primary" disabled={!canStart} title={why} onClick={() => a.startRun()} data-testid="start">
        Run the curriculum
      </button>
      {status === 'paused' ? (
        <button onClick={a.resume} data-testid="resume">
          Resume
        </button>
      ) : (
        <button onClick={a.pause} disabled={status !== 'running'} data-testid="pause">
          Pause
        </button>
      )}
      <button onClick={a.cancel} disabled={!live} data-testid="cancel">
        Cancel
      </button>
      {!live && estimate && (
        <span
          className="muted estimate"
          data-testid="estimate"
          title="From a calibration of a few training steps of this model on this machine, kept for next time; every stage counted to its epoch cap (early stopping usually ends sooner; other work on the machine makes it longer)."
        >
          {estimate}
        </span>
      )}
      <span className={`status status-${status ?? 'idle'}`} data-testid="run-status">
        {!ready && !crashed ? 'starting the worker…' : status ? `${status}${backend ? ` on ${backend}` : ''}` : 'idle'}
      </span>
    </div>
  );
}
