// The experiment: a guided start (what the lab shows, then data → train → results with the preset and
// its expected time), the settings a student changes up front, and under "Advanced" every other
// setting with its default and, next to it, what is wrong with it (the core's configErrors), and the
// config as JSON to copy, import or export. Presenter mode hides the settings.
import { useMemo, useRef, useState } from 'react';
import { synthDatasetId } from '../../core/data/datasetId';
import { datasetText } from '../../state/runName';
import { useCanStart, useEstimate } from '../RunControls';
import { usePresenter } from '../presenter';
import { makeConfig } from '../../core/config/config';
import { OFFERED_PRESETS, PRESET_DESCRIPTIONS, PRESETS, presetConfig } from '../../core/config/presets';
import { formatEstimate } from '../../core/distill/estimate';
import { durationFor } from '../../state/calibration';
import { download } from '../download';
import { LayerEditor } from './LayerEditor';
import { ModelsCard } from './ModelsCard';
import { SweepCard } from './SweepCard';
import { useActions, useLab } from '../../state/react';
import {
  ADVANCED_GROUPS,
  defaultOf,
  displayValue,
  errorsFor,
  FORM_PATHS,
  getPath,
  parseNumberInput,
  QUICK_FIELDS,
  type FieldSpec,
} from './fields';

function NumberInput({
  value,
  nullable,
  step,
  onChange,
  id,
  label,
}: {
  value: unknown;
  nullable: boolean;
  step?: number;
  onChange: (v: unknown) => void;
  id: string;
  label?: string;
}) {
  const [text, setText] = useState(displayValue(value));
  // Follow outside changes (presets, imports) without fighting the user's typing (adjusted while rendering).
  const [seen, setSeen] = useState({ value, nullable });
  if (seen.value !== value || seen.nullable !== nullable) {
    setSeen({ value, nullable });
    if (parseNumberInput(text, nullable) !== value) setText(displayValue(value));
  }
  return (
    <input
      id={id}
      type="text"
      inputMode="decimal"
      value={text}
      step={step}
      aria-label={label}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseNumberInput(e.target.value, nullable));
      }}
    />
  );
}

function Field({ spec }: { spec: FieldSpec }) {
  const a = useActions();
  const value = useLab((s) => getPath(s.experiment.config, spec.path));
  const all = useLab((s) => s.experiment.errors);
  const errors = useMemo(() => errorsFor(all, spec.path), [all, spec.path]);
  const def = defaultOf(spec.path);
  const id = `f-${spec.path}`;
  const k = spec.kind;
  let input;
  if (k.type === 'number') {
    input = (
      <NumberInput
        id={id}
        value={value}
        nullable={!!k.nullable}
        step={k.step}
        onChange={(v) => a.setField(spec.path, v)}
      />
    );
  } else if (k.type === 'select') {
    input = (
      <select
        id={id}
        value={String(value)}
        onChange={(e) => {
          const opt = k.options.find((o) => String(o.value) === e.target.value);
          a.setField(spec.path, opt ? opt.value : e.target.value);
        }}
      >
        {!k.options.some((o) => String(o.value) === String(value)) && (
          <option value={String(value)}>{String(value)}</option>
        )}
        {k.options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (k.type === 'bool') {
    input = (
      <input
        id={id}
        type="checkbox"
        checked={value === true}
        onChange={(e) => a.setField(spec.path, e.target.checked)}
      />
    );
  } else if (k.type === 'range') {
    const pair = Array.isArray(value) ? value : [value, value];
    input = (
      <span className="pair">
        <NumberInput id={id} value={pair[0]} nullable={false} onChange={(v) => a.setField(spec.path, [v, pair[1]])} />
        <span>–</span>
        <NumberInput
          id={`${id}-hi`}
          label={`${spec.label}, upper bound`}
          value={pair[1]}
          nullable={false}
          onChange={(v) => a.setField(spec.path, [pair[0], v])}
        />
      </span>
    );
  } else {
    input = (
      <input id={id} type="text" value={displayValue(value)} onChange={(e) => a.setField(spec.path, e.target.value)} />
    );
  }
  const defText = Array.isArray(def) ? def.join(' – ') : def === null ? 'auto' : String(def);
  return (
    <div className={errors.length ? 'field invalid' : 'field'} data-field={spec.path}>
      <label htmlFor={id}>{spec.label}</label>
      <div className="input">{input}</div>
      <div className="hint">
        {errors.length ? (
          errors.map((m) => (
            <span key={m} className="error" data-testid="field-error">
              {m}
            </span>
          ))
        ) : (
          <span className="muted">
            default {defText}
            {spec.help ? ` · ${spec.help}` : ''}
          </span>
        )}
      </div>
    </div>
  );
}

function ConfigJson() {
  const a = useActions();
  const config = useLab((s) => s.experiment.config);
  const json = JSON.stringify(config, null, 2);
  // The user's edit while there is one; otherwise the text follows the config.
  const [draft, setDraft] = useState<string | null>(null);
  const dirty = draft !== null;
  const text = draft ?? json;
  const file = useRef<HTMLInputElement>(null);
  return (
    <section className="card">
      <h3 id="config-json-title">Config as JSON</h3>
      <p className="muted">
        The whole experiment is this document. A file listing only what differs from the defaults is enough to import;
        the headless runner reads the same format (<code>npm run experiment -- --config file.json</code>).
      </p>
      <textarea
        className="json"
        aria-labelledby="config-json-title"
        spellCheck={false}
        value={text}
        onChange={(e) => setDraft(e.target.value)}
        rows={16}
        data-testid="config-json"
      />
      <div className="row">
        <button
          disabled={!dirty}
          onClick={() => {
            if (a.importConfig(text)) setDraft(null);
          }}
        >
          Apply JSON
        </button>
        <button disabled={!dirty} onClick={() => setDraft(null)}>
          Revert
        </button>
        <button
          onClick={() =>
            download(
              `${config.name.replace(/[^\w-]+/g, '_').slice(0, 60) || 'experiment'}.json`,
              json,
              'application/json',
            )
          }
        >
          Export…
        </button>
        <button onClick={() => file.current?.click()}>Import…</button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) {
              a.importConfig(await f.text());
              setDraft(null);
            }
            e.target.value = '';
          }}
        />
      </div>
    </section>
  );
}

/** The dataset group: the built-in synthetic faces with their settings, or a stored (imported) dataset. */
function DatasetGroup({ fields }: { fields: FieldSpec[] }) {
  const a = useActions();
  const ds = useLab((s) => s.experiment.config.dataset);
  const list = useLab((s) => s.datasets.list);
  const imported = list.filter((d) => d.source === 'import');
  const value = ds.source === 'stored' ? ds.id : 'synth';
  const meta = ds.source === 'stored' ? list.find((d) => d.id === ds.id) : null;
  return (
    <>
      <div className="field">
        <label htmlFor="f-dataset-source">dataset</label>
        <select
          id="f-dataset-source"
          value={value}
          data-testid="dataset-source"
          onChange={(e) => {
            if (e.target.value === 'synth') a.setField('dataset', makeConfig({}).dataset);
            else a.useDataset(e.target.value);
          }}
        >
          <option value="synth">built-in synthetic faces</option>
          {imported.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
          {ds.source === 'stored' && !meta && <option value={ds.id}>{ds.id} (not stored)</option>}
        </select>
      </div>
      {ds.source === 'synth' && fields.map((f) => <Field key={f.path} spec={f} />)}
      {ds.source === 'stored' &&
        (meta ? (
          <p className="muted">
            {meta.height}×{meta.width}×{meta.channels}, tasks {meta.tasks.join(', ')}; {meta.splits.train.count} /{' '}
            {meta.splits.val.count} / {meta.splits.test.count} images (train / val / test). The task must be one of its
            tasks.
          </p>
        ) : (
          <p className="error">This dataset is not in the browser’s storage: import it again or choose another.</p>
        ))}
      {imported.length === 0 && ds.source === 'synth' && (
        <p className="muted small">Imported datasets (Datasets panel) can be chosen here.</p>
      )}
    </>
  );
}

/** Step 1's line: the experiment's dataset, stored or being generated. */
function DataStep() {
  const a = useActions();
  const cfg = useLab((s) => s.experiment.config);
  const list = useLab((s) => s.datasets.list);
  const progress = useLab((s) => s.datasets.progress);
  const ds = cfg.dataset;
  const stored =
    ds.source === 'synth'
      ? list.some((d) => d.id === synthDatasetId(ds))
      : ds.source === 'stored' && list.some((d) => d.id === ds.id);
  const state = stored
    ? 'stored in this browser'
    : progress
      ? `being generated (${progress.done} / ${progress.total})…`
      : 'generated when the run starts';
  return (
    <>
      {datasetText(cfg, list)}: <strong data-testid="guided-data">{state}</strong>.{' '}
      <button className="link" onClick={() => a.setTab('datasets')}>
        See the faces
      </button>
    </>
  );
}

/** The first screen: what the lab shows, and data → train → results. */
function GuidedStart({ durations }: { durations: Record<string, number | null> }) {
  const a = useActions();
  const preset = useLab((s) => s.experiment.preset);
  const estimate = useEstimate();
  const { canStart, why } = useCanStart();
  return (
    <section className="card guided" data-testid="guided-start" aria-labelledby="guided-title">
      <h2 id="guided-title">Start here</h2>
      <p className="lead">
        A face model that sees the whole face (the teacher) is trained, then students that see only half of it: the
        lower half, as under a VR headset (◑), or the upper half, as above a surgical mask (◐). The lab shows how much
        the hidden half costs, and how much distilling the teacher’s knowledge into the student wins back.
      </p>
      <ol className="steps">
        <li data-testid="step-data">
          <span className="step-no">1</span>
          <div>
            <strong>Data</strong>
            <br />
            <DataStep />
          </div>
        </li>
        <li data-testid="step-train">
          <span className="step-no">2</span>
          <div>
            <strong>Train</strong>
            <br />
            <label htmlFor="preset">experiment </label>
            <select
              id="preset"
              value={preset ?? ''}
              onChange={(e) => {
                if (e.target.value) a.applyPreset(e.target.value);
              }}
              data-testid="preset"
            >
              <option value="">(your own settings)</option>
              {(preset && !OFFERED_PRESETS.includes(preset) ? [...OFFERED_PRESETS, preset] : OFFERED_PRESETS).map(
                (p) => {
                  const s = durations[p];
                  return (
                    <option key={p} value={p}>
                      {p}
                      {s != null ? ` (about ${formatEstimate(s)})` : ''}
                    </option>
                  );
                },
              )}
            </select>{' '}
            <button
              className="primary"
              disabled={!canStart}
              title={why}
              onClick={() => a.startRun()}
              data-testid="guided-run"
            >
              Run the curriculum
            </button>
            {preset && PRESET_DESCRIPTIONS[preset] && (
              <div className="small" data-testid="preset-description">
                {PRESET_DESCRIPTIONS[preset]}
              </div>
            )}
            <div className="muted small" data-testid="guided-estimate">
              {estimate || 'the expected time appears once a few training steps are timed'}
            </div>
          </div>
        </li>
        <li data-testid="step-results">
          <span className="step-no">3</span>
          <div>
            <strong>Results</strong>
            <br />
            Follow the training in{' '}
            <button className="link" onClick={() => a.setTab('monitor')}>
              Monitor
            </button>
            ; then read the grid, explained in sentences, in{' '}
            <button className="link" onClick={() => a.setTab('results')}>
              Results
            </button>{' '}
            and see where each model looks in{' '}
            <button className="link" onClick={() => a.setTab('explain')}>
              Grad-CAM
            </button>
            .
          </div>
        </li>
      </ol>
    </section>
  );
}

export function ExperimentPanel() {
  const presenter = usePresenter();
  const calibrations = useLab((s) => s.calibrations);
  const choice = useLab((s) => s.backendChoice);
  const durations = useMemo(
    () =>
      Object.fromEntries(Object.keys(PRESETS).map((p) => [p, durationFor({ calibrations }, presetConfig(p), choice)])),
    [calibrations, choice],
  );
  const errors = useLab((s) => s.experiment.errors);
  const ready = useLab((s) => s.worker.ready);
  const config = useLab((s) => s.experiment.config);
  const [advanced, setAdvanced] = useState(false);
  // model.custom's errors are shown by the layer editor, when the architecture is custom.
  const editorShown = config.model.arch === 'custom' && advanced;
  const other = errors.filter(
    (e) =>
      !FORM_PATHS.has(e.field) &&
      ![...FORM_PATHS].some((p) => e.field.startsWith(`${p}.`)) &&
      !(editorShown && e.field === 'model.custom'),
  );
  return (
    <div className="experiment" data-testid="experiment-panel">
      <GuidedStart durations={durations} />
      {!presenter.on && (
        <>
          <section className="card" data-testid="quick-settings" aria-labelledby="quick-title">
            <div className="row spread">
              <h2 id="quick-title">The settings to try first</h2>
              <span className={errors.length ? 'error' : 'muted'} data-testid="config-status">
                {!ready
                  ? 'The settings are checked once the training worker has started.'
                  : errors.length
                    ? `${errors.length} setting(s) need attention before a run.`
                    : 'All settings are valid.'}
              </span>
            </div>
            <p className="muted small">
              The backend is chosen next to the Run button. Edits are kept in this browser for your next visit.
            </p>
            <div className="quick">
              {QUICK_FIELDS.map((f) => (
                <Field key={f.path} spec={f} />
              ))}
            </div>
          </section>
          {other.length > 0 && (
            <section className="card errors">
              {other.map((e) => (
                <div key={e.field + e.message} className="error" data-testid="field-error">
                  <code>{e.field}</code>: {e.message}
                </div>
              ))}
            </section>
          )}
          <details
            className="advanced"
            data-testid="advanced"
            open={advanced}
            onToggle={(e) => setAdvanced((e.target as HTMLDetailsElement).open)}
          >
            <summary>
              <strong className="summary-title">Advanced: every other setting</strong>{' '}
              <span className="muted small">
                dataset, architecture, batch sizes, optimisers, mining, the combined students, sweeps, the config as
                JSON
              </span>
            </summary>
            {advanced && (
              <>
                <div className="groups">
                  {ADVANCED_GROUPS.map((g) => (
                    <section key={g.id} className="card group">
                      <h3>{g.title}</h3>
                      {g.help && <p className="muted">{g.help}</p>}
                      {g.id === 'dataset' ? (
                        <DatasetGroup fields={g.fields} />
                      ) : (
                        g.fields.map((f) => <Field key={f.path} spec={f} />)
                      )}
                      {g.id === 'general' && <LayerEditor />}
                    </section>
                  ))}
                </div>
                <SweepCard />
                <ConfigJson />
              </>
            )}
          </details>
          <ModelsCard />
        </>
      )}
    </div>
  );
}
