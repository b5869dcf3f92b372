// The custom architecture's layer editor (shown when the architecture is `custom`): conv blocks in order
// (filters, kernel, stride, padding, BatchNorm, pooling; add, remove, move up / down), then the dense
// layers, the last one the embedding; the parameter count and multiply-adds follow every edit. The edits
// themselves are pure functions (layers.ts); the config's validation names what is wrong.
import { useMemo } from 'react';
import './layerEditor.css';
import type { CustomConv, CustomLayout } from '../../core/models/spec';
import { useActions, useLab } from '../../state/react';
import {
  addConv,
  addDense,
  moveConv,
  removeConv,
  removeDense,
  setConv,
  setDense,
  sizeLine,
  STARTER_LAYOUT,
} from './layers';
import { errorsFor } from './fields';

const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));

export function LayerEditor() {
  const a = useActions();
  const model = useLab((s) => s.experiment.config.model);
  const task = useLab((s) => s.experiment.config.task);
  const ds = useLab((s) => s.experiment.config.dataset);
  const list = useLab((s) => s.datasets.list);
  const all = useLab((s) => s.experiment.errors);
  const errors = useMemo(() => errorsFor(all, 'model.custom'), [all]);
  if (model.arch !== 'custom') return null;
  const layout = model.custom;
  const set = (l: CustomLayout) => a.setField('model.custom', l);
  const meta = ds.source === 'stored' ? list.find((d) => d.id === ds.id) : null;
  const input: [number, number, number] | null =
    ds.source === 'synth' || ds.source === 'file'
      ? [ds.height, ds.width, ds.channels]
      : meta
        ? [meta.height, meta.width, meta.channels]
        : null;
  const units = task === 'age' ? 1 : task === 'gender' ? 2 : (meta?.classNames.expression?.length ?? 8);
  if (!layout) {
    return (
      <div className="layer-editor" data-testid="layer-editor">
        <h4>Layers</h4>
        {errors.map((m) => (
          <p key={m} className="error" data-testid="field-error">
            {m}
          </p>
        ))}
        <button onClick={() => set(STARTER_LAYOUT)} data-testid="layers-start">
          Start from the tutorial CNN (conv 32, conv 64, dense 128)
        </button>
      </div>
    );
  }
  const conv = <K extends keyof CustomConv>(i: number, k: K, v: CustomConv[K]) => set(setConv(layout, i, k, v));
  return (
    <div className="layer-editor" data-testid="layer-editor">
      <h4>Layers</h4>
      <p className="muted small">
        Each block: conv → (BatchNorm) → ReLU → (max-pool, floor mode as PyTorch’s). A conv followed by BatchNorm has no
        bias.
      </p>
      <table className="layers">
        <thead>
          <tr>
            <th>#</th>
            <th>filters</th>
            <th>kernel</th>
            <th>stride</th>
            <th>padding</th>
            <th>BN</th>
            <th>pool</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {layout.convs.map((b, i) => (
            <tr key={i} data-testid="conv-block">
              <td>conv {i + 1}</td>
              <td>
                <input
                  aria-label={`block ${i + 1} filters`}
                  type="number"
                  min={1}
                  value={Number.isFinite(b.filters) ? b.filters : ''}
                  onChange={(e) => conv(i, 'filters', num(e.target.value))}
                />
              </td>
              <td>
                <input
                  aria-label={`block ${i + 1} kernel`}
                  type="number"
                  min={1}
                  value={Number.isFinite(b.kernel) ? b.kernel : ''}
                  onChange={(e) => conv(i, 'kernel', num(e.target.value))}
                />
              </td>
              <td>
                <input
                  aria-label={`block ${i + 1} stride`}
                  type="number"
                  min={1}
                  value={Number.isFinite(b.stride) ? b.stride : ''}
                  onChange={(e) => conv(i, 'stride', num(e.target.value))}
                />
              </td>
              <td>
                <select
                  aria-label={`block ${i + 1} padding`}
                  value={b.padding}
                  onChange={(e) => conv(i, 'padding', e.target.value as CustomConv['padding'])}
                >
                  <option value="same">same</option>
                  <option value="valid">valid</option>
                </select>
              </td>
              <td>
                <input
                  aria-label={`block ${i + 1} batch norm`}
                  type="checkbox"
                  checked={b.batchNorm}
                  onChange={(e) => conv(i, 'batchNorm', e.target.checked)}
                />
              </td>
              <td>
                <select
                  aria-label={`block ${i + 1} pooling`}
                  value={String(b.pool)}
                  onChange={(e) => conv(i, 'pool', Number(e.target.value))}
                >
                  <option value="0">none</option>
                  {[2, 3, 4].map((p) => (
                    <option key={p} value={String(p)}>
                      max {p}x{p}
                    </option>
                  ))}
                  {![0, 2, 3, 4].includes(b.pool) && (
                    <option value={String(b.pool)}>
                      max {b.pool}x{b.pool}
                    </option>
                  )}
                </select>
              </td>
              <td className="row">
                <button
                  className="link"
                  aria-label={`move block ${i + 1} up`}
                  disabled={i === 0}
                  onClick={() => set(moveConv(layout, i, -1))}
                >
                  ↑
                </button>
                <button
                  className="link"
                  aria-label={`move block ${i + 1} down`}
                  disabled={i === layout.convs.length - 1}
                  onClick={() => set(moveConv(layout, i, 1))}
                >
                  ↓
                </button>
                <button
                  className="link"
                  aria-label={`remove block ${i + 1}`}
                  disabled={layout.convs.length <= 1}
                  onClick={() => set(removeConv(layout, i))}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
          {layout.dense.map((u, i) => (
            <tr key={`d${i}`} data-testid="dense-layer">
              <td>{i === layout.dense.length - 1 ? 'embedding' : `dense ${i + 1}`}</td>
              <td colSpan={6}>
                <input
                  aria-label={`dense ${i + 1} units`}
                  type="number"
                  min={1}
                  value={Number.isFinite(u) ? u : ''}
                  onChange={(e) => set(setDense(layout, i, num(e.target.value)))}
                />{' '}
                units, ReLU
              </td>
              <td>
                <button
                  className="link"
                  aria-label={`remove dense ${i + 1}`}
                  disabled={layout.dense.length <= 1}
                  onClick={() => set(removeDense(layout, i))}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
          <tr>
            <td>logits</td>
            <td colSpan={7} className="muted">
              {units} unit{units === 1 ? '' : 's'}, linear
            </td>
          </tr>
        </tbody>
      </table>
      <div className="row">
        <button onClick={() => set(addConv(layout))} disabled={layout.convs.length >= 16} data-testid="layers-add-conv">
          + conv block
        </button>
        <button onClick={() => set(addDense(layout))} disabled={layout.dense.length >= 8}>
          + dense layer
        </button>
      </div>
      <p className="small" data-testid="layer-size">
        {sizeLine(layout, input, units, model.width, model.embeddingSize)}
      </p>
      {errors.map((m) => (
        <p key={m} className="error" data-testid="field-error">
          {m}
        </p>
      ))}
    </div>
  );
}
