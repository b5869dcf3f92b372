// Small settings kept on this machine in localStorage (not IndexedDB: read synchronously at start):
// the duration calibrations, per backend and model. A browser that refuses storage keeps nothing.
import type { StepCost } from '../../core/distill/estimate';

const KEY = 'odl-calibrations-v1';

export function keptCalibrations(): { load(): Record<string, StepCost>; save(costs: Record<string, StepCost>): void } {
  return {
    load() {
      try {
        const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
        const out: Record<string, StepCost> = {};
        for (const [k, c] of Object.entries(v as Record<string, StepCost>)) {
          if (
            c &&
            Number.isFinite(c.trainMsPerImage) &&
            Number.isFinite(c.evalMsPerImage) &&
            typeof c.backend === 'string'
          )
            out[k] = c;
        }
        return out;
      } catch {
        return {};
      }
    },
    save(costs) {
      try {
        localStorage.setItem(KEY, JSON.stringify(costs));
      } catch {
        // Storage refused (private mode, quota): the next visit calibrates again.
      }
    },
  };
}
