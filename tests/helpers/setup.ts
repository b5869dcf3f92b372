// Test setup: tfjs on the wasm backend with the project's training kernels (src/platform/wasm), the
// runner's default too. Chosen here, never inside src/core. Tests comparing against `cpu` switch
// explicitly and switch back.
import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { selectBackend } from '../../src/platform/backend';

beforeAll(async () => {
  // Not IS_TEST: its per-kernel data-id check misfires on kernels composed from other kernels (the wasm
  // training kernels); the tests check tf.memory().numTensors around every stage instead.
  tf.env().set('PROD', true); // silences the "install tfjs-node" banner and debug checks
  await selectBackend(['wasm']);
});
