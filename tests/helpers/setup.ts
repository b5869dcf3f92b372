// Test setup: tfjs on a deterministic CPU backend, quiet. Chosen here, never inside src/core.
import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  tf.env().set('PROD', true); // silences the "install tfjs-node" banner and debug checks
  await tf.setBackend('cpu');
  await tf.ready();
});
