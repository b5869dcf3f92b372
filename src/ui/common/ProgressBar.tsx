// A labelled progress bar (value 0..1, or indeterminate when null). The label names it for assistive
// technology even where it is not drawn (`hideLabel`).
export function ProgressBar({
  value,
  label,
  testId,
  hideLabel = false,
}: {
  value: number | null;
  label?: string;
  testId?: string;
  hideLabel?: boolean;
}) {
  const v = value == null ? null : Math.max(0, Math.min(1, value));
  return (
    <div
      className="progress"
      data-testid={testId}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={v == null ? undefined : Math.round(v * 100)}
      aria-label={label}
    >
      <div
        className={v == null ? 'progress-fill indeterminate' : 'progress-fill'}
        style={v == null ? undefined : { width: `${(v * 100).toFixed(1)}%` }}
      />
      {label && !hideLabel && <span className="progress-label">{label}</span>}
    </div>
  );
}
