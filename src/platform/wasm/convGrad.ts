// Conv2D gradients for the wasm backend, composed from its fast (XNNPACK) forward Conv2D: wasm has no
// Conv2DBackpropFilter and its Conv2DBackpropInput is a plain loop ~12x slower than the same work as a
// forward convolution. Layout NHWC only (wasm's forward Conv2D rejects NCHW too).
import * as tf from '@tensorflow/tfjs';
import { heapView } from './heap';
import type { WasmHeapBackend } from './poolGrad';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

export interface ConvGeometry {
  strides: number | [number, number];
  pad: Pad;
  /** Not an attribute tfjs passes to the backprop kernels (its conv2d gradient refuses dilations > 1),
   *  but supported here so that a dilated convolution can be differentiated by calling the kernel. */
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
}

const pair = (v: number | [number, number] | undefined): [number, number] =>
  v == null ? [1, 1] : typeof v === 'number' ? [v, v] : v;

function convInfo(xShape: number[], filterShape: number[], g: ConvGeometry) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    g.strides,
    pair(g.dilations),
    g.pad as 'same',
    g.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Forward conv through the kernel itself: tf.conv2d refuses stride > 1 together with dilation > 1,
 *  which the filter gradient needs (its stride is the forward dilation and vice versa); XNNPACK takes it. */
function conv(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  dilations: [number, number],
  pads: [number, number, number, number],
): tf.Tensor4D {
  const [t, b, l, r] = pads;
  return tf.engine().runKernel(
    'Conv2D',
    { x, filter },
    {
      strides,
      dilations,
      pad: [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  ) as tf.Tensor4D;
}

/** Set `im2colT: false` to use the batch-as-channels convolution for every large patch (tests compare). */
export const convGradOptions = { im2colT: true };

/**
 * colsT[(i*KW + j)*Ci + c, (n*H + y)*W + x] = x[n, y + i*dh - top, x + j*dw - left, c] (0 outside), for a
 * stride-1 convolution whose output has x's height and width. x is transposed to [Ci, N, H, W] first; then
 * each (tap, channel, image) row block is one copy of the image shifted by a flat offset, with the rows
 * and columns that fall outside the image zeroed. About 10x cheaper than the copies' arithmetic in the
 * batch-as-channels convolution, and the product after it packs dy (not the patches) as its weights.
 */
function im2colT(
  x: tf.Tensor4D,
  kh: number,
  kw: number,
  dh: number,
  dw: number,
  top: number,
  left: number,
): tf.Tensor2D {
  const [n, h, w, ci] = x.shape;
  const plane = h * w;
  const xT = tf.transpose(x, [3, 0, 1, 2]); // [Ci, N, H, W]
  try {
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const info = backend.makeOutput([kh * kw * ci, n * plane], 'float32');
    const out = tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
    const view = backend.typedArrayFromHeap(info) as Float32Array; // after the allocation (heap growth)
    const { heap, at: dst0 } = heapView(view);
    const src0 = heapView(backend.typedArrayFromHeap(xT) as Float32Array).at;
    for (let i = 0; i < kh; i++) {
      const di = i * dh - top;
      const rowLo = Math.max(0, -di); // output rows whose source row is inside the image
      const rowHi = Math.min(h, h - di);
      for (let j = 0; j < kw; j++) {
        const dj = j * dw - left;
        const colLo = Math.max(0, -dj);
        const colHi = Math.min(w, w - dj);
        const shift = di * w + dj;
        for (let c = 0; c < ci; c++) {
          let dst = dst0 + ((i * kw + j) * ci + c) * n * plane;
          let src = src0 + c * n * plane;
          for (let b = 0; b < n; b++, dst += plane, src += plane) {
            if (rowHi <= rowLo || colHi <= colLo) {
              heap.fill(0, dst, dst + plane);
              continue;
            }
            // Rows rowLo..rowHi-1 copied whole (their wrapped columns are zeroed below).
            const from = rowLo * w;
            const to = rowHi * w;
            const lo = Math.max(from, -shift);
            const hi = Math.min(to, plane - shift);
            if (from < lo) heap.fill(0, dst + from, dst + lo);
            heap.copyWithin(dst + lo, src + lo + shift, src + hi + shift);
            if (hi < to) heap.fill(0, dst + hi, dst + to);
            if (rowLo > 0) heap.fill(0, dst, dst + from);
            if (rowHi < h) heap.fill(0, dst + to, dst + plane);
            if (colLo > 0 || colHi < w) {
              for (let y = rowLo; y < rowHi; y++) {
                const r = dst + y * w;
                for (let q = 0; q < colLo; q++) heap[r + q] = 0;
                for (let q = colHi; q < w; q++) heap[r + q] = 0;
              }
            }
          }
        }
      }
    }
    return out;
  } finally {
    xT.dispose();
  }
}

/** Patches of at most this many values (KH*KW*Ci) go through im2col + matmul for the filter gradient. */
export const IM2COL_MAX_PATCH = 32;

/**
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s + kh*d - pTop, ow*s + kw*d - pLeft, ci] * dy[n,oh,ow,co].
 * Two forms, both built on wasm's XNNPACK kernels:
 * - large patches: one forward convolution with the batch as the channel axis: input x^T [Ci, H, W, N],
 *   filter dy^T [OH, OW, N, Co], stride d, dilation s, padding pTop/pLeft, output [Ci, KH, KW, Co];
 * - small patches (first layers, KH*KW*Ci <= IM2COL_MAX_PATCH): there the first form has only KH*KW*Ci
 *   output pixels and spends its time packing dy as a filter (3x slower, 28x28x1 input); instead
 *   im2col by a convolution with an identity filter, then patches^T [KH*KW*Ci, N*OH*OW] x dy [N*OH*OW, Co].
 * @param x  [N, H, W, Ci]
 * @param dy [N, OH, OW, Co]
 * @returns  [KH, KW, Ci, Co]
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, g);
    const [kh, kw, ci, co] = filterShape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight, outWidth } = info;
    const { top, left } = info.padInfo;
    // Padded input extent the gradient reads: (K-1)*d + (O-1)*s + 1, from -pTop. Rows/cols of x beyond it
    // (valid padding, strides) are cropped rather than computed and thrown away; rows past x's end that
    // it reads (ceil rounding) are zero padding.
    let bottom = (kh - 1) * dh + (outHeight - 1) * sh + 1 - top - x.shape[1];
    let right = (kw - 1) * dw + (outWidth - 1) * sw + 1 - left - x.shape[2];
    let xs = x;
    if (bottom < 0 || right < 0) {
      xs = tf.slice(x, [0, 0, 0, 0], [-1, x.shape[1] + Math.min(bottom, 0), x.shape[2] + Math.min(right, 0), -1]);
      bottom = Math.max(bottom, 0);
      right = Math.max(right, 0);
    }
    const pads: [number, number, number, number] = [top, bottom, left, right];
    const patch = kh * kw * ci;
    if (patch <= IM2COL_MAX_PATCH) {
      // Identity filter [KH, KW, Ci, KH*KW*Ci]: output channel (i*KW + j)*Ci + c copies x at tap (i, j),
      // channel c, the same order as dW's leading axes.
      const eye = tf.reshape(tf.eye(patch), [kh, kw, ci, patch]) as tf.Tensor4D;
      const cols = conv(xs, eye, [sh, sw], [dh, dw], pads); // [N, OH, OW, patch]
      // cols^T dy: the matmul kernel below picks the cheaper orientation (it packs cols, not dy).
      const dW = tf.matMul(tf.reshape(cols, [-1, patch]), tf.reshape(dy, [-1, co]), true, false); // [patch, Co]
      return tf.reshape(dW, filterShape) as tf.Tensor4D;
    }
    if (
      convGradOptions.im2colT &&
      sh === 1 &&
      sw === 1 &&
      outHeight === x.shape[1] &&
      outWidth === x.shape[2] &&
      tf.getBackend() === 'wasm' &&
      x.dtype === 'float32'
    ) {
      // Stride 1, output the size of the input ('same'): the patches as rows, colsT [KH*KW*Ci, N*OH*OW],
      // built by whole-image copies (im2colT), then one product colsT dy with no transposes.
      const colsT = im2colT(x, kh, kw, dh, dw, top, left);
      const dW = tf.matMul(colsT, tf.reshape(dy, [-1, co]) as tf.Tensor2D); // [KH*KW*Ci, Co]
      return tf.reshape(dW, filterShape) as tf.Tensor4D;
    }
    const xT = tf.transpose(xs, [3, 1, 2, 0]); // [Ci, H', W', N]
    const dyT =
      dy.shape[0] === 1
        ? (tf.reshape(dy, [outHeight, outWidth, 1, co]) as tf.Tensor4D)
        : tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
    const out = conv(xT, dyT, [dh, dw], [sh, sw], pads); // [Ci, KH, KW, Co]
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

/**
 * dx as one stride-1 forward convolution of dy, for any stride, without multiplying inserted zeros:
 * with t = h + pTop = q*s + p (phase p < s), dx[t] = sum_j dy[q - j] * W[p + s*j], so every phase is a
 * correlation of dy with a sub-filter of J = ceil(K/s) taps. All s*s phases are stacked as output
 * channels of one filter [J, J, Co, s*s*Ci], and depth-to-space interleaves them back. For s = 1 this
 * is the usual 180°-rotated, in/out-swapped filter (with the forward dilation as the conv's dilation).
 * @param dy     [N, OH, OW, Co]
 * @param filter [KH, KW, Ci, Co]
 * @returns      [N, H, W, Ci] (inputShape)
 */
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, g);
    const [n, h, w, ci] = inputShape;
    const [kh, kw, , co] = filter.shape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    if ((sh > 1 && dh > 1) || (sw > 1 && dw > 1)) {
      throw new Error('conv2dBackpropInput: stride > 1 together with dilation > 1 is not supported');
    }
    const ax = (k: number, s: number, d: number, p: number, size: number, outSize: number) => {
      const taps = Math.ceil(k / s);
      const q0 = Math.floor(p / s);
      const q1 = Math.floor((p + size - 1) / s);
      const lo = q0 - (taps - 1) * d; // first dy row read (may be < 0: zero padding)
      const cropStart = Math.max(0, lo);
      const cropEnd = Math.min(outSize - 1, q1);
      return {
        taps,
        q0,
        count: q1 - q0 + 1,
        cropStart,
        cropLen: cropEnd - cropStart + 1,
        padBefore: cropStart - lo,
        padAfter: q1 - cropEnd,
      };
    };
    const ay = ax(kh, sh, dh, info.padInfo.top, h, info.outHeight);
    const axw = ax(kw, sw, dw, info.padInfo.left, w, info.outWidth);
    if (ay.cropLen <= 0 || axw.cropLen <= 0) return tf.zeros(inputShape) as tf.Tensor4D; // dy never reaches x

    // Filter [KH, KW, Ci, Co] -> per-phase stack [J, Jw, Co, sh*sw*Ci].
    let f: tf.Tensor = filter;
    const padH = ay.taps * sh - kh;
    const padW = axw.taps * sw - kw;
    if (padH > 0 || padW > 0)
      f = tf.pad(f, [
        [0, padH],
        [0, padW],
        [0, 0],
        [0, 0],
      ]);
    f = tf.reshape(f, [ay.taps, sh, axw.taps, sw, ci, co]); // kh = j*s + p
    f = tf.reverse(f, [0, 2]); // tap i = J-1-j: correlation form
    f = tf.transpose(f, [0, 2, 5, 1, 3, 4]); // [J, Jw, Co, ph, pw, Ci]
    const g4 = tf.reshape(f, [ay.taps, axw.taps, co, sh * sw * ci]) as tf.Tensor4D;

    let d: tf.Tensor4D = dy;
    if (ay.cropStart > 0 || axw.cropStart > 0 || ay.cropLen < dy.shape[1] || axw.cropLen < dy.shape[2]) {
      d = tf.slice(dy, [0, ay.cropStart, axw.cropStart, 0], [-1, ay.cropLen, axw.cropLen, -1]);
    }
    let out: tf.Tensor4D = conv(d, g4, [1, 1], [dh, dw], [ay.padBefore, ay.padAfter, axw.padBefore, axw.padAfter]); // [N, Q, Qw, sh*sw*Ci]
    if (sh === 1 && sw === 1) return out; // Q = H, Qw = W
    if (sh === sw) {
      out = tf.depthToSpace(out, sh, 'NHWC');
    } else {
      out = tf.reshape(tf.transpose(tf.reshape(out, [n, ay.count, axw.count, sh, sw, ci]), [0, 1, 3, 2, 4, 5]), [
        n,
        ay.count * sh,
        axw.count * sw,
        ci,
      ]);
    }
    // Row r of the interleaved result is padded-input row q0*s + r; keep input rows [0, H).
    const r0 = info.padInfo.top - ay.q0 * sh;
    const c0 = info.padInfo.left - axw.q0 * sw;
    if (r0 === 0 && c0 === 0 && out.shape[1] === h && out.shape[2] === w) return out;
    return tf.slice(out, [0, r0, c0, 0], [n, h, w, ci]);
  });
}
