// Linear SVM on concatenated student embeddings: time of the 10-value C grid (C-SVC and epsilon-SVR) at the lab's
// size (14,000 x 1,024, 8 classes; target ≤ 120 s, single-threaded), and libsvm-js on a 2,000-row subset for reference.
import { fitGrid, type GridResult } from '../src/core/ensemble/grid';
import { fitStandardizer, standardize } from '../src/core/ensemble/standardize';
import { fitSvc, predictSvc } from '../src/core/ensemble/svc';
import { Rng } from '../src/core/random';
import { LibSVM } from '../tests/helpers/libsvm';

interface Embeddings {
  x: Float32Array;
  labels: Int32Array;
  age: Float32Array;
}

/**
 * Rows shaped like two students' L2-normalised embeddings side by side: a 32-d latent face code (class centre plus
 * per-image variation) seen through a different random linear map per student, plus per-dimension noise. Classes
 * overlap (accuracy well below 100%); age is a noisy linear function of the latent code.
 */
export function embeddings(n: number, d: number, classes: number, seed: number): Embeddings {
  const L = 32;
  const half = d / 2;
  const world = new Rng(1234); // the same classes, maps and age direction for every split
  const centres = Array.from({ length: classes }, () => Float64Array.from({ length: L }, () => world.normal(0, 0.35)));
  const maps = [0, 1].map(() => Float64Array.from({ length: half * L }, () => world.normal(0, 1 / Math.sqrt(L))));
  const ageDir = Float64Array.from({ length: L }, () => world.normal(0, 1 / Math.sqrt(L)));
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const age = new Float32Array(n);
  const z = new Float64Array(L);
  const e = new Float64Array(half);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    labels[i] = c;
    let a = 0;
    for (let l = 0; l < L; l++) {
      z[l] = centres[c][l] + rng.normal();
      a += ageDir[l] * z[l];
    }
    age[i] = Math.min(90, Math.max(1, 40 + 12 * a + rng.normal(0, 4)));
    for (let s = 0; s < 2; s++) {
      const M = maps[s];
      let norm = 0;
      for (let k = 0; k < half; k++) {
        let v = 0.5 * rng.normal();
        for (let l = 0; l < L; l++) v += M[k * L + l] * z[l];
        e[k] = v;
        norm += v * v;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < half; k++) x[i * d + s * half + k] = e[k] * inv;
    }
  }
  return { x, labels, age };
}

const rowsOf = (x: Float32Array, n: number, d: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));

// To compare with an earlier solver, run this bench in a worktree of that commit (git worktree add) on the same
// machine, one after the other: the solver keeps no switchable old path.
export async function benchSvm(o: { quick: boolean; log: (s: string) => void }): Promise<string[]> {
  const nTrain = o.quick ? 3000 : 14000;
  const d = o.quick ? 256 : 1024;
  const nVal = 2000;
  const classes = 8;
  const grid = Array.from({ length: 10 }, (_, i) => 10 ** (-4 + (5 * i) / 9));
  const summary: string[] = [];

  let t = performance.now();
  const train = embeddings(nTrain, d, classes, 1);
  const val = embeddings(nVal, d, classes, 2);
  const st = fitStandardizer(train.x, nTrain, d);
  const xTrain = standardize(train.x, nTrain, d, st);
  const xVal = standardize(val.x, nVal, d, st);
  const genS = (performance.now() - t) / 1000;
  o.log(
    `data: ${nTrain} + ${nVal} rows x ${d}, ${classes} classes, generated and standardised in ${genS.toFixed(1)} s`,
  );

  interface Timed {
    r: GridResult;
    s: number;
    cpuS: number;
    work: number;
  }
  const runGrid = (task: 'svc' | 'svr'): Timed => {
    const yTrain = task === 'svc' ? train.labels : train.age;
    const yVal = task === 'svc' ? val.labels : val.age;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = fitGrid(task, { xTrain, yTrain, nTrain, xVal, yVal, nVal, d, classes }, grid, { epsilon: 0.1 });
    const cpu = process.cpuUsage(c0);
    const s = (performance.now() - t0) / 1000;
    let work = 0;
    for (const c of r.scores) {
      const score = task === 'svc' ? `accuracy ${(c.score * 100).toFixed(1)}%` : `MAE ${(-c.score).toFixed(2)}`;
      const cap = c.converged ? '' : ' (epoch cap reached)';
      work += c.visits + c.updates;
      o.log(
        `  ${task} C=${c.C.toExponential(2)}: ${(c.ms / 1000).toFixed(2)} s, ${c.epochs} epochs${cap}, ` +
          `${((c.visits + c.updates) / 1e6).toFixed(1)}M row passes, ${score}`,
      );
    }
    return { r, s, cpuS: (cpu.user + cpu.system) / 1e6, work };
  };
  const best = (task: 'svc' | 'svr', g: Timed) => {
    const v = g.r.scores.find((c) => c.C === g.r.bestC)!.score;
    return `best C ${g.r.bestC.toExponential(2)}, validation ${task === 'svc' ? `accuracy ${(v * 100).toFixed(1)}%` : `MAE ${(-v).toFixed(2)} years`}`;
  };
  const line = (g: Timed) =>
    `${g.s.toFixed(1)} s (${g.cpuS.toFixed(1)} CPU-s, ${(g.work / 1e6).toFixed(0)}M row passes)`;

  const svc = runGrid('svc');
  summary.push(
    `C grid (10 values) on ${nTrain} x ${d}, ${classes} classes: ${line(svc)}${o.quick ? '' : ' (target ≤ 120 s)'}; ` +
      best('svc', svc),
  );
  o.log(summary[summary.length - 1]);
  const svr = runGrid('svr');
  summary.push(
    `SVR C grid (10 values, epsilon 0.1) on ${nTrain} x ${d}: ${line(svr)}${o.quick ? '' : ' (target ≤ 120 s)'}; ` +
      best('svr', svr),
  );
  o.log(summary[summary.length - 1]);
  const perC = (m: { scores: { ms: number }[] }) => m.scores.map((c) => (c.ms / 1000).toFixed(1)).join(', ');
  summary.push(`per C (s), SVC: ${perC(svc.r)}; SVR: ${perC(svr.r)}`);

  // Reference: libsvm (libsvm-js, asm build) linear C-SVC on the first 2,000 training rows, one C.
  const nSub = 2000;
  const C = svc.r.bestC;
  // Rows sorted by class: libsvm numbers classes in order of first appearance and breaks vote ties towards the
  // first, so sorted rows make its tie-break match ours (lower class index).
  const order = Array.from({ length: nSub }, (_, i) => i).sort((a, b) => train.labels[a] - train.labels[b] || a - b);
  const xSub = new Float32Array(nSub * d);
  const ySub = new Int32Array(nSub);
  order.forEach((r, i) => {
    xSub.set(xTrain.subarray(r * d, (r + 1) * d), i * d);
    ySub[i] = train.labels[r];
  });
  const SVM = LibSVM;
  {
    t = performance.now();
    const ours = fitSvc(xSub, ySub, nSub, d, classes, { C });
    const oursS = (performance.now() - t) / 1000;
    const svm = new SVM({ type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.LINEAR, cost: C, quiet: true });
    let libS: number, refSub: number[], refVal: number[];
    try {
      t = performance.now();
      svm.train(rowsOf(xSub, nSub, d), Array.from(ySub));
      libS = (performance.now() - t) / 1000;
      refSub = svm.predict(rowsOf(xSub, nSub, d));
      refVal = svm.predict(rowsOf(xVal, nVal, d));
    } finally {
      svm.free();
    }
    const agreement = (x: Float32Array, n: number, ref: number[]) => {
      const p = predictSvc(ours, x, n);
      let same = 0;
      for (let i = 0; i < n; i++) if (p[i] === ref[i]) same++;
      return `${((same / n) * 100).toFixed(1)}%`;
    };
    summary.push(
      `${nSub} x ${d} subset, C=${C.toExponential(2)}: ours ${oursS.toFixed(2)} s, libsvm-js ${libS.toFixed(1)} s; ` +
        `prediction agreement ${agreement(xSub, nSub, refSub)} on the subset, ` +
        `${agreement(xVal, nVal, refVal)} on ${nVal} validation rows`,
    );
    o.log(summary[summary.length - 1]);
  }
  return summary;
}
