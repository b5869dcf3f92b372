// The Results tab's downloads: the run's grid, results, charts and trained models, each as a file.
import type { StageName } from '../../core/config/config';
import { formatGrid, gridCsv } from '../../core/results/report';
import { useActions, useLab } from '../../state/react';
import { type RunView } from '../../state/runView';
import { download } from '../download';
import { chartsPng, confusionsPng } from './png';
import { downloadName } from '../../state/downloads';
import { EXPRESSION_CLASSES, GENDER_CLASSES } from '../../core/data/types';

const save = download;

export function Downloads({ run }: { run: RunView }) {
  const a = useActions();
  const classNames = useClassNames(run);
  const labels = useLab((s) => s.worker.stageLabels);
  const exportResults = () =>
    save(
      downloadName(run.runId, 'results', 'json'),
      JSON.stringify(
        {
          id: run.runId,
          name: run.name,
          config: run.config,
          backend: run.backend,
          skippedBackends: run.skipped,
          createdAt: new Date(run.createdAt).toISOString(),
          elapsedMs: run.elapsedMs,
          history: run.history,
          grid: run.rows,
        },
        null,
        1,
      ),
      'application/json',
    );
  const exporting = useLab((s) => s.exporting);
  return (
    <div className="row wrap">
      <button onClick={exportResults}>Download results.json</button>
      {run.status === 'done' &&
        run.stages.map((s: StageName) => (
          <span key={s} className="row">
            <button
              disabled={exporting.pending !== null}
              onClick={() => a.exportModel(run.runId, s)}
              data-testid={`export-${s}`}
              title="one .zip: model.json + model.weights.bin (tfjs LayersModel, loads with tf.loadLayersModel), model.onnx, lab.json (labels, preprocessing, metrics)"
            >
              {labels[s] ?? s} model (.zip)
            </button>
            <button
              disabled={exporting.pending !== null}
              onClick={() => a.exportModel(run.runId, s, 'onnx')}
              data-testid={`export-onnx-${s}`}
              title="the model as one ONNX file (opset 13) for ONNX Runtime, PyTorch, C++ or mobile: input NHWC images / 255, outputs probabilities (or age) and the embedding; labels and preprocessing in its metadata"
            >
              {labels[s] ?? s} model (.onnx)
            </button>
          </span>
        ))}
      {exporting.message && (
        <span className="muted" data-testid="export-message">
          {exporting.message}
        </span>
      )}
      <button
        onClick={() =>
          save(downloadName(run.runId, 'grid', 'txt'), formatGrid(run.rows, run.config.task), 'text/plain')
        }
      >
        Grid as text
      </button>
      <button
        onClick={() => save(downloadName(run.runId, 'grid', 'csv'), gridCsv(run.rows), 'text/csv')}
        data-testid="grid-csv"
      >
        Grid as CSV
      </button>
      <button onClick={() => window.print()} title="the browser's print dialog: the Results page is laid out for paper">
        Print…
      </button>
      <button
        data-testid="charts-png"
        onClick={() =>
          void (async () => {
            const charts = ['loss-chart', 'metric-chart'].flatMap((id) => {
              const fig = document.querySelector(`[data-testid=results-charts] [data-testid=${id}]`);
              const svg = fig?.querySelector<SVGSVGElement>('svg.svg-chart-surface');
              return svg ? [{ svg, caption: fig?.querySelector('figcaption')?.textContent ?? '' }] : [];
            });
            if (charts.length)
              save(downloadName(run.runId, 'charts', 'png'), await chartsPng(charts, run.name), 'image/png');
          })()
        }
      >
        Charts as PNG
      </button>
      {classNames && (
        <button
          data-testid="confusions-png"
          onClick={() =>
            void (async () => {
              save(
                downloadName(run.runId, 'confusion-matrices', 'png'),
                await confusionsPng(run.rows, classNames),
                'image/png',
              );
            })()
          }
        >
          Confusion matrices as PNG
        </button>
      )}
    </div>
  );
}

/** The class names of a run's task (a stored dataset's own, else the built-in ones); null for age. */
export function useClassNames(run: RunView): readonly string[] | null {
  const ds = run.config.dataset;
  const meta = useLab((s) => (ds.source === 'stored' ? s.datasets.list.find((d) => d.id === ds.id) : undefined));
  if (run.config.task === 'age') return null;
  return run.config.task === 'expression'
    ? (meta?.classNames.expression ?? EXPRESSION_CLASSES)
    : (meta?.classNames.gender ?? GENDER_CLASSES);
}
