// Planning a runner's points without running them: the points of configs × sweep values × seeds, the Slurm
// array script (its #SBATCH lines, overrides, refused options, the GPU line), the paper presets and their
// estimated cost, and merge on a plan none of whose points ran.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { main } from '../../src/cli/experiment';
import { mergePlan } from '../../src/cli/merge';
import { planPoints, pointConfigFile, pointStatus, readPlan } from '../../src/cli/plan';
import {
  arraySpec,
  ASSUMED_MACS_PER_S,
  configMacs,
  expectedSeconds,
  parseSbatchOverrides,
  sbatchDefaults,
  sbatchScript,
  slurmTime,
} from '../../src/cli/slurm';
import { presetConfig, validateConfig } from '../../src/core/config';
import { PAPER_PRESET_NAMES } from '../../src/core/config/paperPresets';

describe('planning points', () => {
  it('gives one config per config × sweep value × seed, each a repeat of its group', () => {
    const a = { ...presetConfig('fixture-tiny'), seed: 5, repeats: 3 };
    const b = { ...presetConfig('fixture-tiny'), name: 'other', seed: 1, repeats: 2 };
    const { plan, configs } = planPoints([a, b], { path: 'triplet.margin', values: [0.1, 0.4] }, { backend: 'wasm' });
    expect(plan.groups.map((g) => [g.config.name.split(' [')[0], g.sweepValue])).toEqual([
      ['Test fixture (tiny, not a demo)', 0.1],
      ['Test fixture (tiny, not a demo)', 0.4],
      ['other', 0.1],
      ['other', 0.4],
    ]);
    expect(plan.points.map((p) => [p.group, p.seed])).toEqual([
      [0, 5],
      [0, 6],
      [0, 7],
      [1, 5],
      [1, 6],
      [1, 7],
      [2, 1],
      [2, 2],
      [3, 1],
      [3, 2],
    ]);
    expect(configs.map((c) => [c.seed, c.triplet.margin, c.repeats])).toEqual([
      [5, 0.1, 1],
      [6, 0.1, 1],
      [7, 0.1, 1],
      [5, 0.4, 1],
      [6, 0.4, 1],
      [7, 0.4, 1],
      [1, 0.1, 1],
      [2, 0.1, 1],
      [1, 0.4, 1],
      [2, 0.4, 1],
    ]);
    expect(configs[4].name).toBe('Test fixture (tiny, not a demo) [sweep 2/2: triplet.margin = 0.4] [seed 6, 2 of 3]');
    expect(new Set(plan.points.map((p) => p.hash)).size).toBe(10);
    // The same configs plan the same points.
    expect(
      planPoints([a, b], { path: 'triplet.margin', values: [0.1, 0.4] }, {}).plan.points.map((p) => p.hash),
    ).toEqual(plan.points.map((p) => p.hash));
  });

  it('refuses planning flags that do not go together, in words', () => {
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--emit', 'slurm'])).toThrow(/--emit needs --out <dir>/);
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--emit', 'pbs', '--out', 'x'])).toThrow(
      '--emit takes slurm or local (got "pbs").',
    );
    expect(() =>
      parseArgs(['--preset', 'fixture-tiny', '--emit', 'local', '--out', 'x', '--sbatch', '--time=1:00:00']),
    ).toThrow(/--sbatch goes with --emit slurm/);
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--emit', 'slurm', '--out', 'x', '--jobs', '2'])).toThrow(
      /--jobs goes with --emit local/,
    );
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--only-missing', '--out', 'x'])).toThrow(
      /--only-missing goes with --emit/,
    );
    expect(() => parseArgs(['--emit', 'slurm', '--out', 'x'])).toThrow(
      /--emit plans from exactly one of --config or --preset/,
    );
    expect(() => parseArgs(['--preset', 'fixture-tiny', '--repeats', '0'])).toThrow(
      /--repeats takes a whole number 1 to 1000 \(got "0"\)/,
    );
    const ok = parseArgs([
      '--preset',
      'fixture-tiny',
      '--emit',
      'slurm',
      '--out',
      'x',
      '--sbatch',
      '--partition=gpu --time=8:00:00',
    ]);
    expect(ok.plan).toEqual({ emit: 'slurm', onlyMissing: false, sbatch: '--partition=gpu --time=8:00:00' });
    expect(parseArgs(['--emit', 'slurm', '--only-missing', '--out', 'x']).plan?.onlyMissing).toBe(true);
  });
});

describe('the Slurm array script', () => {
  const cfg = validateConfig({ ...presetConfig('fixture-tiny'), repeats: 4 });
  const { plan } = planPoints([cfg], null, {});

  it('lists the points as ranges and writes Slurm times', () => {
    expect(arraySpec([9, 0, 1, 2, 3, 7, 10])).toBe('0-3,7,9-10');
    expect(arraySpec([4])).toBe('4');
    expect(slurmTime(90)).toBe('00:02:00');
    expect(slurmTime(25 * 3600 + 61)).toBe('1-01:02:00');
  });

  it('has the planned resources, replaced or extended by --sbatch', () => {
    const opts = sbatchDefaults([cfg], 'wasm');
    expect(opts).toMatchObject({ gpu: false, cpus: 2, memGiB: 3, timeS: 900 });
    const s = sbatchScript(plan, '/x/plan', [0, 1, 2, 3], opts, '--partition=short --time=1:00:00 -A lab');
    const lines = s.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(lines).toEqual([
      '#SBATCH --job-name=odl-4pts',
      '#SBATCH --array=0-3',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=3G',
      '#SBATCH --time=1:00:00',
      '#SBATCH --requeue',
      '#SBATCH --open-mode=append',
      '#SBATCH --output=/x/plan/points/%a.log',
      '#SBATCH --partition=short',
      '#SBATCH -A lab',
    ]);
    expect(s).toMatch(/\nexec node --import tsx src\/cli\/experiment.ts point '\/x\/plan' "\$SLURM_ARRAY_TASK_ID"\n$/);
    expect(sbatchScript(plan, '/x/plan', [1, 3], sbatchDefaults([cfg], 'webgpu'), undefined)).toMatch(
      /#SBATCH --array=1,3\n[\s\S]*#SBATCH --gres=gpu:1\n/,
    );
  });

  it('refuses options the plan sets and text a shell would read', () => {
    expect(() => parseSbatchOverrides('--array=0-9%2')).toThrow(/--array is set by the plan/);
    expect(() => parseSbatchOverrides('--output=x.log')).toThrow(/--output is set by the plan/);
    expect(() => parseSbatchOverrides('--comment=$(reboot)')).toThrow(/has characters an #SBATCH line cannot take/);
    expect(() => parseSbatchOverrides('partition=gpu')).toThrow(/is not an option/);
    expect(parseSbatchOverrides('-p gpu --exclusive')).toEqual([
      { key: null, text: '-p gpu' },
      { key: 'exclusive', text: '--exclusive' },
    ]);
  });
});

describe('paper presets', () => {
  it('are the three tasks × two scenarios × three architectures at 224×224, valid configs', () => {
    expect(PAPER_PRESET_NAMES).toHaveLength(18);
    for (const n of PAPER_PRESET_NAMES) {
      const c = validateConfig(presetConfig(n));
      expect(c.dataset).toMatchObject({ source: 'file', height: 224, width: 224 });
      expect(c.teacher).toMatchObject({ optimizer: 'sgd', momentum: 0.9, batchSize: 64 });
      expect(n).toContain(`-${c.task}-${c.scenario}-`);
    }
    expect(() => presetConfig('paper-expression-lower-vgg19')).toThrow(/Unknown preset .* paper-expression-lower-vggf/);
  });

  it('cost what their multiply-adds say: VGG-face > ResNet-50 > VGG-f; time from MACs × images', () => {
    const m = (n: string) => configMacs(presetConfig(n));
    // Independent figures: VGG-16 at 224×224 is 15.5 G multiply-adds (convs 15.35 G + fc 0.12 G), ResNet-50 about 4.1 G.
    expect(m('paper-gender-upper-vggface') / 1e9).toBeCloseTo(15.47, 1);
    expect(m('paper-gender-upper-resnet50') / 1e9).toBeGreaterThan(3.8);
    expect(m('paper-gender-upper-resnet50') / 1e9).toBeLessThan(4.3);
    expect(m('paper-gender-upper-vggf')).toBeLessThan(m('paper-gender-upper-resnet50'));
    const c = presetConfig('paper-gender-upper-vggface');
    // Lower bound: the teacher's 60 epochs over 14,213 faces at 3 forward passes each.
    const teacherOnly =
      (60 * Math.floor(14213 / 64) * 64 * 3 * m('paper-gender-upper-vggface')) / ASSUMED_MACS_PER_S.gpu;
    const s = expectedSeconds(c, ASSUMED_MACS_PER_S.gpu);
    expect(s).toBeGreaterThan(teacherOnly);
    expect(s).toBeLessThan(4 * teacherOnly);
    expect(sbatchDefaults([c], 'webgpu')).toMatchObject({ gpu: true, cpus: 4 });
  });
});

describe('merge', () => {
  it('lists the points that never ran and says how to run them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odl-plan-'));
    const cfgFile = join(dir, 'cfg.json');
    writeFileSync(cfgFile, JSON.stringify(presetConfig('fixture-tiny')));
    expect(
      await main(['--config', cfgFile, '--seed', '1', '--repeats', '2', '--out', join(dir, 'p'), '--emit', 'slurm']),
    ).toBe(0);
    const plan = await readPlan(join(dir, 'p'));
    expect(plan.points).toHaveLength(2);
    expect(JSON.parse(readFileSync(pointConfigFile(join(dir, 'p'), 1), 'utf8')).seed).toBe(2);
    const m = await mergePlan(join(dir, 'p'));
    expect(m.missing).toEqual([0, 1]);
    expect(m.text).toMatch(/2 of 2 points not finished/);
    expect(m.text).toMatch(/point 0 \(seed 1, .*\): missing, never ran/);
    expect(m.text).toMatch(/--emit slurm --only-missing --out /);
    // Another config into the same folder is refused (its points would mix with these).
    writeFileSync(cfgFile, JSON.stringify({ ...presetConfig('fixture-tiny'), name: 'changed' }));
    await expect(
      main(['--config', cfgFile, '--seed', '1', '--repeats', '2', '--out', join(dir, 'p'), '--emit', 'slurm']),
    ).rejects.toThrow(/holds another plan/);
    await expect(main(['merge', join(dir, 'nothing')])).rejects.toThrow(/holds no plan \(plan.json\)/);
  });
});

describe('merge of a sweep over seeds', () => {
  // Results written by hand (the grid rows and validation epochs merge reads), so that every figure of the
  // merged tables can be computed here independently.
  const row = (model: string, test: string, accuracy: number) => ({
    model,
    label: model,
    train: model === 'teacher' ? 'full' : 'lower',
    test,
    predictions: [],
    metrics: { count: 32, loss: 1, accuracy },
  });
  const epoch = (stage: string, accuracy: number) => ({
    stage,
    epoch: 0,
    train: { count: 96, loss: 1, accuracy: 0.5 },
    val: { count: 32, loss: 1, accuracy },
    learningRate: 0.001,
    losses: {},
    trainMs: 1,
    miningMs: 0,
    imagesPerSec: 1,
    best: true,
  });
  // Per point (group × seed): the triplet stage's validation epochs and its test accuracy.
  const triplet: Record<number, { val: number[]; test: number }> = {
    0: { val: [0.5, 0.6], test: 0.55 },
    1: { val: [0.7, 0.4], test: 0.65 }, // margin 0.1, seeds 1 and 2
    2: { val: [0.8, 0.9], test: 0.6 },
    3: { val: [0.2, 0.3], test: 0.5 }, // margin 0.4
  };

  it('gives each value its repeats table and the sweep table of means, chosen on mean validation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odl-sweep-'));
    const cfgFile = join(dir, 'cfg.json');
    writeFileSync(cfgFile, JSON.stringify(presetConfig('fixture-tiny')));
    const out = join(dir, 'p');
    expect(
      await main([
        '--config',
        cfgFile,
        '--seed',
        '1',
        '--repeats',
        '2',
        '--sweep',
        'triplet.margin=0.1,0.4',
        '--out',
        out,
        '--emit',
        'slurm',
      ]),
    ).toBe(0);
    for (const [i, t] of Object.entries(triplet)) {
      const p = join(out, 'points', i);
      mkdirSync(p, { recursive: true });
      const grid = [
        row('teacher', 'full', 0.9),
        row('teacher', 'lower', 0.5),
        row('student', 'lower', 0.6 + Number(i) / 100),
        row('triplet', 'lower', t.test),
        row('control', 'lower', 0.6),
      ];
      const history = [epoch('teacher', 0.9), epoch('student', 0.6), ...t.val.map((v) => epoch('triplet', v))];
      writeFileSync(join(p, 'results.json'), JSON.stringify({ grid, history, timings: { totalMs: 1000 } }));
    }
    const m = await mergePlan(out);
    expect(m.missing).toEqual([]);
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    // Best validation per seed: margin 0.1 → 0.6, 0.7 (mean 0.65, sd √0.005); margin 0.4 → 0.9, 0.3 (mean 0.6, sd √0.18).
    expect(sweep.cells[0].val.m).toBeCloseTo(0.65, 12);
    expect(sweep.cells[0].val.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(sweep.cells[1].val.m).toBeCloseTo(0.6, 12);
    expect(sweep.cells[1].val.sd).toBeCloseTo(Math.sqrt(0.18), 12);
    expect(sweep.cells[0].test.m).toBeCloseTo(0.6, 12);
    expect(sweep.cells[1].test.m).toBeCloseTo(0.55, 12);
    expect(sweep.chosen).toBe(0.1);
    expect(readFileSync(join(out, 'sweep.txt'), 'utf8')).toMatch(
      /^0\.1 .* 65\.0 ± 7\.1 .* 60\.0 ± 7\.1 +<- chosen on validation$/m,
    );
    // Each value's own repeats files, as a local --repeats run of that value writes them.
    const g2 = JSON.parse(readFileSync(join(out, 'sweep-2-0.4', 'repeats.json'), 'utf8'));
    expect(g2.seeds).toEqual([1, 2]);
    expect(g2.config.triplet.margin).toBe(0.4);
    const t2 = g2.rows.find((r: { model: string }) => r.model === 'triplet');
    expect(t2.values).toEqual([0.6, 0.5]);
    expect(t2.mean).toBeCloseTo(0.55, 12);
    // Paired against the student (0.62, 0.63): differences −0.02, −0.13.
    expect(t2.vsStudent.meanDiff).toBeCloseTo(-0.075, 12);
    const all = JSON.parse(readFileSync(join(out, 'repeats.json'), 'utf8'));
    expect(all.groups.map((g: { value: number }) => g.value)).toEqual([0.1, 0.4]);
    expect(readFileSync(join(out, 'repeats.txt'), 'utf8')).toMatch(/sweep of triplet\.margin/);
  });
});

describe('a point running now', () => {
  it('is told apart by its live run lock and left out of --only-missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odl-running-'));
    const cfgFile = join(dir, 'cfg.json');
    writeFileSync(cfgFile, JSON.stringify(presetConfig('fixture-tiny')));
    const out = join(dir, 'p');
    expect(await main(['--config', cfgFile, '--seed', '1', '--repeats', '3', '--out', out, '--emit', 'slurm'])).toBe(0);
    mkdirSync(join(out, 'points', '1'), { recursive: true });
    // This process holds point 1's lock (as a runner does); point 2's holder is a pid that no longer runs.
    writeFileSync(
      join(out, 'points', '1', 'run.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now', slurm: '7_1' }),
    );
    mkdirSync(join(out, 'points', '2'), { recursive: true });
    writeFileSync(
      join(out, 'points', '2', 'run.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'then' }),
    );
    expect(await pointStatus(out, 1)).toEqual({
      state: 'running',
      note: `pid ${process.pid} on ${hostname()} (Slurm task 7_1) since now`,
    });
    expect((await pointStatus(out, 2)).state).toBe('failed');
    expect(await main(['--emit', 'slurm', '--only-missing', '--out', out])).toBe(0);
    expect(readFileSync(join(out, 'jobs-missing.sbatch'), 'utf8')).toMatch(/^#SBATCH --array=0,2$/m);
    expect((await mergePlan(out)).text).toMatch(/point 1 \(seed 2, .*\): running, pid /);
  });
});
