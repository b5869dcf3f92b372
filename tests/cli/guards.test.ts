// The runner's guards: a config walked around validation (`__proto__`, nesting), a setting it cannot apply
// (teacherInit), and an output folder it cannot write, each refused in words before any work.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/experiment';
import { outFolderMessage, runnerConfigProblem } from '../../src/cli/guards';
import { makeConfig, presetConfig } from '../../src/core/config';

const tiny = () => ({ ...presetConfig('fixture-tiny'), trainOtherHalfStudent: false, sameBudgetControl: false });

async function configFile(dir: string, text: string): Promise<string> {
  const f = join(dir, 'cfg.json');
  await writeFile(f, text);
  return f;
}

describe('runner guards', () => {
  it('a sweep hidden under __proto__ (top level or nested) is refused before anything runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-guard-'));
    const base = JSON.stringify(tiny()).slice(1, -1);
    for (const hidden of [
      '"__proto__": {"sweep": {"path": "triplet.margin", "values": [0.1, 5]}}',
      '"teacher": {"__proto__": {"epochs": 3}, "epochs": 1}',
    ]) {
      const out = join(dir, `out-${hidden.length}`);
      const f = await configFile(dir, `{${base}, ${hidden}}`);
      await expect(main(['--config', f, '--out', out, '--quiet', '--backend', 'cpu'])).rejects.toMatchObject({
        name: 'ConfigValidationError',
        message: expect.stringMatching(/__proto__: is not allowed as a setting name/),
      });
      await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' }); // nothing written, not even the folder
    }
  });

  it('a config nested 100,000 levels deep is refused in words', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-guard-'));
    const f = await configFile(dir, `{"name": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
    await expect(main(['--config', f, '--out', join(dir, 'out'), '--quiet', '--backend', 'cpu'])).rejects.toMatchObject(
      {
        name: 'ConfigValidationError',
        message: expect.stringMatching(/name(\.a)+: is nested more than 16 levels deep/),
      },
    );
  });

  it("teacherInit (a model in the lab's browser storage) is refused by name, not recorded and ignored", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-guard-'));
    const f = await configFile(dir, JSON.stringify({ ...tiny(), teacherInit: 'model-123' }));
    await expect(main(['--config', f, '--out', join(dir, 'out'), '--quiet', '--backend', 'cpu'])).rejects.toThrow(
      /^teacherInit: "model-123" names a model imported into the lab's browser storage, which the runner cannot read/,
    );
    expect(runnerConfigProblem(makeConfig({ teacherInit: null }))).toBeNull();
  });

  it('--out that is a file, or under a file, is named in a sentence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odl-guard-'));
    const f = await configFile(dir, JSON.stringify(tiny()));
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(main(['--config', f, '--out', file, '--quiet', '--backend', 'cpu'])).rejects.toThrow(
      `Cannot write the output folder ${file}: a file (not a folder) has that name. Choose another folder with --out.`,
    );
    await expect(main(['--config', f, '--out', join(file, 'sub'), '--quiet', '--backend', 'cpu'])).rejects.toThrow(
      `Cannot write the output folder ${join(file, 'sub')}: a part of its path is a file, not a folder.`,
    );
  });

  it('read-only, no permission, a full disk: a sentence naming the folder; other paths and errors are left alone', () => {
    let full: unknown = null;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (e) {
      full = e;
    } // a real ENOSPC (reported without a path)
    expect(outFolderMessage(full, '/runs/a')).toBe(
      'Cannot write the output folder /runs/a: the disk is full. Choose another folder with --out.',
    );
    const err = (code: string, path: string) => Object.assign(new Error(`${code}: ${path}`), { code, path });
    expect(outFolderMessage(err('EROFS', '/runs/a/results.json'), '/runs/a')).toMatch(
      /^Cannot write the output folder \/runs\/a: it is on a read-only file system\./,
    );
    expect(outFolderMessage(err('EACCES', '/runs/a'), '/runs/a')).toMatch(/you do not have permission to write there/);
    expect(outFolderMessage(err('EACCES', '/data/faces.zip'), '/runs/a')).toBeNull(); // a dataset, not the folder
    expect(outFolderMessage(err('EACCES', '/runs/ab'), '/runs/a')).toBeNull();
    expect(outFolderMessage(new Error('boom'), '/runs/a')).toBeNull();
  });
});
