// What is stored: each dataset's tasks, images per split and class, size on disk; a preview grid of
// faces as the model sees them (full ○ / lower ◑ / upper ◐); delete; storage used and available.
import { useEffect, useMemo, useRef, useState } from 'react';
import { type Split, type Visibility, VISIBILITY_SYMBOL } from '../../core/data/types';
import type { DatasetMeta } from '../../core/records';
import { useActions, useLab } from '../../state/react';
import { synthDatasetId } from '../../core/data/datasetId';
import { ProgressBar } from '../common/ProgressBar';
import { formatBytes, formatDate } from '../format';
import { ImportPanel } from './ImportPanel';
import { previewScale, sheetLayout, sheetPixels } from './preview';
import { storedReport } from './storedReport';
import { formatImportReport, groupRejections } from '../../core/data/importReport';
import { download } from '../download';

function StorageUse() {
  const st = useLab((s) => s.datasets.storage);
  const a = useActions();
  return (
    <section className="card">
      <h2>Browser storage</h2>
      {st ? (
        <>
          <ProgressBar
            value={st.quota ? st.usage / st.quota : null}
            label={`${formatBytes(st.usage)} used of ${formatBytes(st.quota)} available to this page`}
            testId="storage-bar"
          />
          <p className="muted">
            Datasets, runs, trained models and checkpoints live in this browser (IndexedDB), nowhere else.
          </p>
        </>
      ) : (
        <p className="muted">This browser does not report its storage use.</p>
      )}
      <button onClick={() => void a.refreshStorage()}>Refresh</button>
    </section>
  );
}

function CurrentDataset() {
  const cfg = useLab((s) => s.experiment.config.dataset);
  const list = useLab((s) => s.datasets.list);
  const progress = useLab((s) => s.datasets.progress);
  const a = useActions();
  if (cfg.source === 'stored') {
    const m = list.find((d) => d.id === cfg.id);
    return (
      <section className="card">
        <h2>The experiment’s dataset</h2>
        <p data-testid="current-dataset-status">
          {m ? (
            <>
              {m.name} ({m.height}×{m.width}×{m.channels}, tasks: {m.tasks.join(', ')})
            </>
          ) : (
            <span className="error">{cfg.id} is not stored (deleted?): choose another dataset.</span>
          )}
        </p>
      </section>
    );
  }
  if (cfg.source !== 'synth') return null;
  const id = synthDatasetId(cfg);
  const stored = list.some((d) => d.id === id);
  return (
    <section className="card">
      <h2>The experiment’s dataset</h2>
      <p>
        Synthetic faces {cfg.height}×{cfg.width}, {cfg.train} / {cfg.val} / {cfg.test} images (train / val / test), seed{' '}
        {cfg.seed}:{' '}
        <strong data-testid="current-dataset-status">
          {stored ? 'stored' : progress ? 'being created…' : 'not stored yet'}
        </strong>
      </p>
      {!stored && !progress && <button onClick={a.ensureDataset}>Create it now</button>}
    </section>
  );
}

function ClassTable({ meta }: { meta: DatasetMeta }) {
  const splits: Split[] = ['train', 'val', 'test'];
  const tasks = (['expression', 'gender'] as const).filter((t) => meta.splits.train.classCounts[t]);
  return (
    <table className="counts">
      <thead>
        <tr>
          <th>labels</th>
          {splits.map((s) => (
            <th key={s}>{s}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {tasks.flatMap((t) =>
          (meta.classNames[t] ?? []).map((name, c) => (
            <tr key={`${t}-${c}`}>
              <td>
                {t}: {name}
              </td>
              {splits.map((s) => (
                <td key={s}>{meta.splits[s].classCounts[t]?.[c] ?? 0}</td>
              ))}
            </tr>
          )),
        )}
        {meta.splits.train.age && (
          <tr>
            <td>age (years)</td>
            {splits.map((s) => {
              const g = meta.splits[s].age;
              return <td key={s}>{g ? `${g.min}–${g.max}, mean ${g.mean.toFixed(1)}` : '–'}</td>;
            })}
          </tr>
        )}
        <tr className="total">
          <td>images</td>
          {splits.map((s) => (
            <td key={s}>{meta.splits[s].count}</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function Preview({ meta }: { meta: DatasetMeta }) {
  const a = useActions();
  const sheet = useLab((s) => s.datasets.preview);
  const [split, setSplit] = useState<Split>('train');
  const [vis, setVis] = useState<Visibility>('full');
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    a.requestPreview(meta.id, split, vis, 32);
  }, [a, meta.id, split, vis]);
  const mine = sheet && sheet.datasetId === meta.id && sheet.split === split && sheet.visibility === vis ? sheet : null;
  const layout = useMemo(
    () => (mine ? sheetLayout(mine.count, mine.height, mine.width, 8, previewScale(mine.width)) : null),
    [mine],
  );
  useEffect(() => {
    const c = canvas.current;
    if (!c || !mine || !layout) return;
    c.width = layout.width;
    c.height = layout.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(
      new ImageData(
        sheetPixels(
          mine.pixels,
          mine.count,
          mine.height,
          mine.width,
          mine.channels,
          layout,
        ) as Uint8ClampedArray<ArrayBuffer>,
        layout.width,
        layout.height,
      ),
      0,
      0,
    );
  }, [mine, layout]);
  return (
    <div className="preview">
      <div className="row">
        <label>
          split{' '}
          <select value={split} onChange={(e) => setSplit(e.target.value as Split)}>
            {(['train', 'val', 'test'] as Split[]).map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <span className="seg" role="group" aria-label="visible part">
          {(['full', 'lower', 'upper'] as Visibility[]).map((v) => (
            <button
              key={v}
              className={vis === v ? 'active' : ''}
              onClick={() => setVis(v)}
              data-testid={`preview-${v}`}
            >
              {VISIBILITY_SYMBOL[v]} {v}
            </button>
          ))}
        </span>
      </div>
      <canvas ref={canvas} className="sheet" data-testid="preview-canvas" />
      {mine && (
        <ol className="labels muted">
          {mine.labels.slice(0, 8).map((l, i) => (
            <li key={i}>{l}</li>
          ))}
          {mine.labels.length > 8 && <li>… first row’s labels; {mine.count} images shown</li>}
        </ol>
      )}
    </div>
  );
}

function ImportedFrom({ meta }: { meta: DatasetMeta }) {
  const i = meta.imported;
  const report = useMemo(() => storedReport(meta), [meta]);
  if (!i || !report) return null;
  const groups = groupRejections(i.rejected);
  return (
    <>
      <p className="muted small" data-testid="dataset-origin">
        Imported ({i.format}) from {i.files.map((f) => `${f.name} (${formatBytes(f.bytes)})`).join(' + ')} in{' '}
        {(i.ms / 1000).toFixed(1)} s · {i.rejectedCount} rejected · {i.duplicates.count} duplicates
        {i.metadata.race ? ` · race kept as metadata (${i.metadata.race.join(', ')})` : ''}
        {i.metadata.labels ? ` · ${i.metadata.labels}` : ''}{' '}
        <button
          className="link"
          data-testid="dataset-report"
          onClick={() =>
            download(
              `${meta.name.replace(/[^\w-]+/g, '_')}-import-report.txt`,
              formatImportReport(report, { maxListed: 1e9 }),
              'text/plain',
            )
          }
        >
          Download the import report
        </button>
      </p>
      {groups.length > 0 && (
        <details className="small" data-testid="dataset-rejections">
          <summary>Why {i.rejectedCount} were rejected</summary>
          <ul>
            {groups.map((g) => (
              <li key={g.reason}>
                {g.count} × {g.reason} (e.g. <code>{g.where[0]}</code>)
              </li>
            ))}
            {i.rejectedCount > i.rejected.length && (
              <li className="muted">{i.rejectedCount - i.rejected.length} more are only counted.</li>
            )}
          </ul>
        </details>
      )}
    </>
  );
}

function DatasetCard({ meta, open, onOpen }: { meta: DatasetMeta; open: boolean; onOpen: () => void }) {
  const a = useActions();
  const inUse = useLab(
    (s) => s.experiment.config.dataset.source === 'stored' && s.experiment.config.dataset.id === meta.id,
  );
  return (
    <section className="card dataset" data-testid="dataset-card">
      <header className="row spread">
        <div>
          <h2>{meta.name}</h2>
          <div className="muted">
            {meta.height}×{meta.width}×{meta.channels} · tasks: {meta.tasks.join(', ')} ·{' '}
            {meta.splits.train.count + meta.splits.val.count + meta.splits.test.count} images ·{' '}
            <span data-testid="dataset-size">{formatBytes(meta.bytes)}</span> on disk · created{' '}
            {formatDate(meta.createdAt)}
          </div>
          <code className="muted small">{meta.id}</code>
        </div>
        <div className="row">
          {meta.source === 'import' &&
            (inUse ? (
              <span className="muted">used by the experiment</span>
            ) : (
              <button onClick={() => a.useDataset(meta.id)} data-testid="use-dataset">
                Use in the experiment
              </button>
            ))}
          <button onClick={onOpen}>{open ? 'Hide' : 'Preview'}</button>
          <button
            className="danger"
            onClick={() => {
              const why =
                meta.source === 'import'
                  ? 'Its files stay on your disk; import them again to bring it back.'
                  : 'It is generated again when a run needs it.';
              if (confirm(`Delete ${meta.name}? ${why}`)) void a.deleteDataset(meta.id);
            }}
          >
            Delete
          </button>
        </div>
      </header>
      <ImportedFrom meta={meta} />
      <ClassTable meta={meta} />
      {open && <Preview meta={meta} />}
    </section>
  );
}

export function DatasetsPanel() {
  const list = useLab((s) => s.datasets.list);
  const [open, setOpen] = useState<string | null>(null);
  const shown = open ?? list[list.length - 1]?.id ?? null;
  return (
    <div className="datasets" data-testid="datasets-panel">
      <div className="two">
        <CurrentDataset />
        <StorageUse />
      </div>
      <ImportPanel />
      {list.length === 0 && <p className="muted">No dataset stored yet.</p>}
      {[...list].reverse().map((m) => (
        <DatasetCard key={m.id} meta={m} open={shown === m.id} onOpen={() => setOpen(shown === m.id ? '' : m.id)} />
      ))}
    </div>
  );
}
