// docs/method.md#combined-students: the two distilled students combined. Their embeddings of the occluded faces are
// concatenated and a linear SVM (classification) or ε-SVR (age) is trained on the training split, C
// chosen on validation from a grid, tested on test; the same on each single embedding as the ablation.
// Rows join the grid like any model's. Embeddings are read back to plain arrays, so no tensor stays.
import * as tf from '@tensorflow/tfjs';
import type { EnsembleConfig, ExperimentConfig, StageName } from '../config/config';
import { AGE_OFFSET, AGE_SCALE, labelsOf, type TaskHead } from '../data/batching';
import type { ImageSet, Visibility } from '../data/types';
import { embedImages } from '../distill/evaluate';
import type { CurriculumEvent, GridRow, RowModel } from '../events';
import {
  accuracy,
  confusionMatrix,
  CONFUSION_MAX_CLASSES,
  meanAbsoluteError,
  weightedAccuracy,
  type Metrics,
} from '../metrics/classification';
import { withEmbedding } from '../models/registry';
import { fitGridAsync, type GridOptions } from './grid';
import type { SvcModel, SvrModel } from './solver';
import { fitStandardizer, standardize } from './standardize';
import { predictSvc } from './svc';
import { predictSvr } from './svr';

export type EnsembleRowName = Exclude<RowModel, StageName>;
export const ENSEMBLE_LABEL: Record<EnsembleRowName, { svc: string; svr: string }> = {
  svm: { svc: 'SVM on standard + triplet embeddings', svr: 'SVR on standard + triplet embeddings' },
  svmStandard: { svc: 'SVM on the standard T-S embedding', svr: 'SVR on the standard T-S embedding' },
  svmTriplet: { svc: 'SVM on the triplet T-S embedding', svr: 'SVR on the triplet T-S embedding' },
};

interface Embedded {
  train: Float32Array;
  val: Float32Array;
  test: Float32Array;
  d: number;
}

async function embedAll(
  model: tf.LayersModel,
  data: { train: ImageSet; val: ImageSet; test: ImageSet },
  vis: Visibility,
  batch: number,
): Promise<Embedded> {
  const view = withEmbedding(model);
  const one = async (set: ImageSet) => {
    const t = await embedImages(
      view,
      set,
      Int32Array.from({ length: set.count }, (_, i) => i),
      vis,
      batch,
    );
    const out = { x: (await t.data()) as Float32Array, d: t.shape[1] };
    t.dispose();
    return out;
  };
  const tr = await one(data.train);
  const va = await one(data.val);
  const te = await one(data.test);
  return { train: tr.x, val: va.x, test: te.x, d: tr.d };
}

/** Row-wise concatenation of [n, d1] and [n, d2]. */
export function concatRows(a: Float32Array, da: number, b: Float32Array, db: number, n: number): Float32Array {
  const out = new Float32Array(n * (da + db));
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * da, (i + 1) * da), i * (da + db));
    out.set(b.subarray(i * db, (i + 1) * db), i * (da + db) + da);
  }
  return out;
}

/**
 * The ensemble rows of a run, from its trained standard and triplet students. An abort of `signal` stops it within
 * an epoch of the running fit (fitGridAsync hands the thread back to the event loop every few tens of milliseconds,
 * so a worker's cancel message gets through mid-fit) and rejects with an AbortError; no tensor is left behind.
 * `solver`: the fits' stopping settings (tests).
 */
export async function ensembleRows(
  cfg: ExperimentConfig,
  ens: EnsembleConfig,
  data: { train: ImageSet; val: ImageSet; test: ImageSet },
  head: TaskHead,
  students: { standard: tf.LayersModel; triplet: tf.LayersModel },
  emit: (e: CurriculumEvent) => void,
  signal?: AbortSignal,
  solver: Pick<GridOptions, 'tol' | 'maxEpochs'> = {},
): Promise<GridRow[]> {
  const vis = cfg.scenario;
  const batch = cfg.evalBatchSize;
  const t0 = Date.now();
  const s = await embedAll(students.standard, data, vis, batch);
  if (signal?.aborted) throw abortError();
  const t = await embedAll(students.triplet, data, vis, batch);
  const nTr = data.train.count;
  const nVa = data.val.count;
  const nTe = data.test.count;
  const combos: [EnsembleRowName, () => Embedded][] = [
    [
      'svm',
      () => ({
        train: concatRows(s.train, s.d, t.train, t.d, nTr),
        val: concatRows(s.val, s.d, t.val, t.d, nVa),
        test: concatRows(s.test, s.d, t.test, t.d, nTe),
        d: s.d + t.d,
      }),
    ],
  ];
  if (ens.singles) combos.push(['svmStandard', () => s], ['svmTriplet', () => t]);
  const svr = head.kind === 'regression';
  // Age is fitted in the network's standardised units, so ε = 0.1 means 2 years, as the students' targets.
  const toUnits = (y: Float32Array) =>
    svr ? Float32Array.from(y, (v) => (v - AGE_OFFSET) / AGE_SCALE) : Int32Array.from(y);
  const yTr = toUnits(labelsOf(data.train, cfg.task));
  const yVa = toUnits(labelsOf(data.val, cfg.task));
  const truth = labelsOf(data.test, cfg.task);
  emit({
    type: 'log',
    level: 'info',
    message: `ensemble: embeddings of ${nTr + nVa + nTe} images from both students in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  });
  const rows: GridRow[] = [];
  for (const [name, get] of combos) {
    if (signal?.aborted) throw abortError();
    const e = get();
    const st = fitStandardizer(e.train, nTr, e.d);
    const xTr = standardize(e.train, nTr, e.d, st);
    const xVa = standardize(e.val, nVa, e.d, st);
    const xTe = standardize(e.test, nTe, e.d, st);
    const t1 = Date.now();
    const label = ENSEMBLE_LABEL[name][svr ? 'svr' : 'svc'];
    // Inside a C (many classes: hundreds of binary problems), a progress line at most once a second.
    let said = 0;
    const fit = await fitGridAsync(
      svr ? 'svr' : 'svc',
      {
        xTrain: xTr,
        yTrain: yTr,
        nTrain: nTr,
        xVal: xVa,
        yVal: yVa,
        nVal: nVa,
        d: e.d,
        classes: head.units,
      },
      ens.cGrid,
      {
        ...solver,
        epsilon: ens.epsilon,
        signal,
        onProgress: (i, total) => emit({ type: 'log', level: 'info', message: `${label}: C ${i}/${total}` }),
        onFitProgress: (i, done, count) => {
          if (done === count || Date.now() - said < 1000) return;
          said = Date.now();
          emit({
            type: 'log',
            level: 'info',
            message: `${label}: C ${i - 1}/${ens.cGrid.length}, binary problems ${done}/${count} of the next`,
          });
        },
      },
    );
    let predictions: number[];
    const metrics: Metrics = { count: nTe, loss: 0 };
    if (svr) {
      predictions = Array.from(predictSvr(fit.best as SvrModel, xTe, nTe), (v) => v * AGE_SCALE + AGE_OFFSET);
      metrics.mae = meanAbsoluteError(truth, predictions);
      metrics.loss = metrics.mae / AGE_SCALE;
    } else {
      predictions = Array.from(predictSvc(fit.best as SvcModel, xTe, nTe));
      const cm = confusionMatrix(truth, predictions, head.units);
      metrics.accuracy = accuracy(truth, predictions);
      metrics.weightedAccuracy = weightedAccuracy(cm);
      if (cm.length <= CONFUSION_MAX_CLASSES) metrics.confusion = cm;
      metrics.loss = 1 - metrics.accuracy;
    }
    const row: GridRow = {
      model: name,
      label: `${ENSEMBLE_LABEL[name][svr ? 'svr' : 'svc']} (C = ${fit.bestC})`,
      train: `full+${vis}`,
      test: vis,
      metrics,
      predictions,
    };
    emit({
      type: 'log',
      level: 'info',
      message: `${row.label}: chosen on validation in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    });
    emit({ type: 'result', row });
    rows.push(row);
  }
  return rows;
}

function abortError(): Error {
  return Object.assign(new Error('The ensemble stage was cancelled.'), { name: 'AbortError' });
}
