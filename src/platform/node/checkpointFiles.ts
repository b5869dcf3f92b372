// The runner's checkpoints on disk, in its --out folder: after every epoch, so that a killed run (Ctrl-C
// twice, SIGKILL, a crash, a preempted cluster job) continues with `--resume <out>` exactly where it was.
//
// Two parts, one atomic unit:
// - checkpoint-<hash>.bin: every typed array of the checkpoint (little-endian float32), written first under
//   a name of its own (the first 16 hex digits of its SHA-256), so it never replaces the part an older
//   checkpoint.json names;
// - checkpoint.json, written last: the config, the run's world (dataset identity, backend), the checkpoint
//   with each array replaced by its place in the .bin, and the .bin's name, size and SHA-256.
// Each is written to a temporary name, flushed to disk (fsync) and renamed; checkpoint.json's rename is
// the commit. A kill at any moment leaves the previous checkpoint.json with the part it names. Loading
// checks the format, the size and the hash, and refuses anything else with a CheckpointFileError that
// names the file and what is wrong.
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../core/config/config';
import type { Checkpoint } from '../../core/distill/checkpoint';
import { checkCheckpointShape } from '../../core/distill/checkpointShape';

const JSON_NAME = 'checkpoint.json';
/** What checkpoint.json says it is; a JSON file without it is not one of ours. */
export const CHECKPOINT_FORMAT = 'occlusion-distillation-lab checkpoint';
export const CHECKPOINT_FILE_VERSION = 2;

/** What a run depends on besides its config: checked again on --resume. */
export interface RunWorld {
  /** The dataset's identity: SHA-256 of its file(s), or of the synthetic spec. */
  dataset: DatasetIdentity;
  /** The tfjs backend the run trained on. */
  backend: string;
}

export interface DatasetIdentity {
  kind: 'synth' | 'file';
  /** SHA-256 over everything below (hex). */
  sha256: string;
  /** For files: each with its size and SHA-256. */
  files?: { path: string; bytes: number; sha256: string }[];
}

interface BinPart {
  file: string;
  bytes: number;
  sha256: string;
}

interface CheckpointFile {
  format: string;
  version: number;
  savedAt: string;
  config: ExperimentConfig;
  world: RunWorld;
  bin: BinPart;
  checkpoint: unknown;
}

export interface LoadedCheckpoint {
  config: ExperimentConfig;
  checkpoint: Checkpoint;
  world: RunWorld;
  savedAt: string;
  file: string;
}

/** A checkpoint that cannot be used, with the file and the reason in the message. */
export class CheckpointFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFileError';
  }
}

interface Ref {
  $f32?: [offset: number, length: number];
  $i32?: number[];
  $num?: 'NaN' | 'Infinity' | '-Infinity';
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Writes `data` to `path` through a temporary file that is flushed to disk before it is renamed. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Flushes a folder's entries (the renames) to disk; not every platform can open a folder: then skipped. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* e.g. Windows: renames are durable enough there */
  }
}

export async function saveCheckpointFiles(
  dir: string,
  config: ExperimentConfig,
  cp: Checkpoint,
  world: RunWorld,
): Promise<void> {
  const parts: Float32Array[] = [];
  let offset = 0;
  const body = JSON.stringify(cp, (_k, v: unknown) => {
    if (v instanceof Float32Array) {
      const ref: Ref = { $f32: [offset, v.length] };
      parts.push(v);
      offset += v.length;
      return ref;
    }
    // Small integer arrays (an optimizer's step count) stay in the JSON.
    if (v instanceof Int32Array) return { $i32: Array.from(v) } satisfies Ref;
    // JSON has no NaN or infinities (a diverged validation loss): kept by name, not turned into null.
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) as Ref['$num'] } satisfies Ref;
    return v;
  });
  const bin = new Float32Array(offset);
  let o = 0;
  for (const p of parts) {
    bin.set(p, o);
    o += p.length;
  }
  const bytes = new Uint8Array(bin.buffer);
  const hash = sha256(bytes);
  const binFile = `checkpoint-${hash.slice(0, 16)}.bin`;
  await writeDurably(join(dir, binFile), bytes);
  const file: Omit<CheckpointFile, 'checkpoint'> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_FILE_VERSION,
    savedAt: new Date().toISOString(),
    config,
    world,
    bin: { file: binFile, bytes: bytes.byteLength, sha256: hash },
  };
  // The checkpoint's text is spliced in as it is (not parsed and stringified again).
  const text = `${JSON.stringify(file).slice(0, -1)},"checkpoint":${body}}`;
  await writeDurably(join(dir, JSON_NAME), text);
  await syncDir(dir);
  // Parts no checkpoint.json names any more (the previous epoch's, a legacy checkpoint.bin).
  for (const name of await readdir(dir)) {
    if (name !== binFile && /^checkpoint(-[0-9a-f]{16})?\.bin(\.tmp.*)?$/.test(name))
      await rm(join(dir, name), { force: true });
  }
}

/** The checkpoint kept in `dir`, or null when there is none; a damaged, mixed or foreign one throws
 *  CheckpointFileError. */
export async function loadCheckpointFiles(dir: string): Promise<LoadedCheckpoint | null> {
  const jsonPath = join(dir, JSON_NAME);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointFileError(`Cannot read ${jsonPath}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointFileError(
      `${jsonPath} is not a complete checkpoint (${text.length} bytes, not valid JSON: ` +
        `${(e as Error).message}); it was cut short or damaged and cannot be resumed.`,
    );
  }
  const f = raw as Partial<CheckpointFile> | null;
  if (!f || typeof f !== 'object' || Array.isArray(f) || f.format !== CHECKPOINT_FORMAT) {
    const legacy = f && typeof f === 'object' && 'checkpoint' in f && 'config' in f;
    throw new CheckpointFileError(
      legacy
        ? `${jsonPath} was written by an older version of the runner, whose checkpoints carry no hashes: it cannot be ` +
            'verified against its checkpoint.bin, so it is not resumed. Start the run again.'
        : `${jsonPath} is not a checkpoint of this runner (no "format": "${CHECKPOINT_FORMAT}").`,
    );
  }
  if (f.version !== CHECKPOINT_FILE_VERSION) {
    throw new CheckpointFileError(
      `${jsonPath} has checkpoint format version ${String(f.version)}; this runner reads version ${CHECKPOINT_FILE_VERSION}.`,
    );
  }
  const part = f.bin;
  if (
    !part ||
    typeof part.file !== 'string' ||
    !/^checkpoint-[0-9a-f]{16}\.bin$/.test(part.file) ||
    !Number.isSafeInteger(part.bytes) ||
    typeof part.sha256 !== 'string'
  ) {
    throw new CheckpointFileError(`${jsonPath} does not name its data part (the "bin" entry is missing or malformed).`);
  }
  if (!f.config || typeof f.config !== 'object' || !f.world || typeof f.world !== 'object') {
    throw new CheckpointFileError(`${jsonPath} lacks the run's config or world (dataset identity and backend).`);
  }
  const binPath = join(dir, part.file);
  let data: Buffer;
  try {
    data = await readFile(binPath);
  } catch (e) {
    throw new CheckpointFileError(
      `${jsonPath} names ${part.file}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ` +
        'the checkpoint is incomplete.',
    );
  }
  if (data.byteLength !== part.bytes) {
    throw new CheckpointFileError(
      `${binPath} has ${data.byteLength} bytes, but ${JSON_NAME} expects ${part.bytes}: ` +
        'it was cut short or belongs to another checkpoint.',
    );
  }
  const got = sha256(data);
  if (got !== part.sha256) {
    throw new CheckpointFileError(
      `${binPath} does not match ${JSON_NAME}: its SHA-256 is ${got.slice(0, 16)}…, the checkpoint ` +
        `records ${part.sha256.slice(0, 16)}…; the two parts come from different checkpoints, or one was changed.`,
    );
  }
  if (data.byteLength % 4 !== 0)
    throw new CheckpointFileError(`${binPath} has ${data.byteLength} bytes, not a whole number of float32 values.`);
  const bin = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bad = (why: string) => new CheckpointFileError(`${jsonPath}: ${why}`);
  const checkpoint = revive(f.checkpoint, bin, bad);
  checkCheckpointShape(checkpoint, bad);
  return {
    config: f.config,
    checkpoint: checkpoint as Checkpoint,
    world: f.world,
    savedAt: String(f.savedAt),
    file: jsonPath,
  };
}

/** The checkpoint with its array references replaced by the arrays. */
function revive(v: unknown, bin: Float32Array, bad: (why: string) => Error): unknown {
  if (Array.isArray(v)) return v.map((x) => revive(x, bin, bad));
  if (!v || typeof v !== 'object') return v;
  const ref = v as Ref;
  if (Array.isArray(ref.$f32)) {
    const [at, len] = ref.$f32;
    if (!(Number.isSafeInteger(at) && Number.isSafeInteger(len) && at >= 0 && len >= 0 && at + len <= bin.length)) {
      throw bad(`an array at ${String(at)}+${String(len)} lies past the end of its data part (${bin.length} values).`);
    }
    return bin.slice(at, at + len);
  }
  if (Array.isArray(ref.$i32)) return Int32Array.from(ref.$i32);
  if (typeof ref.$num === 'string') return Number(ref.$num);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '__proto__') throw bad('a "__proto__" key.');
    out[k] = revive(x, bin, bad);
  }
  return out;
}

export async function removeCheckpointFiles(dir: string): Promise<void> {
  await rm(join(dir, JSON_NAME), { force: true });
  // The parts, and temporary files a killed writer left behind.
  for (const name of await readdir(dir)) {
    if (/^checkpoint(-[0-9a-f]{16})?\.bin(\.tmp.*)?$|^checkpoint\.json\.tmp-\d+$/.test(name))
      await rm(join(dir, name), { force: true });
  }
}
