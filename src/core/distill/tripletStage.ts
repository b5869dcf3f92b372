// Triplet T-S (docs/method.md#hard-example-mining): offline hard-example mining once per epoch (positives embedded by
// the frozen teacher on full faces, negatives and anchors by the student on occluded ones), then the task loss
// plus the triplet term, anchors and negatives through the student as one batch.
// No work twice: the frozen teacher embeds and judges each training image once per stage (the pools of
// later epochs reuse it: teacherPositives), and the negatives' student embeddings are rows of the
// anchors' (every training image is an anchor, embedded by the same student on the same half).
import * as tf from '@tensorflow/tfjs';
import { labelsOf } from '../data';
import { taskLoss, tripletLoss } from '../losses';
import { withEmbedding } from '../models';
import { embedAndJudge, embedImages } from './evaluate';
import { mineHardTriplets } from './mining';
import { drawMiningPools } from './pool';
import { now, type StageContext, type StageRun } from './context';
import { trainableVariables } from './trainStage';

/** Above this many bytes the teacher's embeddings are not kept between epochs (then embedded again). */
export const TEACHER_CACHE_LIMIT_BYTES = 512 * 2 ** 20;

/**
 * The frozen teacher's embedding and verdict (its own prediction right or not) of training images on full
 * faces, each computed once: `get(indices)` embeds only the images not seen before. `embedCalls` counts
 * the images it sent through the teacher (tests check that later epochs send none they have seen).
 */
export function teacherEmbeddingCache(
  embed: (indices: Int32Array) => Promise<{ emb: tf.Tensor2D; correct: Uint8Array }>,
  count: number,
  limitBytes = TEACHER_CACHE_LIMIT_BYTES,
) {
  let rows: Float32Array | null = null;
  let d = 0;
  let off = false; // too big to keep
  const correct = new Uint8Array(count);
  const known = new Uint8Array(count);
  const stats = { embedded: 0 };
  return {
    stats,
    async get(indices: Int32Array): Promise<{ emb: tf.Tensor2D; correct: Uint8Array }> {
      if (off) {
        stats.embedded += indices.length;
        return embed(indices);
      }
      const missing = indices.filter((i) => !known[i]);
      if (missing.length) {
        stats.embedded += missing.length;
        const r = await embed(missing);
        d = r.emb.shape[1];
        if (count * d * 4 > limitBytes) {
          // Too big to keep. This is the first call that embedded anything, so nothing was known and
          // `missing` is `indices`, in order: its answer is this call's.
          off = true;
          return r;
        }
        const data = await r.emb.data();
        r.emb.dispose();
        rows ??= new Float32Array(count * d);
        missing.forEach((i, j) => {
          rows!.set(data.subarray(j * d, (j + 1) * d), i * d);
          correct[i] = r.correct[j];
          known[i] = 1;
        });
      }
      const out = new Float32Array(indices.length * d);
      indices.forEach((i, j) => out.set(rows!.subarray(i * d, (i + 1) * d), j * d));
      return { emb: tf.tensor2d(out, [indices.length, d]), correct: Uint8Array.from(indices, (i) => correct[i]) };
    },
  };
}

/** Triplet T-S (docs/method.md#triplet-t-s) with offline mining once per epoch. */
export function tripletRun(ctx: StageContext, teacher: tf.LayersModel, student: tf.LayersModel): StageRun {
  const cfg = ctx.cfg;
  const t = cfg.triplet;
  const vis = cfg.scenario;
  const train = ctx.data.train;
  const B = t.batchSize;
  const teacherTwo = withEmbedding(teacher);
  const studentTwo = withEmbedding(student);
  const labels = labelsOf(train, cfg.task);
  // Under a data budget (docs/method.md#extension-the-students-data-budget) anchors and negatives come from the student's
  // labelled subset and positives from the teacher's whole split: the teacher saw every full face, so its
  // embeddings of them are what it has to pass on. Without a budget the two splits are one.
  const full = ctx.teacherTrain;
  const fullLabels = full === train ? labels : labelsOf(full, cfg.task);
  const rule =
    ctx.head.kind === 'classification'
      ? { kind: 'class' as const }
      : { kind: 'age' as const, thresholdYears: t.ageThreshold };
  let mined: { posEmb: tf.Tensor2D; negIdx: Int32Array; valid: Uint8Array } | null = null;
  const release = () => {
    if (mined) {
      mined.posEmb.dispose();
      mined = null;
    }
  };
  const teacherEmb = teacherEmbeddingCache(
    (idx) => embedAndJudge(teacherTwo, full, idx, 'full', cfg.evalBatchSize, cfg.task, ctx.head, t.ageThreshold),
    full.count,
  );
  const xBuf = new Float32Array(2 * B * ctx.imgLen);
  const yBuf = new Float32Array(B);
  const cls = ctx.head.kind === 'classification';
  const poolsOf = (epoch: number) => {
    const pools = drawMiningPools(
      cls ? labels : null,
      ctx.head.units,
      train.count,
      t.positivePool,
      t.negativePool,
      cfg.seed,
      epoch,
    );
    // The positive pool's draw has its own seed stream: drawn over the whole split it is the same draw
    // as before whenever the student has the whole split.
    if (full !== train) {
      pools.positives = drawMiningPools(
        cls ? fullLabels : null,
        ctx.head.units,
        full.count,
        t.positivePool,
        t.negativePool,
        cfg.seed,
        epoch,
      ).positives;
    }
    return pools;
  };
  let firstEpoch = true;
  return {
    stage: 'triplet',
    model: student,
    cfg: t,
    visibility: vis,
    extraTerm: 'triplet',
    beforeEpoch: async (epoch) => {
      const t0 = now();
      release();
      if (firstEpoch) {
        // Resumed at `epoch`: the cache is filled as the uninterrupted run filled it, epoch by epoch, so
        // every teacher embedding comes from the same batch of images as there (exact resume).
        firstEpoch = false;
        for (let e = 0; e < epoch; e++) (await teacherEmb.get(poolsOf(e).positives)).emb.dispose();
      }
      const pools = poolsOf(epoch);
      const all = new Int32Array(train.count).map((_, i) => i);
      const teacherCorrect = t.mining === 'teacher-correct' || t.mining === 'teacher-correct-semihard';
      const { emb: posEmb, correct } = await teacherEmb.get(pools.positives);
      const anchorEmb = await embedImages(studentTwo, train, all, vis, cfg.evalBatchSize);
      const negEmb = tf.tidy(() => tf.gather(anchorEmb, pools.negatives)) as tf.Tensor2D;
      const pick = (idx: Int32Array) => Float32Array.from(idx, (i) => labels[i]);
      let m;
      try {
        m = await mineHardTriplets({
          anchorEmb,
          anchorLabels: labels,
          positiveEmb: posEmb,
          positiveLabels: Float32Array.from(pools.positives, (i) => fullLabels[i]),
          negativeEmb: negEmb,
          negativeLabels: pick(pools.negatives),
          negativeFor: pools.negativeFor,
          rule,
          negatives: t.mining === 'semihard' || t.mining === 'teacher-correct-semihard' ? 'semihard' : 'hardest',
          ...(teacherCorrect ? { positiveAllowed: correct } : {}),
        });
      } finally {
        tf.dispose([negEmb, anchorEmb]);
      }
      // Per anchor: the teacher embedding of its positive (a constant) and the train index of its negative.
      const posRows = Int32Array.from(m.positive, (p) => Math.max(0, p));
      const gathered = tf.tidy(() => tf.gather(posEmb, posRows)) as tf.Tensor2D;
      posEmb.dispose();
      mined = {
        posEmb: gathered,
        negIdx: Int32Array.from(m.negative, (n) => (n >= 0 ? pools.negatives[n] : 0)),
        valid: m.valid,
      };
      let validCount = 0;
      let wrong = 0;
      for (let i = 0; i < m.valid.length; i++) {
        if (!m.valid[i]) continue;
        validCount++;
        if (!correct[m.positive[i]]) wrong++;
      }
      const ms = now() - t0;
      ctx.emit({
        type: 'mining',
        stage: 'triplet',
        epoch,
        ms,
        anchors: train.count,
        positives: pools.positives.length,
        negatives: pools.negatives.length,
        validTriplets: validCount,
        positiveTeacherWrong: validCount ? wrong / validCount : 0,
      });
      return ms;
    },
    afterStage: release,
    makeStep: () => (batch, opt) => {
      const mm = mined!;
      const negatives = Int32Array.from(batch, (a) => mm.negIdx[a]);
      const both = new Int32Array(2 * B);
      both.set(batch, 0);
      both.set(negatives, B);
      // Anchors and negatives go through the student as ONE batch so BatchNorm sees one set of
      // statistics and updates its moving averages once per step (docs/architecture.md#platform-constraints).
      const x = ctx.images(train, both, vis, xBuf);
      const y = ctx.targets(batch, yBuf);
      const w = tf.tensor1d(Float32Array.from(batch, (a) => mm.valid[a]));
      const pos = tf.tidy(() => tf.gather(mm.posEmb, batch));
      let comps: tf.Tensor1D | null = null;
      opt.minimize(
        () => {
          const [e, z] = studentTwo.apply(x, { training: true }) as tf.Tensor2D[];
          const eA = tf.slice(e, [0, 0], [B, -1]);
          const eN = tf.slice(e, [B, 0], [B, -1]);
          const zA = tf.slice(z, [0, 0], [B, -1]);
          const task = taskLoss(ctx.head.kind, zA, y);
          const trip = tripletLoss(eA, pos, eN, t.margin, w);
          const total = tf.add(tf.mul(task, 1 - t.lambda), tf.mul(trip, t.lambda)) as tf.Scalar;
          comps = tf.keep(tf.stack([total, task, trip, ctx.batchScore(zA, y)]) as tf.Tensor1D);
          return total;
        },
        false,
        trainableVariables(student),
      );
      tf.dispose([x, y, w, pos]);
      return comps!;
    },
  };
}
