// The one list of tfjs backends the lab knows, in the order `auto` tries them (fastest first). The
// platform starts them (platform/backend.ts); the page, the worker protocol and the runner name them.

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];
/** What a user may choose: one backend, or `auto` (the first of BACKEND_ORDER that works). */
export type BackendChoice = 'auto' | BackendName;

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === 'string' && (BACKEND_ORDER as readonly string[]).includes(v);
}

/** The order to try for a choice. */
export function backendOrder(choice: BackendChoice): BackendName[] {
  return choice === 'auto' ? [...BACKEND_ORDER] : [choice];
}

/** `auto (webgpu → webgl → wasm → cpu)`-style labels for a select. */
export const BACKEND_CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: `auto (${BACKEND_ORDER.join(' → ')})` },
  ...BACKEND_ORDER.map((b) => ({ value: b, label: b })),
];
