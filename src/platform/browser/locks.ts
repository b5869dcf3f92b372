// Which runs are being trained right now, in any tab: the worker holds a Web Lock named after the run
// while it trains, so a second tab does not take a live run for an interrupted one.
export const runLockName = (runId: string): string => `odl-run:${runId}`;

type Locks = {
  request(name: string, cb: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[] }>;
};
const locks = (): Locks | undefined => (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks;

/** Holds a named lock until `until` settles (no-op where Web Locks do not exist). */
export function holdLock(name: string, until: Promise<unknown>): void {
  void locks()
    ?.request(name, () =>
      until.then(
        () => {},
        () => {},
      ),
    )
    .catch(() => {});
}

/** Names of the held locks that start with `prefix`, without it. */
export async function heldLocks(prefix: string): Promise<Set<string>> {
  const l = locks();
  if (!l) return new Set();
  const q = await l.query();
  return new Set(
    (q.held ?? [])
      .map((h) => h.name ?? '')
      .filter((n) => n.startsWith(prefix))
      .map((n) => n.slice(prefix.length)),
  );
}

/** Holds the run's lock until `until` settles (no-op where Web Locks do not exist). */
export function holdRunLock(runId: string, until: Promise<void>): void {
  void locks()
    ?.request(runLockName(runId), () => until)
    .catch(() => {});
}

/** Ids of the runs some worker is training now. */
export async function runsInProgress(): Promise<Set<string>> {
  const l = locks();
  if (!l) return new Set();
  const q = await l.query();
  return new Set(
    (q.held ?? [])
      .map((h) => h.name ?? '')
      .filter((n) => n.startsWith('odl-run:'))
      .map((n) => n.slice('odl-run:'.length)),
  );
}

/** Resolves once no worker holds the run's lock (at once where Web Locks do not exist). */
export function whenRunFree(runId: string): Promise<void> {
  const l = locks();
  return l ? l.request(runLockName(runId), async () => {}).catch(() => {}) : Promise.resolve();
}
