// The shape of a config document, checked before anything merges, clones or validates it: names that
// would reach the prototype chain (`__proto__`, `constructor`, `prototype`) at any depth, and nesting
// deeper than any setting goes. JSON.parse keeps `"__proto__"` as an own property, but a merge or spread
// that assigns it sets the target's prototype instead, so a `sweep` hidden there would be read through the
// prototype chain and never validated. The walk is iterative: a document nested 100,000 levels deep (which
// JSON.parse accepts) is refused in words instead of overflowing the stack in a recursive merge or clone.
import type { ConfigError } from './config';

/** Deepest nesting a config may have (the deepest setting, model.custom.convs[i].filters, is at 4). */
export const MAX_CONFIG_DEPTH = 16;

/** Names that are never settings (they would reach the prototype chain when merged). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const pathOf = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent || '(root)'}[${key}]` : parent ? `${parent}.${key}` : key;

/** Forbidden names (at any depth) and too deep a nesting, each with its dotted path; empty when fine. */
export function configShapeErrors(doc: unknown): ConfigError[] {
  const out: ConfigError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: doc, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_CONFIG_DEPTH) {
      out.push({
        field: path || '(root)',
        message: `is nested more than ${MAX_CONFIG_DEPTH} levels deep; no setting is`,
      });
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: pathOf(path, i), depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const field = pathOf(path, key);
      if (FORBIDDEN_KEYS.has(key)) out.push({ field, message: 'is not allowed as a setting name' });
      else stack.push({ value: (value as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return out;
}
