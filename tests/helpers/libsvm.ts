// libsvm-js (real libsvm 3.22 compiled to asm.js; docs/architecture.md#platform-constraints), the reference the lab's
// linear SVM/SVR is checked against. Test and bench only. The package ships no types: the part used is typed here.
// @ts-expect-error libsvm-js ships no type declarations
import LibSvmImport from 'libsvm-js/asm';

export interface LibSvm {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  free(): void;
}

export interface LibSvmClass {
  new (o: object): LibSvm;
  SVM_TYPES: { C_SVC: string; EPSILON_SVR: string };
  KERNEL_TYPES: { LINEAR: string };
}

export const LibSVM = LibSvmImport as LibSvmClass;
