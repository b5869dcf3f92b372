// Dotted paths into plain JSON (`triplet.margin`): read one, or set one immutably. Shared by the
// Experiment form, the store and sweeps.

/** The value at a dotted path (undefined where the path does not exist). */
export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Immutable set of a dotted path in plain JSON: new objects along the path, the rest shared. */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const base = (obj ?? {}) as Record<string, unknown>;
  return { ...base, [head]: rest.length ? setPath(base[head], rest.join('.'), value) : value } as T;
}
