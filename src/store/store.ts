import type { Snapshot } from './snapshot.js';

export type SnapshotListener = (next: Snapshot, previous: Snapshot) => void;

/**
 * Holds the current snapshot and tells listeners when it is replaced: the
 * one change notification that the render cache, WebSub and reload share.
 */
export interface Store {
  current(): Snapshot;
  replace(next: Snapshot): void;
  subscribe(listener: SnapshotListener): () => void;
}

export function createStore(initial: Snapshot): Store {
  let current = initial;
  const listeners = new Set<SnapshotListener>();
  return {
    current: () => current,
    replace(next) {
      const previous = current;
      current = next;
      for (const listener of listeners) listener(next, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
