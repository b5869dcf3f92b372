// The loss steps of the curriculum (docs/method.md#curriculum): the task loss alone (teacher, students, control) and
// standard teacher-student training (KD or hints), the frozen teacher fed the full image and the student
// the occluded one. Each returns a StepFn for trainStage.
import * as tf from '@tensorflow/tfjs';
import type { Visibility } from '../data/types';
import { hintLoss, kdLoss, taskLoss } from '../losses';
import { withEmbedding } from '../models';
import { now, type StageContext, type StageRun, type StepFn } from './context';
import { allOutputs } from './evaluate';
import { trainableVariables } from './trainStage';

/** Task loss only (teacher, students, control). */
export function taskStep(ctx: StageContext, visibility: Visibility): (m: tf.LayersModel) => StepFn {
  const xBuf = new Float32Array(ctx.maxBatch() * ctx.imgLen);
  const yBuf = new Float32Array(ctx.maxBatch());
  return (model) => (batch, opt) => {
    const x = ctx.images(ctx.data.train, batch, visibility, xBuf);
    const y = ctx.targets(batch, yBuf);
    let comps: tf.Tensor1D | null = null;
    opt.minimize(
      () => {
        const out = model.apply(x, { training: true }) as tf.Tensor2D;
        const loss = taskLoss(ctx.head.kind, out, y);
        comps = tf.keep(tf.stack([loss, loss, tf.scalar(0), ctx.batchScore(out, y)]) as tf.Tensor1D);
        return loss;
      },
      false,
      trainableVariables(model),
    );
    tf.dispose([x, y]);
    return comps!;
  };
}

/** Above this many floats (64 MB) the teacher's outputs are not cached: it runs once per batch. */
export const TEACHER_CACHE_FLOATS = 16 * 1024 * 1024;

/** Standard T-S (docs/method.md#standard-t-s): teacher on the full image, student on the occluded one. The frozen
 *  teacher sees the same full images every epoch, so its embeddings and logits for the training split
 *  are computed once, at the stage's first epoch, and gathered per batch (when they fit in memory). */
export function standardRun(
  ctx: StageContext,
  teacher: tf.LayersModel,
  kind: 'kd' | 'hint',
): Pick<StageRun, 'makeStep' | 'beforeEpoch' | 'afterStage'> {
  const vis = ctx.cfg.scenario;
  const B = ctx.maxBatch();
  const xFull = new Float32Array(B * ctx.imgLen);
  const xOcc = new Float32Array(B * ctx.imgLen);
  const yBuf = new Float32Array(B);
  const teacherTwo = withEmbedding(teacher);
  const s = ctx.cfg.standard;
  let cache: Awaited<ReturnType<typeof allOutputs>> | null = null;
  let eBuf: Float32Array | null = null,
    zBuf: Float32Array | null = null;
  /** [batch, d] and [batch, u] of the teacher for these training images: from the cache, or computed. */
  const teacherOut = (batch: Int32Array): tf.Tensor2D[] => {
    if (!cache) {
      const xf = ctx.images(ctx.data.train, batch, 'full', xFull);
      const r = tf.tidy(() => teacherTwo.apply(xf, { training: false }) as tf.Tensor2D[]);
      xf.dispose();
      return r;
    }
    const { emb, d, out, u } = cache;
    for (let i = 0; i < batch.length; i++) {
      eBuf!.set(emb.subarray(batch[i] * d, (batch[i] + 1) * d), i * d);
      zBuf!.set(out.subarray(batch[i] * u, (batch[i] + 1) * u), i * u);
    }
    return [
      tf.tensor2d(eBuf!.subarray(0, batch.length * d), [batch.length, d]),
      tf.tensor2d(zBuf!.subarray(0, batch.length * u), [batch.length, u]),
    ];
  };
  return {
    beforeEpoch: async () => {
      if (cache) return 0;
      const t0 = now();
      const n = ctx.data.train.count;
      const probe = teacherTwo.outputs.map((o) => o.shape[o.shape.length - 1] ?? 0);
      if (n * (probe[0] + probe[1]) > TEACHER_CACHE_FLOATS) return 0;
      cache = await allOutputs(teacherTwo, ctx.data.train, 'full', ctx.cfg.evalBatchSize);
      eBuf = new Float32Array(B * cache.d);
      zBuf = new Float32Array(B * cache.u);
      return now() - t0;
    },
    afterStage: () => {
      cache = null;
      eBuf = null;
      zBuf = null;
    },
    makeStep: (student) => {
      const studentTwo = withEmbedding(student);
      return (batch, opt) => {
        const xo = ctx.images(ctx.data.train, batch, vis, xOcc);
        const y = ctx.targets(batch, yBuf);
        // The teacher's outputs are constants of the student's loss (computed outside minimize).
        const [eT, zT] = teacherOut(batch);
        let comps: tf.Tensor1D | null = null;
        opt.minimize(
          () => {
            const [eS, zS] = studentTwo.apply(xo, { training: true }) as tf.Tensor2D[];
            let total: tf.Scalar, task: tf.Scalar, term: tf.Scalar;
            if (kind === 'kd') {
              const r = kdLoss(zS, zT, y, {
                lambda: s.lambda,
                temperature: s.temperature,
                scaleByTemperatureSquared: s.scaleByTemperatureSquared,
              });
              total = r.total;
              task = r.hard;
              term = r.soft;
            } else {
              task = taskLoss(ctx.head.kind, zS, y);
              term = hintLoss(eS, eT, s.hintScale ?? 'sum');
              total = tf.add(tf.mul(task, 1 - s.lambda), tf.mul(term, s.lambda));
            }
            comps = tf.keep(tf.stack([total, task, term, ctx.batchScore(zS, y)]) as tf.Tensor1D);
            return total;
          },
          false,
          trainableVariables(student),
        );
        tf.dispose([xo, y, eT, zT]);
        return comps!;
      };
    },
  };
}
