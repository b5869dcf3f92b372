// The loss steps of the curriculum (METHOD.md): the task loss alone (teacher, students, control) and
// standard teacher-student training (KD or hints), the frozen teacher fed the full image and the student
// the occluded one. Each returns a StepFn for trainStage.
import * as tf from '@tensorflow/tfjs';
import type { Visibility } from '../data/types';
import { hintLoss, kdLoss, taskLoss } from '../losses';
import { withEmbedding } from '../models';
import type { StageContext, StepFn } from './context';
import { trainableVariables } from './trainStage';

/** Task loss only (teacher, students, control). */
export function taskStep(ctx: StageContext, visibility: Visibility): (m: tf.LayersModel) => StepFn {
  const xBuf = new Float32Array(ctx.maxBatch() * ctx.imgLen);
  const yBuf = new Float32Array(ctx.maxBatch());
  return (model) => (batch, opt) => {
    const x = ctx.images(ctx.data.train, batch, visibility, xBuf);
    const y = ctx.targets(batch, yBuf);
    let comps: tf.Tensor1D | null = null;
    opt.minimize(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor2D;
      const loss = taskLoss(ctx.head.kind, out, y);
      comps = tf.keep(tf.stack([loss, loss, tf.scalar(0), ctx.batchScore(out, y)]) as tf.Tensor1D);
      return loss;
    }, false, trainableVariables(model));
    tf.dispose([x, y]);
    return comps!;
  };
}


/** Standard T-S (METHOD.md §3a): teacher on the full image, student on the occluded one. */
export function standardStep(ctx: StageContext, teacher: tf.LayersModel, kind: 'kd' | 'hint'): (m: tf.LayersModel) => StepFn {
  const vis = ctx.cfg.scenario;
  const xFull = new Float32Array(ctx.maxBatch() * ctx.imgLen);
  const xOcc = new Float32Array(ctx.maxBatch() * ctx.imgLen);
  const yBuf = new Float32Array(ctx.maxBatch());
  const teacherTwo = withEmbedding(teacher);
  const s = ctx.cfg.standard;
  return (student) => {
    const studentTwo = withEmbedding(student);
    return (batch, opt) => {
      const xf = ctx.images(ctx.data.train, batch, 'full', xFull);
      const xo = ctx.images(ctx.data.train, batch, vis, xOcc);
      const y = ctx.targets(batch, yBuf);
      // The teacher runs outside minimize: its outputs are constants of the student's loss.
      const [eT, zT] = tf.tidy(() => teacherTwo.apply(xf, { training: false }) as tf.Tensor2D[]);
      let comps: tf.Tensor1D | null = null;
      opt.minimize(() => {
        const [eS, zS] = studentTwo.apply(xo, { training: true }) as tf.Tensor2D[];
        let total: tf.Scalar, task: tf.Scalar, term: tf.Scalar;
        if (kind === 'kd') {
          const r = kdLoss(zS, zT, y, { lambda: s.lambda, temperature: s.temperature, scaleByTemperatureSquared: s.scaleByTemperatureSquared });
          total = r.total; task = r.hard; term = r.soft;
        } else {
          task = taskLoss(ctx.head.kind, zS, y);
          term = hintLoss(eS, eT, s.hintScale ?? 'sum');
          total = tf.add(tf.mul(task, 1 - s.lambda), tf.mul(term, s.lambda));
        }
        comps = tf.keep(tf.stack([total, task, term, ctx.batchScore(zS, y)]) as tf.Tensor1D);
        return total;
      }, false, trainableVariables(student));
      tf.dispose([xf, xo, y, eT, zT]);
      return comps!;
    };
  };
}

