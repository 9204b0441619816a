/**
 * The change listeners of a {@link PacketStore}: a key listener per subscriber plus an optional reset
 * callback for when notifications may have been lost.
 */

/** A subscriber of {@link PacketStore.subscribe}. */
interface Subscriber {
  readonly onChange: (key: string) => void;
  readonly onReset: (() => void) | undefined;
}

/** The set of subscribers of one store. Listener exceptions are swallowed so one cannot break the others. */
export class ChangeListeners {
  readonly #subscribers = new Set<Subscriber>();

  /** Adds a subscriber; returns the function that removes it. */
  add(onChange: (key: string) => void, onReset?: () => void): () => void {
    const s: Subscriber = { onChange, onReset };
    this.#subscribers.add(s);
    return () => {
      this.#subscribers.delete(s);
    };
  }

  /** Tells every subscriber that `key` changed. */
  changed(key: string): void {
    for (const s of this.#subscribers) {
      try {
        s.onChange(key);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** Tells every subscriber that changes may have been missed. */
  reset(): void {
    for (const s of this.#subscribers) {
      try {
        s.onReset?.();
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** Removes every subscriber. */
  clear(): void {
    this.#subscribers.clear();
  }
}
