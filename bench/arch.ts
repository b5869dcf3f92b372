// Training throughput of the reference-cnn-28 preset's custom network beside the `small` model on the same
// 28x28 grey input, batch 64, Adam: timed training steps of each (calibrate.ts, the runner's own
// calibration), in alternating rounds so a busy machine slows both alike. Figures: docs/results/reference-cnn.md.
import { presetConfig, makeConfig } from '../src/core/config';
import { calibrate } from '../src/core/distill/calibrate';
import { modelSize } from '../src/core/models';
import { specOf } from '../src/core/distill/context';

export async function benchArch(o: { quick: boolean; log: (s: string) => void }): Promise<string[]> {
  const ref = presetConfig('reference-cnn-28');
  const small = makeConfig({
    ...ref,
    model: { arch: 'small', custom: null, init: 'he', width: 1, embeddingSize: null, dropout: null },
  });
  const dims = { height: 28, width: 28, channels: 1 as const };
  const configs = [
    ['reference-cnn-28 (custom)', ref],
    ['small (width 1)', small],
  ] as const;
  const rounds = o.quick ? 2 : 4;
  const steps = o.quick ? 4 : 12;
  const rates: number[][] = configs.map(() => []);
  for (const [name, cfg] of configs) {
    const s = modelSize(specOf(cfg.model, [28, 28, 1], 8, 1));
    o.log(
      `${name}: ${s.trainableParams.toLocaleString('en-US')} trainable parameters, ${(s.macs / 1e6).toFixed(2)} M multiply-adds per image`,
    );
  }
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < configs.length; i++) {
      const cost = await calibrate(configs[i][1], dims, steps);
      rates[i].push(1000 / cost.trainMsPerImage);
    }
    o.log(`round ${r + 1}: ${configs.map(([n], i) => `${n} ${rates[i][r].toFixed(0)} img/s`).join(', ')}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [a, b] = rates.map(median);
  o.log(
    `median training images/s: ${configs[0][0]} ${a.toFixed(0)}, ${configs[1][0]} ${b.toFixed(0)} → ${(a / b).toFixed(2)}x`,
  );
  return [
    `training images/s at 28x28, batch 64: reference-cnn-28 ${a.toFixed(0)} vs small ${b.toFixed(0)} (${(a / b).toFixed(2)}x)`,
  ];
}
