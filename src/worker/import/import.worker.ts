// The dataset import worker: a thin switch from messages to the ImportEngine, over IndexedDB and the
// browser's decoders. No tfjs here: this worker loads in a few kB.
import { idbStorage } from '../../platform/browser/db';
import { browserImportPlatform, browserInput } from '../../platform/browser/importBrowser';
import type { ImportFiles } from '../../core/data/importReport';
import { holdLock } from '../../platform/browser/locks';
import { ImportEngine } from './engine';
import type { ImportCommand, ImportEvent } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const engine = new ImportEngine<ImportFiles>({
  storage: idbStorage(),
  platform: browserImportPlatform,
  toInput: browserInput,
  post: (e: ImportEvent) => scope.postMessage(e),
  holdLock: (id, until) => holdLock(`odl-import:${id}`, until),
});

scope.onmessage = (ev: MessageEvent<ImportCommand<ImportFiles>>) => {
  const cmd = ev.data;
  if (!cmd || (cmd.type !== 'import' && cmd.type !== 'cancel') || typeof cmd.jobId !== 'string') {
    scope.postMessage({
      type: 'failed',
      jobId: String((cmd as { jobId?: unknown } | null)?.jobId ?? ''),
      status: 'failed',
      message: 'The import worker got a message it does not know.',
      report: null,
    });
    return;
  }
  void engine.handle(cmd);
};
