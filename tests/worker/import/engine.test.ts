// The import worker's engine over memory storage: an import to "done" with progress, a cancel to
// "cancelled" leaving nothing.
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../../src/platform/memoryStorage';
import type { ByteSource, ImportInput } from '../../../src/platform/import/run';
import { nodeImportPlatform } from '../../../src/platform/node/importFiles';
import { ImportEngine, removeAbandonedImports } from '../../../src/worker/import/engine';
import type { ImportEvent } from '../../../src/worker/import/protocol';

describe('import worker engine', () => {
  it('runs an import to "done" with progress, and a cancel to "cancelled" leaving nothing', async () => {
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `${i % 7},${Array.from({ length: 16 }, (_, k) => (k + i) % 256).join(' ')},Training`,
    );
    const text = new TextEncoder().encode(`emotion,pixels,Usage\n${rows.join('\n')}\n`);
    const src: ByteSource = {
      name: 'fer.csv',
      size: text.length,
      async *stream() {
        for (let i = 0; i < text.length; i += 2000) {
          await new Promise((r) => setTimeout(r, 0));
          yield text.slice(i, i + 2000);
        }
      },
    };
    const storage = memoryStorage();
    const events: ImportEvent[] = [];
    const engine = new ImportEngine<ImportInput>({
      storage,
      platform: nodeImportPlatform,
      toInput: (f) => f,
      post: (e) => events.push(e),
    });
    const opts = {
      name: 'fer',
      height: 4,
      width: 4,
      channels: 1 as const,
      seed: 1,
      split: [60, 20, 20] as [number, number, number],
    };
    await engine.handle({
      type: 'import',
      jobId: 'a',
      files: { kind: 'csv', images: src, votes: null },
      format: 'auto',
      options: opts,
    });
    const last = events[events.length - 1];
    expect(last.type === 'done' && [last.meta.id, last.report.images]).toEqual(['import-a', 1200]);
    expect(events.some((e) => e.type === 'progress')).toBe(true);

    const running = engine.handle({
      type: 'import',
      jobId: 'b',
      files: { kind: 'csv', images: src, votes: null },
      format: 'auto',
      options: opts,
    });
    await new Promise((r) => setTimeout(r, 5));
    await engine.handle({ type: 'cancel', jobId: 'b' });
    await running;
    const end = events[events.length - 1];
    expect(end.type === 'failed' && end.status).toBe('cancelled');
    expect((await storage.listDatasets()).map((d) => d.id)).toEqual(['import-a']);
    expect(await removeAbandonedImports(storage, new Set())).toEqual([]);
  });
});
