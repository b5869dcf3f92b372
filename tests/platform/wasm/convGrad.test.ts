// Conv2DBackpropFilter / Conv2DBackpropInput on wasm (src/platform/wasm) against tfjs's cpu kernels, over
// kernel sizes, strides, paddings, dilations, channel counts and batch sizes; and no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { IM2COL_MAX_PATCH, convGradOptions } from '../../../src/platform/wasm/convGrad';
import { compareBackends, randomData, runOn, relError } from './helpers';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

const TOL = 1e-4;

function outShape(c: Case): [number, number, number, number] {
  return tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.k[0], c.k[1], c.ci, c.co], c.s, 1, c.pad as 'same')
    .outShape;
}

async function checkBoth(c: Case, seed: number): Promise<void> {
  const xShape = [c.n, c.h, c.w, c.ci];
  const fShape = [c.k[0], c.k[1], c.ci, c.co];
  const dyShape = outShape(c);
  const x = {
    data: randomData(
      xShape.reduce((a, b) => a * b),
      seed,
    ),
    shape: xShape,
  };
  const f = {
    data: randomData(
      fShape.reduce((a, b) => a * b),
      seed + 1,
    ),
    shape: fShape,
  };
  const dy = {
    data: randomData(
      dyShape.reduce((a, b) => a * b),
      seed + 2,
    ),
    shape: dyShape,
  };
  const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const dW = await compareBackends(
    [x, dy],
    (xt, dyt) =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, {
        ...attrs,
        filterShape: fShape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
  const dX = await compareBackends(
    [dy, f],
    (dyt, ft) =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, {
        ...attrs,
        inputShape: xShape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
  const label = JSON.stringify(c);
  expect(dW.shapes[0], label).toEqual(fShape);
  expect(dX.shapes[0], label).toEqual(xShape);
  expect(dW.err, `filter grad ${label}`).toBeLessThan(TOL);
  expect(dX.err, `input grad ${label}`).toBeLessThan(TOL);
  expect(dW.leaked + dX.leaked, `leak ${label}`).toBe(0);
}

// Kernel sizes x strides x paddings, with channel counts and batch sizes varied across the matrix so that
// both filter-gradient forms (im2col for KH*KW*Ci <= IM2COL_MAX_PATCH, batch-as-channels otherwise) and
// N = 1 are covered. 13x15 inputs: odd and unequal sides exercise asymmetric 'same' padding.
const CHANNELS: [number, number][] = [
  [1, 4],
  [3, 5],
  [8, 6],
  [2, 3],
];
const matrix: Case[] = [];
for (const k of [1, 3, 5, 11]) {
  for (const s of [1, 2, 4]) {
    for (const pad of ['same', 'valid'] as const) {
      const [ci, co] = CHANNELS[matrix.length % CHANNELS.length];
      matrix.push({ n: 1 + (matrix.length % 3), h: 13, w: 15, ci, co, k: [k, k], s: [s, s], pad });
    }
  }
}

describe('conv gradients on wasm match cpu', () => {
  it.each(matrix.map((c, i) => [`k${c.k[0]} s${c.s[0]} ${c.pad} ci${c.ci} co${c.co} n${c.n}`, c, i] as const))(
    '%s',
    async (_name, c, i) => {
      await checkBoth(c, 100 + i);
    },
  );

  it('covers both filter-gradient forms', () => {
    const patches = matrix.map((c) => c.k[0] * c.k[1] * c.ci);
    expect(patches.some((p) => p <= IM2COL_MAX_PATCH)).toBe(true);
    expect(patches.some((p) => p > IM2COL_MAX_PATCH)).toBe(true);
  });

  it('handles unequal strides, rectangular kernels, explicit padding, numeric padding and larger channels', async () => {
    const cases: Case[] = [
      { n: 2, h: 12, w: 9, ci: 4, co: 8, k: [3, 5], s: [1, 2], pad: 'same' },
      { n: 2, h: 12, w: 9, ci: 4, co: 8, k: [5, 3], s: [2, 1], pad: 'valid' },
      {
        n: 2,
        h: 11,
        w: 11,
        ci: 3,
        co: 4,
        k: [3, 3],
        s: [2, 2],
        pad: [
          [0, 0],
          [2, 1],
          [0, 3],
          [0, 0],
        ],
      },
      {
        n: 1,
        h: 9,
        w: 9,
        ci: 2,
        co: 3,
        k: [3, 3],
        s: [3, 3],
        pad: [
          [0, 0],
          [4, 4],
          [4, 4],
          [0, 0],
        ],
      },
      { n: 3, h: 8, w: 8, ci: 16, co: 24, k: [3, 3], s: [1, 1], pad: 'same' },
      { n: 2, h: 17, w: 17, ci: 3, co: 8, k: [7, 7], s: [2, 2], pad: 'same' }, // ResNet stem
      { n: 2, h: 27, w: 27, ci: 3, co: 8, k: [11, 11], s: [4, 4], pad: 'valid' }, // VGG-f / AlexNet stem
      { n: 2, h: 8, w: 8, ci: 16, co: 8, k: [1, 1], s: [2, 2], pad: 'same' }, // ResNet projection
    ];
    for (const [i, c] of cases.entries()) await checkBoth(c, 500 + i);
  });

  it('stride-1 "same" filter gradients: the im2colT form and the batch-as-channels form', async () => {
    const cases: Case[] = [
      { n: 3, h: 12, w: 12, ci: 16, co: 8, k: [3, 3], s: [1, 1], pad: 'same' }, // the workshop model's layers
      { n: 2, h: 7, w: 9, ci: 5, co: 3, k: [4, 2], s: [1, 1], pad: 'same' }, // even kernels: asymmetric padding
      { n: 2, h: 6, w: 5, ci: 3, co: 4, k: [7, 7], s: [1, 1], pad: 'same' }, // taps that miss the image
      {
        n: 1,
        h: 9,
        w: 11,
        ci: 12,
        co: 5,
        k: [3, 3],
        s: [1, 1],
        pad: [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
      },
    ];
    try {
      for (const im2colT of [true, false]) {
        convGradOptions.im2colT = im2colT;
        for (const [i, c] of cases.entries()) await checkBoth(c, 700 + i);
      }
    } finally {
      convGradOptions.im2colT = true;
    }
  });

  it('numeric pad with dimRoundingMode', async () => {
    const c: Case = { n: 2, h: 10, w: 10, ci: 2, co: 3, k: [3, 3], s: [2, 2], pad: 'same' };
    for (const rounding of ['floor', 'ceil', 'round'] as const) {
      const xShape = [c.n, c.h, c.w, c.ci];
      const fShape = [3, 3, 2, 3];
      const dyShape = tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number],
        fShape as [number, number, number, number],
        2,
        1,
        1,
        rounding,
      ).outShape;
      const x = { data: randomData(400, 7), shape: xShape };
      const f = { data: randomData(54, 8), shape: fShape };
      const dy = {
        data: randomData(
          dyShape.reduce((a, b) => a * b),
          9,
        ),
        shape: dyShape,
      };
      const attrs = { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: rounding };
      const dW = await compareBackends(
        [x, dy],
        (xt, dyt) =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, {
            ...attrs,
            filterShape: fShape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      );
      const dX = await compareBackends(
        [dy, f],
        (dyt, ft) =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, {
            ...attrs,
            inputShape: xShape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      );
      expect(dW.err, rounding).toBeLessThan(TOL);
      expect(dX.err, rounding).toBeLessThan(TOL);
    }
  });
});

/**
 * Dilations: tfjs's conv2d gradient refuses dilation > 1 and cpu's backprop kernels ignore it, so the
 * reference is cpu with the dilated filter written out (zeros between taps): the same convolution.
 */
describe('dilated conv gradients on wasm (stride 1) match the zero-dilated filter on cpu', () => {
  it.each([
    [3, 2, 'same'],
    [3, 2, 'valid'],
    [5, 2, 'same'],
    [3, 3, 'valid'],
    [2, 2, 'same'],
  ] as const)('k%i d%i %s', async (k, d, pad) => {
    const [n, h, w, ci, co] = [2, 13, 12, 3, 4];
    const kd = (k - 1) * d + 1;
    const xShape = [n, h, w, ci];
    const dyShape = tf.backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], 1, d, pad).outShape;
    const x = randomData(n * h * w * ci, 31 + k);
    const f = randomData(k * k * ci * co, 32 + k);
    const dy = randomData(
      dyShape.reduce((a, b) => a * b),
      33 + k,
    );
    const fDil = new Float32Array(kd * kd * ci * co);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        for (let c = 0; c < ci * co; c++) {
          fDil[(i * d * kd + j * d) * ci * co + c] = f[(i * k + j) * ci * co + c];
        }
    const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: d };
    const wasm = await runOn(
      'wasm',
      [
        { data: x, shape: xShape },
        { data: dy, shape: dyShape },
        { data: f, shape: [k, k, ci, co] },
      ],
      (xt, dyt, ft) => [
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: xt, dy: dyt },
            { ...attrs, filterShape: [k, k, ci, co] },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: xShape }) as tf.Tensor,
      ],
    );
    const cpu = await runOn(
      'cpu',
      [
        { data: x, shape: xShape },
        { data: dy, shape: dyShape },
        { data: fDil, shape: [kd, kd, ci, co] },
      ],
      (xt, dyt, ft) => [
        // dW at the dilated filter's taps (every d-th row and column)
        tf.stridedSlice(
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: xt, dy: dyt },
              { strides: 1, pad, dataFormat: 'NHWC', filterShape: [kd, kd, ci, co] },
            ) as tf.Tensor,
          [0, 0, 0, 0],
          [kd, kd, ci, co],
          [d, d, 1, 1],
        ),
        tf.conv2dTranspose(dyt as tf.Tensor4D, ft as tf.Tensor4D, xShape as [number, number, number, number], 1, pad),
      ],
    );
    expect(wasm.shapes).toEqual(cpu.shapes);
    expect(relError(wasm.values[0], cpu.values[0])).toBeLessThan(TOL);
    expect(relError(wasm.values[1], cpu.values[1])).toBeLessThan(TOL);
    expect(wasm.leaked).toBe(0);
  });
});
