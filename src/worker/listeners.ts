// The page-side clients' subscribers (lab, import and Try it workers, and the in-process lab engine):
// one set, one dispatch point; a listener that unsubscribes during a dispatch does not disturb it.
export interface Listeners<E> {
  /** Subscribes `fn`; returns the unsubscribe function. */
  add(fn: (e: E) => void): () => void;
  emit(e: E): void;
}

export function listeners<E>(): Listeners<E> {
  const set = new Set<(e: E) => void>();
  return {
    add: (fn) => {
      set.add(fn);
      return () => {
        set.delete(fn);
      };
    },
    emit: (e) => {
      for (const fn of [...set]) fn(e);
    },
  };
}
