// Counts what tfjs's webgpu backend does, by wrapping its program runner and its device: dispatches (one per
// runWebGPUProgram that records work), queue submits, synchronous (readSync) and asynchronous (read) readbacks,
// bytes uploaded (tensor data written to the GPU, and uniforms), compute pipelines compiled, and for every
// dispatch its invocations and the serial iterations of one invocation.
//
// Serial iterations come from each program's loop bounds (serialIterations below): the trip count of the longest
// loop one invocation runs, for the programs that loop; programs of ours carry a `serialIterations` field.
// Programs are known by the first part of their shader key (class names are minified in a page bundle).
// Programs not in the table are counted as element-wise (1) and listed by name in `assumed`, so a looping
// program we do not know shows up there rather than hiding.
type Shape = readonly number[];
interface ProgramLike {
  constructor: { name: string };
  shaderKey?: string;
  dispatch?: number[];
  workgroupSize?: number[];
  outputShape?: number[];
  transposeA?: boolean;
  isVec4?: boolean;
  splitedDimInner?: number;
  serialIterations?: number;
  /** Our programs: the weight gradient's passes report themselves as such. */
  weightGradient?: boolean;
}
interface Uniform {
  type: string;
  data: number[];
}
interface TensorInfoLike {
  shape: Shape;
  dataId: object;
}

const prod = (s: Shape | undefined): number => (s ?? []).reduce((a, b) => a * b, 1);
const log2 = (n: number): number => Math.ceil(Math.log2(Math.max(1, n)));

/** Names of the stock programs that compute a conv weight gradient. */
const STOCK_WEIGHT_GRADIENT = new Set(['conv2DDerFilter']);

/** A program's name: its shader key up to the first '_' (tfjs's keys start with the program's kind). */
export const programName = (p: ProgramLike): string => (p.shaderKey ?? p.constructor.name).split('_')[0];

/** The longest loop one invocation of `program` runs (see the file comment). `null`: not in the table. */
export function serialIterations(p: ProgramLike, inputs: TensorInfoLike[], uniforms: Uniform[]): number | null {
  if (typeof p.serialIterations === 'number') return p.serialIterations;
  const wg = p.workgroupSize?.[0] ?? 1;
  const inShape = (i: number): Shape => inputs[i]?.shape ?? [];
  switch (programName(p)) {
    case 'conv2DDerFilter': {
      // Conv2DDerFilterProgram: one invocation per weight, over batch x outH x outW (NHWC dy)
      const dy = inShape(1);
      return dy[0] * dy[1] * dy[2];
    }
    case 'conv2DDerInput': {
      // Conv2DDerInputProgram: one per input element, over filterH x filterW x outChannels
      const w = inShape(1);
      return p.isVec4 ? (w[0] * w[1] * w[3]) / 4 : w[0] * w[1] * w[3];
    }
    case 'conv2DDerInputMM': {
      const w = inShape(1);
      return w[0] * w[1] * w[3];
    }
    case 'conv2DMM':
    case 'conv2dnaive': {
      const w = inShape(1);
      return w[0] * w[1] * w[2];
    }
    case 'matMulPacked':
    case 'matMulSmallOutputSize': {
      // inner dimension of [batch, M, K]
      const a = inShape(0);
      return p.transposeA ? a[1] : a[2];
    }
    case 'matMulReduce': {
      const a = inShape(0);
      return Math.ceil((p.transposeA ? a[1] : a[2]) / wg) + log2(wg);
    }
    case 'matMulSplitK':
      return p.splitedDimInner ?? 128;
    case 'reduce':
      return Math.ceil((uniforms[0]?.data[0] ?? 1) / wg) + log2(wg);
    case 'softmax':
      return 2 * (Math.ceil((p.outputShape?.[1] ?? 1) / wg) + log2(wg));
    case 'argMinMax': {
      const x = inShape(0);
      return Math.ceil(x[x.length - 1] / wg) + log2(wg);
    }
    case 'pool2D':
      return prod(uniforms[4]?.data);
    case 'maxPool2DBackprop':
    case 'avgPool2DBackprop':
      return prod(uniforms[3]?.data);
    default:
      return null;
  }
}

export interface GpuCounts {
  dispatches: number;
  submits: number;
  syncReads: number;
  asyncReads: number;
  /** Tensor data written to the GPU (bytes). */
  uploadBytes: number;
  /** Uniform buffers written (bytes). */
  uniformBytes: number;
  pipelines: number;
  /** The longest serial chain of any invocation, and the program that ran it. */
  maxSerial: number;
  maxSerialProgram: string;
  /** Invocations of each weight-gradient dispatch (stock Conv2DDerFilterProgram, or our reduction's passes). */
  weightGradInvocations: number[];
  /** Serial iterations of each weight-gradient dispatch, in the same order. */
  weightGradSerial: number[];
  /** Per program name: dispatches and the longest serial chain. */
  programs: Record<string, { dispatches: number; maxSerial: number }>;
  /** Programs counted as element-wise (not in the loop table). */
  assumed: string[];
}

const zero = (): GpuCounts => ({
  dispatches: 0,
  submits: 0,
  syncReads: 0,
  asyncReads: 0,
  uploadBytes: 0,
  uniformBytes: 0,
  pipelines: 0,
  maxSerial: 0,
  maxSerialProgram: '',
  weightGradInvocations: [],
  weightGradSerial: [],
  programs: {},
  assumed: [],
});

/** Counts since `before` (a snapshot from counts()). */
export function countsSince(now: GpuCounts, before: GpuCounts): GpuCounts {
  const d = zero();
  for (const k of [
    'dispatches',
    'submits',
    'syncReads',
    'asyncReads',
    'uploadBytes',
    'uniformBytes',
    'pipelines',
  ] as const) {
    d[k] = now[k] - before[k];
  }
  d.weightGradInvocations = now.weightGradInvocations.slice(before.weightGradInvocations.length);
  d.weightGradSerial = now.weightGradSerial.slice(before.weightGradSerial.length);
  return d;
}

export interface WebgpuCounter {
  /** A snapshot of the totals so far (maxSerial and programs: since the last resetMax()). */
  counts(): GpuCounts;
  /** Starts a new window for maxSerial and the per-program table. */
  resetMax(): void;
  /** Removes the wrappers. */
  restore(): void;
}

interface BackendLike {
  runWebGPUProgram(
    program: ProgramLike,
    inputs: TensorInfoLike[],
    dtype: string,
    uniforms?: Uniform[],
    out?: unknown,
  ): unknown;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  uploadToGPU(dataId: object): void;
  tensorMap: {
    get(dataId: object): { values: ArrayLike<number> | null; resource: unknown; shape: Shape; dtype: string };
  };
  device: {
    createComputePipeline(d: unknown): unknown;
    createComputePipelineAsync(d: unknown): Promise<unknown>;
    queue: { submit(b: unknown): void; writeBuffer(...a: unknown[]): void };
  };
}

/** Wraps `backend` (tfjs's WebGPUBackend: tf.backend() while 'webgpu' is active) and counts. */
export function instrumentWebgpu(backendArg: unknown): WebgpuCounter {
  const be = backendArg as BackendLike;
  if (typeof be?.runWebGPUProgram !== 'function') throw new Error('instrumentWebgpu: not a tfjs webgpu backend');
  const c = zero();
  const assumed = new Set<string>();
  const undo: (() => void)[] = [];
  const wrap = <T extends object, K extends keyof T>(obj: T, key: K, make: (orig: T[K]) => T[K]): void => {
    const own = Object.prototype.hasOwnProperty.call(obj, key);
    const prev = obj[key];
    obj[key] = make((prev as (...a: unknown[]) => unknown).bind(obj) as T[K]);
    undo.push(() => {
      if (own) obj[key] = prev;
      else delete obj[key];
    });
  };
  wrap(be, 'runWebGPUProgram', (orig) => (program, inputs, dtype, uniforms, out) => {
    const result = orig(program, inputs, dtype, uniforms, out);
    const shape = (result as { shape?: Shape }).shape;
    if (shape && prod(shape) === 0) return result; // short-circuited, nothing dispatched
    c.dispatches++;
    const name = programName(program);
    let serial = serialIterations(program, inputs, uniforms ?? []);
    if (serial == null) {
      serial = 1;
      assumed.add(name);
    }
    const invocations = prod(program.dispatch) * prod(program.workgroupSize);
    const row = (c.programs[name] ??= { dispatches: 0, maxSerial: 0 });
    row.dispatches++;
    row.maxSerial = Math.max(row.maxSerial, serial);
    if (serial > c.maxSerial) {
      c.maxSerial = serial;
      c.maxSerialProgram = name;
    }
    if (STOCK_WEIGHT_GRADIENT.has(name) || program.weightGradient === true) {
      c.weightGradInvocations.push(invocations);
      c.weightGradSerial.push(serial);
    }
    return result;
  });
  wrap(be, 'readSync', (orig) => (id) => {
    c.syncReads++;
    return orig(id);
  });
  wrap(be, 'read', (orig) => (id) => {
    c.asyncReads++;
    return orig(id);
  });
  wrap(be, 'uploadToGPU', (orig) => (id) => {
    const d = be.tensorMap.get(id);
    if (d.resource == null && d.values != null) c.uploadBytes += 4 * prod(d.shape);
    orig(id);
  });
  wrap(be.device, 'createComputePipeline', (orig) => (d) => {
    c.pipelines++;
    return orig(d);
  });
  wrap(be.device, 'createComputePipelineAsync', (orig) => (d) => {
    c.pipelines++;
    return orig(d);
  });
  wrap(be.device.queue, 'submit', (orig) => (b) => {
    c.submits++;
    orig(b);
  });
  wrap(be.device.queue, 'writeBuffer', (orig) => (...a: unknown[]) => {
    const size = a[4] as number | undefined;
    c.uniformBytes += size ?? (a[2] as { byteLength?: number })?.byteLength ?? 0;
    (orig as (...x: unknown[]) => void)(...a);
  });
  return {
    counts: () => ({
      ...c,
      weightGradInvocations: [...c.weightGradInvocations],
      weightGradSerial: [...c.weightGradSerial],
      programs: Object.fromEntries(Object.entries(c.programs).map(([k, v]) => [k, { ...v }])),
      assumed: [...assumed].sort(),
    }),
    resetMax: () => {
      c.maxSerial = 0;
      c.maxSerialProgram = '';
      c.programs = {};
      assumed.clear();
    },
    restore: () => {
      while (undo.length) undo.pop()!();
    },
  };
}
