// Conv2DBackpropFilter for tfjs's webgpu backend as a split parallel reduction.
//
// Shape arithmetic. x [B, H, W, Cin], dy [B, OH, OW, Cout], dW [FH, FW, Cin, Cout]:
//   dW[wR, wC, d1, d2] = sum over the P = B * OH * OW output positions p = (b, yR, yC) of
//                        x[b, yR * sH + wR - padTop, yC * sW + wC - padLeft, d1] * dy[b, yR, yC, d2]
// tfjs 4.22's Conv2DDerFilterProgram runs one invocation per weight (F = FH * FW * Cin * Cout of them), each
// looping over all P positions: the demo model's first layer (3x3x1x8, 64 images of 48x48) is 72 invocations
// of 147,456 serial iterations, one or two workgroups on a GPU with thousands of lanes.
// Here the P positions are cut into S chunks of `chunk` <= MAX_SERIAL positions:
//   pass 1: S * F invocations; invocation (s, f) sums weight f's products over chunk s -> partial [S, F];
//   pass 2: the S partial sums of each weight are added (rows of <= MAX_SERIAL per invocation; repeated while
//           more than one row is left, which needs P > MAX_SERIAL^2 = 16.7M positions).
// S is chosen for at least TARGET_INVOCATIONS invocations in pass 1 (chunks of at least MIN_CHUNK positions),
// and at least ceil(P / MAX_SERIAL) chunks. Demo first layer: S = 911 chunks of 162 positions, 65,592
// invocations, then 72 invocations summing 911 rows. ResNet-50 conv1 at batch 32 (7x7x3x64, P = 401,408):
// S = 98 chunks of 4,096, 921,984 invocations, then 9,408 summing 98.
// Consecutive invocations share a chunk and walk d2 fastest, so dy reads are contiguous across a workgroup.
import * as tf from '@tensorflow/tfjs';

/** Longest serial chain of one invocation (positions in pass 1, rows in pass 2). */
export const MAX_SERIAL = 4096;
/** Pass 1 aims for at least this many invocations. */
export const TARGET_INVOCATIONS = 65_536;
/** ...but no chunk shorter than this (below it the partial buffer grows for little gain). */
export const MIN_CHUNK = 32;
const WORKGROUP = 64;

export interface FilterGradPlan {
  positions: number;
  filterSize: number;
  /** Chunks in pass 1 (rows of the partial sums). */
  chunks: number;
  chunk: number;
  /** Rows summed per invocation at each later pass, and the rows left after it. */
  sums: { rowsPerInvocation: number; rowsOut: number }[];
}

/** How the reduction is split for P positions and F weights (`maxFloats`: the largest buffer allowed). */
export function planFilterGrad(positions: number, filterSize: number, maxFloats = 2 ** 28): FilterGradPlan {
  let chunks = Math.max(
    Math.ceil(positions / MAX_SERIAL),
    Math.min(Math.ceil(TARGET_INVOCATIONS / filterSize), Math.ceil(positions / MIN_CHUNK)),
  );
  chunks = Math.max(1, Math.min(chunks, positions));
  // A partial buffer past the device's limit: fewer, longer chunks (more serial work, never wrong).
  while (chunks > 1 && chunks * filterSize > maxFloats) chunks = Math.ceil(chunks / 2);
  const chunk = Math.ceil(positions / chunks);
  chunks = Math.ceil(positions / chunk);
  const sums: FilterGradPlan['sums'] = [];
  let rows = chunks;
  while (rows > 1) {
    const rowsOut = Math.ceil(rows / MAX_SERIAL);
    const rowsPerInvocation = Math.ceil(rows / rowsOut);
    sums.push({ rowsPerInvocation, rowsOut });
    rows = rowsOut;
  }
  return { positions, filterSize, chunks, chunk, sums };
}

const flatDispatch = (size: number): [number, number, number] => [Math.ceil(size / WORKGROUP), 1, 1];

/** What both passes share: one invocation per output element in flat 64-wide workgroups, marked as a weight
 *  gradient for the profile, with `serialIterations` its longest loop (platform/webgpu/profile.ts). */
abstract class FlatWeightGradProgram {
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  readonly weightGradient = true;
  constructor(
    readonly outputShape: number[],
    readonly serialIterations: number,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatDispatch(outputShape.reduce((a, b) => a * b, 1));
  }
}

/** Pass 1: invocation (s, f) -> partial[s, f], the sum over chunk s of weight f's products. */
class FilterPartialProgram extends FlatWeightGradProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, chunk : i32, positions : i32, ' +
    'filterSize : i32,';
  shaderKey = 'occlusionConv2DFilterPartial';
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let inH = uniforms.xShape[1];
      let inW = uniforms.xShape[2];
      let cin = uniforms.xShape[3];
      let outH = uniforms.dyShape[1];
      let outW = uniforms.dyShape[2];
      let cout = uniforms.dyShape[3];
      let s = index / uniforms.filterSize;
      let f = index - s * uniforms.filterSize;
      let d2 = f % cout;
      let d1 = (f / cout) % cin;
      let wC = (f / (cout * cin)) % uniforms.filterDims.y;
      let wR = f / (cout * cin * uniforms.filterDims.y);
      let p0 = s * uniforms.chunk;
      let p1 = min(p0 + uniforms.chunk, uniforms.positions);
      var yC = p0 % outW;
      var yR = (p0 / outW) % outH;
      var b = p0 / (outW * outH);
      var acc = 0.0;
      for (var p = p0; p < p1; p = p + 1) {
        let xR = yR * uniforms.strides.x + wR - uniforms.pads.x;
        let xC = yC * uniforms.strides.y + wC - uniforms.pads.y;
        if (xR >= 0 && xR < inH && xC >= 0 && xC < inW) {
          acc = acc + x[((b * inH + xR) * inW + xC) * cin + d1] * dy[p * cout + d2];
        }
        yC = yC + 1;
        if (yC == outW) {
          yC = 0;
          yR = yR + 1;
          if (yR == outH) { yR = 0; b = b + 1; }
        }
      }
      setOutputAtIndex(index, acc);
    }`;
  }
}

/** Pass 2: out[r, f] = sum of rows [r * rowsPer, (r + 1) * rowsPer) of partial[rows, F]. */
class RowSumProgram extends FlatWeightGradProgram {
  readonly variableNames = ['partial'];
  readonly uniforms = 'rows : i32, rowsPer : i32, cols : i32,';
  shaderKey = 'occlusionRowSum';
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let r = index / uniforms.cols;
      let f = index - r * uniforms.cols;
      let r0 = r * uniforms.rowsPer;
      let r1 = min(r0 + uniforms.rowsPer, uniforms.rows);
      var acc = 0.0;
      for (var k = r0; k < r1; k = k + 1) {
        acc = acc + partial[k * uniforms.cols + f];
      }
      setOutputAtIndex(index, acc);
    }`;
  }
}

/** The slice of tfjs's WebGPUBackend used here. */
export interface WebgpuProgramRunner {
  runWebGPUProgram(
    program: unknown,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
  disposeData(dataId: unknown, force?: boolean): boolean;
  device: { limits: { maxStorageBufferBindingSize: number } };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

export function conv2dBackpropFilterWebgpu(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = (args.attrs ?? {}) as Record<string, unknown>;
  const backend = args.backend as WebgpuProgramRunner;
  const format = tf.backend_util.convertConv2DDataFormat((a.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (format !== 'channelsLast') {
    throw new Error(
      `Conv2DBackpropFilter (webgpu training kernels): only NHWC is supported, got ${String(a.dataFormat)}`,
    );
  }
  const filterShape = a.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    a.strides as [number, number],
    1,
    a.pad as 'same' | 'valid' | number,
    a.dimRoundingMode as 'floor' | undefined,
    false,
    format,
  );
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const filterSize = filterShape.reduce((p, d) => p * d, 1);
  const plan = planFilterGrad(positions, filterSize, Math.floor(backend.device.limits.maxStorageBufferBindingSize / 4));
  const pass1 = new FilterPartialProgram(plan.chunks === 1 ? filterShape : [plan.chunks, filterSize], plan.chunk);
  let out = backend.runWebGPUProgram(pass1, [x, dy], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
    { type: 'int32', data: [plan.chunk] },
    { type: 'int32', data: [positions] },
    { type: 'int32', data: [filterSize] },
  ]);
  let rows = plan.chunks;
  for (const s of plan.sums) {
    const prog = new RowSumProgram(s.rowsOut === 1 ? filterShape : [s.rowsOut, filterSize], s.rowsPerInvocation);
    const next = backend.runWebGPUProgram(prog, [out], 'float32', [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [s.rowsPerInvocation] },
      { type: 'int32', data: [filterSize] },
    ]);
    backend.disposeData(out.dataId);
    out = next;
    rows = s.rowsOut;
  }
  return out;
}
