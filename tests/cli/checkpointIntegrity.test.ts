// Checkpoints that cannot lie, a resume that checks its world, one writer per folder, all with the real
// runner: a checkpoint.json from the teacher's epoch 3 beside the data part of a student checkpoint, a
// truncated checkpoint.json, a truncated data part and a foreign file are refused with a message naming
// the file (no stack trace); flags that would change the run and a changed dataset file are refused by
// name; a second runner on a folder in use refuses, naming the holder; a stale lock is taken over.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/core/config/config';
import { PRESETS } from '../../src/core/config/presets';
import { killWhen, runRunner, startRunner } from './runnerProcess';

const dir = mkdtempSync(join(tmpdir(), 'odl-cpfile-'));
const configPath = join(dir, 'config.json');
// Five teacher epochs (a checkpoint after each of the first four) and a student long enough to be killed in.
const cfg = mergeConfig(PRESETS['fixture-tiny'], {
  teacher: { epochs: 5, patience: 0 },
  student: { epochs: 4, patience: 0 },
  trainOtherHalfStudent: false,
  sameBudgetControl: false,
});
writeFileSync(configPath, JSON.stringify(cfg));

/** The checkpoint's files in `from` (checkpoint.json and the data part(s)), copied into `to`. */
function copyCheckpoint(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  // checkpoint.json first: the data part it names is kept until a newer checkpoint.json replaces it.
  copyFileSync(join(from, 'checkpoint.json'), join(to, 'checkpoint.json'));
  for (const f of readdirSync(from)) if (/^checkpoint.*\.bin$/.test(f)) copyFileSync(join(from, f), join(to, f));
}
const binName = (folder: string) => {
  const j = JSON.parse(readFileSync(join(folder, 'checkpoint.json'), 'utf8')) as { bin?: { file: string } };
  return j.bin?.file ?? 'checkpoint.bin';
};
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

const teacherEpoch3 = join(dir, 'teacher-epoch-3');
const studentRun = join(dir, 'student');

beforeAll(async () => {
  // One run: its checkpoint after teacher epoch 3 copied aside when epoch 4 starts, killed in the student.
  let copied = false;
  const kill = killWhen(/== student:[\s\S]*epoch 2:/);
  const r = await runRunner(['--config', configPath, '--backend', 'wasm', '--out', studentRun], (text, child) => {
    if (!copied && /== teacher:[\s\S]*epoch 3:/.test(text)) {
      // The checkpoint of epoch 3 is written right after its line: wait for it, then copy it.
      const t0 = Date.now();
      while (Date.now() - t0 < 5000) {
        const j = existsSync(join(studentRun, 'checkpoint.json'))
          ? readFileSync(join(studentRun, 'checkpoint.json'), 'utf8')
          : '';
        if (/"nextEpoch":3/.test(j)) break;
      }
      copyCheckpoint(studentRun, teacherEpoch3);
      copied = true;
    }
    kill(text, child);
  });
  expect(r.signal, r.stderr.slice(-2000)).toBe('SIGKILL');
  expect(readFileSync(join(teacherEpoch3, 'checkpoint.json'), 'utf8')).toMatch(/"stage":"teacher","nextEpoch":3/);
  expect(readFileSync(join(studentRun, 'checkpoint.json'), 'utf8')).toMatch(/"stage":"student"/);
}, 180_000);

describe('a checkpoint that does not hold together', () => {
  it('checkpoint.json of teacher epoch 3 with the data part of a student checkpoint is refused', async () => {
    const mixed = join(dir, 'mixed');
    copyCheckpoint(teacherEpoch3, mixed);
    const studentBin = readdirSync(studentRun).find((f) => /^checkpoint.*\.bin$/.test(f))!;
    copyFileSync(join(studentRun, studentBin), join(mixed, binName(mixed)));
    const r = await runRunner(['--resume', mixed, '--backend', 'wasm']);
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`${binName(mixed).replace('.', '\\.')}[^\\n]*(does not match|bytes, but)[^\\n]*checkpoint\\.json`),
    );
    noStack(r.stderr);
    expect(r.stderr).not.toMatch(/== teacher/);
  }, 300_000);

  it('a truncated checkpoint.json, a truncated data part and a foreign file are refused, naming the file', async () => {
    const cut = join(dir, 'cut-json');
    copyCheckpoint(studentRun, cut);
    truncateSync(join(cut, 'checkpoint.json'), Math.floor(statSync(join(cut, 'checkpoint.json')).size / 2));
    const cutBin = join(dir, 'cut-bin');
    copyCheckpoint(studentRun, cutBin);
    truncateSync(join(cutBin, binName(cutBin)), 1000);
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(
      join(foreign, 'checkpoint.json'),
      JSON.stringify({ name: 'some other tool', version: 1, weights: [1, 2, 3] }),
    );
    const [a, b, c] = await Promise.all(
      [cut, cutBin, foreign].map((d) => runRunner(['--resume', d, '--backend', 'wasm'])),
    );
    expect(a.code, a.stderr.slice(-2000)).toBe(1);
    expect(a.stderr).toMatch(new RegExp(`${join(cut, 'checkpoint.json')} is not a complete checkpoint`));
    expect(b.code, b.stderr.slice(-2000)).toBe(1);
    expect(b.stderr).toMatch(
      new RegExp(`${join(cutBin, binName(cutBin))} has 1000 bytes, but checkpoint.json expects \\d+`),
    );
    expect(c.code, c.stderr.slice(-2000)).toBe(1);
    expect(c.stderr).toMatch(new RegExp(`${join(foreign, 'checkpoint.json')} is not a checkpoint of this runner`));
    for (const r of [a, b, c]) noStack(r.stderr);
  }, 300_000);
});

describe('--resume checks its world', () => {
  it('refuses --dataset, --seed and --out that would make it another run, naming each', async () => {
    const r = await runRunner([
      '--resume',
      studentRun,
      '--dataset',
      join(dir, 'x.csv'),
      '--seed',
      '99',
      '--out',
      join(dir, 'elsewhere'),
    ]);
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    expect(r.stderr).toMatch(/--dataset [^\n]*: the run trains on its synthetic dataset/);
    expect(r.stderr).toMatch(/--seed 99: the run's seed is 3/);
    expect(r.stderr).toMatch(/--out [^\n]*elsewhere: a resumed run writes into its own folder/);
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
  }, 300_000);

  it('refuses a dataset file that changed between the kill and the resume, naming it', async () => {
    // A FER2013-layout CSV of 16x16 faces: 96 training, 32 validation, 32 test rows.
    const rows = ['emotion,pixels,Usage'];
    let s = 1;
    const px = () =>
      Array.from({ length: 256 }, () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s % 256;
      }).join(' ');
    for (let i = 0; i < 160; i++)
      rows.push(`${i % 7},${px()},${i < 96 ? 'Training' : i < 128 ? 'PublicTest' : 'PrivateTest'}`);
    const csv = join(dir, 'faces.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const out = join(dir, 'file-run');
    const first = await runRunner(
      ['--config', configPath, '--dataset', csv, '--backend', 'wasm', '--out', out],
      killWhen(/== teacher:[\s\S]*epoch 2:/),
    );
    expect(first.signal, first.stderr.slice(-2000)).toBe('SIGKILL');
    writeFileSync(csv, `${rows.slice(0, -1).join('\n')}\n3,${px()},PrivateTest\n`);
    const r = await runRunner(['--resume', out, '--backend', 'wasm']);
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`dataset changed since the checkpoint was written: ${csv} changed`));
    expect(r.stderr).not.toMatch(/== teacher/);
  }, 300_000);
});

describe('one writer per run folder', () => {
  it("a second runner on a folder in use refuses naming the holder; a dead holder's lock is taken over, released on Ctrl-C", async () => {
    const out = join(dir, 'locked');
    const longConfig = join(dir, 'long.json');
    writeFileSync(longConfig, JSON.stringify(mergeConfig(cfg, { student: { epochs: 300 } })));
    let ready!: () => void;
    const started = new Promise<void>((r) => {
      ready = r;
    });
    const a = startRunner(['--config', longConfig, '--backend', 'wasm', '--out', out], (text) => {
      if (/== student:/.test(text)) ready();
    });
    await started;
    const b = await runRunner(['--config', longConfig, '--backend', 'wasm', '--out', out]);
    expect(b.code, b.stderr.slice(-2000)).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`is in use by another runner: pid ${a.child.pid} on \\S+, started `));
    noStack(b.stderr);
    process.kill(a.child.pid!, 'SIGKILL');
    await a.done;
    expect(existsSync(join(out, 'run.lock'))).toBe(true); // kill -9 leaves it
    // The next runner takes the dead holder's lock over; Ctrl-C (SIGINT) then stops it and releases the lock.
    let stopped = false;
    const c = await runRunner(['--resume', out, '--backend', 'wasm'], (text, child) => {
      if (!stopped && /took over the lock[\s\S]*== student:/.test(text)) {
        stopped = true;
        process.kill(child.pid!, 'SIGINT');
      }
    });
    expect(c.code, c.stderr.slice(-2000)).toBe(130);
    expect(c.stderr).toMatch(
      new RegExp(
        `took over the lock of ${out} from pid ${a.child.pid} on \\S+ \\(started [^)]*\\): pid ${a.child.pid} no longer runs`,
      ),
    );
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  }, 300_000);
});
