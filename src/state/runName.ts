// What a run is called and which data it used, in words (pure): the experiment's own name (a preset's,
// or the visitor's), then the dataset, task, scenario and the epochs of each stage, so two runs of one
// preset with other settings are told apart in the history, the Grad-CAM picker and Compare.
import type { ExperimentConfig } from '../core/config/config';
import { VISIBILITY_SYMBOL } from '../core/data/types';
import type { DatasetMeta } from '../core/records';

/** `synthetic faces 48×48 (3000 train)`, or a stored dataset's name. */
export function datasetText(cfg: ExperimentConfig, stored: Pick<DatasetMeta, 'id' | 'name'>[] = []): string {
  const ds = cfg.dataset;
  if (ds.source === 'synth') return `synthetic faces ${ds.height}×${ds.width} (${ds.train} train)`;
  if (ds.source === 'stored') return stored.find((d) => d.id === ds.id)?.name ?? ds.id;
  return 'dataset from files';
}

/** Epochs per training stage, teacher first: `epochs 12/3/3/3`. */
export function epochsText(cfg: ExperimentConfig): string {
  return `epochs ${[cfg.teacher.epochs, cfg.student.epochs, cfg.standard.epochs, cfg.triplet.epochs].join('/')}`;
}

/** `<experiment name> · <dataset> · <task> · ◑ lower · epochs 12/3/3/3` (an earlier suffix is replaced). */
export function runName(cfg: ExperimentConfig, stored: Pick<DatasetMeta, 'id' | 'name'>[] = []): string {
  const base = cfg.name.split(' · ')[0].trim() || 'run';
  return [
    base,
    datasetText(cfg, stored),
    cfg.task,
    `${VISIBILITY_SYMBOL[cfg.scenario]} ${cfg.scenario}`,
    epochsText(cfg),
  ].join(' · ');
}
