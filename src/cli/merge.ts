// `experiment merge DIR`: every finished point of a plan (cli/plan.ts) gathered into the files a local
// --repeats run writes (repeats.json, repeats.txt: the same format, the same statistics from
// core/repeats.ts), one table per config (and sweep value); with a sweep, the sweep table of the means.
// Points not finished are listed with the last lines of their logs, and the exit status is then 1.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EpochRecord, GridRow } from '../core/events';
import { bestValidation, chooseSweep, sweepStage } from '../core/results/sweep';
import { repeatsOutput, writeRepeats, type RepeatRun } from './series';
import { logTail, pointLogFile, pointOutDir, pointStatus, readPlan, type Plan, type PointStatus } from './plan';

interface Finished extends RepeatRun {
  ms: number;
}

async function readFinished(dir: string, i: number, seed: number): Promise<Finished> {
  const out = pointOutDir(dir, i);
  const file = join(out, 'results.json');
  let r: { grid?: GridRow[]; history?: EpochRecord[]; timings?: { totalMs?: number } };
  try {
    r = JSON.parse(await readFile(file, 'utf8')) as typeof r;
  } catch (e) {
    throw new Error(`${file} cannot be read as JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!Array.isArray(r.grid) || !Array.isArray(r.history))
    throw new Error(`${file}: grid and history must be arrays (not a results.json the runner wrote?)`);
  return { seed, rows: r.grid, history: r.history, dir: out, ms: r.timings?.totalMs ?? 0 };
}

export interface MergeOutcome {
  plan: Plan;
  statuses: PointStatus[];
  /** Indices of the points not finished. */
  missing: number[];
  text: string;
}

/** Gathers the finished points into DIR's repeats files (and per group with several groups); the text
 *  printed, the points left. */
export async function mergePlan(dirArg: string): Promise<MergeOutcome> {
  const dir = resolve(dirArg);
  const plan = await readPlan(dir);
  const statuses = await Promise.all(plan.points.map((p) => pointStatus(dir, p.index)));
  const missing = plan.points.filter((p) => statuses[p.index].state !== 'done').map((p) => p.index);
  const parts: string[] = [];
  const groupsJson: unknown[] = [];
  const sweepRuns: ({ history: EpochRecord[]; rows: GridRow[] }[] | null)[] = [];
  for (const g of plan.groups) {
    const done: Finished[] = [];
    for (const p of plan.points.filter((x) => x.group === g.index && statuses[x.index].state === 'done'))
      done.push(await readFinished(dir, p.index, p.seed));
    sweepRuns.push(done.length ? done : null);
    if (!done.length) {
      parts.push(`${g.config.name}: no point finished yet.`);
      continue;
    }
    const made = repeatsOutput(
      g.config,
      done.map(({ ms: _ms, ...r }) => r),
      done.reduce((s, r) => s + r.ms, 0) / 1000,
    );
    if (plan.groups.length > 1) {
      const sub = join(dir, groupFolder(plan, g.index));
      await mkdir(sub, { recursive: true });
      await writeRepeats(sub, made);
    }
    parts.push(made.text);
    groupsJson.push({
      group: g.index,
      ...(g.sweepValue !== null ? { value: g.sweepValue } : {}),
      ...(made.json as object),
    });
  }
  const sweep = plan.sweep ? sweepTable(plan, sweepRuns) : null;
  if (sweep) parts.push(sweep.text);
  if (plan.groups.length === 1 && groupsJson.length === 1) {
    const { group: _g, ...only } = groupsJson[0] as { group: number };
    await writeRepeats(dir, { text: parts[0], json: only });
  } else {
    await writeRepeats(dir, {
      text: parts.join('\n\n'),
      json: { groups: groupsJson, ...(sweep ? { sweep: sweep.json } : {}) },
    });
    if (sweep) {
      await writeFile(join(dir, 'sweep.txt'), `${sweep.text}\n`);
      await writeFile(join(dir, 'sweep.json'), JSON.stringify(sweep.json, null, 1));
    }
  }
  const left = await Promise.all(
    missing.map(async (i) => {
      const tail = await logTail(dir, i);
      const s = statuses[i];
      return [
        `point ${i} (seed ${plan.points[i].seed}, ${plan.groups[plan.points[i].group].config.name}): ${s.state}, ${s.note}`,
        tail
          ? `  last lines of ${pointLogFile(dir, i)}:\n${tail
              .split('\n')
              .map((l) => `    ${l}`)
              .join('\n')}`
          : `  no log (${pointLogFile(dir, i)})`,
      ].join('\n');
    }),
  );
  const summary = missing.length
    ? `\n${missing.length} of ${plan.points.length} points not finished (the table above leaves them out):\n${left.join('\n')}\n` +
      `Run them: npm run experiment -- --emit slurm --only-missing --out ${dirArg}  (or --emit local --out ${dirArg} again)`
    : `\nAll ${plan.points.length} points finished; ${join(dir, 'repeats.txt')}, ${join(dir, 'repeats.json')}.`;
  return { plan, statuses, missing, text: `${parts.join('\n\n')}\n${summary}` };
}

/** A group's folder name: its config's index in the plan and, with a sweep, the value (as a local sweep names them). */
function groupFolder(plan: Plan, g: number): string {
  const group = plan.groups[g];
  if (group.sweepValue === null || !plan.sweep) return `group-${g + 1}`;
  const perConfig = plan.sweep.values.length;
  const i = g % perConfig;
  const c = Math.floor(g / perConfig);
  return `${plan.groups.length > perConfig ? `config-${c + 1}-` : ''}sweep-${i + 1}-${String(group.sweepValue).replace(/[^\w.-]/g, '_')}`;
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : NaN;
  return { m, sd };
};

/** The sweep across seeds: per config and value, the deciding stage's best validation and its test figure
 *  (mean ± sd over the finished seeds); the value chosen on the mean validation figure. */
function sweepTable(
  plan: Plan,
  runs: ({ history: EpochRecord[]; rows: GridRow[] }[] | null)[],
): { text: string; json: unknown } {
  const spec = plan.sweep!;
  const stage = sweepStage(spec.path);
  const perConfig = spec.values.length;
  const tables: string[] = [];
  const json: unknown[] = [];
  for (let c = 0; c * perConfig < plan.groups.length; c++) {
    const cfg = plan.groups[c * perConfig].config;
    const age = cfg.task === 'age';
    const fmt = (x: number) => (Number.isNaN(x) ? '–' : age ? x.toFixed(2) : (100 * x).toFixed(1));
    const cells = spec.values.map((value, i) => {
      const rs = runs[c * perConfig + i] ?? [];
      const val = rs.map((r) => bestValidation(r.history, stage, cfg.task)).filter((v): v is number => v !== null);
      const test = rs
        .map((r) => {
          const m = r.rows.find((x) => x.model === stage && x.test === cfg.scenario)?.metrics;
          return (age ? m?.mae : m?.accuracy) ?? null;
        })
        .filter((v): v is number => v !== null);
      return { value, seeds: rs.length, val: val.length ? meanSd(val) : null, test: test.length ? meanSd(test) : null };
    });
    const chosen = chooseSweep(
      cells.map((x) => x.val?.m ?? null),
      cfg.task,
    );
    const unit = age ? 'MAE' : 'acc %';
    const head = [spec.path, 'seeds', `val ${stage} ${unit} mean ± sd`, `test ${stage} ${unit} mean ± sd`];
    const body = cells.map((x) => [
      String(x.value),
      String(x.seeds),
      x.val ? `${fmt(x.val.m)} ± ${fmt(x.val.sd)}` : '-',
      x.test ? `${fmt(x.test.m)} ± ${fmt(x.test.sd)}` : '-',
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (r: string[]) => r.map((v, i) => (i ? v.padStart(w[i]) : v.padEnd(w[i]))).join('  ');
    tables.push(
      [
        `sweep of ${spec.path} for ${cfg.name.replace(/ \[sweep [^\]]*\]$/, '')} (decided by the ${stage} stage's mean best validation epoch):`,
        line(head),
        ...body.map((b, i) => `${line(b)}${i === chosen ? '   <- chosen on validation' : ''}`),
      ].join('\n'),
    );
    json.push({ path: spec.path, stage, values: spec.values, cells, chosen: chosen >= 0 ? spec.values[chosen] : null });
  }
  return { text: tables.join('\n\n'), json: json.length === 1 ? json[0] : json };
}

/** The merge command: prints the tables and what is left; 1 when any point is not finished. */
export async function mergeCommand(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith('-')) throw new Error('Usage: npm run experiment -- merge <plan folder>');
  const outcome = await mergePlan(argv[0]);
  process.stdout.write(`${outcome.text}\n`);
  return outcome.missing.length ? 1 : 0;
}
