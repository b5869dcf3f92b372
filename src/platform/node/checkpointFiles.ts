// The runner's checkpoints on disk, in its --out folder: after every epoch, so that a killed run (Ctrl-C
// twice, SIGKILL, a crash) continues with `--resume <out>` from its last epoch, as the lab's resume does.
// checkpoint.json holds the config and the checkpoint with every typed array replaced by its place in
// checkpoint.bin (little-endian float32). Both are written to temporary names and renamed, so a kill while
// writing leaves the previous checkpoint whole.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../core/config/config';
import type { Checkpoint } from '../../core/distill/checkpoint';

const JSON_NAME = 'checkpoint.json';
const BIN_NAME = 'checkpoint.bin';

interface ArrayRef { $f32?: [offset: number, length: number]; $i32?: number[] }

export async function saveCheckpointFiles(dir: string, config: ExperimentConfig, cp: Checkpoint): Promise<void> {
  const parts: Float32Array[] = [];
  let offset = 0;
  const text = JSON.stringify({ config, checkpoint: cp }, (_k, v: unknown) => {
    if (v instanceof Float32Array) {
      const ref: ArrayRef = { $f32: [offset, v.length] };
      parts.push(v);
      offset += v.length;
      return ref;
    }
    // Small integer arrays (an optimizer's step count) stay in the JSON.
    if (v instanceof Int32Array) return { $i32: Array.from(v) } satisfies ArrayRef;
    return v;
  });
  const bin = new Float32Array(offset);
  let o = 0;
  for (const p of parts) { bin.set(p, o); o += p.length; }
  await writeFile(join(dir, `${BIN_NAME}.tmp`), new Uint8Array(bin.buffer));
  await writeFile(join(dir, `${JSON_NAME}.tmp`), text);
  await rename(join(dir, `${BIN_NAME}.tmp`), join(dir, BIN_NAME));
  await rename(join(dir, `${JSON_NAME}.tmp`), join(dir, JSON_NAME));
}

/** The config and checkpoint kept in `dir`, or null when there is none. */
export async function loadCheckpointFiles(dir: string): Promise<{ config: ExperimentConfig; checkpoint: Checkpoint } | null> {
  let text: string;
  try {
    text = await readFile(join(dir, JSON_NAME), 'utf8');
  } catch {
    return null;
  }
  const raw = await readFile(join(dir, BIN_NAME));
  const bin = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return JSON.parse(text, (_k, v: unknown) => {
    const ref = v as ArrayRef | null;
    if (ref && typeof ref === 'object' && Array.isArray(ref.$i32)) return Int32Array.from(ref.$i32);
    if (ref && typeof ref === 'object' && Array.isArray(ref.$f32)) {
      const [at, len] = ref.$f32;
      if (!(at >= 0 && at + len <= bin.length)) throw new Error(`${join(dir, JSON_NAME)} does not match ${BIN_NAME} (an array past its end)`);
      return bin.slice(at, at + len);
    }
    return v;
  }) as { config: ExperimentConfig; checkpoint: Checkpoint };
}

export async function removeCheckpointFiles(dir: string): Promise<void> {
  await rm(join(dir, JSON_NAME), { force: true });
  await rm(join(dir, BIN_NAME), { force: true });
}
