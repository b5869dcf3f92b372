// Bringing a dataset from the user's disk: drop or pick FER2013 (+ FER+ votes), a UTKFace or class-
// folder archive, or a folder; choose the stored size; watch progress (bytes, images, rate, time left);
// cancel; read the report (counts per split and class, every rejection with its reason, duplicates).
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { SPLITS } from '../../core/data/types';
import {
  type ImportReport,
  DEFAULT_IMPORT_OPTIONS,
  type ImportFormat,
  formatImportReport,
  groupRejections,
} from '../../core/data/importReport';
import { useActions, useLab } from '../../state/react';
import { ProgressBar } from '../common/ProgressBar';
import { download } from '../download';
import { formatBytes } from '../format';
import { droppedFiles, inputFiles } from './dropFiles';
import { planImport, type ImportPlan } from './importPlan';

const FORMATS: { value: ImportFormat; label: string }[] = [
  { value: 'auto', label: 'recognise it' },
  { value: 'fer2013', label: 'FER2013 / FER+ CSV' },
  { value: 'utkface', label: 'UTKFace (labels in file names)' },
  { value: 'folder', label: 'class folders' },
];

const downloadText = (name: string, text: string) => download(name, text, 'text/plain');

const secs = (s: number) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`);

/** The time left in words: never "about 0 s" while images are still being decoded and stored. */
export function timeLeft(etaS: number | null, allRead: boolean): string {
  if (etaS !== null && etaS >= 1) return `about ${secs(etaS)} left`;
  return allRead ? 'decoding and storing the last images…' : 'estimating the time left…';
}

function Progress() {
  const job = useLab((s) => s.imports.job);
  const a = useActions();
  if (!job) return null;
  const p = job.progress;
  const text = p
    ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} read · ${p.images} images (${p.rate.toFixed(0)}/s) · ${p.rejected} rejected · ${timeLeft(p.etaS, p.bytesDone >= p.bytesTotal)}`
    : 'starting…';
  return (
    <div data-testid="import-progress">
      <p>Importing {job.label}</p>
      <ProgressBar value={p && p.bytesTotal ? p.bytesDone / p.bytesTotal : null} label={text} />
      <button className="danger" disabled={job.cancelling} onClick={a.cancelImport} data-testid="import-cancel">
        {job.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  const groups = groupRejections(report.rejected);
  const tasks = (['expression', 'gender'] as const).filter((t) => report.tasks.includes(t));
  return (
    <div className="import-report">
      <table className="counts" data-testid="import-counts">
        <thead>
          <tr>
            <th>labels</th>
            {SPLITS.map((s) => (
              <th key={s}>{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tasks.flatMap((t) =>
            (report.classNames[t] ?? []).map((n, i) => (
              <tr key={`${t}${i}`}>
                <td>
                  {t}: {n}
                </td>
                {SPLITS.map((s) => (
                  <td key={s}>{report.splits[s].classCounts[t]?.[i] ?? 0}</td>
                ))}
              </tr>
            )),
          )}
          {report.tasks.includes('age') && (
            <tr>
              <td>age (years)</td>
              {SPLITS.map((s) => {
                const g = report.splits[s].age;
                return <td key={s}>{g ? `${g.min}–${g.max}, mean ${g.mean.toFixed(1)}` : '–'}</td>;
              })}
            </tr>
          )}
          <tr className="total">
            <td>images</td>
            {SPLITS.map((s) => (
              <td key={s}>{report.splits[s].count}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <details open={report.rejectedCount > 0 && report.rejectedCount <= 50}>
        <summary data-testid="import-rejected">{report.rejectedCount} rejected</summary>
        {groups.map((g) => (
          <div key={g.reason} className="reject-group">
            <strong>
              {g.count} × {g.reason}
            </strong>
            <ul className="small">
              {g.where.slice(0, 100).map((w) => (
                <li key={w}>
                  <code>{w}</code>
                </li>
              ))}
              {g.where.length > 100 && (
                <li className="muted">… and {g.where.length - 100} more (in the downloaded report)</li>
              )}
            </ul>
          </div>
        ))}
        {report.rejectedCount > report.rejected.length && (
          <p className="muted">{report.rejectedCount - report.rejected.length} more are only counted.</p>
        )}
      </details>
      <details>
        <summary data-testid="import-duplicates">
          {report.duplicates.count} duplicate images (identical pixels; kept)
        </summary>
        <ul className="small">
          {report.duplicates.examples.slice(0, 100).map(([x, y]) => (
            <li key={x}>
              <code>{x}</code> = <code>{y}</code>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

function LastImport() {
  const last = useLab((s) => s.imports.last);
  const a = useActions();
  if (!last) return null;
  return (
    <div className={`import-result ${last.status}`} data-testid="import-result" data-status={last.status}>
      <p>
        <strong>{last.label}:</strong> <span data-testid="import-message">{last.message}</span>
      </p>
      {last.report && <ReportView report={last.report} />}
      <div className="row">
        {last.datasetId && (
          <button className="primary" onClick={() => a.useDataset(last.datasetId!)} data-testid="import-use">
            Use it in the experiment
          </button>
        )}
        {last.report && (
          <button
            onClick={() =>
              downloadText(
                `${last.report!.name}-import-report.txt`,
                formatImportReport(last.report!, { maxListed: 1e9 }),
              )
            }
          >
            Download the report
          </button>
        )}
        <button onClick={a.dismissImport} data-testid="import-dismiss">
          Close
        </button>
      </div>
    </div>
  );
}

export function ImportPanel() {
  const a = useActions();
  const busy = useLab((s) => s.imports.job !== null);
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState<ImportFormat>('auto');
  const [size, setSize] = useState(DEFAULT_IMPORT_OPTIONS.height);
  const [channels, setChannels] = useState<1 | 3>(1);
  const [seed, setSeed] = useState(DEFAULT_IMPORT_OPTIONS.seed);
  const [over, setOver] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const take = async (p: Promise<ImportPlan>) => {
    const pl = await p;
    setPlan(pl);
    if (pl.ok) {
      setName(pl.name);
      setFormat(pl.format);
      setChannels(pl.channels);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void take(droppedFiles(e.dataTransfer).then(({ picked, folder }) => planImport(picked, folder)));
  };
  const sizeOk = Number.isInteger(size) && size >= 8 && size <= 512;
  // After a file is chosen its options and the Import button come into view.
  const options = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (plan?.ok) options.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [plan]);
  return (
    <section className="card import" data-testid="import-panel">
      <h2>Import a dataset</h2>
      <div
        className={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="import-drop"
      >
        <p>
          Drop <code>fer2013.csv</code> (with <code>fer2013new.csv</code> for FER+), a UTKFace or class-folder archive (
          <code>.tar.gz</code>, <code>.zip</code>), or a folder of class folders (<code>class/…</code> or{' '}
          <code>train|val|test/class/…</code>) here.
        </p>
        <div className="row">
          <button onClick={() => filesInput.current?.click()} disabled={busy}>
            Choose files…
          </button>
          <button onClick={() => folderInput.current?.click()} disabled={busy}>
            Choose a folder…
          </button>
        </div>
        <input
          ref={filesInput}
          type="file"
          multiple
          hidden
          accept=".csv,.txt,.zip,.tar,.tgz,.gz"
          data-testid="import-files"
          onChange={(e) => {
            if (e.target.files?.length) void take(planImport(inputFiles(e.target.files, false), false));
            e.target.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          data-testid="import-folder"
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            if (e.target.files?.length) void take(planImport(inputFiles(e.target.files, true), true));
            e.target.value = '';
          }}
        />
      </div>
      <p className="muted small">
        The files are read in a worker of this page and stored in this browser only; nothing is uploaded.
      </p>
      {plan && !plan.ok && (
        <p className="error" data-testid="import-plan-error">
          {plan.reason}
        </p>
      )}
      {plan?.ok && !busy && (
        <div className="import-options" data-testid="import-options" ref={options}>
          <p>{plan.label}</p>
          <div className="row wrap">
            <label>
              name <input value={name} onChange={(e) => setName(e.target.value)} data-testid="import-name" />
            </label>
            <label>
              format{' '}
              <select
                value={format}
                onChange={(e) => setFormat(e.target.value as ImportFormat)}
                data-testid="import-format"
              >
                {FORMATS.filter(
                  (f) => (plan.files.kind === 'csv') === (f.value === 'fer2013') || f.value === 'auto',
                ).map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              size{' '}
              <input
                type="number"
                min={8}
                max={512}
                value={size}
                onChange={(e) => setSize(Number(e.target.value))}
                data-testid="import-size"
              />
              ×{size}
            </label>
            <label>
              channels{' '}
              <select
                value={channels}
                onChange={(e) => setChannels(Number(e.target.value) as 1 | 3)}
                data-testid="import-channels"
              >
                <option value={1}>1 (grey)</option>
                <option value={3}>3 (RGB)</option>
              </select>
            </label>
            {plan.files.kind !== 'csv' && (
              <label>
                split seed{' '}
                <input type="number" className="seed" value={seed} onChange={(e) => setSeed(Number(e.target.value))} />
              </label>
            )}
          </div>
          {!sizeOk && <p className="error">The size must be a whole number from 8 to 512.</p>}
          <p className="muted small">
            {plan.files.kind === 'csv'
              ? 'Usage gives the splits (Training / PublicTest = validation / PrivateTest = test).'
              : 'Split folders (train / val / test) are kept; other images get a seeded 60 / 20 / 20 split.'}{' '}
            Images are centre-cropped to a square and resized.
          </p>
          <button
            className="primary"
            disabled={!sizeOk || !name.trim()}
            data-testid="import-start"
            onClick={() => {
              a.startImport(plan.files, plan.label, format, {
                name: name.trim(),
                height: size,
                width: size,
                channels,
                seed,
                split: [60, 20, 20],
              });
              setPlan(null);
            }}
          >
            Import
          </button>
        </div>
      )}
      <Progress />
      <LastImport />
    </section>
  );
}
