// Models brought in from files: the lab's exported .zip, or a model.json with its weights. Each is
// checked in the worker before it is stored; one can be the teacher's starting weights.
import { useRef } from 'react';
import { useActions, useLab } from '../../state/react';
import { formatBytes, formatDate } from '../format';

export function ModelsCard() {
  const a = useActions();
  const models = useLab((s) => s.models);
  const teacherInit = useLab((s) => s.experiment.config.teacherInit ?? null);
  const input = useRef<HTMLInputElement>(null);
  return (
    <section className="card" data-testid="models-card">
      <h3>Imported models</h3>
      <p className="muted small">
        A model exported by this lab (.zip), or any TensorFlow.js Layers model (model.json + its weights files). It is
        checked (JSON, weights against the manifest, input and output shapes) before it is kept. The teacher can start
        from one of the same architecture instead of fresh weights.
      </p>
      <div className="row wrap">
        <button onClick={() => input.current?.click()} disabled={models.pending !== null} data-testid="model-import">
          {models.pending !== null ? 'Checking…' : 'Import a model…'}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept=".zip,.json,.bin"
          data-testid="model-files"
          onChange={(e) => {
            if (e.target.files?.length) a.importModel([...e.target.files]);
            e.target.value = '';
          }}
        />
        <label>
          teacher starts from{' '}
          <select
            value={teacherInit ?? ''}
            onChange={(e) => a.setField('teacherInit', e.target.value || null)}
            data-testid="teacher-init"
          >
            <option value="">fresh weights</option>
            {models.imported.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {models.message && (
        <p className={models.error ? 'error' : 'muted'} data-testid="model-message">
          {models.message}
        </p>
      )}
      {models.imported.length > 0 && (
        <table className="counts">
          <thead>
            <tr>
              <th>model</th>
              <th>input</th>
              <th>outputs</th>
              <th>size</th>
              <th>imported</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.imported.map((m) => (
              <tr key={m.id} data-testid="imported-model">
                <td>{m.name}</td>
                <td>{m.inputShape.join('×')}</td>
                <td>{m.outputUnits}</td>
                <td>{formatBytes(m.bytes)}</td>
                <td>{formatDate(m.importedAt)}</td>
                <td>
                  <button
                    className="danger"
                    onClick={() => {
                      if (confirm(`Delete the imported model ${m.name}?`)) void a.deleteImportedModel(m.id);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
