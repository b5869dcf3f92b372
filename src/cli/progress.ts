// The runner's progress lines on stderr, one per curriculum event worth reading (a live line on a terminal).
import type { ExperimentConfig } from '../core/config';
import type { CurriculumEvent } from '../core/events';
import { STAGE_LABEL } from '../core/distill/curriculum';

/** Prints events as progress lines on stderr. */
export function progressPrinter(quiet: boolean, cfg: ExperimentConfig): (e: CurriculumEvent) => void {
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  const metric = (m: { accuracy?: number; mae?: number }) =>
    cfg.task === 'age' ? `MAE ${m.mae?.toFixed(2)}y` : `acc ${pct(m.accuracy)}`;
  return (e) => {
    if (e.type === 'log') {
      if (!quiet || e.level === 'error') process.stderr.write(`[${e.level}] ${e.message}\n`);
      return;
    }
    if (quiet) return;
    switch (e.type) {
      case 'runStart':
        process.stderr.write(`backend ${e.backend}; stages: ${e.stages.map((s) => STAGE_LABEL[s]).join(' → ')}\n`);
        break;
      case 'stageStart':
        process.stderr.write(
          `\n== ${e.label}: ${e.epochs} epoch(s) × ${e.stepsPerEpoch} steps, student sees ${e.visibility}\n`,
        );
        break;
      case 'batchEnd': {
        const t = Date.now();
        if (tty && t - lastPrinted > 250) {
          lastPrinted = t;
          const parts = Object.entries(e.losses)
            .map(([k, v]) => `${k} ${v!.toFixed(3)}`)
            .join(' ');
          process.stderr.write(
            `\r  epoch ${e.epoch + 1} step ${e.step}/${e.stepsPerEpoch}  ${parts}  ${e.imagesPerSec.toFixed(0)} img/s   `,
          );
        }
        break;
      }
      case 'mining':
        process.stderr.write(
          `${tty ? '\r' : ''}  mining epoch ${e.epoch + 1}: ${e.anchors} anchors, pools ${e.positives}/${e.negatives}, ${e.validTriplets} triplets` +
            `${e.positiveTeacherWrong !== undefined ? `, ${(100 * e.positiveTeacherWrong).toFixed(1)}% of positives misclassified by the teacher` : ''}, ${e.ms.toFixed(0)} ms\n`,
        );
        break;
      case 'epochEnd': {
        const r = e.record;
        process.stderr.write(
          `${tty ? '\r' : ''}  epoch ${r.epoch + 1}: loss ${r.train.loss.toFixed(4)} train ${metric(r.train)} | val ${metric(r.val)}${r.best ? ' *' : ''} | lr ${r.learningRate.toExponential(1)} | ${r.imagesPerSec.toFixed(0)} img/s, ${(r.trainMs / 1000).toFixed(1)} s\n`,
        );
        break;
      }
      case 'stageEnd':
        process.stderr.write(
          `  done in ${(e.ms / 1000).toFixed(1)} s: ${e.epochsRun} epoch(s)${e.earlyStopped ? ' (early stop: no validation improvement)' : ''}, ${e.keep === 'last' ? 'kept the last,' : 'best'} epoch ${e.bestEpoch + 1}${e.stoppedEarly ? ` (stopped: ${e.stoppedEarly})` : ''}\n`,
        );
        break;
      case 'result':
        process.stderr.write(`  test: ${e.row.label} on ${e.row.test}: ${metric(e.row.metrics)}\n`);
        break;
      default:
        break;
    }
  };
}
